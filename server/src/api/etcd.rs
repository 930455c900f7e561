//! `/api/v1/etcd/...`: the etcd cluster Patroni depends on, read-only.
//! Member and cluster IDs are hex strings (they exceed 2^53).

use app::error::AppError;
use app::etcd::status;
use app::etcd_cluster::{EtcdAlarms, EtcdMembers, EtcdStatus};
use app::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::Json;

use super::Routes;

/// Routes under `/api/v1/etcd`.
pub fn routes() -> Routes {
    Routes::new()
        .at("/status", get(show_status))
        .at("/members", get(list_members))
        .at("/alarms", get(list_alarms))
}

/// `GET /status`: `etcdctl endpoint status --cluster` and more: every
/// member's status (a silent member is listed unhealthy with the reason),
/// revisions, alarms and quorum. 503 only when no member answers.
async fn show_status(State(state): State<AppState>) -> Result<Json<EtcdStatus>, AppError> {
    Ok(Json(status::read_status(&state.etcd).await?))
}

/// `GET /members`: the membership (`etcdctl member list`).
async fn list_members(State(state): State<AppState>) -> Result<Json<EtcdMembers>, AppError> {
    Ok(Json(status::read_members(&state.etcd).await?.into()))
}

/// `GET /alarms`: active alarms (`etcdctl alarm list`).
async fn list_alarms(State(state): State<AppState>) -> Result<Json<EtcdAlarms>, AppError> {
    Ok(Json(status::read_alarms(&state.etcd).await?))
}
