//! Who may change things. Everyone gets the read-only view; an admin signs
//! in (browser session) or sends a token (scripts). Mutations take an
//! [`admin::Admin`], which only this module can make, so a handler that
//! forgets the check does not compile.

#[cfg(feature = "ssr")]
pub mod admin;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod proxy;
#[cfg(feature = "ssr")]
pub mod rate_limit;
#[cfg(feature = "ssr")]
pub mod sessions;
#[cfg(feature = "ssr")]
pub mod sign_in;

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

/// The browser's [`Access`], loaded once by the shell for every page and
/// loaded again after a sign-in or sign-out. Read it inside
/// `<Suspense>`/`<Transition>`.
#[derive(Clone, Copy)]
pub struct AccessState {
    resource: Resource<Result<Access, AppError>>,
}

impl AccessState {
    /// The current access; `None` while loading or when it failed to load
    /// (treated as the read-only view).
    pub fn get(&self) -> Option<Access> {
        self.resource.get().and_then(Result::ok)
    }

    /// Whether admin action buttons belong on screen: a signed-in admin,
    /// and Patrol not `--read-only`. The server checks again on every action.
    pub fn can_act(&self) -> bool {
        self.get()
            .is_some_and(|a| a.admin.is_some() && !a.read_only)
    }

    /// Asks the server again (after signing in or out).
    pub fn refresh(&self) {
        self.resource.refetch();
    }
}

/// Loads the access and shares it with every page below.
pub fn provide_access() -> AccessState {
    let state = AccessState {
        resource: Resource::new(|| (), |_| get_access()),
    };
    provide_context(state);
    state
}

/// The access shared by [`provide_access`].
pub fn use_access() -> AccessState {
    expect_context::<AccessState>()
}

/// Headers from `(name, value)` pairs, for the auth tests.
#[cfg(all(test, feature = "ssr"))]
pub(crate) fn test_headers(pairs: &[(&'static str, &str)]) -> axum::http::HeaderMap {
    let mut h = axum::http::HeaderMap::new();
    for (k, v) in pairs {
        h.append(*k, v.parse().expect("header value"));
    }
    h
}
