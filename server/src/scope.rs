//! Routing by etcd cluster, before the router sees a request: a path
//! `/api/v1/e/<name>/…` loses its `/e/<name>` and is routed as the
//! unprefixed one; a page path `/e/<name>/…` and a server function call's
//! `x-patrol-etcd` header name the cluster as they are. The name is checked
//! here, once: a request that names an etcd cluster this Patrol does not
//! serve gets 404 and reaches no handler. Handlers then read the
//! [`Requested`] extension (through `Scoped` and the `Services`
//! extractor, and server functions through their context).

use axum::extract::{Request, State};
use axum::http::uri::PathAndQuery;
use axum::http::Uri;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::error::AppError;
use app::fleet::client::HEADER;
use app::fleet::request::Requested;
use app::state::AppState;

/// The middleware: marks `request` with the etcd cluster it names.
pub async fn route(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let named = match named(&request) {
        Ok(named) => named,
        Err(e) => return e.into_response(),
    };
    let requested = match named {
        None => Requested(None),
        Some((name, rewrite)) => match state.fleet.get(Some(&name)) {
            Ok(site) => {
                if let Some(path) = rewrite {
                    match with_path(request.uri(), &path) {
                        Some(uri) => *request.uri_mut() = uri,
                        None => {
                            return AppError::Invalid("the request's path cannot be read".into())
                                .into_response()
                        }
                    }
                }
                Requested(Some(site.name.clone()))
            }
            Err(e) => return e.into_response(),
        },
    };
    request.extensions_mut().insert(requested);
    next.run(request).await
}

/// The name `request` gives, and for the API the path without it.
fn named(request: &Request) -> Result<Option<(String, Option<String>)>, AppError> {
    let path = request.uri().path();
    if let Some(rest) = path.strip_prefix("/api/v1/e/") {
        let (name, tail) = rest.split_once('/').unwrap_or((rest, ""));
        return Ok(Some((name.to_owned(), Some(format!("/api/v1/{tail}")))));
    }
    if let Some(rest) = path.strip_prefix("/e/") {
        let name = rest.split('/').next().unwrap_or(rest);
        return Ok(Some((name.to_owned(), None)));
    }
    match request.headers().get(HEADER) {
        Some(value) => {
            let name = value
                .to_str()
                .map_err(|_| AppError::Invalid(format!("{HEADER}: not an etcd cluster's name")))?;
            Ok(Some((name.to_owned(), None)))
        }
        None => Ok(None),
    }
}

/// `uri` with its path replaced by `path`, its query kept.
fn with_path(uri: &Uri, path: &str) -> Option<Uri> {
    let path_and_query = match uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::try_from(path_and_query).ok()?);
    Uri::from_parts(parts).ok()
}
