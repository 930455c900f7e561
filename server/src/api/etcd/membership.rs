//! Membership changes: add a learner, promote it, remove a member. A
//! removal that would leave a cluster unable to lose another member needs
//! an explicit override on top of the confirmation.

use app::action::actor::Actor;
use app::action::target::confirm;
use app::error::AppError;
use app::etcd::membership::{AddLearnerRequest, MemberAdded, PromoteRequest, RemoveRequest};
use app::etcd::wire::{Audited, ErrorBody};
use app::etcd::{add_learner as add, promote as promote_one, read_status, remove_member};
use app::etcd::{EtcdMember, EtcdMembers, EtcdStatus, Quorum};
use app::fleet::request::Scoped;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::super::action::Body;
use super::{audited, entry, member};

/// `POST /members` `{ "name", "peer_urls", "confirm" }`: adds a learner
/// and answers the settings to start it with, `ETCD_*` lines included.
pub async fn add_learner(
    actor: Actor,
    Scoped(state): Scoped,
    Body(req): Body<AddLearnerRequest>,
) -> Result<Json<Audited<MemberAdded>>, AppError> {
    confirm(&req.confirm, &req.name)?;
    let status = read_status(&state.etcd).await?;
    let params = json!({ "name": req.name, "peer_urls": req.peer_urls });
    let entry = entry("add-learner", &req.name, params, &status);
    let call = add(&state.etcd, &req.name, &req.peer_urls);
    audited(&state, &actor, entry, call).await
}

/// `POST /members/{id}/promote` `{ "confirm" }`: a learner that has caught
/// up becomes a voting member; etcd's refusal otherwise, in its words.
pub async fn promote(
    actor: Actor,
    Scoped(state): Scoped,
    Path(id): Path<String>,
    Body(req): Body<PromoteRequest>,
) -> Result<Json<Audited<EtcdMembers>>, AppError> {
    let status = read_status(&state.etcd).await?;
    let m = member(&status, &id)?;
    confirm(&req.confirm, m.label())?;
    let entry = entry("promote", m.label(), json!({ "member": m.id }), &status);
    audited(&state, &actor, entry, promote_one(&state.etcd, &m.id)).await
}

/// `DELETE /members/{id}` with `{ "confirm", "override"? }` in the body
/// or the query.
pub async fn remove(
    actor: Actor,
    Scoped(state): Scoped,
    Path(id): Path<String>,
    Query(query): Query<RemoveRequest>,
    body: Bytes,
) -> Result<Response, AppError> {
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
        if let Err(refusal) = fault_tolerance_check(&status, m) {
            return Ok((StatusCode::PRECONDITION_FAILED, Json(refusal)).into_response());
        }
    }
    let params = json!({ "member": m.id, "override": req.force });
    let entry = entry("remove-member", m.label(), params, &status);
    let call = remove_member(&state.etcd, &m.id);
    Ok(audited(&state, &actor, entry, call).await?.into_response())
}

/// Refuses (412) a removal after which the cluster could not lose another
/// voting member and keep its quorum; the answer says the override would
/// do it.
fn fault_tolerance_check(status: &EtcdStatus, m: &EtcdMember) -> Result<(), ErrorBody> {
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
    let refusal = AppError::Refused(format!(
        "removing {} leaves {}: etcd could not lose another member; send \"override\": true to remove it anyway",
        m.label(),
        after.words
    ));
    Err(ErrorBody {
        error: refusal.to_string(),
        status: None,
        needs_override: true,
    })
}
