//! Pause and resume: `PATCH /config` with `{"pause": true}` or
//! `{"pause": null}`, typed-confirmed with the scope.

use serde_json::{json, Value};

use super::actor::Actor;
use super::run::{execute, Plan};
use super::services::Services;
use super::target::{any_api, confirm, pinned, Target};
use super::{ActionOutcome, ConfirmRequest, Expect};
use crate::error::AppError;

/// `POST .../pause` (`pause: true`) or `POST .../resume` (`pause: false`).
pub async fn set_paused(
    svc: &Services,
    actor: &Actor,
    target: &Target,
    pause: bool,
    req: ConfirmRequest,
) -> Result<ActionOutcome, AppError> {
    confirm(&req.confirm, &target.scope)?;
    let (cluster, revision) = pinned(&svc.etcd, target, req.revision).await?;
    if cluster.paused == pause {
        return Err(AppError::Refused(format!(
            "the cluster is already {}",
            if pause { "paused" } else { "running unpaused" }
        )));
    }
    let body = json!({ "pause": if pause { Value::Bool(true) } else { Value::Null } });
    let plan = Plan::patch_config(
        if pause { "pause" } else { "resume" },
        target,
        any_api(&cluster)?,
        body,
        revision,
        Expect::Paused { paused: pause },
    );
    execute(svc, actor, target, plan).await
}
