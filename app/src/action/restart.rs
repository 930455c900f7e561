//! Restart a member: now or at a scheduled time, optionally only when
//! Patroni says a restart is pending; typed-confirmed with its name.

use serde_json::json;

use super::actor::Actor;
use super::member::{run, MemberAction};
use super::services::Services;
use super::target::{confirm, future_time, Target};
use super::{ActionOutcome, Expect, RestartRequest};
use crate::error::AppError;

/// `POST .../members/<name>/restart`.
pub async fn restart(
    svc: &Services,
    actor: &Actor,
    target: &Target,
    name: &str,
    req: RestartRequest,
) -> Result<ActionOutcome, AppError> {
    confirm(&req.confirm, name)?;
    let schedule = req.scheduled_at.as_deref().map(future_time).transpose()?;
    let mut body = json!({});
    if req.pending_only {
        body["restart_pending"] = json!(true);
    }
    if let Some(at) = &schedule {
        body["schedule"] = json!(at);
    }
    let expect = if schedule.is_some() {
        Expect::Nothing
    } else {
        Expect::MemberRunning {
            member: name.to_owned(),
        }
    };
    let act = MemberAction {
        member: name,
        revision: req.revision,
        action: "restart",
        path: "/restart",
        body,
        expect,
        replicas_only: false,
    };
    run(svc, actor, target, act).await
}
