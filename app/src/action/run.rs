//! Carries out one admin action: an audit record before (committed to the
//! store before Patroni is asked), the call to Patroni, an audit record after with its
//! answer and etcd's revision, and the answer in plain words.

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use super::actor::Actor;
use super::services::Services;
use super::target::Target;
use super::{ActionOutcome, Expect};
use crate::audit::log::{AuditError, AuditLog};
use crate::audit::{AuditRecord, Entry as Record};
use crate::audit::{Outcome, Phase};
use crate::error::AppError;
use crate::patroni::rest::RestReply;

/// One request to one member's REST API, and what to record about it.
#[derive(Debug, Clone)]
pub struct Plan {
    /// `switchover`, `pause`, `restart`, ...
    pub action: &'static str,
    /// The member (or cluster) acted on, for the audit log: `pg/pg-meta/pg-meta-2`.
    pub target: String,
    /// The member whose API is asked, and its `api_url`.
    pub via: String,
    pub api_url: String,
    pub method: Method,
    pub path: &'static str,
    pub body: Option<Value>,
    /// What the admin asked for, without the confirmation.
    pub params: Value,
    pub preflight: Option<Value>,
    pub revision_before: i64,
    pub expect: Expect,
}

impl Plan {
    /// A `PATCH /config` of `body` to the member `via` at `api_url`, the
    /// way pause, resume, configuration edits and standby changes all ask
    /// Patroni; the body is also what the audit records as the parameters,
    /// and there is no preflight until the caller adds one.
    pub fn patch_config(
        action: &'static str,
        target: &Target,
        (via, api_url): (String, String),
        body: Value,
        revision_before: i64,
        expect: Expect,
    ) -> Plan {
        Plan {
            action,
            target: target.text(),
            via,
            api_url,
            method: Method::PATCH,
            path: "/config",
            params: body.clone(),
            body: Some(body),
            preflight: None,
            revision_before,
            expect,
        }
    }
}

/// What the audit log says about one action, besides its outcome.
#[derive(Debug, Clone)]
pub struct Entry {
    pub action: String,
    pub target: String,
    pub params: Value,
    pub preflight: Option<Value>,
    pub revision_before: i64,
}

/// How long an after record waits for a store that cannot take it.
const AFTER_RETRY: Duration = Duration::from_secs(30);

/// Runs `call` between an audit record before (committed to the store
/// first: if it cannot be written, nothing runs, and the answer is a 503
/// naming the store) and one after with its outcome (`outcome_of`
/// its result) and etcd's revision then. Gives back the result and the
/// after record's seq.
pub async fn recorded<T>(
    svc: &Services,
    actor: &Actor,
    entry: Entry,
    call: impl std::future::Future<Output = T>,
    outcome_of: impl FnOnce(&T) -> Outcome,
) -> Result<(T, Option<u64>), AppError> {
    let audit = &svc.audit;
    let record = |phase, outcome, revision_after| Record {
        phase,
        actor: actor.name(),
        source: actor.source.clone(),
        action: entry.action.clone(),
        target: entry.target.clone(),
        // The log handle names the etcd cluster (AuditLog::for_etcd).
        etcd: None,
        params: entry.params.clone(),
        preflight: entry.preflight.clone(),
        outcome,
        revision_before: Some(entry.revision_before),
        revision_after,
    };
    audit
        .append(record(Phase::Before, None, None))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, action = %entry.action, "audit record not written; the action does not run");
            AppError::Unavailable(format!(
                "the audit record could not be written, so nothing was done: {e}"
            ))
        })?;
    tracing::info!(action = %entry.action, target = %entry.target, actor = %actor.name(), "admin action");
    let result = call.await;
    let outcome = outcome_of(&result);
    let revision_after = current_revision(svc).await;
    let after = || record(Phase::After, Some(outcome.clone()), revision_after);
    let seq = match append_after(audit, after).await {
        Ok(r) => Some(r.seq),
        Err(e) => {
            tracing::error!(
                "audit log: the after record of {} failed: {e}",
                entry.action
            );
            None
        }
    };
    Ok((result, seq))
}

