//! What demote-cluster and promote-cluster share: the preflight that says
//! whether the cluster can change role now (Patroni 4.1's rules, as
//! `patronictl` applies them) and the source a demote names, checked.

use serde_json::{json, Value};

use super::actor::Actor;
use super::run::{execute, Plan};
use super::services::Services;
use super::target::{self, api_of, confirm, pinned, Target};
use super::{ActionOutcome, DemoteClusterRequest, Expect, Preflight};
use crate::error::AppError;
use crate::patroni::{Cluster, Role};

/// The way a cluster's role changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// To a standby cluster: the leader becomes a `standby_leader`.
    Demote,
    /// To a cluster of its own: the standby leader becomes a primary.
    Promote,
}

impl Change {
    /// The leader's role once done.
    pub fn target_role(self) -> Role {
        match self {
            Change::Demote => Role::StandbyLeader,
            Change::Promote => Role::Leader,
        }
    }
}

/// Why `change` cannot run on `cluster` now: no leader, the leader already
/// in the target role (both as patronictl refuses), no REST API address
/// to send the change to.
pub fn blockers(change: Change, cluster: &Cluster) -> Vec<String> {
    let Some(name) = cluster.leader.as_deref() else {
        return vec![
            "the cluster has no leader: Patroni changes its role through the leader".into(),
        ];
    };
    let mut out = Vec::new();
    match (change, cluster.leader_member().map(|m| &m.role)) {
        (Change::Demote, Some(Role::StandbyLeader)) => out.push(format!(
            "the cluster is already a standby cluster: its leader {name} is a standby_leader"
        )),
        (Change::Promote, Some(Role::Leader)) => out.push(format!(
            "the cluster already runs on its own: its leader {name} is a primary"
        )),
        _ => {}
    }
    if cluster
        .leader_member()
        .and_then(|m| m.api_url.as_ref())
        .is_none()
    {
        out.push(format!(
            "the leader {name} publishes no REST API address (api_url) in etcd"
        ));
    }
    out
}

/// What to read before acting.
fn warnings(change: Change, cluster: &Cluster) -> Vec<String> {
    let mut out = Vec::new();
    if cluster.paused {
        out.push("the cluster is paused: Patroni changes no roles until it is resumed".into());
    }
    match change {
        Change::Demote => out.push(
            "the primary stops taking writes: it restarts as a standby_leader that follows the source, \
             rewinding (or, failing that, cloning afresh) if its timeline went its own way"
                .into(),
        ),
        Change::Promote => out.push(
            "the standby leader stops following its source and takes writes on a timeline of its own; \
             the source knows nothing of it"
                .into(),
        ),
    }
    out
}

/// The preflight of `change` for `target` as etcd holds it now.
pub async fn preflight(
    svc: &Services,
    change: Change,
    target: &Target,
) -> Result<Preflight, AppError> {
    let (cluster, revision) = target::read(&svc.etcd, target, None).await?;
    Ok(evaluate(change, &cluster, revision))
}

/// The preflight of `change` for `cluster`, read at `revision`.
pub fn evaluate(change: Change, cluster: &Cluster, revision: i64) -> Preflight {
    Preflight {
        revision,
        leader: cluster.leader.clone(),
        paused: cluster.paused,
        candidates: Vec::new(),
        blockers: blockers(change, cluster),
        warnings: warnings(change, cluster),
    }
}

/// Carries out `change`: checks the typed scope and the pin, refuses what
/// the preflight blocks, then sends the leader `PATCH /config` with
/// `standby_cluster` set to what `standby` gives (the source, checked after
/// the scope; `null` to promote) and follows until the leader runs in its
/// new role.
pub async fn run(
    svc: &Services,
    actor: &Actor,
    target: &Target,
    change: Change,
    (confirmed, revision): (&str, i64),
    standby: impl FnOnce() -> Result<Value, AppError>,
) -> Result<ActionOutcome, AppError> {
    confirm(confirmed, &target.scope)?;
    let standby = standby()?;
    let (cluster, revision) = pinned(&svc.etcd, target, Some(revision)).await?;
    refuse_blocked(change, &cluster)?;
    let leader = cluster.leader.as_deref().unwrap_or_default();
    let action = match change {
        Change::Demote => "demote_cluster",
        Change::Promote => "promote_cluster",
    };
    let body = json!({ "standby_cluster": standby });
    let expect = Expect::ClusterRole {
        role: change.target_role(),
    };
    let mut plan = Plan::patch_config(
        action,
        target,
        api_of(&cluster, leader)?,
        body,
        revision,
        expect,
    );
    plan.preflight = serde_json::to_value(evaluate(change, &cluster, revision)).ok();
    execute(svc, actor, target, plan).await
}

/// Refuses (412) when `change` cannot run on `cluster`.
pub fn refuse_blocked(change: Change, cluster: &Cluster) -> Result<(), AppError> {
    let b = blockers(change, cluster);
    if b.is_empty() {
        Ok(())
    } else {
        Err(AppError::Refused(b.join("; ")))
    }
}

