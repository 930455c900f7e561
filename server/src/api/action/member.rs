//! Member actions: restart, reinitialize, reload.

use app::action::actor::Actor;
use app::action::services::Services;
use app::action::{reinitialize, reload, restart};
use app::action::{ConfirmRequest, ReinitializeRequest, RestartRequest};
use app::error::AppError;
use axum::response::Response;

use super::{respond, At, Body};

pub async fn restart(
    actor: Actor,
    svc: Services,
    at: At,
    Body(req): Body<RestartRequest>,
) -> Result<Response, AppError> {
    respond(restart::restart(&svc, &actor, &at.target, at.member()?, req).await)
}

pub async fn reinitialize(
    actor: Actor,
    svc: Services,
    at: At,
    Body(req): Body<ReinitializeRequest>,
) -> Result<Response, AppError> {
    respond(reinitialize::reinitialize(&svc, &actor, &at.target, at.member()?, req).await)
}

pub async fn reload(
    actor: Actor,
    svc: Services,
    at: At,
    Body(req): Body<ConfirmRequest>,
) -> Result<Response, AppError> {
    respond(reload::reload(&svc, &actor, &at.target, at.member()?, req).await)
}
