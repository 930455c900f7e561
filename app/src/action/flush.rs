//! Flush: cancels scheduled operations, as `patronictl flush <cluster>
//! restart|switchover` does — each scheduled restart with `DELETE /restart`
//! on its member's REST API, the scheduled switchover with `DELETE
//! /switchover` (the leader's API first, then the others'). Typed-confirmed
//! with the scope, pinned to the preflight's revision, one audit record
//! pair for the whole flush.

use reqwest::Method;
use serde_json::json;

use super::actor::Actor;
use super::run::{explain, recorded, Entry};
use super::services::Services;
use super::target::{self, confirm, pinned, Target};
use super::{FlushItem, FlushOutcome, FlushPreflight, FlushRequest, FlushWhat};
use crate::audit::Outcome;
use crate::error::AppError;
use crate::patroni::{Cluster, Scheduled, ScheduledKind};

/// `GET .../flush/preflight`: what a flush of `what` would cancel now.
pub async fn preflight(
    svc: &Services,
    target: &Target,
    what: FlushWhat,
) -> Result<FlushPreflight, AppError> {
    let (cluster, revision) = target::read(&svc.etcd, target, None).await?;
    Ok(plan(&cluster, revision, what))
}

/// The operations `what` covers in `cluster`, and why not if none.
pub fn plan(cluster: &Cluster, revision: i64, what: FlushWhat) -> FlushPreflight {
    let scheduled: Vec<_> = cluster
        .scheduled()
        .into_iter()
        .filter(|op| what.covers(op))
        .collect();
    let blockers = if scheduled.is_empty() {
        vec![match what {
            FlushWhat::All => "nothing is scheduled for this cluster".to_owned(),
            w => format!("no {} is scheduled for this cluster", w.as_str()),
        }]
    } else {
        Vec::new()
    };
    FlushPreflight {
        revision,
        what,
        scheduled,
        blockers,
    }
}

/// `POST .../flush`.
pub async fn flush(
    svc: &Services,
    actor: &Actor,
    target: &Target,
    req: FlushRequest,
) -> Result<FlushOutcome, AppError> {
    confirm(&req.confirm, &target.scope)?;
    let (cluster, revision) = pinned(&svc.etcd, target, Some(req.revision)).await?;
    let (then, _) = target::read(&svc.etcd, target, Some(req.revision)).await?;
    let seen = plan(&then, req.revision, req.what);
    let now = plan(&cluster, revision, req.what);
    if seen.scheduled != now.scheduled {
        return Err(AppError::Conflict(format!(
            "the scheduled operations changed since revision {}: {} then, {} now; run the preflight again",
            req.revision,
            listed(&seen.scheduled),
            listed(&now.scheduled)
        )));
    }
    if !now.blockers.is_empty() {
        return Err(AppError::Refused(now.blockers.join("; ")));
    }
    let entry = Entry {
        action: "flush".into(),
        target: target.text(),
        params: json!({ "what": req.what }),
        preflight: serde_json::to_value(&now).ok(),
        revision_before: revision,
    };
    let calls = async {
        let mut items = Vec::new();
        for op in &now.scheduled {
            items.push(cancel(svc, &cluster, op).await);
        }
        items
    };
    let (items, audit_seq) =
        recorded(svc, actor, entry, calls, |items| audit_outcome(items)).await?;
    Ok(FlushOutcome {
        target: target.text(),
        what: req.what,
        items,
        audit_seq,
    })
}

/// Cancels one operation through Patroni; never an error, an item saying
/// what happened.
async fn cancel(svc: &Services, cluster: &Cluster, op: &Scheduled) -> FlushItem {
    let (path, apis) = match (&op.kind, &op.member) {
        (ScheduledKind::Restart, Some(m)) => ("/restart", apis(cluster, Some(m))),
        _ => ("/switchover", apis(cluster, None)),
    };
    let mut item = FlushItem {
        scheduled: op.clone(),
        cancelled: false,
        via: None,
        status: None,
        body: String::new(),
        explanation:
            "no member publishes a REST API address (api_url) to ask: nothing was cancelled".into(),
    };
    for (name, url) in apis {
        tracing::info!(via = %name, path, "asking Patroni");
        let reply = svc
            .patroni
            .send(
                &cluster.namespace,
                &cluster.scope,
                &url,
                Method::DELETE,
                path,
                None,
            )
            .await;
        item.cancelled = reply.accepted();
        item.via = Some(name);
        item.status = reply.status;
        item.explanation = explain(&reply);
        item.body = reply.body;
        // Any member can cancel a switchover: ask the next only when this
        // one could not say (as patronictl does).
        let settled = matches!(reply.status, Some(s) if (200..300).contains(&s) || s == 404);
        if settled || op.kind == ScheduledKind::Restart {
            break;
        }
    }
    item
}

