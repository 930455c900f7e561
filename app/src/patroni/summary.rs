//! A cluster's health at a glance, for the overview: small enough that a
//! thousand of them make a cheap page and a cheap event.

use serde::{Deserialize, Serialize};

use super::cluster::Cluster;
use super::member::{Member, Role};

/// One member as the overview lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberBrief {
    pub name: String,
    pub role: Role,
    /// Patroni's `state`, verbatim.
    pub state: String,
    /// `streaming` or `in archive recovery` on a replica (Patroni 3+).
    #[serde(default)]
    pub replication_state: Option<String>,
    pub timeline: Option<u64>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub api_url: Option<String>,
    /// The larger of receive and replay lag, in bytes.
    pub lag_bytes: Option<u64>,
    pub lag_ok: Option<bool>,
}

impl MemberBrief {
    /// The state as `patronictl list` shows it (see [`Member::shown_state`]).
    pub fn shown_state(&self) -> &str {
        super::member::shown_state(&self.role, &self.state, self.replication_state.as_deref())
    }

    fn of(m: &Member) -> MemberBrief {
        MemberBrief {
            name: m.name.clone(),
            role: m.role.clone(),
            state: m.state.clone(),
            replication_state: m.replication_state.clone(),
            timeline: m.timeline,
            host: m.host.clone(),
            port: m.port,
            api_url: m.api_url.clone(),
            lag_bytes: m.replay_lag_bytes.max(m.receive_lag_bytes),
            lag_ok: m.lag_ok,
        }
    }
}

/// How urgently a cluster needs a look; ordered worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// No member holds the leader key: no primary to write to.
    NoLeader,
    /// A member is down or gone, a replica is not streaming or is past
    /// `maximum_lag_on_failover`, or a key could not be read.
    Degraded,
    /// Paused: Patroni will not fail over by itself.
    Paused,
    Healthy,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::NoLeader => "no leader",
            Health::Degraded => "degraded",
            Health::Paused => "paused",
            Health::Healthy => "healthy",
        }
    }
}

/// What the overview shows of one cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterSummary {
    pub namespace: String,
    pub scope: String,
    pub citus_group: Option<u32>,
    pub leader: Option<String>,
    pub paused: bool,
    pub standby_cluster: bool,
    /// A standby cluster's source in one line (`host:port, slot …`).
    pub standby_source: Option<String>,
    pub members: Vec<MemberBrief>,
    /// Members with PostgreSQL running.
    pub running: usize,
    /// Replicas streaming from their upstream.
    pub streaming: usize,
    pub replicas: usize,
    /// The largest replay lag among replicas, in bytes.
    pub max_lag_bytes: Option<u64>,
    /// Replicas past `maximum_lag_on_failover`.
    pub lagging: usize,
    pub gone: usize,
    pub warnings: usize,
    pub scheduled_switchover: bool,
    pub health: Health,
    /// Why the health is what it is, in words (empty when healthy).
    pub problems: Vec<String>,
}

impl ClusterSummary {
    /// Summarizes `c`.
    pub fn of(c: &Cluster) -> ClusterSummary {
        let replicas: Vec<_> = c
            .members
            .iter()
            .filter(|m| Some(m.name.as_str()) != c.leader.as_deref())
            .collect();
        let running = c.members.iter().filter(|m| m.is_running()).count();
        let streaming = replicas.iter().filter(|m| m.is_streaming()).count();
        let lagging = replicas.iter().filter(|m| m.lag_ok == Some(false)).count();
        let max_lag_bytes = replicas
            .iter()
            .filter_map(|m| m.replay_lag_bytes.max(m.receive_lag_bytes))
            .max();
        let mut problems = Vec::new();
        if c.leader.is_none() {
            problems.push("no leader".to_owned());
        }
        let down = c.members.len() - running;
        if down > 0 {
            problems.push(format!("{down} not running"));
        }
        let not_streaming = replicas.len() - streaming;
        if not_streaming > 0 {
            problems.push(format!("{not_streaming} not streaming"));
        }
        if lagging > 0 {
            problems.push(format!("{lagging} past maximum_lag_on_failover"));
        }
        if !c.gone.is_empty() {
            problems.push(format!("{} gone", c.gone.len()));
        }
        if !c.warnings.is_empty() {
            problems.push(format!("{} warnings", c.warnings.len()));
        }
        let health = if c.leader.is_none() {
            Health::NoLeader
        } else if !problems.is_empty() {
            Health::Degraded
        } else if c.paused {
            Health::Paused
        } else {
            Health::Healthy
        };
        if c.paused {
            problems.push("paused".to_owned());
        }
        ClusterSummary {
            namespace: c.namespace.clone(),
            scope: c.scope.clone(),
            citus_group: c.citus_group,
            leader: c.leader.clone(),
            paused: c.paused,
            standby_cluster: c.standby_cluster,
            standby_source: c.standby_source.as_ref().map(|s| s.text()),
            members: c.members.iter().map(MemberBrief::of).collect(),
            running,
            streaming,
            replicas: replicas.len(),
            max_lag_bytes,
            lagging,
            gone: c.gone.len(),
            warnings: c.warnings.len(),
            scheduled_switchover: c.scheduled_switchover.is_some(),
            health,
            problems,
        }
    }
}

