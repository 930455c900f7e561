//! The REST API under `/api/v1`. Cluster handlers read the mirror through
//! [`AppState`] and cost etcd nothing; keyspace handlers make bounded reads.

mod audit;
mod cluster;
mod health;
mod kv;
pub mod session;

use app::state::AppState;
use axum::routing::get;
use axum::Router;

/// Routes of `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health::show))
        .route("/audit", get(audit::list))
        .route("/clusters", get(cluster::list))
        .route("/clusters/events", get(cluster::events))
        .route("/clusters/{namespace}/{scope}", get(cluster::show))
        .route(
            "/clusters/{namespace}/{scope}/events",
            get(cluster::cluster_events),
        )
        .route(
            "/session",
            get(session::show)
                .post(session::sign_in)
                .delete(session::sign_out),
        )
        .route("/kv/ls", get(kv::ls))
        .route("/kv/get", get(kv::get))
        .route("/kv/raw", get(kv::raw))
        .route("/kv/history", get(kv::history))
        .route("/kv/search", get(kv::search))
        .route("/kv/watch", get(kv::watch))
}