/// `(member, api_url)` to ask: the member named, or for the switchover the
/// leader first and then every other member.
fn apis(cluster: &Cluster, member: Option<&str>) -> Vec<(String, String)> {
    let mut members: Vec<_> = cluster
        .members
        .iter()
        .filter(|m| member.is_none_or(|name| m.name == name))
        .filter_map(|m| Some((m.name.clone(), m.api_url.clone()?)))
        .collect();
    members.sort_by_key(|(name, _)| Some(name) != cluster.leader.as_ref());
    members
}

/// One outcome for the audit log: every item's status, answer and error.
fn audit_outcome(items: &[FlushItem]) -> Outcome {
    let all = items.iter().all(|i| i.cancelled);
    let line = |i: &FlushItem| {
        let status = i.status.map_or("no answer".to_owned(), |s| s.to_string());
        format!("{}: {status} {}", name(&i.scheduled), i.body.trim())
    };
    let failed: Vec<_> = items
        .iter()
        .filter(|i| !i.cancelled)
        .map(|i| format!("{}: {}", name(&i.scheduled), i.explanation))
        .collect();
    Outcome {
        status: all.then_some(200),
        body: items.iter().map(line).collect::<Vec<_>>().join("\n"),
        error: (!failed.is_empty()).then(|| failed.join("; ")),
    }
}

/// `switchover` or `restart of pg-meta-2`.
fn name(op: &Scheduled) -> String {
    match &op.member {
        Some(m) => format!("{} of {m}", op.kind.as_str()),
        None => op.kind.as_str().to_owned(),
    }
}

fn listed(ops: &[Scheduled]) -> String {
    if ops.is_empty() {
        return "nothing".into();
    }
    ops.iter()
        .map(|op| format!("{} at {}", name(op), op.at))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patroni::clusters_in_namespace;

    fn cluster(failover: &str, restart: bool) -> Cluster {
        let replica = if restart {
            r#"{"conn_url":"postgres://h:2/p","api_url":"http://h:2/patroni","state":"running","role":"replica","scheduled_restart":{"schedule":"2030-01-01T10:00:00+00:00"}}"#
        } else {
            r#"{"conn_url":"postgres://h:2/p","api_url":"http://h:2/patroni","state":"running","role":"replica"}"#
        };
        let leader = r#"{"conn_url":"postgres://h:1/p","api_url":"http://h:1/patroni","state":"running","role":"primary"}"#;
        let kvs: Vec<(&[u8], &[u8])> = vec![
            (b"/pg/a/leader", b"a1"),
            (b"/pg/a/failover", failover.as_bytes()),
            (b"/pg/a/members/a2", replica.as_bytes()),
            (b"/pg/a/members/a1", leader.as_bytes()),
        ];
        clusters_in_namespace("/pg", kvs).remove(0)
    }

    #[test]
    fn the_plan_names_what_is_covered_and_refuses_nothing() {
        let both = cluster(r#"{"scheduled_at":"2030-01-01T11:00:00+00:00"}"#, true);
        let kinds = |what| {
            plan(&both, 7, what)
                .scheduled
                .iter()
                .map(name)
                .collect::<Vec<_>>()
        };
        assert_eq!(kinds(FlushWhat::All), ["switchover", "restart of a2"]);
        assert_eq!(kinds(FlushWhat::Restart), ["restart of a2"]);
        assert_eq!(kinds(FlushWhat::Switchover), ["switchover"]);
        assert!(plan(&both, 7, FlushWhat::All).blockers.is_empty());

        let none = cluster("{}", false);
        let p = plan(&none, 7, FlushWhat::All);
        assert_eq!(p.blockers, ["nothing is scheduled for this cluster"]);
        let p = plan(&cluster("{}", true), 7, FlushWhat::Switchover);
        assert_eq!(p.blockers, ["no switchover is scheduled for this cluster"]);
    }

    #[test]
    fn the_switchover_asks_the_leader_first_and_a_restart_its_member() {
        let c = cluster("{}", true);
        let names = |m| apis(&c, m).into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(names(None), ["a1", "a2"]);
        assert_eq!(names(Some("a2")), ["a2"]);
        assert!(names(Some("gone")).is_empty());
    }

    #[test]
    fn the_audit_outcome_names_each_failure() {
        let op = |m: &str| Scheduled {
            kind: ScheduledKind::Restart,
            member: Some(m.into()),
            at: "2030-01-01T10:00:00+00:00".into(),
            details: vec![],
        };
        let items = vec![
            FlushItem {
                scheduled: op("a2"),
                cancelled: true,
                via: Some("a2".into()),
                status: Some(200),
                body: "scheduled restart deleted".into(),
                explanation: String::new(),
            },
            FlushItem {
                scheduled: op("a3"),
                cancelled: false,
                via: Some("a3".into()),
                status: None,
                body: String::new(),
                explanation: "Patrol could not reach http://h:3".into(),
            },
        ];
        let o = audit_outcome(&items);
        assert_eq!(o.status, None);
        assert_eq!(
            o.body,
            "restart of a2: 200 scheduled restart deleted\nrestart of a3: no answer "
        );
        assert_eq!(
            o.error.as_deref(),
            Some("restart of a3: Patrol could not reach http://h:3")
        );
    }
}
