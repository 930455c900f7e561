//! Whether what etcd shows after an action is what the action promised:
//! pure judgement over timed snapshots of the cluster, for the dialog's
//! follow-through line.

use crate::action::Expect;
use crate::patroni::config_check::same;
use crate::patroni::{Cluster, Role};

/// How long a leader change may take before the page says so.
const LEADER_LIMIT_S: f64 = 60.0;
/// How long a cluster's role change may take: a demoted primary restarts
/// as a standby and may have to rewind first.
const ROLE_LIMIT_S: f64 = 120.0;
/// How long any other change may take.
const OTHER_LIMIT_S: f64 = 30.0;
/// A member seen running this long after a restart, with no restart
/// pending, counts as restarted (it may have been too quick to see down).
const SETTLE_S: f64 = 5.0;

/// What the dialog needs from one look at the cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Snap {
    /// Seconds since the action was submitted.
    pub at_s: f64,
    leader: Option<String>,
    paused: bool,
    scheduled: bool,
    config: serde_json::Value,
    /// The leader's `(role, running)`, when its member key is there.
    leader_role: Option<(Role, bool)>,
    /// `(name, running, pending_restart)`.
    members: Vec<(String, bool, bool)>,
}

impl Snap {
    /// Takes the facts the follow-through needs from `cluster`, seen `at_s`
    /// seconds after submitting.
    pub fn of(cluster: &Cluster, at_s: f64) -> Snap {
        Snap {
            at_s,
            leader: cluster.leader.clone(),
            paused: cluster.paused,
            scheduled: cluster.scheduled_switchover.is_some(),
            config: cluster.config.clone(),
            leader_role: cluster
                .leader_member()
                .map(|m| (m.role.clone(), m.is_running())),
            members: cluster
                .members
                .iter()
                .map(|m| (m.name.clone(), m.is_running(), m.pending_restart))
                .collect(),
        }
    }

    fn member(&self, name: &str) -> Option<(bool, bool)> {
        self.members
            .iter()
            .find(|(n, ..)| n == name)
            .map(|(_, running, pending)| (*running, *pending))
    }
}

/// Where the follow-through stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Waiting,
    /// Nothing in etcd would show it (a reload): done at once.
    Unobservable,
    /// Seen: what, and how many seconds after submitting.
    Met {
        what: String,
        after_s: f64,
    },
    /// Not seen within the limit (seconds).
    TimedOut {
        limit_s: f64,
    },
}

impl Verdict {
    /// The verdict in words.
    pub fn text(&self) -> String {
        match self {
            Verdict::Waiting => "Watching etcd…".to_owned(),
            Verdict::Unobservable => "Nothing to watch: etcd does not show this action".to_owned(),
            Verdict::Met { what, after_s } => format!("{what} after {after_s:.1} s"),
            Verdict::TimedOut { limit_s } => {
                format!("Not seen in etcd after {limit_s:.0} s — check the cluster")
            }
        }
    }

    /// `waiting`, `met` or `timeout`, for tests and styling.
    pub fn state(&self) -> &'static str {
        match self {
            Verdict::Waiting => "waiting",
            Verdict::Unobservable | Verdict::Met { .. } => "met",
            Verdict::TimedOut { .. } => "timeout",
        }
    }
}

