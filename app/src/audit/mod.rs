//! The audit log of admin actions: append-only, each record carrying the
//! hash of the one before it so that an edit, a removal or a reordering
//! shows. These types cross to the browser; the records live in the store,
//! handled by [`log`] on the server, and [`chain`] checks them.

#[cfg(feature = "ssr")]
pub mod chain;
#[cfg(feature = "ssr")]
pub mod log;

use serde::{Deserialize, Serialize};

/// Records a page holds unless asked otherwise.
pub const DEFAULT_LIMIT: usize = 100;
/// The most records one page may hold.
pub const MAX_LIMIT: usize = 1000;
/// `prev_hash` of the first record: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The page size for a requested `limit`: [`DEFAULT_LIMIT`] when absent,
/// at least 1 and at most [`MAX_LIMIT`].
pub fn page_limit(limit: Option<usize>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// Whether a record was written before the action ran or after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Before,
    After,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Before => "before",
            Phase::After => "after",
        }
    }
}

/// What Patroni (or the transport) answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Patroni's HTTP status code, when it answered at all.
    pub status: Option<u16>,
    /// Patroni's response body, as text.
    pub body: String,
    /// Why there was no answer (connection refused, timeout, ...).
    pub error: Option<String>,
}

/// One record of the audit log (one line of an imported file).
///
/// `hash` is the lowercase hex SHA-256 of the record's canonical form:
/// `serde_json::to_vec` of this struct (fields in declaration order) with
/// `hash` set to `""`. `prev_hash` is the previous record's `hash`, or
/// [`GENESIS_HASH`] for the first record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// 1, 2, 3, ... in chain order, without gaps.
    pub seq: u64,
    /// Unix time, ms, when the record was written.
    pub time_ms: u64,
    #[serde(flatten)]
    pub entry: Entry,
    pub prev_hash: String,
    pub hash: String,
}

/// What a record says about an action, apart from its place in the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub phase: Phase,
    /// The admin who acted.
    pub actor: String,
    /// The address the request came from.
    pub source: String,
    /// What was done, e.g. `switchover`.
    pub action: String,
    /// What it was done to, e.g. `service/batman`.
    pub target: String,
    /// The etcd cluster `target` is in, when this Patrol serves several
    /// or its one etcd cluster was named (absent from older records, whose
    /// hashes therefore still verify).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etcd: Option<String>,
    pub params: serde_json::Value,
    /// The checks made before acting and what they found.
    pub preflight: Option<serde_json::Value>,
    /// Patroni's answer (`after` records).
    pub outcome: Option<Outcome>,
    pub revision_before: Option<i64>,
    pub revision_after: Option<i64>,
}

/// Where the chain first fails to verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainBreak {
    /// The seq the record at that position should have had.
    pub seq: u64,
    /// The record's position in the chain (the line of a file being
    /// imported), counting from 1.
    pub line: u64,
    /// What is wrong there, in words.
    pub reason: String,
}

/// The result of checking the whole chain, record by record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// True when every record is intact and chained to the one before.
    pub ok: bool,
    /// Records that could be read (intact or not).
    pub records: u64,
    /// The first place the chain breaks; `None` when `ok`.
    pub broken: Option<ChainBreak>,
}

/// One page of the audit log (`GET /api/v1/audit`), newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    /// Always true: the audit log lives in the store, which Patrol always
    /// has (kept for clients of the API that read it).
    pub configured: bool,
    pub records: Vec<AuditRecord>,
    /// The whole chain's verification, not just this page's.
    pub verified: Verification,
    /// `before=` for the next (older) page, if there is one.
    pub next_before: Option<u64>,
}
