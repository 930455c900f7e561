//! What the member actions ([`super::restart`], [`super::reinitialize`],
//! [`super::reload`]) share: the member is looked up in the cluster as it
//! is now (pinned to the preflight's revision when given), and the request
//! goes to that member's own REST API.

use reqwest::Method;
use serde_json::Value;

use super::actor::Actor;
use super::run::{execute, Plan};
use super::services::Services;
use super::target::{api_of, member, pinned, Target};
use super::{ActionOutcome, Expect};
use crate::error::AppError;
use crate::patroni::Role;

/// One request to one member's REST API.
pub struct MemberAction<'a> {
    /// The member's name (already typed-confirmed).
    pub member: &'a str,
    /// The preflight's revision, if the caller pinned one.
    pub revision: Option<i64>,
    /// `restart`, `reinitialize`, `reload`.
    pub action: &'static str,
    /// `POST` path on the member's API.
    pub path: &'static str,
    /// The request body (`Null`: none).
    pub body: Value,
    pub expect: Expect,
    /// Refused for the leader (reinitialise: a leader has nothing to copy from).
    pub replicas_only: bool,
}

/// Sends `act` to its member's API, recorded in the audit log.
pub async fn run(
    svc: &Services,
    actor: &Actor,
    target: &Target,
    act: MemberAction<'_>,
) -> Result<ActionOutcome, AppError> {
    let name = act.member;
    let (cluster, revision) = pinned(&svc.etcd, target, act.revision).await?;
    let m = member(&cluster, name)?;
    let leads = cluster.leader.as_deref() == Some(name)
        || matches!(m.role, Role::Leader | Role::StandbyLeader);
    if act.replicas_only && leads {
        return Err(AppError::Refused(format!(
            "{name} is the leader: only a replica can be reinitialised from it"
        )));
    }
    let (via, api_url) = api_of(&cluster, name)?;
    let plan = Plan {
        action: act.action,
        target: format!("{}/{name}", target.text()),
        via,
        api_url,
        method: Method::POST,
        path: act.path,
        params: act.body.clone(),
        body: (!act.body.is_null()).then_some(act.body),
        preflight: None,
        revision_before: revision,
        expect: act.expect,
    };
    execute(svc, actor, target, plan).await
}
