//! Switchover (now or scheduled) and cancelling a scheduled one: each
//! typed-confirmed with the scope, pinned to the preflight's revision, and
//! checked again just before Patroni is asked.

use reqwest::Method;
use serde_json::json;

use super::actor::Actor;
use super::gather::checked;
use super::preflight::{eligible, Kind};
use super::run::{execute, Plan};
use super::services::Services;
use super::target::{any_api, api_of, confirm, future_time, pinned, Target};
use super::{ActionOutcome, ConfirmRequest, Expect, Preflight, SwitchoverRequest};
use crate::error::AppError;

/// `POST .../switchover`.
pub async fn switchover(
    svc: &Services,
    actor: &Actor,
    target: &Target,
    req: SwitchoverRequest,
) -> Result<ActionOutcome, AppError> {
    confirm(&req.confirm, &target.scope)?;
    let scheduled_at = req.scheduled_at.as_deref().map(future_time).transpose()?;
    let (cluster, revision) = pinned(&svc.etcd, target, Some(req.revision)).await?;
    if scheduled_at.is_some() && cluster.paused {
        return Err(AppError::Refused(
            "the cluster is paused: Patroni does not run scheduled switchovers until it is resumed"
                .into(),
        ));
    }
    let pf = checked(svc, Kind::Switchover, &cluster, revision).await;
    // A named candidate's own reasons say more than "no candidate passes".
    if let Some(name) = &req.candidate {
        eligible(&pf, name)?;
    }
    refuse_blocked(&pf)?;
    let leader = cluster.leader.clone().unwrap_or_default();
    let (via, api_url) = api_of(&cluster, &leader)?;
    let mut body = json!({ "leader": leader });
    if let Some(c) = &req.candidate {
        body["candidate"] = json!(c);
    }
    if let Some(at) = &scheduled_at {
        body["scheduled_at"] = json!(at);
    }
    let expect = match &scheduled_at {
        Some(_) => Expect::Scheduled { present: true },
        None => Expect::NewLeader {
            old: cluster.leader.clone(),
            candidate: req.candidate.clone(),
        },
    };
    let plan = Plan {
        action: "switchover",
        target: target.text(),
        via,
        api_url,
        method: Method::POST,
        path: "/switchover",
        params: body.clone(),
        body: Some(body),
        preflight: serde_json::to_value(&pf).ok(),
        revision_before: revision,
        expect,
    };
    execute(svc, actor, target, plan).await
}

/// `DELETE .../switchover`: cancels a scheduled switchover.
pub async fn cancel(
    svc: &Services,
    actor: &Actor,
    target: &Target,
    req: ConfirmRequest,
) -> Result<ActionOutcome, AppError> {
    confirm(&req.confirm, &target.scope)?;
    let (cluster, revision) = pinned(&svc.etcd, target, req.revision).await?;
    if cluster.scheduled_switchover.is_none() {
        return Err(AppError::Refused(
            "no switchover is scheduled for this cluster".into(),
        ));
    }
    let (via, api_url) = any_api(&cluster)?;
    let plan = Plan {
        action: "cancel-switchover",
        target: target.text(),
        via,
        api_url,
        method: Method::DELETE,
        path: "/switchover",
        body: None,
        params: json!({}),
        preflight: None,
        revision_before: revision,
        expect: Expect::Scheduled { present: false },
    };
    execute(svc, actor, target, plan).await
}

fn refuse_blocked(pf: &Preflight) -> Result<(), AppError> {
    if pf.blockers.is_empty() {
        Ok(())
    } else {
        Err(AppError::Refused(pf.blockers.join("; ")))
    }
}
