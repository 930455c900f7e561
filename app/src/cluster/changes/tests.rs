use super::*;
use crate::patroni::cluster::tests::only;

const PG_META: &str = include_str!("../../../tests/samples/patroni-4.1.5-pg-meta.txt");

/// pg-meta after a switchover to pg-meta-2 on timeline 2, with pg-meta-3
/// gone and the cluster paused: every kind of change but a join at once.
fn after_switchover() -> String {
    PG_META
        .replace("\npg-meta-1\n", "\npg-meta-2\n")
        .replace(
            r#""state":"running","role":"primary","version":"4.1.5","xlog_location":67417048,"timeline":1"#,
            r#""state":"stopped","role":"replica","version":"4.1.5","xlog_location":67417048,"timeline":2"#,
        )
        .replace(
            r#""role":"replica","version":"4.1.5","xlog_location":67417048,"replay_lsn":67417048,"receive_lsn":67417048,"replication_state":"streaming","timeline":1}
/pg/pg-meta/members/pg-meta-3"#,
            r#""role":"primary","version":"4.1.5","xlog_location":67417048,"timeline":2}
/pg/pg-meta/members/pg-meta-3"#,
        )
        .replace(r#"{"ttl":20,"#, r#"{"pause":true,"ttl":20,"#)
        .replace("/pg/pg-meta/members/pg-meta-3\n", "/pg/pg-meta/gone/pg-meta-3\n")
}

fn change(kind: ChangeKind, member: Option<&str>, from: Option<&str>, to: Option<&str>) -> Change {
    Change {
        t: 7,
        kind,
        member: member.map(str::to_owned),
        from: from.map(str::to_owned),
        to: to.map(str::to_owned),
    }
}

#[test]
fn a_switchover_reads_as_its_changes() {
    let before = only("/pg", PG_META);
    let after = only("/pg", &after_switchover());
    assert_eq!(after.leader.as_deref(), Some("pg-meta-2"), "{after:?}");
    use ChangeKind::*;
    assert_eq!(
        diff(&before, &after, 7),
        vec![
            change(LeaderChanged, None, Some("pg-meta-1"), Some("pg-meta-2")),
            change(TimelineChanged, None, Some("1"), Some("2")),
            change(Paused, None, None, None),
            change(
                RoleChanged,
                Some("pg-meta-1"),
                Some("leader"),
                Some("replica")
            ),
            change(
                StateChanged,
                Some("pg-meta-1"),
                Some("running"),
                Some("stopped")
            ),
            change(
                RoleChanged,
                Some("pg-meta-2"),
                Some("replica"),
                Some("leader")
            ),
            change(MemberLeft, Some("pg-meta-3"), Some("replica"), None),
        ]
    );
    // And back: the reverse changes, a join instead of a departure.
    let back = diff(&after, &before, 9);
    assert_eq!(back[2].kind, Resumed);
    assert_eq!(
        back.last(),
        Some(&Change {
            t: 9,
            ..change(MemberJoined, Some("pg-meta-3"), None, Some("replica"))
        })
    );
}

#[test]
fn the_same_cluster_read_twice_is_no_change() {
    let c = only("/pg", PG_META);
    assert_eq!(diff(&c, &c.clone(), 1), Vec::new());
}

#[test]
fn losing_the_leader_is_a_change_to_none() {
    let before = only("/pg", PG_META);
    let after = only(
        "/pg",
        &PG_META.replace("/pg/pg-meta/leader\n", "/pg/pg-meta/nothing\n"),
    );
    assert_eq!(after.leader, None);
    assert_eq!(
        diff(&before, &after, 7).first(),
        Some(&change(
            ChangeKind::LeaderChanged,
            None,
            Some("pg-meta-1"),
            None
        ))
    );
}

#[test]
fn kinds_round_trip_through_their_names() {
    for kind in ALL {
        assert_eq!(ChangeKind::parse(kind.as_str()), Some(kind));
        let json = serde_json::to_string(&kind).expect("json");
        assert_eq!(json, format!("\"{}\"", kind.as_str()));
    }
    assert_eq!(ChangeKind::parse("leader"), None);
}

#[test]
fn changes_read_in_words() {
    use ChangeKind::*;
    let said = |kind, member, from, to| change(kind, member, from, to).describe();
    assert_eq!(
        said(LeaderChanged, None, Some("a1"), None),
        "Leader a1 → none"
    );
    assert_eq!(
        said(RoleChanged, Some("a2"), Some("replica"), Some("leader")),
        "a2: role replica → leader"
    );
    assert_eq!(
        said(MemberLeft, Some("a3"), Some("replica"), None),
        "a3 left (was replica)"
    );
    assert_eq!(said(Resumed, None, None, None), "Resumed");
}
