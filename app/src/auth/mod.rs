//! Who may change things. Everyone gets the read-only view; an admin signs
//! in (browser session) or sends a token (scripts). Mutations take an
//! [`admin::Admin`], which only this module can make, so a handler that
//! forgets the check does not compile.

#[cfg(feature = "ssr")]
pub mod admin;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod sessions;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "patrol_session";

/// What the current request may do (`GET /api/v1/session`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    /// The signed-in admin's name, if any.
    pub admin: Option<String>,
    /// `--read-only`: admin actions are off even for admins.
    pub read_only: bool,
    /// Whether admin credentials are configured at all.
    pub sign_in_available: bool,
}

/// What the requesting browser may do (same answer as `GET /api/v1/session`).
#[server(endpoint = "access")]
pub async fn get_access() -> Result<Access, AppError> {
    let state = expect_context::<crate::state::AppState>();
    let headers: axum::http::HeaderMap = leptos_axum::extract()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(state.auth.access(&headers))
}
