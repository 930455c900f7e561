//! `GET /api/v1/clusters` and its live stream.

use std::convert::Infallible;

use app::live::OVERVIEW_EVENT;
use app::model::Cluster;
use app::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use futures::{Stream, StreamExt};
use tokio_stream::wrappers::WatchStream;

/// Every cluster under the configured namespaces, as last seen in etcd.
pub async fn list(State(state): State<AppState>) -> Json<Vec<Cluster>> {
    Json(state.overview().clusters.clone())
}

/// `text/event-stream` of `overview` events: the current overview at once,
/// then each time what it shows changes. All streams share the one mirror.
pub async fn events(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream = WatchStream::new(state.overview.clone()).map(|overview| {
        let event = Event::default().event(OVERVIEW_EVENT);
        Ok(event
            .json_data(&*overview)
            .unwrap_or_else(|e| Event::default().comment(format!("unserializable: {e}"))))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
