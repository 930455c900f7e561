//! Defragmentation, one member or all of them one at a time.

use app::action::actor::Actor;
use app::action::target::confirm;
use app::error::AppError;
use app::etcd::defragment::{DefragReport, DefragRequest};
use app::etcd::wire::Audited;
use app::etcd::{defragment as defragment_one, defragment_all, read_status};
use app::fleet::request::Scoped;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::json;

use super::super::action::Body;
use super::{audited, entry, member};

/// The answer when it stopped early: the report so far and why.
#[derive(Serialize)]
struct Stopped {
    #[serde(flatten)]
    report: Audited<DefragReport>,
    error: String,
}

/// `POST /defragment` `{ "member"?, "confirm" }`: that member (name or
/// hex ID, confirmed by its name), or every member one at a time, the
/// leader last (confirmed by `etcd`). 409 when it stopped early.
pub async fn defragment(
    actor: Actor,
    Scoped(state): Scoped,
    Body(req): Body<DefragRequest>,
) -> Result<Response, AppError> {
    let status = read_status(&state.etcd).await?;
    let gw = &state.etcd;
    let Json(report) = match &req.member {
        Some(text) => {
            let m = member(&status, text)?;
            confirm(&req.confirm, m.label())?;
            let entry = entry("defragment", m.label(), json!({ "member": m.id }), &status);
            let call = async {
                Ok::<_, AppError>(DefragReport {
                    done: vec![defragment_one(gw, &m.id).await?],
                    stopped: None,
                })
            };
            audited(&state, &actor, entry, call).await?
        }
        None => {
            confirm(&req.confirm, "etcd")?;
            let entry = entry("defragment", "cluster", json!({ "member": "all" }), &status);
            audited(&state, &actor, entry, defragment_all(gw)).await?
        }
    };
    Ok(match report.answer.stopped.clone() {
        Some(why) => {
            let error = format!("defragmentation stopped: {why}");
            (StatusCode::CONFLICT, Json(Stopped { report, error })).into_response()
        }
        None => Json(report).into_response(),
    })
}
