//! The judgements of the readiness check, over readings made up here.

use super::versions::MemberVersion;
use super::*;

fn read(member: &str, compact: i64, hash: u32) -> HashReading {
    HashReading {
        member_id: format!("{:x}", member.len()),
        member: member.into(),
        hash: Some(hash),
        compact_revision: Some(compact),
        error: None,
    }
}

fn silent(member: &str) -> HashReading {
    HashReading {
        member_id: "ff".into(),
        member: member.into(),
        hash: None,
        compact_revision: None,
        error: Some("no answer within 1.5s".into()),
    }
}

#[test]
fn equal_hashes_at_one_compact_revision_agree() {
    let check = HashCheck::of(
        Some(40),
        vec![
            read("etcd2", 5, 77),
            read("etcd1", 5, 77),
            read("etcd3", 5, 77),
        ],
    );
    assert!(check.mismatches.is_empty());
    assert_eq!(check.alarm(), None);
    assert_eq!(check.words(), "3 of 3 agree at revision 40");
    let order: Vec<_> = check.readings.iter().map(|r| r.member.as_str()).collect();
    assert_eq!(order, ["etcd1", "etcd2", "etcd3"]);
}

#[test]
fn a_different_hash_at_the_same_compact_revision_is_a_mismatch_naming_members_and_hashes() {
    let check = HashCheck::of(
        Some(40),
        vec![
            read("etcd1", 5, 77),
            read("etcd2", 5, 78),
            read("etcd3", 5, 77),
        ],
    );
    assert_eq!(
        check.mismatches,
        [Mismatch {
            compact_revision: 5,
            hashes: vec![
                ("etcd1".into(), 77),
                ("etcd2".into(), 78),
                ("etcd3".into(), 77)
            ],
        }]
    );
    let alarm = check.alarm().expect("an alarm");
    assert!(
        alarm.contains("etcd2 78") && alarm.contains("etcd1 77"),
        "{alarm}"
    );
    assert!(alarm.contains("revision 40"), "{alarm}");
    assert!(check.words().starts_with("MISMATCH at revision 40"));
}

#[test]
fn a_silent_member_is_not_checked_and_not_a_mismatch() {
    let check = HashCheck::of(
        Some(40),
        vec![read("etcd1", 5, 77), silent("etcd2"), read("etcd3", 5, 77)],
    );
    assert!(check.mismatches.is_empty());
    assert_eq!(check.checked(), 2);
    assert_eq!(check.words(), "2 of 3 agree at revision 40; 1 not checked");
    let none = HashCheck::of(None, vec![silent("etcd1")]);
    assert_eq!(none.words(), "no member answered: not checked");
    assert_eq!(none.alarm(), None);
}

#[test]
fn different_compact_revisions_are_not_compared_with_each_other() {
    // A member that has not applied the compaction yet hashes more history.
    let readings = [
        read("etcd1", 5, 77),
        read("etcd2", 9, 12),
        read("etcd3", 9, 12),
    ];
    assert!(compare(&readings).is_empty());
    let check = HashCheck::of(Some(40), readings.to_vec());
    assert!(
        check.words().contains("different compact revisions"),
        "{}",
        check.words()
    );
    // Within a group, a difference still counts.
    let readings = [
        read("etcd1", 5, 77),
        read("etcd2", 9, 12),
        read("etcd3", 9, 13),
    ];
    let found = compare(&readings);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].compact_revision, 9);
}

fn versions(cluster: Option<&str>, members: &[(&str, Option<&str>)]) -> Versions {
    Versions {
        cluster: cluster.map(str::to_owned),
        members: members
            .iter()
            .map(|(m, v)| MemberVersion {
                member: (*m).into(),
                version: v.map(str::to_owned),
            })
            .collect(),
    }
}

#[test]
fn versions_name_the_next_minor_and_warn_when_members_differ() {
    assert_eq!(minor_of("3.4.23"), Some((3, 4)));
    assert_eq!(minor_of("v3.5.0"), Some((3, 5)));
    assert_eq!(minor_of("three"), None);
    let same = versions(
        Some("3.4.0"),
        &[
            ("etcd1", Some("3.4.23")),
            ("etcd2", Some("3.4.23")),
            ("etcd3", None),
        ],
    );
    assert!(!same.mixed() && same.warnings().is_empty());
    assert!(same
        .next_step()
        .starts_with("3.4 → 3.5: update every member to the latest 3.4 patch"));
    assert_eq!(same.cluster_words(), "3.4.0");
    let on_35 = versions(None, &[("etcd1", Some("3.5.17"))]);
    assert!(on_35.next_step().starts_with("3.5 → 3.6"));
    assert!(on_35.next_step().contains("3.6 guide"));
    assert_eq!(on_35.cluster_words(), "3.5 (lowest member)");
    let mixed = versions(
        Some("3.4.0"),
        &[
            ("etcd1", Some("3.5.17")),
            ("etcd2", Some("3.4.23")),
            ("etcd3", Some("3.4.23")),
        ],
    );
    assert!(mixed.mixed());
    assert_eq!(
        mixed.next_step(),
        "finish the rolling upgrade: bring every member to 3.5 first"
    );
    assert_eq!(
        mixed.warnings(),
        ["members run different minor versions (3.4 on etcd2, etcd3; 3.5 on etcd1): finish the upgrade before the next one"]
    );
    let unknown = versions(None, &[("etcd1", None)]);
    assert_eq!(unknown.cluster_words(), "unknown");
    assert!(unknown.next_step().starts_with("unknown"));
}

#[test]
fn v2_store_and_learners_warn_only_when_they_would_block() {
    let endpoint = "http://127.0.0.1:2379".to_owned();
    let off = V2Store::Off {
        endpoint: endpoint.clone(),
    };
    assert_eq!(off.words(), "v2 API off: nothing to migrate");
    assert_eq!(off.warning(), None);
    assert!(V2Store::Empty {
        endpoint: endpoint.clone()
    }
    .warning()
    .is_some_and(|w| w.contains("no longer serves")));
    let data = V2Store::Data {
        endpoint,
        keys: 3,
        more: false,
    };
    assert_eq!(data.words(), "v2 API on (--enable-v2), 3 v2 keys");
    assert!(data
        .warning()
        .is_some_and(|w| w.contains("refuses to start")));
    assert_eq!(
        V2Store::NotChecked {
            why: "https".into()
        }
        .warning(),
        None
    );

    let none = Learners {
        count: 0,
        max: DEFAULT_MAX_LEARNERS,
    };
    assert!(!none.at_limit());
    assert_eq!(
        none.words(),
        "0 of 1: etcd allows 1 learner by default (--max-learners)"
    );
    let one = Learners {
        count: 1,
        max: DEFAULT_MAX_LEARNERS,
    };
    assert!(one.at_limit());

    let readiness = Readiness {
        hashes: HashCheck::of(Some(1), vec![]),
        versions: versions(None, &[("etcd1", Some("3.4.23"))]),
        v2: data,
        learners: one,
        read_at_ms: 0,
    };
    let warnings = readiness.warnings();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[1].contains("promote or remove"));
}
