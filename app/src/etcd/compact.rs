//! Compaction: revisions before a target are discarded. `GET
//! /api/v1/etcd/compact/preflight` tells what a compaction would do, `POST
//! /api/v1/etcd/compact` does it; the page and the routes share these
//! types.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

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
    pub fn target(self, current: i64) -> Result<i64, AppError> {
        let revision = match self {
            CompactTo::Revision(r) => r,
            // Revisions r..=current survive a compaction at r.
            CompactTo::KeepLast(n) if n >= 1 => current - n + 1,
            CompactTo::KeepLast(n) => return Err(AppError::Invalid(format!("keep {n} < 1"))),
        };
        if revision < 1 || revision > current {
            return Err(AppError::Invalid(format!(
                "revision {revision} is outside 1..={current} (the current revision)"
            )));
        }
        Ok(revision)
    }
}

/// `revision` or `keep`, exactly one: the preflight's query and part of
/// the compaction's body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompactQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep: Option<i64>,
}

impl CompactQuery {
    /// What the query asks for.
    pub fn to(&self) -> Result<CompactTo, AppError> {
        match (self.revision, self.keep) {
            (Some(r), None) => Ok(CompactTo::Revision(r)),
            (None, Some(n)) => Ok(CompactTo::KeepLast(n)),
            _ => Err(AppError::Invalid(
                "give either \"revision\" (compact up to it) or \"keep\" (the last N revisions)"
                    .into(),
            )),
        }
    }

    /// The query string: `keep=1000` or `revision=42`.
    pub fn query_string(&self) -> String {
        match (self.revision, self.keep) {
            (Some(r), _) => format!("revision={r}"),
            (None, Some(n)) => format!("keep={n}"),
            (None, None) => String::new(),
        }
    }
}

/// `POST /compact` `{ "revision" | "keep", "physical", "confirm": "etcd" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompactRequest {
    #[serde(flatten)]
    pub to: CompactQuery,
    #[serde(default)]
    pub physical: bool,
    pub confirm: String,
}

/// What a compaction would do, before it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompactPreflight {
    pub current_revision: i64,
    /// Revisions before this are gone already.
    pub compact_revision: Option<i64>,
    /// Revisions before this would be gone afterwards.
    pub target: i64,
    /// Revisions of history the keyspace browser could show now and
    /// could not afterwards.
    pub revisions_lost: i64,
    /// Why the compaction would be refused, if it would.
    pub refusal: Option<String>,
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

#[cfg(feature = "ssr")]
pub use ssr::{compact, compact_preflight};

#[cfg(feature = "ssr")]
mod ssr {
    use etcd_client::{CompactionOptions, GetOptions};

    use super::{CompactPreflight, CompactTo, Compacted};
    use crate::error::AppError;
    use crate::etcd::defragment::LONG_TIMEOUT;
    use crate::etcd::status::{compact_revision, read_status};
    use crate::etcd::Gateway;

    /// What compacting to `to` would do now; refuses nothing itself.
    pub async fn compact_preflight(
        gateway: &Gateway,
        to: CompactTo,
    ) -> Result<CompactPreflight, AppError> {
        let status = read_status(gateway).await?;
        let target = to.target(status.revision)?;
        let from = status.compact_revision.unwrap_or(1);
        let refusal = (target <= from && status.compact_revision.is_some())
            .then(|| format!("etcd is compacted up to revision {from} already"));
        Ok(CompactPreflight {
            current_revision: status.revision,
            compact_revision: status.compact_revision,
            target,
            revisions_lost: (target - from).max(0),
            refusal,
        })
    }

    /// Compacts the history: revisions before the target are gone
    /// afterwards. With `physical`, waits until the space is freed in the
    /// database too.
    pub async fn compact(
        gateway: &Gateway,
        to: CompactTo,
        physical: bool,
    ) -> Result<Compacted, AppError> {
        let count_only = || Some(GetOptions::new().with_count_only());
        let now = gateway
            .call_shared(|mut c| async move { c.get("\0", count_only()).await })
            .await?;
        let current = now.header().map_or(0, |h| h.revision());
        let previous = compact_revision(gateway).await;
        let revision = to.target(current)?;
        if previous.is_some_and(|p| revision <= p) {
            return Err(AppError::Conflict(format!(
                "etcd is compacted up to revision {} already",
                previous.unwrap_or_default()
            )));
        }
        let options = move || physical.then(|| CompactionOptions::new().with_physical());
        gateway
            .call_shared_within(LONG_TIMEOUT, |mut c| async move {
                c.compact(revision, options()).await
            })
            .await?;
        Ok(Compacted {
            revision,
            previous,
            current_revision: current,
            physical,
        })
    }
}
