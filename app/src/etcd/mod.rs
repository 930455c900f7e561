//! The etcd cluster Patroni depends on: how Patrol reaches it (the
//! [`Gateway`], server only) and what the `/etcd` page and
//! `/api/v1/etcd/...` show of it: members with their `endpoint status`,
//! alarms and quorum, and each maintenance verb's request and answer.
//!
//! The types here and in the verb modules cross to the browser, which
//! compiles them too; what talks to etcd sits behind the `ssr` feature.
//! Member and cluster IDs are hex strings, as etcdctl prints them, never
//! JSON numbers: they are `u64`s, beyond what a JavaScript number holds.

pub mod alarm;
pub mod compact;
pub mod defragment;
pub mod leader;
pub mod membership;
mod quorum;
pub mod readiness;
pub mod snapshot;
pub mod wire;

#[cfg(feature = "ssr")]
pub mod checks;
#[cfg(feature = "ssr")]
mod clients;
#[cfg(feature = "ssr")]
mod error;
#[cfg(feature = "ssr")]
mod explain;
#[cfg(feature = "ssr")]
mod gateway;
#[cfg(feature = "ssr")]
mod read;
#[cfg(feature = "ssr")]
pub mod status;

pub use quorum::Quorum;

#[cfg(feature = "ssr")]
pub use alarm::{disarm, disarm_all};
#[cfg(feature = "ssr")]
pub use compact::{compact, compact_preflight};
#[cfg(feature = "ssr")]
pub use defragment::{defragment, defragment_all};
#[cfg(feature = "ssr")]
pub use error::EtcdError;
#[cfg(feature = "ssr")]
pub use explain::explain;
#[cfg(feature = "ssr")]
pub use gateway::{EtcdConfig, EtcdUser, Gateway, SetupError, MAX_MESSAGE_BYTES};
#[cfg(feature = "ssr")]
pub use leader::move_leader;
#[cfg(feature = "ssr")]
pub use membership::{add_learner, promote, remove_member};
#[cfg(feature = "ssr")]
pub use read::Consistency;
#[cfg(feature = "ssr")]
pub use snapshot::{keys_at, save_snapshot, snapshot, Snapshot};
#[cfg(feature = "ssr")]
pub use status::{read_alarms, read_members, read_status};

use serde::{Deserialize, Serialize};

/// How often the `/etcd` page reads the cluster again; on the server, how
/// often the one reading all its viewers share is made.
pub const STATUS_EVERY: std::time::Duration = std::time::Duration::from_secs(3);

/// How full a member's database may get before the page warns (percent of
/// its quota).
pub const QUOTA_WARN_PERCENT: f64 = 80.0;

/// etcd's backend quota when `--quota-backend-bytes` is not given (2 GiB).
/// etcd before 3.6 does not report its quota, so Patrol assumes this one.
pub const DEFAULT_QUOTA_BYTES: u64 = 2 << 30;

/// The etcd cluster at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EtcdStatus {
    /// Cluster ID, hex.
    pub cluster_id: String,
    /// The key-value store's current revision.
    pub revision: i64,
    /// Revisions before this one are compacted away; `None` when nothing
    /// was compacted or it could not be learned.
    pub compact_revision: Option<i64>,
    /// Every member, voting members first, then by name.
    pub members: Vec<EtcdMember>,
    /// Active alarms.
    pub alarms: Vec<EtcdAlarm>,
    /// How many members the cluster can lose and keep working.
    pub quorum: Quorum,
    /// Unix time (ms) of the reading.
    pub read_at_ms: u64,
}

