//! `/api/v1/etcd/...`: the etcd cluster Patroni depends on. Reading is
//! open to viewers; maintenance and membership changes take an [`Actor`]
//! first (401/403 before the body is read), a typed confirmation, and go
//! to the audit log. Requests and answers are `app::etcd`'s types, which
//! the `/etcd` page sends and reads too. Member and cluster IDs are hex
//! strings (they exceed 2^53).

mod alarm;
mod compact;
mod defragment;
mod kept;
mod leader;
mod membership;
mod readiness;
mod snapshot;

use app::action::actor::Actor;
use app::action::run::{recorded, Entry};
use app::audit::Outcome;
use app::error::AppError;
use app::etcd::wire::Audited;
use app::etcd::{checks, read_alarms, read_members, read_status};
use app::etcd::{EtcdAlarms, EtcdMember, EtcdMembers, EtcdStatus};
use app::fleet::request::Scoped;
use app::state::AppState;
use axum::extract::FromRef;
use axum::routing::{delete, get, post};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use super::Routes;

/// Routes under `/api/v1/etcd`.
pub fn routes() -> Routes {
    Routes::new()
        .at("/status", get(show_status))
        .at("/members", get(list_members).post(membership::add_learner))
        .at("/members/{id}", delete(membership::remove))
        .at("/members/{id}/promote", post(membership::promote))
        .at("/alarms", get(list_alarms))
        .at("/alarms/disarm", post(alarm::disarm))
        .at("/snapshot", post(snapshot::download))
        .at("/snapshots", get(kept::list))
        .at("/compact/preflight", get(compact::preflight))
        .at("/compact", post(compact::compact))
        .at("/defragment", post(defragment::defragment))
        .at("/move-leader", post(leader::move_leader))
        .at("/readiness", get(readiness::show))
}

/// `GET /status`: `etcdctl endpoint status --cluster` and more: every
/// member's status (a silent member is listed unhealthy with the reason),
/// revisions, alarms and quorum. 503 only when no member answers. Read
/// afresh on every call, unlike the page's shared reading.
async fn show_status(Scoped(state): Scoped) -> Result<Json<EtcdStatus>, AppError> {
    Ok(Json(read_status(&state.etcd).await?))
}

/// `GET /members`: the membership (`etcdctl member list`).
async fn list_members(Scoped(state): Scoped) -> Result<Json<EtcdMembers>, AppError> {
    Ok(Json(read_members(&state.etcd).await?.into()))
}

/// `GET /alarms`: active alarms (`etcdctl alarm list`).
async fn list_alarms(Scoped(state): Scoped) -> Result<Json<EtcdAlarms>, AppError> {
    Ok(Json(read_alarms(&state.etcd).await?))
}

/// The member called `text`: its name, or its hex ID as etcdctl prints it.
fn member<'s>(status: &'s EtcdStatus, text: &str) -> Result<&'s EtcdMember, AppError> {
    let by_name = status
        .members
        .iter()
        .find(|m| !m.name.is_empty() && m.name == text);
    match by_name {
        Some(m) => Ok(m),
        None => checks::find(status, text),
    }
}

/// What the audit log records about an etcd action besides its outcome:
/// the cluster as the action found it.
fn entry(action: &str, target: &str, params: Value, status: &EtcdStatus) -> Entry {
    let leader = status.members.iter().find(|m| m.is_leader);
    Entry {
        action: format!("etcd-{action}"),
        target: format!("etcd/{target}"),
        params,
        preflight: Some(json!({
            "cluster_id": status.cluster_id,
            "leader": leader.map(|m| m.label()),
            "quorum": status.quorum.words,
            "compact_revision": status.compact_revision,
        })),
        revision_before: status.revision,
    }
}

/// Runs an etcd `call` between its audit records; etcd's answer, or its
/// refusal in its own words, is what the log keeps and the caller gets,
/// with the log's `audit_seq` added. The `/etcd` pages read the cluster
/// afresh afterwards.
async fn audited<T: Serialize>(
    state: &AppState,
    actor: &Actor,
    entry: Entry,
    call: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<Json<Audited<T>>, AppError> {
    let services = app::action::services::Services::from_ref(state);
    let (result, audit_seq) = recorded(&services, actor, entry, call, outcome).await?;
    state.etcd.status_changed();
    Ok(Json(Audited {
        answer: result?,
        audit_seq,
    }))
}

/// An etcd call's result as the audit log records it: etcd has no HTTP
/// status, so the body is the result as JSON and the error etcd's words.
fn outcome<T: Serialize>(result: &Result<T, AppError>) -> Outcome {
    match result {
        Ok(v) => Outcome {
            status: None,
            body: serde_json::to_string(v).unwrap_or_default(),
            error: None,
        },
        Err(e) => Outcome {
            status: None,
            body: String::new(),
            error: Some(e.to_string()),
        },
    }
}
