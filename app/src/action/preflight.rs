//! The checks a switchover or failover must pass, per candidate, from what
//! etcd says about the cluster and whether each member's REST API answers.
//! Pure: the caller gathers the probes and etcd's risks.

use std::collections::BTreeMap;

use super::{Candidate, Check, Preflight};
use crate::error::AppError;
use crate::patroni::lag::human_bytes;
use crate::patroni::{Cluster, Member, SyncMode};

/// Which action the checks are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Switchover,
    Failover,
}

/// What probing one member's `GET /patroni` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    Answered,
    /// No usable answer, and why, in words.
    Failed(String),
}

/// Each member's probe, by name; a member without `api_url` is not probed.
pub type Probes = BTreeMap<String, Probe>;

/// The preflight for `cluster` as read at `revision`.
pub fn evaluate(
    kind: Kind,
    cluster: &Cluster,
    revision: i64,
    probes: &Probes,
    etcd_risks: Vec<String>,
) -> Preflight {
    let leader = cluster.leader.clone();
    let candidates = cluster
        .members
        .iter()
        .filter(|m| Some(&m.name) != leader.as_ref())
        .map(|m| candidate(kind, cluster, m, probes))
        .collect::<Vec<_>>();
    let mut blockers = Vec::new();
    let mut warnings = etcd_risks;
    match (kind, &leader) {
        (Kind::Switchover, None) => blockers
            .push("the cluster has no leader: a switchover needs one; use failover".to_owned()),
        (Kind::Switchover, Some(l)) => {
            if let Some(Probe::Failed(e)) = probes.get(l) {
                blockers.push(format!(
                    "the leader {l}'s REST API does not answer ({e}): it must run the switchover"
                ));
            }
        }
        (Kind::Failover, Some(l)) => warnings.push(format!(
            "{l} still holds the leader key: a failover does not wait for the leader to \
             catch replicas up; prefer a switchover"
        )),
        (Kind::Failover, None) => {}
    }
    if candidates.is_empty() {
        blockers.push("no replica to take over".to_owned());
    } else if !candidates.iter().any(|c| c.eligible) {
        blockers.push("no candidate passes every check".to_owned());
    }
    if kind == Kind::Switchover && cluster.paused {
        warnings.push(
            "the cluster is paused: Patroni refuses a scheduled switchover until it is resumed"
                .to_owned(),
        );
    }
    if let Some(s) = &cluster.scheduled_switchover {
        let at = s.scheduled_at.as_deref().unwrap_or("now");
        warnings.push(format!(
            "a switchover is already pending ({at}); cancel it first to schedule another"
        ));
    }
    Preflight {
        revision,
        leader,
        paused: cluster.paused,
        candidates,
        blockers,
        warnings,
    }
}

/// The named candidate must be a member and pass every check.
pub fn eligible<'p>(pf: &'p Preflight, name: &str) -> Result<&'p Candidate, AppError> {
    let Some(c) = pf.candidates.iter().find(|c| c.name == name) else {
        let names: Vec<_> = pf.candidates.iter().map(|c| c.name.as_str()).collect();
        return Err(AppError::Invalid(format!(
            "{name:?} is not a replica of this cluster; candidates: {}",
            names.join(", ")
        )));
    };
    if c.eligible {
        Ok(c)
    } else {
        Err(AppError::Refused(format!(
            "{name} cannot take over: {}",
            c.reasons.join("; ")
        )))
    }
}

