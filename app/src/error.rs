//! The one error type that crosses from the server to the browser.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong, in words fit for the operator. Causes with detail that
/// must not leave the server (credentials, paths) are logged there instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not found: {0}")]
    NotFound(String),
    /// Not signed in (401): sign in, or send `Authorization: Bearer`.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("invalid request: {0}")]
    Invalid(String),
    /// A guarded action's preflight refuses it (412): the reasons, in words.
    #[error("refused: {0}")]
    Refused(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            // The request's body or query did not hold the arguments: the
            // caller's mistake, said as such (400), never a 500.
            ServerFnErrorErr::Args(e) => AppError::Invalid(format!("bad arguments: {e}")),
            ServerFnErrorErr::MissingArg(e) => AppError::Invalid(format!("missing argument {e}")),
            ServerFnErrorErr::UnsupportedRequestMethod(e) => AppError::Invalid(e),
            // In the browser: the request never got an answer.
            ServerFnErrorErr::Request(e) => {
                AppError::Unavailable(format!("Patrol did not answer: {e}"))
            }
            other => AppError::Internal(other.to_string()),
        };
        // On the server, the error leaves with its own status code, not 500.
        #[cfg(feature = "ssr")]
        if let Some(r) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            r.set_status(error.status());
        }
        error
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};
    use axum::Json;

    use super::AppError;

    impl AppError {
        /// The HTTP status this error answers with.
        pub fn status(&self) -> StatusCode {
            match self {
                AppError::NotFound(_) => StatusCode::NOT_FOUND,
                AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                AppError::Conflict(_) => StatusCode::CONFLICT,
                AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                AppError::Invalid(_) => StatusCode::BAD_REQUEST,
                AppError::Refused(_) => StatusCode::PRECONDITION_FAILED,
                AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            }
        }
    }

    /// REST routes answer `{"error": "..."}` with the matching status code.
    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let body = serde_json::json!({ "error": self.to_string() });
            (self.status(), Json(body)).into_response()
        }
    }
}
