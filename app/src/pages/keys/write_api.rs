//! Server functions for the key page's guarded writes. Each is a public
//! endpoint and checks, as the REST routes do, that the request proves an
//! admin (and, for writes, an audit log) before it reads anything.

use leptos::prelude::*;

use crate::error::AppError;
use crate::keyspace::write::{DeleteRequest, Preview, PreviewRequest, PutRequest, Written};

#[cfg(feature = "ssr")]
mod ssr {
    use crate::action::actor::{from_context, Actor};
    use crate::error::AppError;
    use crate::state::AppState;

    /// Runs `write` for the acting admin; any refusal leaves with its own
    /// status (401, 403, 409, ...), as the REST API's.
    pub async fn act<T>(
        write: impl AsyncFnOnce(&AppState, &Actor) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let state = leptos::prelude::expect_context::<AppState>();
        let checked = async {
            let actor = from_context(&state).await?;
            write(&state, &actor).await
        };
        checked.await.map_err(AppError::answered)
    }

    /// The preview, for an admin only: it is a write's first step.
    pub async fn preview(
        request: crate::keyspace::write::PreviewRequest,
    ) -> Result<crate::keyspace::write::Preview, AppError> {
        let state = leptos::prelude::expect_context::<AppState>();
        let checked = async {
            let parts = leptos::prelude::use_context::<axum::http::request::Parts>()
                .ok_or_else(|| AppError::Internal("no request in context".into()))?;
            state.auth.admin(&parts).await?;
            crate::keyspace::preview::preview(&state, request).await
        };
        checked.await.map_err(AppError::answered)
    }
}

/// What a put or delete would do (`POST /api/v1/kv/preview`).
#[server(endpoint = "keys/preview", client = crate::fleet::client::ScopedClient)]
pub async fn preview_write(request: PreviewRequest) -> Result<Preview, AppError> {
    ssr::preview(request).await
}

/// `PUT /api/v1/kv/value`.
#[server(endpoint = "keys/put", client = crate::fleet::client::ScopedClient)]
pub async fn put_key(request: PutRequest) -> Result<Written, AppError> {
    ssr::act(async |state, actor| crate::keyspace::put::put(state, actor, request).await).await
}

/// `DELETE /api/v1/kv/value`.
#[server(endpoint = "keys/delete", client = crate::fleet::client::ScopedClient)]
pub async fn delete_key(request: DeleteRequest) -> Result<Written, AppError> {
    ssr::act(async |state, actor| crate::keyspace::delete::delete(state, actor, request).await)
        .await
}
