//! Member actions: restart, reinitialize, reload.

use app::action::{ConfirmRequest, ReinitializeRequest, RestartRequest};
use app::error::AppError;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;

use app::action::actor::Actor;

use super::{respond, target, Body, GroupQuery};

pub async fn restart(
    actor: Actor,
    State(state): State<AppState>,
    Path((ns, scope, member)): Path<(String, String, String)>,
    Query(q): Query<GroupQuery>,
    Body(req): Body<RestartRequest>,
) -> Result<Response, AppError> {
    let t = target(&ns, &scope, &q)?;
    let out = app::action::member::restart(&state, &actor, &t, &member, req).await?;
    Ok(respond(out))
}

pub async fn reinitialize(
    actor: Actor,
    State(state): State<AppState>,
    Path((ns, scope, member)): Path<(String, String, String)>,
    Query(q): Query<GroupQuery>,
    Body(req): Body<ReinitializeRequest>,
) -> Result<Response, AppError> {
    let t = target(&ns, &scope, &q)?;
    let out = app::action::member::reinitialize(&state, &actor, &t, &member, req).await?;
    Ok(respond(out))
}

pub async fn reload(
    actor: Actor,
    State(state): State<AppState>,
    Path((ns, scope, member)): Path<(String, String, String)>,
    Query(q): Query<GroupQuery>,
    Body(req): Body<ConfirmRequest>,
) -> Result<Response, AppError> {
    let t = target(&ns, &scope, &q)?;
    let out = app::action::member::reload(&state, &actor, &t, &member, req).await?;
    Ok(respond(out))
}
