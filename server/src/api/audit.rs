//! `GET /api/v1/audit`: the audit log of admin actions, newest first, with
//! the verdict on its hash chain.

use app::audit::log::AuditLog;
use app::audit::AuditPage;
use app::error::AppError;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;

/// `?limit=` (default 100, at most 1000) and `?before=` (a seq: only older
/// records).
#[derive(Deserialize)]
pub struct AuditQuery {
    limit: Option<usize>,
    before: Option<u64>,
}

/// Answers 503 naming the store when the store cannot be read.
pub async fn list(
    State(log): State<AuditLog>,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditPage>, AppError> {
    Ok(Json(app::audit::log::page(&log, q.limit, q.before).await?))
}
