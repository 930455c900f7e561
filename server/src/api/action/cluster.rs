//! Cluster-wide actions: preflights, switchover, failover, pause, resume.

use app::action::gather::preflight;
use app::action::preflight::Kind;
use app::action::{ConfirmRequest, FailoverRequest, Preflight, SwitchoverRequest};
use app::error::AppError;
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;
use serde::Deserialize;

use app::action::actor::Actor;

use super::{respond, target, Body, GroupQuery};

/// `GET .../switchover/preflight`: open to viewers, it changes nothing.
pub async fn switchover_preflight(
    State(state): State<AppState>,
    Path((ns, scope)): Path<(String, String)>,
    Query(q): Query<GroupQuery>,
) -> Result<Json<Preflight>, AppError> {
    let t = target(&ns, &scope, &q)?;
    Ok(Json(preflight(&state, Kind::Switchover, &t).await?))
}

/// `GET .../failover/preflight`.
pub async fn failover_preflight(
    State(state): State<AppState>,
    Path((ns, scope)): Path<(String, String)>,
    Query(q): Query<GroupQuery>,
) -> Result<Json<Preflight>, AppError> {
    let t = target(&ns, &scope, &q)?;
    Ok(Json(preflight(&state, Kind::Failover, &t).await?))
}

pub async fn switchover(
    actor: Actor,
    State(state): State<AppState>,
    Path((ns, scope)): Path<(String, String)>,
    Query(q): Query<GroupQuery>,
    Body(req): Body<SwitchoverRequest>,
) -> Result<Response, AppError> {
    let t = target(&ns, &scope, &q)?;
    let out = app::action::switchover::switchover(&state, &actor, &t, req).await?;
    Ok(respond(out))
}

/// `?confirm=` (and `?revision=`) for a body-less `DELETE`.
#[derive(Deserialize)]
pub struct CancelQuery {
    group: Option<u32>,
    confirm: Option<String>,
    revision: Option<i64>,
}

/// `DELETE .../switchover`: the confirmation in the body or the query.
pub async fn cancel_switchover(
    actor: Actor,
    State(state): State<AppState>,
    Path((ns, scope)): Path<(String, String)>,
    Query(q): Query<CancelQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    let t = target(&ns, &scope, &GroupQuery { group: q.group })?;
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
                "confirm: type the scope ({scope}) to confirm, in the body or ?confirm="
            )))
        }
    };
    let out = app::action::switchover::cancel(&state, &actor, &t, req).await?;
    Ok(respond(out))
}

pub async fn failover(
    actor: Actor,
    State(state): State<AppState>,
    Path((ns, scope)): Path<(String, String)>,
    Query(q): Query<GroupQuery>,
    Body(req): Body<FailoverRequest>,
) -> Result<Response, AppError> {
    let t = target(&ns, &scope, &q)?;
    let out = app::action::switchover::failover(&state, &actor, &t, req).await?;
    Ok(respond(out))
}

pub async fn pause(
    actor: Actor,
    State(state): State<AppState>,
    Path((ns, scope)): Path<(String, String)>,
    Query(q): Query<GroupQuery>,
    Body(req): Body<ConfirmRequest>,
) -> Result<Response, AppError> {
    let t = target(&ns, &scope, &q)?;
    let out = app::action::pause::set_paused(&state, &actor, &t, true, req).await?;
    Ok(respond(out))
}

pub async fn resume(
    actor: Actor,
    State(state): State<AppState>,
    Path((ns, scope)): Path<(String, String)>,
    Query(q): Query<GroupQuery>,
    Body(req): Body<ConfirmRequest>,
) -> Result<Response, AppError> {
    let t = target(&ns, &scope, &q)?;
    let out = app::action::pause::set_paused(&state, &actor, &t, false, req).await?;
    Ok(respond(out))
}
