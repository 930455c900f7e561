//! Reinitialise a replica: wipe its data directory and copy it afresh from
//! the leader, optionally forced (a replica Patroni thinks busy);
//! typed-confirmed with its name. Refused for the leader.

use serde_json::json;

use super::actor::Actor;
use super::member::{run, MemberAction};
use super::services::Services;
use super::target::{confirm, Target};
use super::{ActionOutcome, Expect, ReinitializeRequest};
use crate::error::AppError;

/// `POST .../members/<name>/reinitialize`: replicas only.
pub async fn reinitialize(
    svc: &Services,
    actor: &Actor,
    target: &Target,
    name: &str,
    req: ReinitializeRequest,
) -> Result<ActionOutcome, AppError> {
    confirm(&req.confirm, name)?;
    let act = MemberAction {
        member: name,
        revision: req.revision,
        action: "reinitialize",
        path: "/reinitialize",
        body: json!({ "force": req.force }),
        expect: Expect::MemberRunning {
            member: name.to_owned(),
        },
        replicas_only: true,
    };
    run(svc, actor, target, act).await
}
