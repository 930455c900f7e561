//! Flushing scheduled operations: the preflight (open to viewers) and the
//! flush itself.

use app::action::actor::Actor;
use app::action::flush;
use app::action::services::Services;
use app::action::{FlushOutcome, FlushPreflight, FlushRequest, FlushWhat};
use app::error::AppError;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::{At, Body};

/// `?what=restart|switchover|all` (default `all`).
#[derive(Deserialize)]
pub struct WhatQuery {
    #[serde(default)]
    what: FlushWhat,
}

/// `GET .../flush/preflight`: what a flush would cancel; changes nothing.
pub async fn preflight(
    svc: Services,
    at: At,
    Query(q): Query<WhatQuery>,
) -> Result<Json<FlushPreflight>, AppError> {
    Ok(Json(flush::preflight(&svc, &at.target, q.what).await?))
}

/// `POST .../flush`: 200 when Patroni cancelled everything, 207 when some,
/// 502 when none; every item says what happened to it.
pub async fn flush(
    actor: Actor,
    svc: Services,
    at: At,
    Body(req): Body<FlushRequest>,
) -> Result<Response, AppError> {
    let outcome = flush::flush(&svc, &actor, &at.target, req).await?;
    let mut body = serde_json::to_value(&outcome).unwrap_or_default();
    let failed: Vec<_> = outcome
        .items
        .iter()
        .filter(|i| !i.cancelled)
        .map(|i| i.explanation.as_str())
        .collect();
    if !failed.is_empty() {
        body["error"] = serde_json::Value::String(failed.join("; "));
    }
    Ok((status(&outcome), Json(body)).into_response())
}

fn status(outcome: &FlushOutcome) -> StatusCode {
    match outcome.counts() {
        (_, 0) => StatusCode::OK,
        (0, _) => StatusCode::BAD_GATEWAY,
        _ => StatusCode::MULTI_STATUS,
    }
}
