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
    /// The request failed between the browser and Patrol: no answer came
    /// (Patrol stopped, the network or a proxy failed), or what came back
    /// was not Patrol's. Made in the browser only; the server never says it.
    #[error("Patrol did not answer: {0}")]
    Transport(String),
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
            // In the browser: the request never got an answer, or the
            // answer was not Patrol's (say a proxy's error page).
            ServerFnErrorErr::Request(e) => AppError::Transport(e),
            ServerFnErrorErr::Deserialization(e) => {
                AppError::Transport(format!("its answer could not be read ({e})"))
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
                // Never made on the server; should one arrive here, it is
                // a gateway's failure, not the caller's.
                AppError::Transport(_) => StatusCode::BAD_GATEWAY,
            }
        }
    }

    impl AppError {
        /// Makes a server function answer with this error's status (Leptos
        /// answers 500 for every error otherwise) and hands it back.
        pub fn answered(self) -> AppError {
            if let Some(r) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                r.set_status(self.status());
            }
            self
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_on_the_way_are_told_from_server_bugs() {
        let cases = [
            (
                ServerFnErrorErr::Request("Failed to fetch".into()),
                AppError::Transport("Failed to fetch".into()),
            ),
            (
                ServerFnErrorErr::Deserialization("expected value at line 1".into()),
                AppError::Transport(
                    "its answer could not be read (expected value at line 1)".into(),
                ),
            ),
            (
                ServerFnErrorErr::MissingArg("scope".into()),
                AppError::Invalid("missing argument scope".into()),
            ),
            (
                ServerFnErrorErr::ServerError("boom".into()),
                AppError::Internal("error running server function: boom".into()),
            ),
        ];
        for (from, want) in cases {
            assert_eq!(AppError::from_server_fn_error(from), want);
        }
        assert_eq!(
            AppError::Transport("Failed to fetch".into()).to_string(),
            "Patrol did not answer: Failed to fetch"
        );
    }
}
