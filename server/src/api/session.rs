//! `/api/v1/session`: browser sign-in and sign-out for the admin. The
//! checks themselves live in `app::auth::sign_in`, shared with the sign-in
//! page's server functions.

use std::net::IpAddr;

use app::auth::admin::Auth;
use app::auth::sign_in::Refusal;
use app::auth::Access;
use app::error::AppError;
use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

/// The client's address, when the server knows it: the connection's, or
/// the one a trusted proxy forwarded.
pub struct Source(pub Option<IpAddr>);

impl<S> FromRequestParts<S> for Source
where
    Auth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Source, Self::Rejection> {
        Ok(Source(Auth::from_ref(state).client_addr(parts)))
    }
}

/// What the current request may do.
pub async fn show(State(auth): State<Auth>, headers: HeaderMap) -> Json<Access> {
    Json(auth.access(&headers).await)
}

#[derive(Deserialize)]
pub struct Credentials {
    username: String,
    password: String,
}

/// Signs the admin in: sets an HttpOnly, SameSite=Strict session cookie.
pub async fn sign_in(
    State(auth): State<Auth>,
    Source(source): Source,
    Json(creds): Json<Credentials>,
) -> Result<Response, AppError> {
    let signed_in = match auth.sign_in(source, &creds.username, &creds.password).await {
        Ok(s) => s,
        Err(Refusal::Throttled(wait)) => return Ok(throttled(wait)),
        Err(refusal) => return Err(refusal.into()),
    };
    let mut resp = Json(signed_in.access).into_response();
    let value =
        HeaderValue::from_str(&signed_in.cookie).map_err(|e| AppError::Internal(e.to_string()))?;
    resp.headers_mut().insert(header::SET_COOKIE, value);
    Ok(resp)
}

/// 429 with `Retry-After`, so scripts know how long to wait.
fn throttled(wait: std::time::Duration) -> Response {
    let secs = Refusal::wait_secs(wait);
    let body = serde_json::json!({
        "error": format!("too many sign-ins from this address are waiting; try again in {secs} s")
    });
    let mut resp = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

/// Signs out: ends the session (on every Patrol sharing the store) and
/// clears the cookie; 503 when the store could not end it.
pub async fn sign_out(State(auth): State<Auth>, headers: HeaderMap) -> Result<Response, AppError> {
    let (clear, access) = auth.sign_out(&headers).await?;
    let mut resp = Json(access).into_response();
    if let Ok(v) = HeaderValue::from_str(&clear) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}
