//! Editing the dynamic configuration, as `patronictl edit-config`: the
//! admin edits the whole `config` key as JSON, Patrol checks it, shows the
//! diff, and sends Patroni's `PATCH /config` the merge patch — pinned to
//! the `config` key's mod revision the editor was opened at.

use serde::{Deserialize, Serialize};

use crate::keyspace::diff::DiffLine;

/// The configuration as the editor opens it (`GET .../config`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigView {
    /// The `config` key's mod revision; an edit must send it back.
    pub revision: i64,
    /// The configuration, pretty-printed JSON with sorted keys.
    pub text: String,
}

/// What sending a proposed configuration would do
/// (`POST .../config/preview`); changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigPreview {
    /// The `config` key's mod revision the diff rests on.
    pub revision: i64,
    /// Current against proposed, line by line.
    pub diff: Vec<DiffLine>,
    /// The merge patch Patroni would be sent, as JSON text.
    pub patch: String,
    /// Wrong types and impossible values: the edit is refused.
    pub errors: Vec<String>,
    /// Unknown settings and risky values.
    pub warnings: Vec<String>,
    /// Changed PostgreSQL parameters that take effect only after a restart.
    pub restart: Vec<String>,
    /// Why it cannot be sent (errors, nothing changed).
    pub blockers: Vec<String>,
}

/// `PATCH .../config`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditConfigRequest {
    /// The whole proposed configuration, as JSON text.
    pub config: String,
    /// The scope, typed.
    pub confirm: String,
    /// The `config` key's mod revision the edit started from.
    pub revision: i64,
}

/// The largest configuration Patrol sends; Patroni's own are a few KiB.
pub const MAX_CONFIG_BYTES: usize = 256 * 1024;

#[cfg(feature = "ssr")]
pub use ssr::{edit_config, preview, show};

#[cfg(feature = "ssr")]
mod ssr {
    use serde_json::{json, Value};

    use super::{ConfigPreview, ConfigView, EditConfigRequest, MAX_CONFIG_BYTES};
    use crate::action::actor::Actor;
    use crate::action::run::{execute, Plan};
    use crate::action::services::Services;
    use crate::action::target::{any_api, confirm, read, Target};
    use crate::action::{ActionOutcome, Expect};
    use crate::error::AppError;
    use crate::etcd::Gateway;
    use crate::keyspace::diff::line_diff;
    use crate::patroni::config_check::{check, merge_patch, restart_parameters, strip_nulls};

    /// The `config` key now: its value and mod revision.
    async fn current(etcd: &Gateway, target: &Target) -> Result<(Value, i64), AppError> {
        let group = target.group.map(|g| format!("{g}/")).unwrap_or_default();
        let key = format!("{}/{}/{group}config", target.namespace, target.scope);
        let mut kv = etcd.client().await?.kv_client();
        let resp = etcd
            .call(kv.get(key.as_bytes(), None))
            .await
            .map_err(|e| AppError::Unavailable(e.to_string()))?;
        let Some(kv) = resp.kvs().first() else {
            return Err(AppError::NotFound(format!(
                "{} has no configuration key {key}: Patroni writes it when the cluster bootstraps",
                target.text()
            )));
        };
        let value = serde_json::from_slice(kv.value()).map_err(|e| {
            AppError::Refused(format!(
                "{key} is not JSON ({e}): fix it in the keyspace before editing it here"
            ))
        })?;
        Ok((value, kv.mod_revision()))
    }

    /// Pretty JSON with sorted keys, the text the editor shows and diffs.
    fn pretty(v: &Value) -> String {
        serde_json::to_string_pretty(v).unwrap_or_default()
    }

    fn parse(text: &str) -> Result<Value, AppError> {
        if text.len() > MAX_CONFIG_BYTES {
            return Err(AppError::Invalid(format!(
                "the configuration is {} bytes; Patrol sends at most {MAX_CONFIG_BYTES}",
                text.len()
            )));
        }
        let value: Value = serde_json::from_str(text)
            .map_err(|e| AppError::Invalid(format!("the configuration is not valid JSON: {e}")))?;
        Ok(strip_nulls(value))
    }

    /// `GET .../config`: open to viewers, it changes nothing.
    pub async fn show(etcd: &Gateway, target: &Target) -> Result<ConfigView, AppError> {
        let (value, revision) = current(etcd, target).await?;
        Ok(ConfigView {
            revision,
            text: pretty(&value),
        })
    }

    /// What sending `text` would change; changes nothing.
    pub async fn preview(
        etcd: &Gateway,
        target: &Target,
        text: &str,
    ) -> Result<ConfigPreview, AppError> {
        let (now, revision) = current(etcd, target).await?;
        let proposed = parse(text)?;
        let findings = check(&proposed);
        let patch = merge_patch(&now, &proposed);
        let mut blockers = Vec::new();
        if !findings.errors.is_empty() {
            blockers.push(format!("{} error(s) to fix first", findings.errors.len()));
        }
        if patch.as_object().is_some_and(|p| p.is_empty()) {
            blockers.push("nothing changes: the proposal equals the configuration".into());
        }
        let mut warnings = findings.warnings;
        for (key, action) in [
            ("pause", "Pause or Resume"),
            ("standby_cluster", "demote or promote"),
        ] {
            if patch.get(key).is_some() {
                warnings.push(format!(
                    "{key} changes here; the {action} action checks more first"
                ));
            }
        }
        Ok(ConfigPreview {
            revision,
            diff: line_diff(&pretty(&now), &pretty(&proposed)),
            restart: restart_parameters(&patch),
            patch: pretty(&patch),
            errors: findings.errors,
            warnings,
            blockers,
        })
    }

    /// `PATCH .../config`: checks, pins, sends the merge patch, records.
    pub async fn edit_config(
        svc: &Services,
        actor: &Actor,
        target: &Target,
        req: EditConfigRequest,
    ) -> Result<ActionOutcome, AppError> {
        confirm(&req.confirm, &target.scope)?;
        let preview = preview(&svc.etcd, target, &req.config).await?;
        if preview.revision != req.revision {
            return Err(AppError::Conflict(format!(
                "the configuration changed since the editor read it (revision {} then, {} now): \
                 reload it and check the diff again",
                req.revision, preview.revision
            )));
        }
        if !preview.errors.is_empty() {
            return Err(AppError::Invalid(preview.errors.join("; ")));
        }
        if let Some(blocker) = preview.blockers.first() {
            return Err(AppError::Refused(blocker.clone()));
        }
        let (cluster, revision_before) = read(&svc.etcd, target, None).await?;
        let patch: Value = serde_json::from_str(&preview.patch).unwrap_or_default();
        let proposed = parse(&req.config)?;
        let mut plan = Plan::patch_config(
            "edit-config",
            target,
            any_api(&cluster)?,
            patch.clone(),
            revision_before,
            Expect::Config { config: proposed },
        );
        plan.params = json!({ "patch": patch, "config_revision": req.revision });
        plan.preflight = Some(json!({
            "warnings": preview.warnings,
            "restart": preview.restart,
        }));
        let mut outcome = execute(svc, actor, target, plan).await?;
        if outcome.accepted && !preview.restart.is_empty() {
            outcome.explanation.push_str(&format!(
                " {} take(s) effect only after a restart: Patroni marks each member \
                 \"pending restart\" on its next loop; restart them from the member rows.",
                preview.restart.join(", ")
            ));
        }
        Ok(outcome)
    }
}
