//! `GET /api/v1/health`: is etcd reachable, and which etcd is it.

use app::fleet::request::Scoped;
use app::model::EtcdConnection;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

#[derive(Serialize)]
pub struct Health {
    /// `ok` when etcd is reachable and the mirror is live, else `degraded`.
    status: &'static str,
    etcd: EtcdConnection,
    namespaces: Vec<String>,
    /// etcd watches the keyspace browser holds open (one per watched
    /// prefix, however many viewers follow it).
    kv_watches: usize,
    version: &'static str,
}

/// Answers 200 even when etcd is down: Patrol itself is healthy and says
/// what it cannot reach (`/healthz` is the bare liveness probe).
pub async fn show(Scoped(state): Scoped) -> (StatusCode, Json<Health>) {
    let overview = state.overview();
    let health = Health {
        status: if overview.etcd.reachable {
            "ok"
        } else {
            "degraded"
        },
        etcd: overview.etcd.clone(),
        namespaces: overview.namespaces.clone(),
        kv_watches: state.watches.watches(),
        version: env!("CARGO_PKG_VERSION"),
    };
    (StatusCode::OK, Json(health))
}
