//! `GET /api/v1/clusters`, one cluster, and their live streams.

use app::fleet::request::Scoped;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use app::cluster::book::{self, ClusterBook, ClusterEntry};
use app::cluster::changes::{self, StoredChanges};
use app::cluster::history::tiers::Range;
use app::cluster::history::StoredLag;
use app::cluster::{ClusterDetail, CLUSTER_EVENT, MISSING_EVENT};
use app::error::AppError;
use app::live::OVERVIEW_EVENT;
use app::model::ClusterSummary;
use app::state::AppState;
use axum::extract::{Path, Query};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use futures::{Stream, StreamExt};
use serde::Deserialize;
use tokio::sync::watch;
use tokio_stream::wrappers::WatchStream;

/// How often an open cluster stream re-reads the leader lease.
const LEASE_TICK: Duration = Duration::from_secs(1);

/// Every cluster under the configured namespaces, summarized, worst first.
pub async fn list(Scoped(state): Scoped) -> Json<Vec<ClusterSummary>> {
    Json(state.overview().clusters.clone())
}

/// `text/event-stream` of `overview` events: the current overview at once,
/// then each time what it shows changes. All streams share the one mirror.
pub async fn events(Scoped(state): Scoped) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream = WatchStream::new(state.overview.clone()).map(|overview| {
        let event = Event::default().event(OVERVIEW_EVENT);
        Ok(event
            .json_data(&*overview)
            .unwrap_or_else(|e| Event::default().comment(format!("unserializable: {e}"))))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// `?group=` for a Citus group.
#[derive(Debug, Deserialize)]
pub struct Group {
    group: Option<u32>,
}

/// One cluster in full; 404 when the mirror has no such cluster.
pub async fn show(
    Scoped(state): Scoped,
    Path((namespace, scope)): Path<(String, String)>,
    Query(Group { group }): Query<Group>,
) -> Result<Json<ClusterDetail>, AppError> {
    let entry = state.clusters.borrow().entry(&namespace, &scope, group)?;
    let reachable = state.overview().etcd.reachable;
    Ok(Json(
        book::detail(&entry, &state.leases, &state.versions, reachable).await,
    ))
}

/// `?group=&range=` of a lag history request.
#[derive(Debug, Deserialize)]
pub struct LagQuery {
    group: Option<u32>,
    range: Option<String>,
}

/// One cluster's stored lag history: `range` is `1h` (5 s points), `24h`
/// (1 min; the default) or `7d` (10 min), each point its slot's peak.
pub async fn lag_history(
    Scoped(state): Scoped,
    Path((namespace, scope)): Path<(String, String)>,
    Query(LagQuery { group, range }): Query<LagQuery>,
) -> Result<Json<StoredLag>, AppError> {
    let range = match range.as_deref() {
        None => Range::Day,
        Some(text) => Range::parse(text).ok_or_else(|| {
            AppError::Invalid(format!(
                "range must be 1h, 24h or 7d, not {:?}",
                app::text::shorten(text, 16)
            ))
        })?,
    };
    let history = app::cluster::history::stored::of_cluster(
        &state.clusters,
        (&state.store, state.store_tag.as_deref()),
        &namespace,
        &scope,
        group,
        range,
    )
    .await?;
    Ok(Json(history))
}

/// `?group=&since=&limit=` of a changes request.
#[derive(Debug, Deserialize)]
pub struct ChangesQuery {
    group: Option<u32>,
    since: Option<u64>,
    limit: Option<u32>,
}

/// One cluster's topology changes, newest first: those at or after `since`
/// (Unix ms; default: all the store keeps), at most `limit` (default 200,
/// at most 1000).
pub async fn changes(
    Scoped(state): Scoped,
    Path((namespace, scope)): Path<(String, String)>,
    Query(q): Query<ChangesQuery>,
) -> Result<Json<StoredChanges>, AppError> {
    let limit = q.limit.unwrap_or(200);
    if limit == 0 || limit > changes::stored::MAX_LIMIT {
        return Err(AppError::Invalid(format!(
            "limit must be 1 to {}, not {limit}",
            changes::stored::MAX_LIMIT
        )));
    }
    let since = q.since.unwrap_or(0);
    let found = changes::stored::of_cluster(
        &state.clusters,
        (&state.store, state.store_tag.as_deref()),
        (&namespace, &scope, q.group),
        since,
        limit,
    )
    .await?;
    Ok(Json(found))
}

/// `text/event-stream` of one cluster: a `cluster` event with the full
/// model at once and whenever it changes or the leader lease is renewed;
/// `missing` while the cluster has no keys. 404 if it is unknown at the start.
pub async fn cluster_events(
    Scoped(state): Scoped,
    Path((namespace, scope)): Path<(String, String)>,
    Query(Group { group }): Query<Group>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    state.clusters.borrow().entry(&namespace, &scope, group)?;
    let follower = Follower {
        clusters: state.clusters.clone(),
        state,
        namespace,
        scope,
        group,
        last: None,
        first: true,
        tick: tokio::time::interval(LEASE_TICK),
    };
    let stream = futures::stream::unfold(follower, |mut f| async move {
        let event = f.next().await?;
        Some((Ok(event), f))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// What a cluster stream last sent, to send only what changed.
#[derive(PartialEq)]
enum Sent {
    Missing,
    Detail {
        entry: Arc<ClusterEntry>,
        lease: Option<(String, i64)>,
        reachable: bool,
        versions: BTreeMap<String, String>,
    },
}

struct Follower {
    /// This stream's own receiver: it remembers which book was seen.
    clusters: watch::Receiver<Arc<ClusterBook>>,
    state: AppState,
    namespace: String,
    scope: String,
    group: Option<u32>,
    last: Option<Sent>,
    first: bool,
    tick: tokio::time::Interval,
}

impl Follower {
    /// Waits for the next thing worth sending; `None` when the mirror ends.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if !self.first {
                tokio::select! {
                    changed = self.clusters.changed() => changed.ok()?,
                    _ = self.tick.tick() => {}
                }
            }
            self.first = false;
            let entry = self
                .clusters
                .borrow_and_update()
                .find(&self.namespace, &self.scope, self.group)
                .cloned();
            let Some(entry) = entry else {
                if self.last != Some(Sent::Missing) {
                    self.last = Some(Sent::Missing);
                    return Some(Event::default().event(MISSING_EVENT).data(book::not_found(
                        &self.namespace,
                        &self.scope,
                        self.group,
                    )));
                }
                continue;
            };
            let lease = self.state.leases.read(entry.leader_lease).await;
            let reachable = self.state.overview().etcd.reachable;
            let versions = self.state.versions.versions(&entry.cluster);
            // The expiry, not the countdown, tells a renewal from time passing.
            let expiry = lease
                .as_ref()
                .map(|l| (l.id.clone(), (l.read_at_ms as i64 / 1000) + l.remaining_s));
            let sent = Sent::Detail {
                entry: entry.clone(),
                lease: expiry.clone(),
                reachable,
                versions: versions.clone(),
            };
            if let Some(Sent::Detail {
                entry: e,
                lease: l,
                reachable: r,
                versions: v,
            }) = &self.last
            {
                let same_lease = match (l, &expiry) {
                    (Some((a, x)), Some((b, y))) => a == b && (x - y).abs() <= 1,
                    (None, None) => true,
                    _ => false,
                };
                if Arc::ptr_eq(e, &entry) && same_lease && *r == reachable && *v == versions {
                    continue;
                }
            }
            self.last = Some(sent);
            let detail = book::assemble(&entry, lease, reachable, &versions);
            return Some(
                Event::default()
                    .event(CLUSTER_EVENT)
                    .json_data(&detail)
                    .unwrap_or_else(|e| Event::default().comment(format!("unserializable: {e}"))),
            );
        }
    }
}