/// The `standby_cluster` section a demote writes, from the request: only
/// the keys given, each checked; at least one of host, port and
/// restore_command.
pub fn source(
    req: &DemoteClusterRequest,
) -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let mut out = serde_json::Map::new();
    if let Some(host) = given(&req.host) {
        if host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "'\"\\".contains(c))
        {
            return Err(AppError::Invalid(format!(
                "host {host:?}: a host name or address (comma-separated for several), without spaces or quotes"
            )));
        }
        out.insert("host".into(), host.into());
    }
    if let Some(port) = req.port {
        if !(1..=65535).contains(&port) {
            return Err(AppError::Invalid(format!("port {port}: must be 1–65535")));
        }
        out.insert("port".into(), port.into());
    }
    if let Some(slot) = given(&req.primary_slot_name) {
        let ok = slot.len() <= 63
            && slot
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(AppError::Invalid(format!(
                "primary_slot_name {slot:?}: a replication slot name is up to 63 of a–z, 0–9 and _"
            )));
        }
        out.insert("primary_slot_name".into(), slot.into());
    }
    if let Some(cmd) = given(&req.restore_command) {
        if cmd.chars().any(char::is_control) {
            return Err(AppError::Invalid(
                "restore_command: one line, no control characters".into(),
            ));
        }
        out.insert("restore_command".into(), cmd.into());
    }
    if !["host", "port", "restore_command"]
        .iter()
        .any(|k| out.contains_key(*k))
    {
        return Err(AppError::Invalid(
            "name the source to follow: host, port or restore_command (at least one)".into(),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(
        host: Option<&str>,
        port: Option<u32>,
        slot: Option<&str>,
        cmd: Option<&str>,
    ) -> DemoteClusterRequest {
        DemoteClusterRequest {
            host: host.map(Into::into),
            port,
            primary_slot_name: slot.map(Into::into),
            restore_command: cmd.map(Into::into),
            confirm: "c".into(),
            revision: 1,
        }
    }

    /// A cluster `s` of two members whose leader `s1` says `role`.
    fn cluster(leader: Option<&str>, role: &str, standby: bool) -> Cluster {
        let member = |role: &str| {
            format!(
                r#"{{"api_url":"http://127.0.0.1:1/patroni","state":"running","role":"{role}"}}"#
            )
        };
        let mut kvs = vec![
            ("/db/s/members/s1".to_owned(), member(role)),
            ("/db/s/members/s2".to_owned(), member("replica")),
        ];
        if let Some(l) = leader {
            kvs.push(("/db/s/leader".to_owned(), l.to_owned()));
        }
        if standby {
            kvs.push((
                "/db/s/config".to_owned(),
                r#"{"standby_cluster":{"host":"h"}}"#.to_owned(),
            ));
        }
        let kvs = kvs.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes()));
        crate::patroni::clusters_in_namespace("/db", kvs).remove(0)
    }

    #[test]
    fn blocked_as_patronictl_refuses() {
        let standby = cluster(Some("s1"), "standby_leader", true);
        let primary = cluster(Some("s1"), "primary", false);
        let leaderless = cluster(None, "replica", true);
        let says = |c: Change, cl: &Cluster| blockers(c, cl).join("; ");
        assert!(says(Change::Demote, &standby).contains("already a standby cluster"));
        assert_eq!(says(Change::Promote, &standby), "");
        assert!(says(Change::Promote, &primary).contains("already runs on its own"));
        assert_eq!(says(Change::Demote, &primary), "");
        for change in [Change::Demote, Change::Promote] {
            assert!(says(change, &leaderless).contains("no leader"));
        }
        let pf = evaluate(Change::Promote, &standby, 7);
        assert_eq!(
            (pf.revision, pf.leader.as_deref(), pf.candidates.len()),
            (7, Some("s1"), 0)
        );
        assert!(refuse_blocked(Change::Promote, &primary).is_err());
    }

    #[test]
    fn a_source_keeps_only_what_was_given() {
        let s = source(&req(Some(" 10.0.0.5 "), Some(5432), Some(""), None)).expect("valid");
        assert_eq!(
            serde_json::Value::Object(s),
            serde_json::json!({"host": "10.0.0.5", "port": 5432})
        );
        let s = source(&req(None, None, Some("dr_1"), Some("cp /a/%f %p"))).expect("valid");
        assert_eq!(s["restore_command"], "cp /a/%f %p");
        assert_eq!(s["primary_slot_name"], "dr_1");
    }

    #[test]
    fn a_bad_source_is_refused_in_words() {
        let bad = [
            (req(None, None, Some("dr"), None), "at least one"),
            (req(Some("  "), None, None, None), "at least one"),
            (req(Some("a b"), None, None, None), "without spaces"),
            (req(Some("x'"), None, None, None), "quotes"),
            (req(None, Some(0), None, None), "1–65535"),
            (req(None, Some(65536), None, None), "1–65535"),
            (req(Some("h"), None, Some("Bad-Slot"), None), "slot name"),
            (req(None, None, None, Some("cp\nrm")), "control"),
        ];
        for (r, words) in bad {
            match source(&r) {
                Err(AppError::Invalid(m)) => assert!(m.contains(words), "{m}"),
                other => panic!("{r:?} gave {other:?}"),
            }
        }
    }
}
