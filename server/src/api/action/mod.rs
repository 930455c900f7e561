//! Guarded admin actions on Patroni clusters. Every mutating handler takes
//! an `Actor` (proof of admin, 401/403 otherwise) before it reads its
//! body; the checks after that live in `app::action`.

mod cluster;
mod member;

use app::action::target::Target;
use app::action::ActionOutcome;
use app::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::Routes;

/// Routes under `/api/v1/clusters/{namespace}/{scope}`.
pub fn routes() -> Routes {
    let base = "/clusters/{namespace}/{scope}";
    let member = |verb: &str| format!("{base}/members/{{member}}/{verb}");
    Routes::new()
        .at(
            &format!("{base}/switchover/preflight"),
            get(cluster::switchover_preflight),
        )
        .at(
            &format!("{base}/failover/preflight"),
            get(cluster::failover_preflight),
        )
        .at(
            &format!("{base}/switchover"),
            post(cluster::switchover).delete(cluster::cancel_switchover),
        )
        .at(&format!("{base}/failover"), post(cluster::failover))
        .at(&format!("{base}/pause"), post(cluster::pause))
        .at(&format!("{base}/resume"), post(cluster::resume))
        .at(&member("restart"), post(member::restart))
        .at(&member("reinitialize"), post(member::reinitialize))
        .at(&member("reload"), post(member::reload))
}

/// `?group=N` for a Citus group.
#[derive(Debug, Default, Deserialize)]
pub struct GroupQuery {
    group: Option<u32>,
}

fn target(namespace: &str, scope: &str, q: &GroupQuery) -> Result<Target, AppError> {
    Target::new(namespace, scope, q.group)
}

/// A JSON body whose errors answer 400 in Patrol's `{"error"}` form.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Body<T>, AppError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e @ JsonRejection::MissingJsonContentType(_)) => Err(AppError::Invalid(format!(
                "{}: send Content-Type: application/json",
                e.body_text()
            ))),
            Err(e) => Err(AppError::Invalid(e.body_text())),
        }
    }
}

/// 200 when Patroni accepted (202 for what it only scheduled); otherwise
/// Patroni's own status, except that a refusal of Patrol's credentials or
/// no answer at all is a gateway error (502/504), not the caller's fault.
fn respond(outcome: ActionOutcome) -> Response {
    let status = match outcome.status {
        Some(s) if outcome.accepted => StatusCode::from_u16(s).unwrap_or(StatusCode::OK),
        Some(401 | 403) => StatusCode::BAD_GATEWAY,
        Some(s) => StatusCode::from_u16(s).unwrap_or(StatusCode::BAD_GATEWAY),
        None if outcome.explanation.contains("in time") => StatusCode::GATEWAY_TIMEOUT,
        None => StatusCode::BAD_GATEWAY,
    };
    let mut body = serde_json::to_value(&outcome).unwrap_or_default();
    if !outcome.accepted {
        body["error"] = serde_json::Value::String(outcome.explanation.clone());
    }
    (status, Json(body)).into_response()
}