/// Judges `seen` (oldest first) against `expect`, `now_s` seconds after
/// submitting.
pub fn verdict(expect: &Expect, seen: &[Snap], now_s: f64) -> Verdict {
    let met = |what: String, after_s: f64| Verdict::Met { what, after_s };
    if *expect == Expect::Nothing {
        return Verdict::Unobservable;
    }
    let mut member_down = false;
    for snap in seen {
        let found = match expect {
            Expect::Nothing => None,
            Expect::NewLeader { old, candidate } => match &snap.leader {
                Some(l) if Some(l) != old.as_ref() && candidate.as_ref().is_none_or(|c| c == l) => {
                    Some(format!("New leader {l} seen in etcd"))
                }
                _ => None,
            },
            Expect::Paused { paused } => (snap.paused == *paused).then(|| {
                let what = if *paused { "Pause" } else { "Resume" };
                format!("{what} seen in etcd")
            }),
            Expect::Config { config } => {
                same(&snap.config, config).then(|| "The new configuration seen in etcd".to_owned())
            }
            Expect::Scheduled { present } => (snap.scheduled == *present).then(|| {
                let what = if *present {
                    "Scheduled switchover"
                } else {
                    "Cancellation"
                };
                format!("{what} seen in etcd")
            }),
            Expect::ClusterRole { role } => match (&snap.leader, &snap.leader_role) {
                (Some(l), Some((r, true))) if r == role => {
                    Some(format!("{l} running as {} seen in etcd", role.as_str()))
                }
                _ => None,
            },
            Expect::MemberRunning { member } => match snap.member(member) {
                Some((true, pending)) if member_down || (snap.at_s >= SETTLE_S && !pending) => {
                    Some(format!("{member} running again, seen in etcd"))
                }
                Some((true, _)) => None,
                _ => {
                    member_down = true;
                    None
                }
            },
        };
        if let Some(what) = found {
            return met(what, snap.at_s);
        }
    }
    // Still running, no restart pending, and quiet for a while: done.
    if let (Expect::MemberRunning { member }, Some(last)) = (expect, seen.last()) {
        if now_s >= SETTLE_S && !member_down && last.member(member) == Some((true, false)) {
            return met(format!("{member} running, no restart pending"), now_s);
        }
    }
    let limit_s = match expect {
        Expect::NewLeader { .. } => LEADER_LIMIT_S,
        Expect::ClusterRole { .. } => ROLE_LIMIT_S,
        _ => OTHER_LIMIT_S,
    };
    if now_s >= limit_s {
        Verdict::TimedOut { limit_s }
    } else {
        Verdict::Waiting
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(at_s: f64, leader: &str, members: &[(&str, bool, bool)]) -> Snap {
        Snap {
            at_s,
            leader: Some(leader.to_owned()),
            paused: false,
            scheduled: false,
            config: serde_json::json!({"ttl": 30}),
            leader_role: None,
            members: members
                .iter()
                .map(|(n, r, p)| ((*n).to_owned(), *r, *p))
                .collect(),
        }
    }

    #[test]
    fn a_new_leader_must_be_the_candidate_when_one_was_named() {
        let expect = Expect::NewLeader {
            old: Some("a".into()),
            candidate: Some("c".into()),
        };
        let seen = [
            snap(0.0, "a", &[]),
            snap(1.0, "b", &[]),
            snap(3.8, "c", &[]),
        ];
        let v = verdict(&expect, &seen, 4.0);
        assert_eq!(v.text(), "New leader c seen in etcd after 3.8 s");
        assert_eq!(verdict(&expect, &seen[..2], 59.0), Verdict::Waiting);
        assert_eq!(
            verdict(&expect, &seen[..2], 60.0).text(),
            "Not seen in etcd after 60 s — check the cluster"
        );
    }

    #[test]
    fn a_restart_is_seen_down_then_up_or_settled() {
        let expect = Expect::MemberRunning { member: "m".into() };
        let bounce = [
            snap(0.0, "a", &[("m", true, true)]),
            snap(1.0, "a", &[("m", false, true)]),
            snap(2.5, "a", &[("m", true, false)]),
        ];
        assert_eq!(verdict(&expect, &bounce, 3.0).state(), "met");
        assert_eq!(verdict(&expect, &bounce[..2], 29.0), Verdict::Waiting);
        let quick = [snap(0.0, "a", &[("m", true, false)])];
        assert_eq!(verdict(&expect, &quick, 4.9), Verdict::Waiting);
        assert_eq!(verdict(&expect, &quick, 5.1).state(), "met");
        let pending = [snap(0.0, "a", &[("m", true, true)])];
        assert_eq!(verdict(&expect, &pending, 30.0).state(), "timeout");
    }

    #[test]
    fn a_configuration_is_met_when_etcd_holds_it() {
        let old = snap(0.0, "a", &[]);
        let new = Snap {
            at_s: 1.5,
            config: serde_json::json!({"ttl": 30, "loop_wait": 10}),
            ..old.clone()
        };
        // Patroni compares values by their text, and so does the verdict.
        let expect = Expect::Config {
            config: serde_json::json!({"ttl": 30, "loop_wait": "10"}),
        };
        assert_eq!(
            verdict(&expect, std::slice::from_ref(&old), 1.0),
            Verdict::Waiting
        );
        assert_eq!(
            verdict(&expect, &[old, new], 2.0).text(),
            "The new configuration seen in etcd after 1.5 s"
        );
    }

    #[test]
    fn a_role_change_waits_for_the_leader_running_in_the_new_role() {
        let expect = Expect::ClusterRole {
            role: Role::StandbyLeader,
        };
        let with = |at_s, role: Role, running| Snap {
            leader_role: Some((role, running)),
            ..snap(at_s, "s1", &[])
        };
        let seen = [
            with(0.0, Role::Leader, true),
            with(2.0, Role::StandbyLeader, false),
            with(6.5, Role::StandbyLeader, true),
        ];
        assert_eq!(verdict(&expect, &seen[..2], 100.0), Verdict::Waiting);
        assert_eq!(
            verdict(&expect, &seen, 7.0).text(),
            "s1 running as standby_leader seen in etcd after 6.5 s"
        );
        assert_eq!(verdict(&expect, &seen[..2], 120.0).state(), "timeout");
    }

    #[test]
    fn nothing_is_met_at_once() {
        let seen = [snap(0.0, "a", &[])];
        assert_eq!(verdict(&Expect::Nothing, &[], 0.0).state(), "met");
        let paused = Expect::Paused { paused: true };
        assert_eq!(verdict(&paused, &seen, 1.0), Verdict::Waiting);
    }
}
