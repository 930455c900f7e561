//! Demote a cluster to a standby cluster (`patronictl demote-cluster`,
//! Patroni 4.1): `PATCH /config` on the leader with the source to follow
//! in `standby_cluster`, typed-confirmed with the scope and pinned to the
//! preflight's revision.

use reqwest::Method;
use serde_json::{json, Value};

use super::actor::Actor;
use super::cluster_role::{evaluate, refuse_blocked, source, Change};
use super::run::{execute, Plan};
use super::services::Services;
use super::target::{api_of, confirm, pinned, Target};
use super::{ActionOutcome, DemoteClusterRequest, Expect};
use crate::error::AppError;

/// `POST .../demote`.
pub async fn demote_cluster(
    svc: &Services,
    actor: &Actor,
    target: &Target,
    req: DemoteClusterRequest,
) -> Result<ActionOutcome, AppError> {
    confirm(&req.confirm, &target.scope)?;
    let section = source(&req)?;
    let (cluster, revision) = pinned(&svc.etcd, target, Some(req.revision)).await?;
    refuse_blocked(Change::Demote, &cluster)?;
    let leader = cluster.leader.as_deref().unwrap_or_default();
    let (via, api_url) = api_of(&cluster, leader)?;
    let body = json!({ "standby_cluster": Value::Object(section) });
    let preflight = serde_json::to_value(evaluate(Change::Demote, &cluster, revision)).ok();
    let plan = Plan {
        action: "demote_cluster",
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
            role: Change::Demote.target_role(),
        },
    };
    execute(svc, actor, target, plan).await
}
