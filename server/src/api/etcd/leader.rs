//! Moving the raft leader.

use app::action::actor::Actor;
use app::action::target::confirm;
use app::error::AppError;
use app::etcd::leader::{LeaderMoved, MoveLeaderRequest};
use app::etcd::wire::Audited;
use app::etcd::{move_leader as move_to, read_status};
use app::fleet::request::Scoped;
use axum::Json;
use serde_json::json;

use super::super::action::Body;
use super::{audited, entry, member};

/// `POST /move-leader` `{ "to", "confirm" }`.
pub async fn move_leader(
    actor: Actor,
    Scoped(state): Scoped,
    Body(req): Body<MoveLeaderRequest>,
) -> Result<Json<Audited<LeaderMoved>>, AppError> {
    let status = read_status(&state.etcd).await?;
    let to = member(&status, &req.to)?;
    confirm(&req.confirm, to.label())?;
    let entry = entry("move-leader", to.label(), json!({ "to": to.id }), &status);
    audited(&state, &actor, entry, move_to(&state.etcd, &to.id)).await
}
