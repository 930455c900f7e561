//! Upgrade readiness: read-only, open to viewers.

use app::error::AppError;
use app::etcd::readiness::{readiness, Readiness};
use app::fleet::request::Scoped;
use axum::Json;

/// `GET /readiness`: hashkv across members at one revision, versions and
/// the next upgrade step, the v2 store, learners against the limit. The
/// check is shared with the `/etcd` page: made afresh at most every 10 s.
pub async fn show(Scoped(state): Scoped) -> Result<Json<Readiness>, AppError> {
    Ok(Json(readiness(&state.etcd).await?))
}
