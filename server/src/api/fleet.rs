//! `GET /api/v1/fleet`: every etcd cluster this Patrol serves, its health
//! and its Patroni clusters; and its live stream. Both read only what the
//! mirrors and the background health readings hold, so an etcd cluster
//! that is down or slow costs the others nothing.

use std::convert::Infallible;

use app::fleet::scope::Site;
use app::fleet::{FleetOverview, SITE_EVENT};
use app::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use futures::{Stream, StreamExt};
use tokio_stream::wrappers::WatchStream;

/// Every etcd cluster, in configuration order.
pub async fn show(State(state): State<AppState>) -> Json<FleetOverview> {
    Json(state.fleet.overview())
}

/// `text/event-stream` of `site` events: each etcd cluster's overview at
/// once, then again each time its clusters or its health change.
pub async fn events(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let streams = state.fleet.sites().iter().map(|site| {
        let (a, b) = (site.clone(), site.clone());
        let clusters = WatchStream::new(site.overview.clone()).map(move |_| event(&a));
        // The overview stream sends the first event; health only changes.
        let health = WatchStream::from_changes(site.health.clone()).map(move |_| event(&b));
        futures::stream::select(clusters, health).boxed()
    });
    let merged = futures::stream::select_all(streams);
    Sse::new(merged).keep_alive(KeepAlive::default())
}

fn event(site: &Site) -> Result<Event, Infallible> {
    let event = Event::default().event(SITE_EVENT);
    Ok(event
        .json_data(site.overview())
        .unwrap_or_else(|e| Event::default().comment(format!("unserializable: {e}"))))
}
