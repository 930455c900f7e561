//! Reload a member's configuration (PostgreSQL and Patroni re-read their
//! files); typed-confirmed with its name. Nothing in etcd shows it.

use serde_json::Value;

use super::actor::Actor;
use super::member::{run, MemberAction};
use super::services::Services;
use super::target::{confirm, Target};
use super::{ActionOutcome, ConfirmRequest, Expect};
use crate::error::AppError;

/// `POST .../members/<name>/reload`.
pub async fn reload(
    svc: &Services,
    actor: &Actor,
    target: &Target,
    name: &str,
    req: ConfirmRequest,
) -> Result<ActionOutcome, AppError> {
    confirm(&req.confirm, name)?;
    let act = MemberAction {
        member: name,
        revision: req.revision,
        action: "reload",
        path: "/reload",
        body: Value::Null,
        expect: Expect::Nothing,
        replicas_only: false,
    };
    run(svc, actor, target, act).await
}
