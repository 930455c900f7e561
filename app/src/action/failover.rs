//! Failover: promotes the named replica, with or without a healthy leader,
//! paused or not; typed-confirmed with the scope and pinned to the
//! preflight's revision.

use reqwest::Method;
use serde_json::json;

use super::actor::Actor;
use super::gather::checked;
use super::preflight::{eligible, Kind};
use super::run::{execute, Plan};
use super::services::Services;
use super::target::{api_of, confirm, pinned, Target};
use super::{ActionOutcome, Expect, FailoverRequest};
use crate::error::AppError;

/// `POST .../failover`.
pub async fn failover(
    svc: &Services,
    actor: &Actor,
    target: &Target,
    req: FailoverRequest,
) -> Result<ActionOutcome, AppError> {
    confirm(&req.confirm, &target.scope)?;
    let (cluster, revision) = pinned(&svc.etcd, target, Some(req.revision)).await?;
    let pf = checked(svc, Kind::Failover, &cluster, revision).await;
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
    execute(svc, actor, target, plan).await
}
