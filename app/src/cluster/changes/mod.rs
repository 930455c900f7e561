//! What changed in a cluster's topology, as Patrol saw it happen: the
//! leader moving, members coming and going, a member's role or state, the
//! timeline, pause and resume. The history writer records them in the
//! store ([`stored`]), so they outlive a restart and every Patrol instance
//! serves the same list (`GET /api/v1/clusters/<ns>/<scope>/changes`).

#[cfg(feature = "ssr")]
pub mod stored;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::patroni::{Cluster, Member};

/// How long the store keeps changes: 30 days, long enough to look back on
/// last month's incident.
pub const KEEP_MS: u64 = 30 * 24 * 60 * 60 * 1000;

/// What kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The `leader` key names another member, or none (`from`/`to`).
    LeaderChanged,
    /// A member key appeared.
    MemberJoined,
    /// A member key vanished (its lease ran out, or it was removed).
    MemberLeft,
    /// A member's role (`leader`, `replica`, `sync_standby`, ...).
    RoleChanged,
    /// A member's Patroni state (`running`, `streaming`, `stopped`, ...).
    StateChanged,
    /// The cluster's timeline (a promotion happened).
    TimelineChanged,
    /// Maintenance mode on.
    Paused,
    /// Maintenance mode off.
    Resumed,
}

impl ChangeKind {
    /// The name used in the store and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::LeaderChanged => "leader_changed",
            ChangeKind::MemberJoined => "member_joined",
            ChangeKind::MemberLeft => "member_left",
            ChangeKind::RoleChanged => "role_changed",
            ChangeKind::StateChanged => "state_changed",
            ChangeKind::TimelineChanged => "timeline_changed",
            ChangeKind::Paused => "paused",
            ChangeKind::Resumed => "resumed",
        }
    }

    /// The kind named `text` (as [`ChangeKind::as_str`] writes it).
    pub fn parse(text: &str) -> Option<ChangeKind> {
        ALL.into_iter().find(|k| k.as_str() == text)
    }
}

const ALL: [ChangeKind; 8] = [
    ChangeKind::LeaderChanged,
    ChangeKind::MemberJoined,
    ChangeKind::MemberLeft,
    ChangeKind::RoleChanged,
    ChangeKind::StateChanged,
    ChangeKind::TimelineChanged,
    ChangeKind::Paused,
    ChangeKind::Resumed,
];

/// One change, seen at `t`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Unix time (ms) Patrol saw it.
    pub t: u64,
    pub kind: ChangeKind,
    /// The member it concerns; `None` for the cluster as a whole.
    pub member: Option<String>,
    /// The value before (a leader's name, a role, a state, a timeline);
    /// `None` when there was none.
    pub from: Option<String>,
    /// The value after, likewise.
    pub to: Option<String>,
}

/// Changes stored for one cluster, newest first, with the server's time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredChanges {
    pub changes: Vec<Change>,
    pub now_ms: u64,
}

impl Change {
    /// The change in words, as the cluster page lists it.
    pub fn describe(&self) -> String {
        let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".to_owned());
        let member = self.member.as_deref().unwrap_or("?");
        match self.kind {
            ChangeKind::LeaderChanged => {
                format!("Leader {} → {}", or_none(&self.from), or_none(&self.to))
            }
            ChangeKind::MemberJoined => format!("{member} joined as {}", or_none(&self.to)),
            ChangeKind::MemberLeft => format!("{member} left (was {})", or_none(&self.from)),
            ChangeKind::RoleChanged => format!(
                "{member}: role {} → {}",
                or_none(&self.from),
                or_none(&self.to)
            ),
            ChangeKind::StateChanged => format!(
                "{member}: state {} → {}",
                or_none(&self.from),
                or_none(&self.to)
            ),
            ChangeKind::TimelineChanged => {
                format!("Timeline {} → {}", or_none(&self.from), or_none(&self.to))
            }
            ChangeKind::Paused => "Paused (maintenance mode)".to_owned(),
            ChangeKind::Resumed => "Resumed".to_owned(),
        }
    }
}

/// What changed from `prev` to `next` (the same cluster, read twice), all
/// stamped `t`, in a fixed order: cluster-wide first, then by member.
pub fn diff(prev: &Cluster, next: &Cluster, t: u64) -> Vec<Change> {
    let mut out = Vec::new();
    let mut push = |kind, member: Option<&str>, from: Option<String>, to: Option<String>| {
        out.push(Change {
            t,
            kind,
            member: member.map(str::to_owned),
            from,
            to,
        });
    };
    if prev.leader != next.leader {
        push(
            ChangeKind::LeaderChanged,
            None,
            prev.leader.clone(),
            next.leader.clone(),
        );
    }
    if prev.timeline != next.timeline && next.timeline.is_some() {
        let text = |tl: Option<u64>| tl.map(|v| v.to_string());
        push(
            ChangeKind::TimelineChanged,
            None,
            text(prev.timeline),
            text(next.timeline),
        );
    }
    if prev.paused != next.paused {
        let kind = if next.paused {
            ChangeKind::Paused
        } else {
            ChangeKind::Resumed
        };
        push(kind, None, None, None);
    }
    let before = by_name(&prev.members);
    let after = by_name(&next.members);
    for (name, m) in &after {
        match before.get(name) {
            None => push(
                ChangeKind::MemberJoined,
                Some(name),
                None,
                Some(m.role.as_str().to_owned()),
            ),
            Some(old) => {
                if old.role != m.role {
                    push(
                        ChangeKind::RoleChanged,
                        Some(name),
                        Some(old.role.as_str().to_owned()),
                        Some(m.role.as_str().to_owned()),
                    );
                }
                if old.state != m.state {
                    push(
                        ChangeKind::StateChanged,
                        Some(name),
                        Some(old.state.clone()),
                        Some(m.state.clone()),
                    );
                }
            }
        }
    }
    for (name, old) in &before {
        if !after.contains_key(name) {
            push(
                ChangeKind::MemberLeft,
                Some(name),
                Some(old.role.as_str().to_owned()),
                None,
            );
        }
    }
    out
}

fn by_name(members: &[Member]) -> BTreeMap<&str, &Member> {
    members.iter().map(|m| (m.name.as_str(), m)).collect()
}

#[cfg(test)]
mod tests;
