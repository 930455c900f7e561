//! Guarded admin actions on Patroni clusters. Every mutating handler takes
//! an `Actor` (proof of admin, 401/403 otherwise) before it reads its
//! body; the checks after that live in `app::action`.

mod cluster;
mod config;
mod flush;
mod member;

use std::collections::HashMap;

use app::action::target::Target;
use app::action::ActionOutcome;
use app::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
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
        .at(
            &format!("{base}/demote/preflight"),
            get(cluster::demote_preflight),
        )
        .at(&format!("{base}/demote"), post(cluster::demote))
        .at(
            &format!("{base}/promote/preflight"),
            get(cluster::promote_preflight),
        )
        .at(&format!("{base}/promote"), post(cluster::promote))
        .at(&format!("{base}/flush/preflight"), get(flush::preflight))
        .at(&format!("{base}/flush"), post(flush::flush))
        .at(
            &format!("{base}/config"),
            get(config::show_config).patch(config::edit),
        )
        .at(
            &format!("{base}/config/preview"),
            post(config::preview_config),
        )
        .at(&member("restart"), post(member::restart))
        .at(&member("reinitialize"), post(member::reinitialize))
        .at(&member("reload"), post(member::reload))
}

/// `?group=N` for a Citus group.
#[derive(Debug, Default, Deserialize)]
struct GroupQuery {
    group: Option<u32>,
}

/// What an action route's path names: the cluster (`{namespace}/{scope}`
/// and `?group=`) and, for member routes, `{member}`.
pub struct At {
    pub target: Target,
    member: Option<String>,
}

impl At {
    /// The member the path names (member routes only).
    fn member(&self) -> Result<&str, AppError> {
        self.member
            .as_deref()
            .ok_or_else(|| AppError::Invalid("no member in the path".into()))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for At {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<At, AppError> {
        let Path(mut path) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|e| AppError::Invalid(e.body_text()))?;
        let Query(q) = Query::<GroupQuery>::from_request_parts(parts, state)
            .await
            .map_err(|e| AppError::Invalid(e.body_text()))?;
        let part =
            |path: &mut HashMap<String, String>, name: &str| path.remove(name).unwrap_or_default();
        let (namespace, scope) = (part(&mut path, "namespace"), part(&mut path, "scope"));
        Ok(At {
            target: Target::new(&namespace, &scope, q.group)?,
            member: path.remove("member"),
        })
    }
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
fn respond(outcome: Result<ActionOutcome, AppError>) -> Result<Response, AppError> {
    let outcome = outcome?;
    let status = match outcome.status {
        Some(s) if outcome.accepted => StatusCode::from_u16(s).unwrap_or(StatusCode::OK),
        Some(401 | 403) => StatusCode::BAD_GATEWAY,
        Some(s) => StatusCode::from_u16(s).unwrap_or(StatusCode::BAD_GATEWAY),
        None if outcome.timed_out => StatusCode::GATEWAY_TIMEOUT,
        None => StatusCode::BAD_GATEWAY,
    };
    let mut body = serde_json::to_value(&outcome).unwrap_or_default();
    if !outcome.accepted {
        body["error"] = serde_json::Value::String(outcome.explanation.clone());
    }
    Ok((status, Json(body)).into_response())
}
