//! What Patroni will do later by itself: a switchover scheduled in the
//! `failover` key (`scheduled_at`) and each member's scheduled restart (its
//! member key's `scheduled_restart`), as one list.

use serde::{Deserialize, Serialize};

use super::cluster::Cluster;

/// One operation Patroni holds for later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheduled {
    pub kind: ScheduledKind,
    /// The member a restart is for; `None` for the switchover.
    pub member: Option<String>,
    /// When, as Patroni wrote it.
    pub at: String,
    /// For a switchover, `from → to`; for a restart, the conditions Patroni
    /// stored with it, in words.
    pub details: Vec<String>,
}

/// A scheduled switchover or restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduledKind {
    Switchover,
    Restart,
}

impl ScheduledKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduledKind::Switchover => "switchover",
            ScheduledKind::Restart => "restart",
        }
    }
}

impl Cluster {
    /// The scheduled switchover (only one with a time: an immediate one is
    /// not scheduled), then each member's scheduled restart, by member.
    pub fn scheduled(&self) -> Vec<Scheduled> {
        let switchover = self.scheduled_switchover.as_ref().and_then(|p| {
            let at = p.scheduled_at.clone()?;
            let name = |n: &Option<String>| n.clone().unwrap_or_else(|| "any".into());
            Some(Scheduled {
                kind: ScheduledKind::Switchover,
                member: None,
                at,
                details: vec![format!("from {} to {}", name(&p.from), name(&p.to))],
            })
        });
        let restarts = self.members.iter().filter_map(|m| {
            Some(Scheduled {
                kind: ScheduledKind::Restart,
                member: Some(m.name.clone()),
                at: m.scheduled_restart.clone()?,
                details: m.scheduled_restart_conditions.clone(),
            })
        });
        switchover.into_iter().chain(restarts).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patroni::clusters_in_namespace;

    #[test]
    fn a_switchover_and_a_restart_are_listed_and_an_immediate_one_is_not() {
        let replica = r#"{"conn_url":"postgres://h:2/p","state":"running","role":"replica","scheduled_restart":{"schedule":"2030-01-01T10:00:00+00:00","restart_pending":true}}"#;
        let leader = r#"{"conn_url":"postgres://h:1/p","state":"running","role":"primary"}"#;
        let keys = |failover: &'static str| {
            let kvs: Vec<(&[u8], &[u8])> = vec![
                (b"/pg/a/leader", b"a1"),
                (b"/pg/a/failover", failover.as_bytes()),
                (b"/pg/a/members/a1", leader.as_bytes()),
                (b"/pg/a/members/a2", replica.as_bytes()),
            ];
            clusters_in_namespace("/pg", kvs).remove(0)
        };
        let c = keys(r#"{"leader":"a1","scheduled_at":"2030-01-01T11:00:00+00:00"}"#);
        assert_eq!(
            c.scheduled(),
            [
                Scheduled {
                    kind: ScheduledKind::Switchover,
                    member: None,
                    at: "2030-01-01T11:00:00+00:00".into(),
                    details: vec!["from a1 to any".into()],
                },
                Scheduled {
                    kind: ScheduledKind::Restart,
                    member: Some("a2".into()),
                    at: "2030-01-01T10:00:00+00:00".into(),
                    details: vec!["only if a restart is pending".into()],
                },
            ]
        );
        let now = keys(r#"{"leader":"a1","member":"a2"}"#);
        assert_eq!(now.scheduled().len(), 1, "{:?}", now.scheduled());
    }
}