fn candidate(kind: Kind, cluster: &Cluster, m: &Member, probes: &Probes) -> Candidate {
    let mut checks = Vec::new();
    let mut check = |name: &str, ok: bool, detail: String| {
        checks.push(Check {
            name: name.to_owned(),
            ok,
            detail,
        })
    };
    match probes.get(&m.name) {
        Some(Probe::Answered) => check("reachable", true, "its REST API answers".into()),
        Some(Probe::Failed(e)) => check(
            "reachable",
            false,
            format!("its REST API does not answer: {e}"),
        ),
        None => check("reachable", false, "it publishes no api_url".into()),
    }
    let nofailover = m.tag_set("nofailover")
        || m.tags.get("failover_priority").and_then(|v| v.as_i64()) == Some(0);
    check(
        "nofailover",
        !nofailover,
        if nofailover {
            "tagged nofailover: Patroni never promotes it".into()
        } else {
            "not tagged nofailover".into()
        },
    );
    check(
        "running",
        m.is_running(),
        format!("PostgreSQL is {}", m.state),
    );
    if cluster.leader.is_some() {
        // Without `replication_state` (Patroni < 3) a running cascading
        // replica is taken at its word; with it, it decides.
        let streaming = m.is_streaming()
            || m.replication_state.is_none() && m.replicatefrom().is_some() && m.is_running();
        let state = m.replication_state.as_deref().unwrap_or(&m.state);
        check("streaming", streaming, format!("replication is {state}"));
    }
    match (m.timeline, cluster.timeline) {
        (Some(t), Some(l)) => check(
            "timeline",
            t == l,
            if t == l {
                format!("on timeline {t}, the leader's")
            } else {
                format!("on timeline {t}, the leader is on {l}")
            },
        ),
        _ => check("timeline", true, "timeline not published".into()),
    }
    let limit = human_bytes(cluster.maximum_lag_on_failover);
    match (m.lag_ok, m.receive_lag_bytes) {
        (Some(ok), lag) => {
            let lag = lag.map_or("unknown".into(), human_bytes);
            check("lag", ok, format!("lag {lag}, limit {limit}"))
        }
        (None, _) => check(
            "lag",
            false,
            "no position to measure lag against the leader's".into(),
        ),
    }
    if cluster.synchronous_mode {
        // Patroni refuses any other candidate in either mode: in quorum
        // mode the `sync` key names the voters a new leader must come from.
        let listed = cluster.sync_standbys.contains(&m.name);
        let (kind, mode) = match cluster.sync_mode {
            SyncMode::Quorum => ("quorum standby", "quorum mode"),
            _ => ("synchronous standby", "synchronous mode"),
        };
        check(
            "sync",
            listed,
            if listed {
                format!("a {kind}")
            } else {
                format!("not a {kind}: {mode} promotes only those")
            },
        );
    }
    // A failover exists to promote when things are broken, so missing
    // replication is expected there; what remains must still hold.
    let relaxed = |name: &str| kind == Kind::Failover && name == "streaming";
    let reasons = checks
        .iter()
        .filter(|c| !c.ok && !relaxed(&c.name))
        .map(|c| format!("{}: {}", c.name, c.detail))
        .collect::<Vec<_>>();
    Candidate {
        name: m.name.clone(),
        eligible: reasons.is_empty(),
        reasons,
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patroni::clusters_in_namespace;

    const LEADER: &str = r#"{"conn_url":"postgres://h:1/p","api_url":"http://h:1/patroni","state":"running","role":"primary","timeline":3,"xlog_location":50000000}"#;

    fn replica(extra: &str, lsn: u64) -> String {
        format!(
            r#"{{"conn_url":"postgres://h:2/p","api_url":"http://h:2/patroni","state":"running","role":"replica","timeline":3,"replication_state":"streaming","xlog_location":{lsn}{extra}}}"#
        )
    }

    fn cluster(keys: &[(&str, String)]) -> Cluster {
        let kvs: Vec<_> = keys
            .iter()
            .map(|(k, v)| (k.as_bytes(), v.as_bytes()))
            .collect();
        clusters_in_namespace("/pg", kvs).remove(0)
    }

    fn all_up(c: &Cluster) -> Probes {
        c.members
            .iter()
            .map(|m| (m.name.clone(), Probe::Answered))
            .collect()
    }

    fn base() -> Vec<(&'static str, String)> {
        vec![
            ("/pg/a/leader", "a1".into()),
            ("/pg/a/status", r#"{"optime":50000000}"#.into()),
            ("/pg/a/members/a1", LEADER.into()),
            ("/pg/a/members/a2", replica("", 50000000)),
        ]
    }

    #[test]
    fn a_healthy_replica_is_eligible() {
        let c = cluster(&base());
        let p = evaluate(Kind::Switchover, &c, 7, &all_up(&c), vec![]);
        assert_eq!((p.revision, p.leader.as_deref()), (7, Some("a1")));
        assert_eq!(p.candidates.len(), 1);
        assert!(p.candidates[0].eligible, "{:?}", p.candidates[0]);
        assert!(p.blockers.is_empty() && p.warnings.is_empty(), "{p:?}");
    }

    #[test]
    fn lagging_nofailover_and_unreachable_candidates_are_refused() {
        let mut keys = base();
        keys.push(("/pg/a/members/a3", replica("", 40000000)));
        keys.push((
            "/pg/a/members/a4",
            replica(r#","tags":{"nofailover":true}"#, 50000000),
        ));
        keys.push(("/pg/a/members/a5", replica("", 50000000)));
        let c = cluster(&keys);
        let mut probes = all_up(&c);
        probes.insert("a5".into(), Probe::Failed("connection refused".into()));
        let p = evaluate(Kind::Switchover, &c, 1, &probes, vec![]);
        let by = |n: &str| p.candidates.iter().find(|c| c.name == n).expect(n);
        assert!(by("a2").eligible);
        assert_eq!(by("a3").reasons, ["lag: lag 9.5 MiB, limit 1.0 MiB"]);
        assert!(by("a4").reasons[0].starts_with("nofailover: tagged"));
        assert!(by("a5").reasons[0].contains("connection refused"));
    }

    #[test]
    fn sync_mode_admits_only_sync_standbys() {
        let mut keys = base();
        keys.push(("/pg/a/config", r#"{"synchronous_mode":true}"#.into()));
        keys.push((
            "/pg/a/sync",
            r#"{"leader":"a1","sync_standby":"a3"}"#.into(),
        ));
        keys.push(("/pg/a/members/a3", replica("", 50000000)));
        let c = cluster(&keys);
        let p = evaluate(Kind::Switchover, &c, 1, &all_up(&c), vec![]);
        assert!(!p.candidates[0].eligible);
        assert!(p.candidates[0].reasons[0].starts_with("sync: not a synchronous"));
        assert!(p.candidates[1].eligible);
    }

    #[test]
    fn quorum_mode_admits_only_the_voters_the_sync_key_names() {
        let mut keys = base();
        keys.push((
            "/pg/a/config",
            r#"{"synchronous_mode":"quorum","synchronous_node_count":1}"#.into(),
        ));
        keys.push((
            "/pg/a/sync",
            r#"{"leader":"a1","sync_standby":"a3","quorum":0}"#.into(),
        ));
        keys.push(("/pg/a/members/a3", replica("", 50000000)));
        let c = cluster(&keys);
        assert_eq!(c.sync_mode, SyncMode::Quorum);
        assert_eq!(c.sync_quorum, Some(0));
        let p = evaluate(Kind::Switchover, &c, 1, &all_up(&c), vec![]);
        let by = |n: &str| p.candidates.iter().find(|c| c.name == n).expect(n);
        assert!(!by("a2").eligible);
        assert_eq!(
            by("a2").reasons,
            ["sync: not a quorum standby: quorum mode promotes only those"]
        );
        assert!(by("a3").eligible, "{:?}", by("a3").reasons);
        let roles: Vec<_> = c.members.iter().map(|m| m.role.as_str()).collect();
        assert_eq!(roles, ["leader", "replica", "quorum_standby"]);
    }

    #[test]
    fn without_a_leader_switchover_is_blocked_but_failover_is_not() {
        let keys: Vec<_> = base().into_iter().skip(1).collect();
        let c = cluster(&keys);
        let s = evaluate(Kind::Switchover, &c, 1, &all_up(&c), vec![]);
        assert!(s.blockers[0].contains("no leader"));
        let f = evaluate(Kind::Failover, &c, 1, &all_up(&c), vec!["etcd: x".into()]);
        assert!(f.blockers.is_empty(), "{f:?}");
        assert_eq!(f.warnings, ["etcd: x"]);
    }

    #[test]
    fn an_unreachable_leader_blocks_a_switchover() {
        let c = cluster(&base());
        let mut probes = all_up(&c);
        probes.insert("a1".into(), Probe::Failed("timed out".into()));
        let p = evaluate(Kind::Switchover, &c, 1, &probes, vec![]);
        assert!(p.blockers[0].contains("a1's REST API"), "{p:?}");
    }
}
