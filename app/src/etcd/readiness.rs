//! Upgrade readiness: what an operator checks before the next etcd minor
//! version. `GET /api/v1/etcd/readiness` and the `/etcd` page's "Upgrade
//! readiness" card show whether every member holds the same data (`etcdctl
//! endpoint hashkv` at one revision), which versions run and which step
//! comes next (one minor at a time), whether the v2 store or API would
//! stop etcd 3.6, and how many learners there are against etcd's limit.
//!
//! The types and the judgements on them are here, pure, so the browser
//! and the tests use them too; asking etcd is in `check` (server only).

use serde::{Deserialize, Serialize};

mod hashes;
mod versions;

pub use hashes::{compare, HashCheck, HashReading, Mismatch};
pub use versions::{minor_of, Versions};

#[cfg(feature = "ssr")]
mod cache;
#[cfg(feature = "ssr")]
mod check;
#[cfg(feature = "ssr")]
mod v2;

#[cfg(feature = "ssr")]
pub use cache::Cache;
#[cfg(feature = "ssr")]
pub use check::{check, readiness};

/// How long one check is handed out again before etcd is asked anew, and
/// how often the card asks: every viewer within it gets the same check.
pub const READINESS_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// How many learners etcd allows when `--max-learners` is not given.
/// Patrol cannot read the flag, so it assumes this one.
pub const DEFAULT_MAX_LEARNERS: usize = 1;

/// `GET /readiness`: the whole check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Readiness {
    /// Every member's hash of the key-value store at one revision.
    pub hashes: HashCheck,
    /// Server versions and the cluster version.
    pub versions: Versions,
    /// What the v2 store and API would mean for etcd 3.6.
    pub v2: V2Store,
    /// Learners against the limit.
    pub learners: Learners,
    /// Unix time (ms) of the check.
    pub read_at_ms: u64,
}

impl Readiness {
    /// What stands in the way of the next upgrade, in words; empty when
    /// nothing does. A hash mismatch is not here but an alarm
    /// ([`HashCheck::alarm`]).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = self.versions.warnings();
        out.extend(self.v2.warning());
        out.extend(self.learners.warning());
        out
    }
}

/// The v2 store as far as Patrol can learn it. etcd 3.6 no longer serves
/// the v2 API and refuses to start while the v2 store holds data of its
/// own (beyond the membership etcd keeps there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum V2Store {
    /// The endpoint does not serve `/v2/keys` (`--enable-v2` is off, the
    /// default since 3.4): nothing can have been written through it.
    Off { endpoint: String },
    /// The v2 API is on but holds no keys.
    Empty { endpoint: String },
    /// The v2 API is on and holds `keys` keys and directories (at least
    /// that many when `more`: the listing was longer than Patrol reads).
    Data {
        endpoint: String,
        keys: u64,
        more: bool,
    },
    /// No configured endpoint could be asked, and why.
    NotChecked { why: String },
}

impl V2Store {
    /// The state in words.
    pub fn words(&self) -> String {
        match self {
            V2Store::Off { .. } => "v2 API off: nothing to migrate".into(),
            V2Store::Empty { .. } => "v2 API on (--enable-v2), no v2 keys".into(),
            V2Store::Data { keys, more, .. } => {
                let at_least = if *more { "at least " } else { "" };
                format!("v2 API on (--enable-v2), {at_least}{keys} v2 keys")
            }
            V2Store::NotChecked { why } => format!("v2 store not checked: {why}"),
        }
    }

    /// What it means for etcd 3.6, when it matters.
    pub fn warning(&self) -> Option<String> {
        match self {
            V2Store::Off { .. } | V2Store::NotChecked { .. } => None,
            V2Store::Empty { .. } => Some(
                "the v2 API is on: etcd 3.6 no longer serves it; move its clients to v3 and drop --enable-v2 before upgrading"
                    .into(),
            ),
            V2Store::Data { .. } => Some(format!(
                "{}: etcd 3.6 refuses to start while the v2 store holds data; migrate or remove it (etcdutl check v2store) and drop --enable-v2",
                self.words()
            )),
        }
    }
}

/// Learners against the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Learners {
    pub count: usize,
    /// [`DEFAULT_MAX_LEARNERS`]: etcd's default, assumed.
    pub max: usize,
}

impl Learners {
    /// The count in words, with where the limit comes from.
    pub fn words(&self) -> String {
        let s = if self.max == 1 { "" } else { "s" };
        format!(
            "{} of {}: etcd allows {} learner{s} by default (--max-learners)",
            self.count, self.max, self.max
        )
    }

    /// The limit is reached: etcd refuses another learner.
    pub fn at_limit(&self) -> bool {
        self.count >= self.max
    }

    fn warning(&self) -> Option<String> {
        self.at_limit().then(|| {
            format!(
                "{} learner(s), the limit unless --max-learners says otherwise: promote or remove one before adding another",
                self.count
            )
        })
    }
}

#[cfg(test)]
mod tests;
