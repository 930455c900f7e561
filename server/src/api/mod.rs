//! The REST API under `/api/v1`. Handlers read the mirror through
//! [`AppState`]; none of them talks to etcd per request.

mod cluster;
mod health;

use app::state::AppState;
use axum::routing::get;
use axum::Router;

/// Routes of `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health::show))
        .route("/clusters", get(cluster::list))
        .route("/clusters/events", get(cluster::events))
}
