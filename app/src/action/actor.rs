//! Who is acting and from where: the [`Admin`] proof plus the client's
//! address, for the audit log. REST handlers take it as an extractor;
//! server functions read it from the request in context.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use crate::auth::admin::{Admin, Auth};
use crate::error::AppError;

/// An admin, and the address the request came from.
#[derive(Debug, Clone)]
pub struct Actor {
    pub admin: Admin,
    pub source: String,
}

impl Actor {
    /// The admin's name as the audit log records it.
    pub fn name(&self) -> String {
        format!("{} ({:?})", self.admin.name(), self.admin.via()).to_lowercase()
    }
}

/// Any state that holds the [`Auth`] can name the actor.
impl<S> FromRequestParts<S> for Actor
where
    Auth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Actor, AppError> {
        let auth = Auth::from_ref(state);
        let admin = auth.admin(parts).await?;
        let source = auth
            .client_addr(parts)
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        Ok(Actor { admin, source })
    }
}

/// The actor of the server function being served.
pub async fn from_context<S>(state: &S) -> Result<Actor, AppError>
where
    Auth: FromRef<S>,
    S: Send + Sync,
{
    let Some(mut parts) = leptos::prelude::use_context::<Parts>() else {
        return Err(AppError::Internal("no request in context".into()));
    };
    Actor::from_request_parts(&mut parts, state).await
}
