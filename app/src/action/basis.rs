//! What an admin's decision rests on, so an action can be refused when it
//! changed since the preflight: the leader, the member set, the pause flag,
//! the synchronous standbys and whether it is a standby cluster. Patroni rewrites member keys every loop
//! (positions, timestamps); those changes do not count.

use std::collections::BTreeSet;

use crate::patroni::Cluster;

/// The parts of a cluster an action is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    pub leader: Option<String>,
    pub members: BTreeSet<String>,
    pub paused: bool,
    pub sync_standbys: BTreeSet<String>,
    /// `standby_cluster` is configured (demote-cluster sets it, promote
    /// clears it).
    pub standby_cluster: bool,
}

impl Basis {
    pub fn of(cluster: &Cluster) -> Basis {
        Basis {
            leader: cluster.leader.clone(),
            members: cluster.members.iter().map(|m| m.name.clone()).collect(),
            paused: cluster.paused,
            sync_standbys: cluster.sync_standbys.iter().cloned().collect(),
            standby_cluster: cluster.standby_cluster,
        }
    }

    /// What changed from `self` (seen then) to `now`, in words; empty when
    /// the decision still holds.
    pub fn changes(&self, now: &Basis) -> Vec<String> {
        let mut out = Vec::new();
        let name = |l: &Option<String>| l.clone().unwrap_or_else(|| "none".into());
        if self.leader != now.leader {
            out.push(format!(
                "leader was {}, is now {}",
                name(&self.leader),
                name(&now.leader)
            ));
        }
        let joined: Vec<_> = now.members.difference(&self.members).cloned().collect();
        let left: Vec<_> = self.members.difference(&now.members).cloned().collect();
        if !joined.is_empty() {
            out.push(format!("members joined: {}", joined.join(", ")));
        }
        if !left.is_empty() {
            out.push(format!("members left: {}", left.join(", ")));
        }
        if self.paused != now.paused {
            out.push(if now.paused {
                "the cluster was paused since".into()
            } else {
                "the cluster was resumed since".into()
            });
        }
        if self.sync_standbys != now.sync_standbys {
            let list = |s: &BTreeSet<String>| {
                if s.is_empty() {
                    "none".to_owned()
                } else {
                    s.iter().cloned().collect::<Vec<_>>().join(", ")
                }
            };
            out.push(format!(
                "synchronous standbys were {}, are now {}",
                list(&self.sync_standbys),
                list(&now.sync_standbys)
            ));
        }
        if self.standby_cluster != now.standby_cluster {
            out.push(if now.standby_cluster {
                "the cluster was made a standby cluster since".into()
            } else {
                "the standby cluster was promoted since".into()
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basis(leader: &str, members: &[&str], paused: bool, sync: &[&str]) -> Basis {
        Basis {
            leader: Some(leader.into()).filter(|l: &String| !l.is_empty()),
            members: members.iter().map(|s| s.to_string()).collect(),
            paused,
            sync_standbys: sync.iter().map(|s| s.to_string()).collect(),
            standby_cluster: false,
        }
    }

    #[test]
    fn nothing_changed() {
        let a = basis("a1", &["a1", "a2"], false, &["a2"]);
        assert!(a.changes(&a.clone()).is_empty());
    }

    #[test]
    fn every_change_is_named() {
        let then = basis("a1", &["a1", "a2", "a3"], false, &["a2"]);
        let mut now = basis("", &["a1", "a2", "a4"], true, &[]);
        now.standby_cluster = true;
        assert_eq!(
            then.changes(&now),
            [
                "leader was a1, is now none",
                "members joined: a4",
                "members left: a3",
                "the cluster was paused since",
                "synchronous standbys were a2, are now none",
                "the cluster was made a standby cluster since",
            ]
        );
    }
}
