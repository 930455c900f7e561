//! Quorum arithmetic, risks and IDs.

use super::*;

/// A voting or learning member, healthy or not, nothing else known.
pub(crate) fn member(name: &str, id: &str, healthy: bool, learner: bool) -> EtcdMember {
    let mut m = EtcdMember::from(EtcdMemberEntry {
        id: id.into(),
        name: name.into(),
        client_urls: vec![],
        peer_urls: vec![],
        is_learner: learner,
    });
    m.healthy = healthy;
    m.error = (!healthy).then(|| "no answer".into());
    m
}

/// A status of `members`, quorum computed.
pub(crate) fn status(members: Vec<EtcdMember>, alarms: Vec<EtcdAlarm>) -> EtcdStatus {
    EtcdStatus {
        cluster_id: "1".into(),
        revision: 10,
        compact_revision: None,
        quorum: Quorum::of(&members),
        members,
        alarms,
        read_at_ms: 0,
    }
}

fn three(healthy: usize) -> Vec<EtcdMember> {
    (0..3)
        .map(|i| {
            member(
                &format!("etcd{}", i + 1),
                &format!("a{i}"),
                i < healthy,
                false,
            )
        })
        .collect()
}

#[test]
fn can_lose_is_the_healthy_surplus_over_a_majority() {
    let cases = [
        // (voting, healthy, can_lose)
        (1, 1, 0),
        (2, 2, 0),
        (3, 3, 1),
        (3, 2, 0),
        (3, 1, 0),
        (4, 4, 1),
        (5, 5, 2),
        (5, 4, 1),
        (5, 2, 0),
        (0, 0, 0),
    ];
    for (voting, healthy, can_lose) in cases {
        let q = Quorum::new(voting, healthy, 0);
        assert_eq!(q.can_lose, can_lose, "{voting} voting, {healthy} healthy");
    }
    assert!(Quorum::holds(3, 2));
    assert!(!Quorum::holds(3, 1));
    assert!(!Quorum::holds(0, 0));
    assert_eq!(Quorum::needed(4), 3);
}

#[test]
fn words_say_what_the_numbers_mean() {
    assert_eq!(Quorum::new(3, 3, 0).words, "3 voting members, can lose 1");
    assert_eq!(
        Quorum::new(3, 2, 0).words,
        "3 voting members, 1 down, can lose 0"
    );
    assert_eq!(
        Quorum::new(3, 1, 0).words,
        "3 voting members, 2 down: quorum lost (2 needed)"
    );
    assert_eq!(Quorum::new(1, 1, 0).words, "1 voting member, can lose 0");
    assert_eq!(
        Quorum::new(3, 3, 1).words,
        "3 voting members, can lose 1 (and 1 learner)"
    );
    assert_eq!(Quorum::new(0, 0, 0).words, "no voting members");
}

#[test]
fn learners_do_not_count_towards_quorum() {
    let mut members = three(3);
    members.push(member("new", "b0", false, true));
    let q = Quorum::of(&members);
    assert_eq!((q.voting, q.healthy_voting, q.can_lose), (3, 3, 1));
    assert!(status(members, vec![]).risks().is_empty());
}

#[test]
fn a_healthy_three_member_cluster_has_no_risks() {
    assert_eq!(status(three(3), vec![]).risks(), Vec::<String>::new());
}

#[test]
fn a_member_down_is_the_first_risk() {
    let risks = status(three(2), vec![]).risks();
    assert_eq!(
        risks,
        ["etcd: 1 of 3 voting members is down; one more loss stops Patroni"]
    );
    let five: Vec<_> = (0..5)
        .map(|i| member(&format!("e{i}"), &format!("{i}"), i != 0, false))
        .collect();
    assert_eq!(
        status(five, vec![]).risks(),
        ["etcd: 1 of 5 voting members is down; it can lose 1 more"]
    );
}

#[test]
fn lost_quorum_and_no_spare_are_named() {
    let risks = status(three(1), vec![]).risks();
    assert_eq!(risks.len(), 1);
    assert!(risks[0].starts_with("etcd: quorum lost: 2 of 3 voting members are down"));
    let single = status(vec![member("solo", "1", true, false)], vec![]).risks();
    assert_eq!(
        single,
        ["etcd: no spare quorum: with 1 voting member, losing any one stops Patroni"]
    );
}

#[test]
fn alarms_name_the_member() {
    let alarms = vec![
        EtcdAlarm {
            member_id: "a1".into(),
            alarm: "NOSPACE".into(),
        },
        EtcdAlarm {
            member_id: "ff".into(),
            alarm: "CORRUPT".into(),
        },
    ];
    let risks = status(three(3), alarms).risks();
    assert_eq!(risks.len(), 2);
    assert!(
        risks[0].starts_with("etcd: NOSPACE alarm on etcd2:"),
        "{risks:?}"
    );
    assert!(
        risks[1].starts_with("etcd: CORRUPT alarm on ff:"),
        "{risks:?}"
    );
}

#[test]
fn a_database_near_its_quota_warns_from_80_percent() {
    let mut members = three(3);
    members[0].quota_used_percent = Some(79.9);
    members[1].quota_used_percent = Some(80.0);
    assert!(!members[0].quota_warning());
    assert!(members[1].quota_warning());
    let risks = status(members, vec![]).risks();
    assert_eq!(
        risks,
        ["etcd: etcd2's database is at 80% of its quota; at 100% etcd raises NOSPACE and takes no writes"]
    );
}

#[test]
fn ids_round_trip_as_hex_strings() {
    let id = 0x8e9e_05c5_2164_694d_u64;
    assert_eq!(hex_id(id), "8e9e05c52164694d");
    assert_eq!(parse_hex_id("8e9e05c52164694d"), Ok(id));
    assert_eq!(hex_id(0xab), "ab");
    assert!(parse_hex_id("zz").is_err());
    assert!(parse_hex_id("").is_err());
}

#[test]
fn only_a_healthy_voting_follower_may_lead() {
    let mut leader = member("etcd1", "a", true, false);
    leader.is_leader = true;
    assert_eq!(leader.cannot_lead(), Some("leads already"));
    let follower = member("etcd2", "b", true, false);
    assert_eq!(follower.cannot_lead(), None);
    let learner = member("etcd4", "d", true, true);
    assert_eq!(learner.cannot_lead(), Some("a learner cannot lead"));
    let down = member("etcd3", "c", false, false);
    assert_eq!(down.cannot_lead(), Some("not healthy"));
}
