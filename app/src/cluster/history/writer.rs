//! The history writer: every [`TICK`], the instance that holds the
//! store's lease [`LEASE`] writes the lag samples its mirror measured and
//! the topology changes it saw since the last tick, and once a minute
//! deletes what the store no longer keeps.
//! Every instance runs one; only the holder writes, so several Patrol
//! instances on one store write each sample once. When the holder stops,
//! its lease runs out within [`TTL`] and the next tick of another instance
//! takes it: history goes on within `TTL + TICK` (8 s).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::fresh::{fresh_points, Written};
use super::stored;
use crate::cluster::book::{stored_id, ClusterBook, ClusterEntry, ClusterId};
use crate::cluster::changes::{self, Change};
use crate::store::{lease, Store};

/// The lease's name in the store.
pub const LEASE: &str = "lag-history-writer";
/// How long a lease lasts unless renewed.
pub const TTL: Duration = Duration::from_secs(6);
/// How often the writer renews its lease and writes.
pub const TICK: Duration = Duration::from_secs(2);
/// How often the holder deletes expired points.
const PRUNE_EVERY_MS: u64 = 60_000;
/// Most changes waiting for the store; past it the oldest are dropped.
const MAX_PENDING: usize = 10_000;

/// Starts the writer for this instance, named `holder` in the store, of
/// the clusters of the etcd cluster whose store tag is `tag` (see
/// [`stored_id`]); each etcd cluster's writer holds a lease of its own.
pub fn spawn(
    store: Store,
    book: watch::Receiver<Arc<ClusterBook>>,
    holder: String,
    tag: Option<Arc<str>>,
) -> JoinHandle<()> {
    tokio::spawn(run(store, book, holder, tag))
}

/// The lease of the writer for the etcd cluster tagged `tag`.
pub fn lease_name(tag: Option<&str>) -> String {
    match tag {
        Some(tag) => format!("{LEASE}@{tag}"),
        None => LEASE.to_owned(),
    }
}

/// A name for this instance that no other shares: host, process and a
/// random part (a restarted process is a new holder).
pub fn holder_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "patrol".to_owned());
    let mut raw = [0u8; 4];
    let _ = getrandom::getrandom(&mut raw);
    format!("{host}:{}:{}", std::process::id(), hex::encode(raw))
}

/// Each cluster as last seen, to tell what changed.
type Seen = BTreeMap<ClusterId, Arc<ClusterEntry>>;

/// Adds to `pending` what changed in `book` since `seen`, and remembers
/// `book`. A cluster seen for the first time is where its changes start.
fn note_changes(
    seen: &mut Seen,
    book: &ClusterBook,
    now: u64,
    pending: &mut Vec<(ClusterId, Change)>,
) {
    for (id, entry) in &book.entries {
        if let Some(prev) = seen.get(id).filter(|p| !Arc::ptr_eq(p, entry)) {
            let found = changes::diff(&prev.cluster, &entry.cluster, now);
            pending.extend(found.into_iter().map(|c| (id.clone(), c)));
        }
    }
    if pending.len() > MAX_PENDING {
        let over = pending.len() - MAX_PENDING;
        tracing::warn!(
            dropped = over,
            "topology changes dropped: the store has not taken them"
        );
        pending.drain(..over);
    }
    seen.clone_from(&book.entries);
}

async fn run(
    store: Store,
    mut book: watch::Receiver<Arc<ClusterBook>>,
    holder: String,
    tag: Option<Arc<str>>,
) {
    let lease_name = lease_name(tag.as_deref());
    let tag = tag.as_deref();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut written = Written::new();
    let mut seen = Seen::new();
    let mut pending = Vec::new();
    let mut held = false;
    let mut last_prune = 0u64;
    let mut store_ok = true;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            // Every update of the book, so that a change undone within a
            // tick is still seen; written at the next tick.
            Ok(()) = book.changed() => {
                let snapshot = book.borrow_and_update().clone();
                note_changes(&mut seen, &snapshot, crate::clock::now_ms(), &mut pending);
                continue;
            }
        }
        if book.has_changed().is_err() {
            // The mirror has stopped: so does this instance's share of the
            // writing, and another instance need not wait out the lease.
            if held {
                let _ = lease::release(&store, &lease_name, &holder).await;
            }
            return;
        }
        let now = crate::clock::now_ms();
        let step = async {
            let holds = lease::hold(&store, &lease_name, &holder, TTL, now).await?;
            if holds != held {
                held = holds;
                if held {
                    tracing::info!(holder = %holder, "this instance writes the lag history now");
                } else {
                    tracing::info!(holder = %holder, "another instance writes the lag history");
                }
            }
            if !held {
                // The samples and changes up to now are the holder's to write.
                written.clear();
                pending.clear();
                return Ok(());
            }
            if !pending.is_empty() {
                // Kept on failure: the next tick tries them again.
                let tagged: Vec<_> = pending
                    .iter()
                    .map(|(id, c)| (stored_id(tag, id), c.clone()))
                    .collect();
                changes::stored::write(&store, &tagged).await?;
                pending.clear();
            }
            let snapshot = book.borrow().clone();
            let points: Vec<_> = fresh_points(&snapshot, &mut written)
                .into_iter()
                .map(|(id, p)| (stored_id(tag, &id), p))
                .collect();
            if !points.is_empty() {
                if let Err(e) = stored::write(&store, &points).await {
                    // Forget them, so the next tick writes the latest again.
                    written.clear();
                    return Err(e);
                }
            }
            if now.saturating_sub(last_prune) >= PRUNE_EVERY_MS {
                let gone = stored::prune(&store, now).await?;
                let gone_changes = changes::stored::prune(&store, now).await?;
                tracing::debug!(gone, gone_changes, "old lag history and changes deleted");
                last_prune = now;
            }
            Ok::<(), crate::store::StoreError>(())
        };
        let result = step.await;
        match result {
            Ok(()) if !store_ok => {
                tracing::info!("the lag history reaches the store again");
                store_ok = true;
            }
            Ok(()) => {}
            Err(e) if store_ok => {
                tracing::warn!(error = %e, "lag history not written: the store failed; retrying every {}s", TICK.as_secs());
                store_ok = false;
                held = false;
            }
            Err(_) => held = false,
        }
    }
}
