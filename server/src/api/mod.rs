//! The REST API under `/api/v1`. Cluster handlers read the mirror through
//! [`AppState`] and cost etcd nothing; keyspace handlers make bounded reads.

mod action;
mod audit;
mod cluster;
mod etcd;
mod fleet;
mod health;
mod kv;
mod kv_write;
mod routes;
pub mod session;

use app::state::AppState;
use axum::routing::get;
use axum::Router;

pub use routes::Routes;

/// Routes of `/api/v1`; any other path under it is a JSON 404, like every
/// other answer of the API, never the HTML page.
pub fn router() -> Router<AppState> {
    routes().into_parts().0.fallback(unknown_route)
}

async fn unknown_route(uri: axum::http::Uri) -> app::error::AppError {
    app::error::AppError::NotFound(format!(
        "no API route {}; see the README's HTTP API",
        app::text::shorten(uri.path(), 200)
    ))
}

/// Every path of `/api/v1` (as registered, with `{param}` placeholders).
pub fn paths() -> Vec<String> {
    routes().into_parts().1
}

fn routes() -> Routes {
    Routes::new()
        .at("/health", get(health::show))
        .at("/audit", get(audit::list))
        .at("/fleet", get(fleet::show))
        .at("/fleet/events", get(fleet::events))
        .at("/clusters", get(cluster::list))
        .at("/clusters/events", get(cluster::events))
        .at("/clusters/{namespace}/{scope}", get(cluster::show))
        .at(
            "/clusters/{namespace}/{scope}/lag-history",
            get(cluster::lag_history),
        )
        .at(
            "/clusters/{namespace}/{scope}/changes",
            get(cluster::changes),
        )
        .at(
            "/clusters/{namespace}/{scope}/events",
            get(cluster::cluster_events),
        )
        .at(
            "/session",
            get(session::show)
                .post(session::sign_in)
                .delete(session::sign_out),
        )
        .at("/kv/ls", get(kv::ls))
        .at("/kv/get", get(kv::get))
        .at("/kv/raw", get(kv::raw))
        .at("/kv/history", get(kv::history))
        .at("/kv/search", get(kv::search))
        .at("/kv/watch", get(kv::watch))
        .merge(kv_write::routes())
        .nest("/etcd", etcd::routes())
        .merge(action::routes())
}
