//! Promote a standby cluster to run on its own (`patronictl
//! promote-cluster`, Patroni 4.1): `PATCH /config` on the standby leader
//! with `{"standby_cluster": null}`, typed-confirmed with the scope and
//! pinned to the preflight's revision.

use reqwest::Method;
use serde_json::{json, Value};

use super::actor::Actor;
use super::cluster_role::{evaluate, refuse_blocked, Change};
use super::run::{execute, Plan};
use super::services::Services;
use super::target::{api_of, confirm, pinned, Target};
use super::{ActionOutcome, Expect, PromoteClusterRequest};
use crate::error::AppError;

/// `POST .../promote`.
pub async fn promote_cluster(
    svc: &Services,
    actor: &Actor,
    target: &Target,
    req: PromoteClusterRequest,
) -> Result<ActionOutcome, AppError> {
    confirm(&req.confirm, &target.scope)?;
    let (cluster, revision) = pinned(&svc.etcd, target, Some(req.revision)).await?;
    refuse_blocked(Change::Promote, &cluster)?;
    let leader = cluster.leader.as_deref().unwrap_or_default();
    let (via, api_url) = api_of(&cluster, leader)?;
    let body = json!({ "standby_cluster": Value::Null });
    let preflight = serde_json::to_value(evaluate(Change::Promote, &cluster, revision)).ok();
    let plan = Plan {
        action: "promote_cluster",
        target: target.text(),
        via,
        api_url,
        method: Method::PATCH,
        path: "/config",
        params: body.clone(),
        body: Some(body),
        preflight,
        revision_before: revision,
        expect: Expect::ClusterRole {
            role: Change::Promote.target_role(),
        },
    };
    execute(svc, actor, target, plan).await
}
