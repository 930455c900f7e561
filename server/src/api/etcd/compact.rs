//! Compaction, with its preflight.

use app::action::actor::Actor;
use app::action::target::confirm;
use app::error::AppError;
use app::etcd::compact::{CompactPreflight, CompactQuery, CompactRequest, Compacted};
use app::etcd::wire::Audited;
use app::etcd::{compact_preflight, read_status};
use app::fleet::request::Scoped;
use axum::extract::Query;
use axum::Json;
use serde_json::json;

use super::super::action::Body;
use super::{audited, entry};

/// `GET /compact/preflight?revision=|keep=`: open to viewers.
pub async fn preflight(
    Scoped(state): Scoped,
    Query(q): Query<CompactQuery>,
) -> Result<Json<CompactPreflight>, AppError> {
    Ok(Json(compact_preflight(&state.etcd, q.to()?).await?))
}

/// `POST /compact` `{ "revision" | "keep", "physical", "confirm": "etcd" }`.
pub async fn compact(
    actor: Actor,
    Scoped(state): Scoped,
    Body(req): Body<CompactRequest>,
) -> Result<Json<Audited<Compacted>>, AppError> {
    confirm(&req.confirm, "etcd")?;
    let to = req.to.to()?;
    let status = read_status(&state.etcd).await?;
    let params = json!({ "to": to, "physical": req.physical });
    let entry = entry("compact", "cluster", params, &status);
    let call = app::etcd::compact(&state.etcd, to, req.physical);
    audited(&state, &actor, entry, call).await
}