/// One member: its membership entry and, when it answered, its
/// `endpoint status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EtcdMember {
    /// Member ID, hex (e.g. `8e9e05c52164694d`).
    pub id: String,
    /// Name; empty for a member added but not started yet.
    pub name: String,
    pub client_urls: Vec<String>,
    pub peer_urls: Vec<String>,
    /// A raft learner: receives the log, does not vote.
    pub is_learner: bool,
    /// It answered the status request and reports a leader and no errors.
    pub healthy: bool,
    /// Why it is not healthy (no answer, no leader, its own errors).
    pub error: Option<String>,
    /// How long the status request took, in microseconds.
    pub round_trip_us: Option<u64>,
    /// etcd server version.
    pub version: Option<String>,
    /// Size of the backend database file, bytes.
    pub db_size: Option<u64>,
    /// Bytes of the file in use; the rest a defragmentation gives back.
    pub db_size_in_use: Option<u64>,
    /// Backend quota, bytes.
    pub quota_bytes: Option<u64>,
    /// The member did not report its quota (etcd < 3.6), so
    /// [`DEFAULT_QUOTA_BYTES`] is assumed.
    pub quota_assumed: bool,
    /// `db_size` as a percentage of `quota_bytes`.
    pub quota_used_percent: Option<f64>,
    /// It is the raft leader.
    pub is_leader: bool,
    pub raft_term: Option<u64>,
    pub raft_index: Option<u64>,
    pub raft_applied_index: Option<u64>,
    /// Errors the member itself reports (e.g. an active alarm).
    pub errors: Vec<String>,
}

impl EtcdMember {
    /// Name, or the ID while the member has none.
    pub fn label(&self) -> &str {
        if self.name.is_empty() {
            &self.id
        } else {
            &self.name
        }
    }

    /// Why it cannot take the raft leadership, if it cannot.
    pub fn cannot_lead(&self) -> Option<&'static str> {
        if self.is_leader {
            Some("leads already")
        } else if self.is_learner {
            Some("a learner cannot lead")
        } else if !self.healthy {
            Some("not healthy")
        } else {
            None
        }
    }

    /// Its database is at [`QUOTA_WARN_PERCENT`] of its quota or more.
    pub fn quota_warning(&self) -> bool {
        self.quota_used_percent
            .is_some_and(|p| p >= QUOTA_WARN_PERCENT)
    }
}

impl From<EtcdMemberEntry> for EtcdMember {
    /// The member as the membership lists it, before it answered anything.
    fn from(e: EtcdMemberEntry) -> EtcdMember {
        EtcdMember {
            id: e.id,
            name: e.name,
            client_urls: e.client_urls,
            peer_urls: e.peer_urls,
            is_learner: e.is_learner,
            healthy: false,
            error: None,
            round_trip_us: None,
            version: None,
            db_size: None,
            db_size_in_use: None,
            quota_bytes: None,
            quota_assumed: false,
            quota_used_percent: None,
            is_leader: false,
            raft_term: None,
            raft_index: None,
            raft_applied_index: None,
            errors: Vec::new(),
        }
    }
}

/// An active alarm on a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EtcdAlarm {
    /// Member ID, hex.
    pub member_id: String,
    /// `NOSPACE`, `CORRUPT`, or another name etcd uses.
    pub alarm: String,
}

/// `GET /api/v1/etcd/members`: the membership, without status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EtcdMembers {
    /// Cluster ID, hex.
    pub cluster_id: String,
    pub members: Vec<EtcdMemberEntry>,
}

/// One entry of the membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EtcdMemberEntry {
    /// Member ID, hex.
    pub id: String,
    pub name: String,
    pub client_urls: Vec<String>,
    pub peer_urls: Vec<String>,
    pub is_learner: bool,
}

/// `GET /api/v1/etcd/alarms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EtcdAlarms {
    pub alarms: Vec<EtcdAlarm>,
}

/// An etcd ID (member, cluster) as etcdctl prints it: lower-case hex.
pub fn hex_id(id: u64) -> String {
    format!("{id:x}")
}

/// Reads an ID given as hex (as [`hex_id`] writes it).
pub fn parse_hex_id(text: &str) -> Result<u64, crate::error::AppError> {
    u64::from_str_radix(text.trim(), 16)
        .map_err(|_| crate::error::AppError::Invalid(format!("not a hex etcd ID: {text:?}")))
}

/// Unit tests, and members and statuses for other modules' tests.
#[cfg(test)]
pub(crate) mod tests;
