//! Switchover (now or scheduled), cancelling a scheduled one, and failover:
//! each typed-confirmed with the scope, pinned to the preflight's revision,
//! and checked again just before Patroni is asked.

use reqwest::Method;
use serde_json::json;

use super::actor::Actor;
use super::gather::checked;
use super::preflight::Kind;
use super::run::{execute, Plan};
use super::target::{confirm, pinned, Target};
use super::{
    ActionOutcome, Candidate, ConfirmRequest, Expect, FailoverRequest, Preflight, SwitchoverRequest,
};
use crate::error::AppError;
use crate::patroni::Cluster;
use crate::state::AppState;

/// `POST .../switchover`.
pub async fn switchover(
    state: &AppState,
    actor: &Actor,
    target: &Target,
    req: SwitchoverRequest,
) -> Result<ActionOutcome, AppError> {
    confirm(&req.confirm, &target.scope)?;
    let scheduled_at = req.scheduled_at.as_deref().map(future_time).transpose()?;
    let (cluster, revision) = pinned(state, target, Some(req.revision)).await?;
    if scheduled_at.is_some() && cluster.paused {
        return Err(AppError::Refused(
            "the cluster is paused: Patroni does not run scheduled switchovers until it is resumed"
                .into(),
        ));
    }
    let pf = checked(state, Kind::Switchover, &cluster, revision).await;
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
    execute(state, actor, target, plan).await
}

/// `DELETE .../switchover`: cancels a scheduled switchover.
pub async fn cancel(
    state: &AppState,
    actor: &Actor,
    target: &Target,
    req: ConfirmRequest,
) -> Result<ActionOutcome, AppError> {
    confirm(&req.confirm, &target.scope)?;
    let (cluster, revision) = pinned(state, target, req.revision).await?;
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
    execute(state, actor, target, plan).await
}

/// `POST .../failover`: promotes the named replica, with or without a
/// healthy leader, paused or not.
pub async fn failover(
    state: &AppState,
    actor: &Actor,
    target: &Target,
    req: FailoverRequest,
) -> Result<ActionOutcome, AppError> {
    confirm(&req.confirm, &target.scope)?;
    let (cluster, revision) = pinned(state, target, Some(req.revision)).await?;
    let pf = checked(state, Kind::Failover, &cluster, revision).await;
    eligible(&pf, &req.candidate)?;
    // Any member's Patroni records the request in etcd; the candidate is
    // the one the preflight just found answering, even with the leader gone.
    let (via, api_url) = api_of(&cluster, &req.candidate)?;
    let body = json!({ "candidate": req.candidate });
    let plan = Plan {
        action: "failover",
        target: target.text(),
        via,
        api_url,
        method: Method::POST,
        path: "/failover",
        params: body.clone(),
        body: Some(body),
        preflight: serde_json::to_value(&pf).ok(),
        revision_before: revision,
        expect: Expect::NewLeader {
            old: cluster.leader.clone(),
            candidate: Some(req.candidate),
        },
    };
    execute(state, actor, target, plan).await
}

fn refuse_blocked(pf: &Preflight) -> Result<(), AppError> {
    if pf.blockers.is_empty() {
        Ok(())
    } else {
        Err(AppError::Refused(pf.blockers.join("; ")))
    }
}

/// The named candidate must be a member and pass every check.
fn eligible<'p>(pf: &'p Preflight, name: &str) -> Result<&'p Candidate, AppError> {
    let Some(c) = pf.candidates.iter().find(|c| c.name == name) else {
        let names: Vec<_> = pf.candidates.iter().map(|c| c.name.as_str()).collect();
        return Err(AppError::Invalid(format!(
            "{name:?} is not a replica of this cluster; candidates: {}",
            names.join(", ")
        )));
    };
    if c.eligible {
        Ok(c)
    } else {
        Err(AppError::Refused(format!(
            "{name} cannot take over: {}",
            c.reasons.join("; ")
        )))
    }
}

/// `(member, api_url)` of the member named `name`.
pub fn api_of(cluster: &Cluster, name: &str) -> Result<(String, String), AppError> {
    cluster
        .members
        .iter()
        .find(|m| m.name == name)
        .and_then(|m| Some((m.name.clone(), m.api_url.clone()?)))
        .ok_or_else(|| {
            AppError::Refused(format!(
                "{name} publishes no REST API address (api_url) in etcd"
            ))
        })
}

/// The leader's API if it publishes one, else the first running member's.
pub fn any_api(cluster: &Cluster) -> Result<(String, String), AppError> {
    let leader = cluster
        .leader
        .as_deref()
        .and_then(|l| api_of(cluster, l).ok());
    leader
        .or_else(|| {
            cluster
                .members
                .iter()
                .filter(|m| m.is_running())
                .find_map(|m| Some((m.name.clone(), m.api_url.clone()?)))
        })
        .ok_or_else(|| AppError::Refused("no running member publishes a REST API address".into()))
}

/// A scheduled time: RFC 3339 with an offset, in the future.
pub(super) fn future_time(text: &str) -> Result<String, AppError> {
    let at = chrono::DateTime::parse_from_rfc3339(text.trim()).map_err(|e| {
        AppError::Invalid(format!(
            "scheduled_at {text:?} is not an RFC 3339 time with an offset (e.g. 2026-11-24T03:00:00+01:00): {e}"
        ))
    })?;
    if at <= chrono::Utc::now() {
        return Err(AppError::Invalid(format!(
            "scheduled_at {text} is not in the future"
        )));
    }
    Ok(at.to_rfc3339())
}
