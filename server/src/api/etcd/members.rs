//! Membership changes: add a learner, promote it, remove a member. A
//! removal that would leave a cluster unable to lose another member needs
//! an explicit override on top of the confirmation.

use app::action::actor::Actor;
use app::action::target::confirm;
use app::error::AppError;
use app::etcd::membership;
use app::etcd::status::read_status;
use app::etcd_cluster::{EtcdMember, EtcdStatus, Quorum};
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::super::action::Body;
use super::{audited, entry, member};

#[derive(Debug, Deserialize)]
pub struct AddRequest {
    /// The name the new member will be started with.
    name: String,
    peer_urls: Vec<String>,
    /// The same name again.
    confirm: String,
}

/// `POST /members` `{ "name", "peer_urls", "confirm" }`: adds a learner
/// and answers the settings to start it with, `ETCD_*` lines included.
pub async fn add_learner(
    actor: Actor,
    State(state): State<AppState>,
    Body(req): Body<AddRequest>,
) -> Result<Json<Value>, AppError> {
    confirm(&req.confirm, &req.name)?;
    let status = read_status(&state.etcd).await?;
    let params = json!({ "name": req.name, "peer_urls": req.peer_urls });
    let entry = entry("add-learner", &req.name, params, &status);
    let call = membership::add_learner(&state.etcd, &req.name, &req.peer_urls);
    let Json(mut body) = audited(&state, &actor, entry, call).await?;
    let env = [
        format!("ETCD_NAME={}", req.name),
        format!(
            "ETCD_INITIAL_CLUSTER={}",
            body["initial_cluster"].as_str().unwrap_or("")
        ),
        format!(
            "ETCD_INITIAL_ADVERTISE_PEER_URLS={}",
            req.peer_urls.join(",")
        ),
        "ETCD_INITIAL_CLUSTER_STATE=existing".to_owned(),
    ];
    body["env"] = json!(env);
    Ok(Json(body))
}

#[derive(Debug, Deserialize)]
pub struct ConfirmRequest {
    /// The member's name (its hex ID while it has none).
    confirm: String,
}

/// `POST /members/{id}/promote` `{ "confirm" }`: a learner that has caught
/// up becomes a voting member; etcd's refusal otherwise, in its words.
pub async fn promote(
    actor: Actor,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Body(req): Body<ConfirmRequest>,
) -> Result<Json<Value>, AppError> {
    let status = read_status(&state.etcd).await?;
    let m = member(&status, &id)?;
    confirm(&req.confirm, m.label())?;
    let entry = entry("promote", m.label(), json!({ "member": m.id }), &status);
    audited(
        &state,
        &actor,
        entry,
        membership::promote(&state.etcd, &m.id),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct RemoveRequest {
    confirm: Option<String>,
    /// Remove even though the cluster could not lose another member then.
    #[serde(rename = "override", default)]
    force: bool,
}

/// `DELETE /members/{id}` with `{ "confirm", "override"? }` in the body
/// or the query.
pub async fn remove(
    actor: Actor,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<RemoveRequest>,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    let req = if body.is_empty() {
        query
    } else {
        serde_json::from_slice::<RemoveRequest>(&body)
            .map_err(|e| AppError::Invalid(format!("body: {e}")))?
    };
    let status = read_status(&state.etcd).await?;
    let m = member(&status, &id)?;
    confirm(req.confirm.as_deref().unwrap_or_default(), m.label())?;
    if !req.force {
        fault_tolerance_check(&status, m)?;
    }
    let params = json!({ "member": m.id, "override": req.force });
    let entry = entry("remove-member", m.label(), params, &status);
    audited(
        &state,
        &actor,
        entry,
        membership::remove_member(&state.etcd, &m.id),
    )
    .await
}

/// Refuses (412) a removal after which the cluster could not lose another
/// voting member and keep its quorum.
fn fault_tolerance_check(status: &EtcdStatus, m: &EtcdMember) -> Result<(), AppError> {
    if m.is_learner {
        return Ok(());
    }
    let q = &status.quorum;
    let voting = q.voting.saturating_sub(1);
    let healthy = q.healthy_voting.saturating_sub(usize::from(m.healthy));
    let after = Quorum::new(voting, healthy, 0);
    if voting > 0 && after.can_lose > 0 {
        return Ok(());
    }
    Err(AppError::Refused(format!(
        "removing {} leaves {}: etcd could not lose another member; send \"override\": true to remove it anyway",
        m.label(),
        after.words
    )))
}
