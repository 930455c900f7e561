//! What the browser may do, loaded once by the shell and shared with every
//! page: its server function sits here, beside the resource that calls it.

use leptos::prelude::*;

use super::Access;
use crate::error::AppError;

/// What the requesting browser may do (same answer as `GET /api/v1/session`).
#[server(endpoint = "access", client = crate::fleet::client::ScopedClient)]
pub async fn get_access() -> Result<Access, AppError> {
    let state = expect_context::<crate::state::AppState>();
    let headers: axum::http::HeaderMap = leptos_axum::extract()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(state.auth.access(&headers).await)
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
