//! What every etcd admin route answers around its verb's own answer: the
//! audit record it was written as, or the refusal. The routes write these
//! and the page reads them, so the two cannot drift.

use serde::{Deserialize, Serialize};

/// Where the etcd routes live.
pub const API: &str = "/api/v1/etcd";

/// An action's answer with the audit log record that holds it (`None`
/// only when the log gave no sequence number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Audited<T> {
    #[serde(flatten)]
    pub answer: T,
    pub audit_seq: Option<u64>,
}

/// A refusal's body: `{"error": "..."}`, with what a caller may act on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Patrol's or etcd's words.
    pub error: String,
    /// The HTTP status, where the reader cannot see it (a form posted
    /// into a frame, as the snapshot download is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// A removal refused only because etcd could not lose another member
    /// afterwards: the same request with `"override": true` would go ahead.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub needs_override: bool,
}
