//! What etcd maintenance (compaction, defragmentation, snapshots, leader
//! moves, membership changes) reports back. The operations themselves are
//! server-side, in `crate::etcd::maintenance` and `crate::etcd::membership`.

use serde::{Deserialize, Serialize};

/// Up to which revision to compact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompactTo {
    /// Compact every revision before this one.
    Revision(i64),
    /// Keep this many of the newest revisions.
    KeepLast(i64),
}

impl CompactTo {
    /// The compaction revision this asks for when the store is at
    /// `current`: revisions before it are gone afterwards.
    pub fn target(self, current: i64) -> Result<i64, crate::error::AppError> {
        let revision = match self {
            CompactTo::Revision(r) => r,
            // Revisions r..=current survive a compaction at r.
            CompactTo::KeepLast(n) if n >= 1 => current - n + 1,
            CompactTo::KeepLast(n) => {
                return Err(crate::error::AppError::Invalid(format!("keep {n} < 1")))
            }
        };
        if revision < 1 || revision > current {
            return Err(crate::error::AppError::Invalid(format!(
                "revision {revision} is outside 1..={current} (the current revision)"
            )));
        }
        Ok(revision)
    }
}

/// A finished compaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compacted {
    /// Revisions before this one are gone now.
    pub revision: i64,
    /// The compaction revision before, when there was one.
    pub previous: Option<i64>,
    /// The store's revision when compacting.
    pub current_revision: i64,
    /// Waited until the space was freed in the database too.
    pub physical: bool,
}

/// One member defragmented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Defragmented {
    /// Member ID, hex.
    pub member_id: String,
    pub name: String,
    /// It was the raft leader when defragmented.
    pub was_leader: bool,
    /// Database file size before, bytes.
    pub db_size_before: Option<u64>,
    /// Database file size after, bytes.
    pub db_size_after: Option<u64>,
    /// How long the member was busy defragmenting.
    pub took_ms: u64,
}

/// The whole cluster defragmented one member at a time: followers first,
/// the leader last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefragReport {
    /// Members done, in order.
    pub done: Vec<Defragmented>,
    /// Why it stopped before the end, if it did; members after that one
    /// were left alone.
    pub stopped: Option<String>,
}

/// A snapshot streamed out of a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotTaken {
    /// Member ID the snapshot came from, hex.
    pub member_id: String,
    pub name: String,
    /// Bytes written (etcd appends a SHA-256 that `etcdctl snapshot
    /// restore` checks).
    pub bytes: u64,
}

/// Raft leadership handed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderMoved {
    /// Old leader's member ID, hex.
    pub from: String,
    /// New leader's member ID, hex.
    pub to: String,
}

/// A member added to the membership; the operator starts it next with
/// these settings (as `etcdctl member add` prints them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberAdded {
    /// New member's ID, hex.
    pub id: String,
    pub name: String,
    pub is_learner: bool,
    /// `ETCD_INITIAL_CLUSTER` for the new member.
    pub initial_cluster: String,
    /// `ETCD_INITIAL_CLUSTER_STATE`: always `existing`.
    pub initial_cluster_state: String,
}
