//! What the keyspace API answers: the JSON of `/api/v1/kv/*` and of the
//! keyspace pages' server functions.
//!
//! Keys and values are bytes. Every one is sent twice: as text fit to show
//! (`key`: UTF-8 with other bytes escaped as `\xNN`; `value`: the UTF-8
//! text or `null`) and exactly (`*_base64`). Lease IDs are hex strings, as
//! etcdctl prints them.

use serde::{Deserialize, Serialize};

/// One level of the keyspace: its child directories and its keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    /// The directory listed, ending in `/`.
    pub path: String,
    pub path_base64: String,
    pub dirs: Vec<DirEntry>,
    pub keys: Vec<KeyEntry>,
    /// Cursor for the next page (`after=`), or `null` on the last page.
    pub next: Option<String>,
    /// The etcd revision the listing was read at.
    pub revision: i64,
}

/// A child directory: keys share the prefix `path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirEntry {
    /// The child's own name, without slashes.
    pub name: String,
    /// The whole prefix, ending in `/`.
    pub path: String,
    pub path_base64: String,
    /// Keys under it, when counting them cost nothing extra; else `null`.
    pub count: Option<u64>,
}

/// A key in a listing or a search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyEntry {
    /// The key's last segment (the whole key in search results).
    pub name: String,
    pub key: String,
    pub key_base64: String,
    #[serde(flatten)]
    pub meta: KeyMeta,
}

/// What etcd keeps about each version of a key besides its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyMeta {
    /// Size of the whole value in bytes (also where only part is sent).
    pub size: u64,
    pub create_revision: i64,
    pub mod_revision: i64,
    pub version: i64,
    /// Lease ID (hex), or `null` for a key without a lease.
    pub lease: Option<String>,
}

/// One key with its value and metadata (`GET /api/v1/kv/get`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyValue {
    pub key: String,
    pub key_base64: String,
    /// The value as text when it is UTF-8, else `null`.
    pub value: Option<String>,
    pub value_base64: String,
    #[serde(flatten)]
    pub meta: KeyMeta,
    /// True when `value`/`value_base64` hold only the first part of it
    /// (pages only; the API always sends the whole value).
    pub truncated: bool,
    /// Seconds the lease has left, when the key has one.
    pub ttl: Option<i64>,
    /// The TTL the lease was granted with.
    pub granted_ttl: Option<i64>,
    pub revision: i64,
}

/// Earlier values of a key (`GET /api/v1/kv/history`), newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    pub key: String,
    pub key_base64: String,
    /// Versions before the current one, newest first.
    pub versions: Vec<Version>,
    /// True when more versions exist beyond `limit`.
    pub more: bool,
    /// Set when the walk stopped at etcd's compaction point.
    pub compacted: Option<String>,
    pub revision: i64,
}

/// One earlier version of a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub value: Option<String>,
    pub value_base64: String,
    #[serde(flatten)]
    pub meta: KeyMeta,
}

/// Keys found by a prefix search below a directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    /// The prefix searched (directory plus query).
    pub prefix: String,
    pub keys: Vec<KeyEntry>,
    pub next: Option<String>,
    pub revision: i64,
}

/// A change under a watched prefix (`GET /api/v1/kv/watch`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvEvent {
    /// `put` or `delete`.
    #[serde(rename = "type")]
    pub kind: EventKind,
    pub key: String,
    pub key_base64: String,
    /// The revision of the change.
    pub mod_revision: i64,
    /// The key's version after a put (0 after a delete).
    pub version: i64,
    pub size: u64,
    /// The new value as text, for UTF-8 values up to [`EVENT_VALUE_MAX`].
    pub value: Option<String>,
    pub lease: Option<String>,
}

/// Kinds of [`KvEvent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Put,
    Delete,
}

/// Largest value an event carries inline; bigger ones are fetched.
pub const EVENT_VALUE_MAX: usize = 16 * 1024;

/// Values larger than this are cut in pages (the API sends them whole).
pub const PAGE_VALUE_MAX: usize = 256 * 1024;

/// Names of the server-sent events on `/api/v1/kv/watch`.
pub mod sse {
    /// The watch is in place; data `{"revision": N}`. Views reload on it, so
    /// nothing between their last read and the watch's start is lost.
    pub const READY: &str = "ready";
    /// A put or delete; data is a [`super::KvEvent`].
    pub const PUT: &str = "put";
    pub const DELETE: &str = "delete";
}

/// Lease IDs as etcdctl shows them: hex, `None` for no lease.
pub fn lease_hex(lease: i64) -> Option<String> {
    (lease != 0).then(|| format!("{lease:x}"))
}
