//! Promote a standby cluster to run on its own (`patronictl
//! promote-cluster`, Patroni 4.1): `PATCH /config` on the standby leader
//! with `{"standby_cluster": null}`, typed-confirmed with the scope and
//! pinned to the preflight's revision.

use serde_json::Value;

use super::actor::Actor;
use super::cluster_role::{run, Change};
use super::services::Services;
use super::target::Target;
use super::{ActionOutcome, PromoteClusterRequest};
use crate::error::AppError;

/// `POST .../promote`.
pub async fn promote_cluster(
    svc: &Services,
    actor: &Actor,
    target: &Target,
    req: PromoteClusterRequest,
) -> Result<ActionOutcome, AppError> {
    let confirmed = (req.confirm.as_str(), req.revision);
    run(svc, actor, target, Change::Promote, confirmed, || {
        Ok(Value::Null)
    })
    .await
}
