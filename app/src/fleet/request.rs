//! Which etcd cluster a request is about, as the server learns it before
//! routing: from the path (`/e/<name>/…` for pages, `/api/v1/e/<name>/…`
//! for the API, whose prefix it then takes off) or from a server function
//! call's [`HEADER`](super::client::HEADER). A name this Patrol does not
//! serve is refused there, so nothing past it ever falls back to another
//! etcd cluster by mistake.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::AppError;
use crate::state::AppState;

/// The etcd cluster a request named (`None`: the home one), put into the
/// request's extensions by the server's routing.
#[derive(Debug, Clone, Default)]
pub struct Requested(pub Option<Arc<str>>);

impl Requested {
    /// The name, for [`AppState::scoped`].
    pub fn name(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// What `parts` named: a request the routing did not mark is about the
    /// home etcd cluster.
    pub fn of(parts: &Parts) -> Requested {
        parts
            .extensions
            .get::<Requested>()
            .cloned()
            .unwrap_or_default()
    }
}

/// The state of the etcd cluster the request names: for REST handlers,
/// `Scoped(state): Scoped` in place of `State(state): State<AppState>`.
pub struct Scoped(pub AppState);

impl FromRequestParts<AppState> for Scoped {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Scoped, AppError> {
        state.scoped(Requested::of(parts).name()).map(Scoped)
    }
}

/// The actions' services of the etcd cluster the request names.
impl FromRequestParts<AppState> for crate::action::services::Services {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<crate::action::services::Services, AppError> {
        let state = state.scoped(Requested::of(parts).name())?;
        Ok(axum::extract::FromRef::from_ref(&state))
    }
}
