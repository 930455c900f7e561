//! `/api/v1/kv/value` and `/api/v1/kv/preview`: guarded writes of one key.
//! Each handler takes an `Actor` or `Admin` first (401/403 before the body
//! is read); the checks after that live in `app::keyspace`.

use app::action::actor::Actor;
use app::auth::admin::Admin;
use app::error::AppError;
use app::fleet::request::Scoped;
use app::keyspace::write::{DeleteRequest, Preview, PreviewRequest, PutRequest, Written};
use axum::extract::DefaultBodyLimit;
use axum::routing::{post, put as put_route};
use axum::Json;

use super::action::Body;
use super::Routes;

/// `/kv/value` and `/kv/preview`. A value of etcd's 1.5 MiB as base64 in
/// JSON is over axum's default 2 MiB, so these take bodies up to the
/// server's own limit and refuse a value too large in words.
pub fn routes() -> Routes {
    let limit = || DefaultBodyLimit::max(crate::serve::MAX_BODY);
    Routes::new()
        .at("/kv/value", put_route(put).delete(delete).layer(limit()))
        .at("/kv/preview", post(preview).layer(limit()))
}

/// `PUT /value` `{"key" | "key_base64", "value" | "value_base64",
/// "revision", "confirm"}`.
pub async fn put(
    actor: Actor,
    Scoped(state): Scoped,
    Body(request): Body<PutRequest>,
) -> Result<Json<Written>, AppError> {
    Ok(Json(
        app::keyspace::put::put(&state, &actor, request).await?,
    ))
}

/// `DELETE /value` `{"key" | "key_base64", "revision", "confirm"}`.
pub async fn delete(
    actor: Actor,
    Scoped(state): Scoped,
    Body(request): Body<DeleteRequest>,
) -> Result<Json<Written>, AppError> {
    Ok(Json(
        app::keyspace::delete::delete(&state, &actor, request).await?,
    ))
}

/// `POST /preview` `{"key" | "key_base64", "value" | "value_base64" |
/// "delete": true}`: for admins, as the first step of a write; it changes
/// nothing, so nothing is recorded.
pub async fn preview(
    _admin: Admin,
    Scoped(state): Scoped,
    Body(request): Body<PreviewRequest>,
) -> Result<Json<Preview>, AppError> {
    Ok(Json(
        app::keyspace::preview::preview(&state, request).await?,
    ))
}
