//! Demote a cluster to a standby cluster (`patronictl demote-cluster`,
//! Patroni 4.1): `PATCH /config` on the leader with the source to follow
//! in `standby_cluster`, typed-confirmed with the scope and pinned to the
//! preflight's revision.

use serde_json::Value;

use super::actor::Actor;
use super::cluster_role::{run, source, Change};
use super::services::Services;
use super::target::Target;
use super::{ActionOutcome, DemoteClusterRequest};
use crate::error::AppError;

/// `POST .../demote`.
pub async fn demote_cluster(
    svc: &Services,
    actor: &Actor,
    target: &Target,
    req: DemoteClusterRequest,
) -> Result<ActionOutcome, AppError> {
    let confirmed = (req.confirm.as_str(), req.revision);
    let section = || source(&req).map(Value::Object);
    run(svc, actor, target, Change::Demote, confirmed, section).await
}
