//! Cluster-wide actions: preflights, switchover, failover, pause, resume,
//! demote and promote (standby clusters).

use app::action::actor::Actor;
use app::action::cluster_role::{self, Change};
use app::action::gather::preflight;
use app::action::preflight::Kind;
use app::action::services::Services;
use app::action::SwitchoverRequest;
use app::action::{demote_cluster, promote_cluster, DemoteClusterRequest, PromoteClusterRequest};
use app::action::{failover, pause, switchover, ConfirmRequest, FailoverRequest, Preflight};
use app::error::AppError;
use axum::body::Bytes;
use axum::extract::Query;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;

use super::{respond, At, Body};

/// `GET .../switchover/preflight`: open to viewers, it changes nothing.
pub async fn switchover_preflight(svc: Services, at: At) -> Result<Json<Preflight>, AppError> {
    Ok(Json(preflight(&svc, Kind::Switchover, &at.target).await?))
}

/// `GET .../failover/preflight`.
pub async fn failover_preflight(svc: Services, at: At) -> Result<Json<Preflight>, AppError> {
    Ok(Json(preflight(&svc, Kind::Failover, &at.target).await?))
}

pub async fn switchover(
    actor: Actor,
    svc: Services,
    at: At,
    Body(req): Body<SwitchoverRequest>,
) -> Result<Response, AppError> {
    respond(switchover::switchover(&svc, &actor, &at.target, req).await)
}

/// `?confirm=` (and `?revision=`) for a body-less `DELETE`.
#[derive(Deserialize)]
pub struct CancelQuery {
    confirm: Option<String>,
    revision: Option<i64>,
}

/// `DELETE .../switchover`: the confirmation in the body or the query.
pub async fn cancel_switchover(
    actor: Actor,
    svc: Services,
    at: At,
    Query(q): Query<CancelQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    let body = (!body.is_empty())
        .then(|| serde_json::from_slice::<ConfirmRequest>(&body))
        .transpose()
        .map_err(|e| AppError::Invalid(format!("body: {e}")))?;
    let req = match (body, q.confirm) {
        (Some(req), _) => req,
        (None, Some(confirm)) => ConfirmRequest {
            confirm,
            revision: q.revision,
        },
        (None, None) => {
            return Err(AppError::Invalid(format!(
                "confirm: type the scope ({}) to confirm, in the body or ?confirm=",
                at.target.scope
            )))
        }
    };
    respond(switchover::cancel(&svc, &actor, &at.target, req).await)
}

pub async fn failover(
    actor: Actor,
    svc: Services,
    at: At,
    Body(req): Body<FailoverRequest>,
) -> Result<Response, AppError> {
    respond(failover::failover(&svc, &actor, &at.target, req).await)
}

pub async fn pause(
    actor: Actor,
    svc: Services,
    at: At,
    Body(req): Body<ConfirmRequest>,
) -> Result<Response, AppError> {
    respond(pause::set_paused(&svc, &actor, &at.target, true, req).await)
}

pub async fn resume(
    actor: Actor,
    svc: Services,
    at: At,
    Body(req): Body<ConfirmRequest>,
) -> Result<Response, AppError> {
    respond(pause::set_paused(&svc, &actor, &at.target, false, req).await)
}

/// `GET .../demote/preflight`: whether the cluster can become a standby
/// cluster now, and the revision to pin the demote to.
pub async fn demote_preflight(svc: Services, at: At) -> Result<Json<Preflight>, AppError> {
    Ok(Json(
        cluster_role::preflight(&svc, Change::Demote, &at.target).await?,
    ))
}

/// `GET .../promote/preflight`.
pub async fn promote_preflight(svc: Services, at: At) -> Result<Json<Preflight>, AppError> {
    Ok(Json(
        cluster_role::preflight(&svc, Change::Promote, &at.target).await?,
    ))
}

pub async fn demote(
    actor: Actor,
    svc: Services,
    at: At,
    Body(req): Body<DemoteClusterRequest>,
) -> Result<Response, AppError> {
    respond(demote_cluster::demote_cluster(&svc, &actor, &at.target, req).await)
}

pub async fn promote(
    actor: Actor,
    svc: Services,
    at: At,
    Body(req): Body<PromoteClusterRequest>,
) -> Result<Response, AppError> {
    respond(promote_cluster::promote_cluster(&svc, &actor, &at.target, req).await)
}
