//! Actions on one member: restart (optionally only when pending, optionally
//! scheduled), reinitialise a replica (optionally forced), reload. Each is
//! typed-confirmed with the member's name and sent to that member's API.

use reqwest::Method;
use serde_json::{json, Value};

use super::actor::Actor;
use super::run::{execute, Plan};
use super::switchover::api_of;
use super::target::{confirm, member, pinned, Target};
use super::{ActionOutcome, ConfirmRequest, Expect, ReinitializeRequest, RestartRequest};
use crate::error::AppError;
use crate::patroni::Role;
use crate::state::AppState;

/// `POST .../members/<name>/restart`.
pub async fn restart(
    state: &AppState,
    actor: &Actor,
    target: &Target,
    name: &str,
    req: RestartRequest,
) -> Result<ActionOutcome, AppError> {
    confirm(&req.confirm, name)?;
    let schedule = req
        .scheduled_at
        .as_deref()
        .map(super::switchover::future_time)
        .transpose()?;
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
    run(
        state,
        actor,
        target,
        name,
        req.revision,
        ("restart", "/restart"),
        body,
        expect,
    )
    .await
}

/// `POST .../members/<name>/reinitialize`: replicas only.
pub async fn reinitialize(
    state: &AppState,
    actor: &Actor,
    target: &Target,
    name: &str,
    req: ReinitializeRequest,
) -> Result<ActionOutcome, AppError> {
    confirm(&req.confirm, name)?;
    let body = json!({ "force": req.force });
    let expect = Expect::MemberRunning {
        member: name.to_owned(),
    };
    run(
        state,
        actor,
        target,
        name,
        req.revision,
        ("reinitialize", "/reinitialize"),
        body,
        expect,
    )
    .await
}

/// `POST .../members/<name>/reload`.
pub async fn reload(
    state: &AppState,
    actor: &Actor,
    target: &Target,
    name: &str,
    req: ConfirmRequest,
) -> Result<ActionOutcome, AppError> {
    confirm(&req.confirm, name)?;
    run(
        state,
        actor,
        target,
        name,
        req.revision,
        ("reload", "/reload"),
        Value::Null,
        Expect::Nothing,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn run(
    state: &AppState,
    actor: &Actor,
    target: &Target,
    name: &str,
    revision: Option<i64>,
    (action, path): (&'static str, &'static str),
    body: Value,
    expect: Expect,
) -> Result<ActionOutcome, AppError> {
    let (cluster, revision) = pinned(state, target, revision).await?;
    let m = member(&cluster, name)?;
    let leads = cluster.leader.as_deref() == Some(name)
        || matches!(m.role, Role::Leader | Role::StandbyLeader);
    if action == "reinitialize" && leads {
        return Err(AppError::Refused(format!(
            "{name} is the leader: only a replica can be reinitialised from it"
        )));
    }
    let (via, api_url) = api_of(&cluster, name)?;
    let plan = Plan {
        action,
        target: format!("{}/{name}", target.text()),
        via,
        api_url,
        method: Method::POST,
        path,
        params: body.clone(),
        body: (!body.is_null()).then_some(body),
        preflight: None,
        revision_before: revision,
        expect,
    };
    execute(state, actor, target, plan).await
}
