//! `/api/v1/session`: browser sign-in and sign-out for the admin.

use std::net::{IpAddr, SocketAddr};

use app::auth::admin::session_cookie;
use app::auth::{password, Access, SESSION_COOKIE};
use app::error::AppError;
use app::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

/// The client's address, when the server knows it.
pub struct Source(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Source, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(Source(ip))
    }
}

/// What the current request may do.
pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Json<Access> {
    Json(state.auth.access(&headers))
}

#[derive(Deserialize)]
pub struct Credentials {
    username: String,
    password: String,
}

/// Signs the admin in: sets an HttpOnly, SameSite=Strict session cookie.
pub async fn sign_in(
    State(state): State<AppState>,
    Source(source): Source,
    Json(creds): Json<Credentials>,
) -> Result<Response, AppError> {
    let config = &state.auth.config;
    let Some(hash) = &config.password_hash else {
        return Err(AppError::Forbidden(
            "no admin password is configured (--admin-password-hash): Patrol is read-only".into(),
        ));
    };
    if let Some(wait) = state.auth.sessions.blocked_for(source) {
        let secs = wait.as_secs().max(1);
        let body = serde_json::json!({ "error": format!("too many failed sign-ins; try again in {secs} s") });
        let mut resp = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(resp);
    }
    // Verify even for a wrong user name, so timing does not tell names apart.
    let password_ok = password::verify(&creds.password, hash);
    if !(password_ok && creds.username == config.admin_user) {
        state.auth.sessions.failed(source);
        tracing::warn!(source = ?source, "failed admin sign-in");
        return Err(AppError::Unauthorized("wrong user name or password".into()));
    }
    let token = state
        .auth
        .sessions
        .open(&config.admin_user, config.session_ttl)
        .map_err(AppError::Internal)?;
    tracing::info!(source = ?source, user = %config.admin_user, "admin signed in");
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        config.session_ttl.as_secs(),
        if config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    );
    let access = Access {
        admin: Some(config.admin_user.clone()),
        read_only: config.read_only,
        sign_in_available: true,
    };
    let mut resp = Json(access).into_response();
    let value = HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.to_string()))?;
    resp.headers_mut().insert(header::SET_COOKIE, value);
    Ok(resp)
}

/// Signs out: ends the session and clears the cookie.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = session_cookie(&headers) {
        state.auth.sessions.close(&token);
    }
    let mut resp = Json(state.auth.access(&HeaderMap::new())).into_response();
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    if let Ok(v) = HeaderValue::from_str(&clear) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}