/// Appends the after record, retrying for [`AFTER_RETRY`] while the store
/// is briefly unable to take it (its primary moving, say): the action has
/// run, so its outcome is worth waiting for.
async fn append_after(
    audit: &AuditLog,
    record: impl Fn() -> Record,
) -> Result<AuditRecord, AuditError> {
    let deadline = tokio::time::Instant::now() + AFTER_RETRY;
    let mut warned = false;
    loop {
        match audit.append(record()).await {
            Err(e) if e.may_pass() && tokio::time::Instant::now() < deadline => {
                if !warned {
                    tracing::warn!(error = %e, "audit log: the after record waits for the store");
                    warned = true;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            done => return done,
        }
    }
}

/// Runs `plan`; Patroni refusing is an outcome (`accepted: false`), not an
/// error. Errors are Patrol's own: the audit record cannot be written.
pub async fn execute(
    svc: &Services,
    actor: &Actor,
    target: &Target,
    plan: Plan,
) -> Result<ActionOutcome, AppError> {
    let entry = Entry {
        action: plan.action.to_owned(),
        target: plan.target.clone(),
        params: plan.params.clone(),
        preflight: plan.preflight.clone(),
        revision_before: plan.revision_before,
    };
    let call = async {
        tracing::info!(via = %plan.via, path = plan.path, "asking Patroni");
        svc.patroni
            .send(
                &target.namespace,
                &target.scope,
                &plan.api_url,
                plan.method.clone(),
                plan.path,
                plan.body.clone(),
            )
            .await
    };
    let (reply, audit_seq) = recorded(svc, actor, entry, call, |r| Outcome {
        status: r.status,
        body: r.body.clone(),
        error: r.error.clone(),
    })
    .await?;
    Ok(ActionOutcome {
        action: plan.action.to_owned(),
        target: plan.target,
        accepted: reply.accepted(),
        status: reply.status,
        timed_out: reply.timed_out,
        explanation: explain(&reply),
        body: reply.body,
        via: Some(plan.via),
        expect: plan.expect,
        audit_seq,
    })
}

async fn current_revision(svc: &Services) -> Option<i64> {
    let mut kv = svc.etcd.client().await.ok()?.kv_client();
    let opts = etcd_client::GetOptions::new().with_count_only();
    let resp = svc.etcd.call(kv.get("/", Some(opts))).await.ok()?;
    resp.header().map(|h| h.revision())
}

/// Patroni's answer in plain words, for beside the verbatim body.
pub fn explain(reply: &RestReply) -> String {
    let body = reply.body.trim();
    match (reply.status, &reply.error) {
        (None, Some(e)) if reply.timed_out => format!(
            "no answer from {} in time ({e}): the action may still be running; watch the cluster",
            reply.url
        ),
        (None, e) => format!(
            "Patrol could not reach {} ({}); Patroni was not asked, nothing changed",
            reply.url,
            e.as_deref().unwrap_or("no answer")
        ),
        (Some(s), _) if (200..300).contains(&s) => format!("Patroni accepted: {body}"),
        (Some(401 | 403), _) => "Patroni refused Patrol's REST credentials (restapi.authentication): \
             configure them with --patroni-rest or --patroni-user"
            .into(),
        (Some(412), _) => format!("Patroni refused: a precondition does not hold ({body})"),
        (Some(503), _) => format!(
            "Patroni tried and failed ({body}); the cluster is most likely as it was — check the member table"
        ),
        (Some(400 | 422), _) => format!("Patroni rejected the request as invalid ({body})"),
        (Some(404), _) => format!("Patroni found nothing to act on ({body})"),
        (Some(409), _) => format!("Patroni refused: the cluster is in a conflicting state ({body})"),
        (Some(s), _) => format!("Patroni answered HTTP {s} ({body})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: Option<u16>, body: &str, error: Option<&str>) -> RestReply {
        RestReply {
            url: "http://h:8008/switchover".into(),
            status,
            body: body.into(),
            timed_out: error.is_some_and(|e| e.starts_with("timed out")),
            error: error.map(str::to_owned),
        }
    }

    #[test]
    fn patroni_answers_in_words() {
        let e = explain(&reply(
            Some(412),
            "candidate name does not match with sync_standby",
            None,
        ));
        assert_eq!(e, "Patroni refused: a precondition does not hold (candidate name does not match with sync_standby)");
        assert!(
            explain(&reply(Some(200), "Successfully switched over", None))
                .starts_with("Patroni accepted")
        );
        assert!(
            explain(&reply(Some(401), "no auth header received", None)).contains("--patroni-rest")
        );
        assert!(explain(&reply(None, "", Some("connection refused"))).contains("nothing changed"));
        assert!(explain(&reply(None, "", Some("timed out after 60 s")))
            .contains("may still be running"));
        assert!(explain(&reply(Some(503), "Switchover failed", None))
            .starts_with("Patroni tried and failed"));
    }
}