/// Orders summaries worst health first; within a health, by the
/// namespaces' configured order, then scope and Citus group.
pub fn sort_worst_first(summaries: &mut [ClusterSummary], namespaces: &[String]) {
    let rank = |ns: &str| {
        namespaces
            .iter()
            .position(|n| n == ns)
            .unwrap_or(usize::MAX)
    };
    summaries.sort_by(|a, b| {
        (a.health, rank(&a.namespace), &a.scope, a.citus_group).cmp(&(
            b.health,
            rank(&b.namespace),
            &b.scope,
            b.citus_group,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patroni::clusters_in_namespace;

    fn cluster(keys: &[(&str, &str)]) -> Cluster {
        let kvs: Vec<_> = keys
            .iter()
            .map(|(k, v)| (k.as_bytes(), v.as_bytes()))
            .collect();
        clusters_in_namespace("/pg", kvs).remove(0)
    }

    const PRIMARY: &str = r#"{"conn_url":"postgres://h:1/p","state":"running","role":"primary","xlog_location":5000000,"timeline":1}"#;

    #[test]
    fn healthy_paused_degraded_and_leaderless() {
        let replica = r#"{"conn_url":"postgres://h:2/p","state":"running","role":"replica","xlog_location":5000000,"replication_state":"streaming","timeline":1}"#;
        let lagging = r#"{"conn_url":"postgres://h:2/p","state":"running","role":"replica","xlog_location":1000,"replication_state":"streaming","timeline":1}"#;
        let ok = ClusterSummary::of(&cluster(&[
            ("/pg/a/leader", "a1"),
            ("/pg/a/members/a1", PRIMARY),
            ("/pg/a/members/a2", replica),
        ]));
        assert_eq!(ok.health, Health::Healthy, "{:?}", ok.problems);
        assert_eq!(
            (ok.running, ok.streaming, ok.max_lag_bytes),
            (2, 1, Some(0))
        );
        let paused = ClusterSummary::of(&cluster(&[
            ("/pg/a/leader", "a1"),
            ("/pg/a/config", r#"{"pause":true}"#),
            ("/pg/a/members/a1", PRIMARY),
        ]));
        assert_eq!(paused.health, Health::Paused);
        let slow = ClusterSummary::of(&cluster(&[
            ("/pg/a/leader", "a1"),
            ("/pg/a/members/a1", PRIMARY),
            ("/pg/a/members/a2", lagging),
        ]));
        assert_eq!(slow.health, Health::Degraded);
        assert_eq!(slow.lagging, 1);
        assert_eq!(slow.max_lag_bytes, Some(4_999_000));
        let headless = ClusterSummary::of(&cluster(&[("/pg/a/members/a2", replica)]));
        assert_eq!(headless.health, Health::NoLeader);
        let mut all = vec![ok, paused, slow, headless];
        sort_worst_first(&mut all, &["/pg".into()]);
        let order: Vec<_> = all.iter().map(|s| s.health).collect();
        assert_eq!(
            order,
            [
                Health::NoLeader,
                Health::Degraded,
                Health::Paused,
                Health::Healthy
            ]
        );
    }
}
