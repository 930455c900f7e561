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
use axum::http::{header, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::error::AppError;
use app::fleet::client::HEADER;
use app::fleet::request::Requested;
use app::state::AppState;
use app::text::{escape_html, shorten};

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
            Err(_) if is_page(&request) => return not_found_page(&state, &name),
            Err(e) => return e.into_response(),
        },
    };
    request.extensions_mut().insert(requested);
    next.run(request).await
}

/// For an API path `/api/v1/e/<name>/…`: the name, and the path the router
/// serves it at (`/api/v1/…`).
pub fn api_route(path: &str) -> Option<(&str, String)> {
    let rest = path.strip_prefix("/api/v1/e/")?;
    let (name, tail) = rest.split_once('/').unwrap_or((rest, ""));
    Some((name, format!("/api/v1/{tail}")))
}

/// The name `request` gives, and for the API the path without it.
fn named(request: &Request) -> Result<Option<(String, Option<String>)>, AppError> {
    let path = request.uri().path();
    if let Some((name, route)) = api_route(path) {
        return Ok(Some((name.to_owned(), Some(route))));
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

/// Whether `request` asks for a page (`/e/<name>/…`), not the API or a
/// server function.
fn is_page(request: &Request) -> bool {
    request.uri().path().starts_with("/e/")
}

/// The page for `/e/<name>/…` when this Patrol serves no etcd cluster of
/// that name (an old bookmark, a typo): 404, saying so in words, with a link
/// to each etcd cluster it does serve. Written by hand, every name escaped,
/// because the name comes from the address.
fn not_found_page(state: &AppState, name: &str) -> Response {
    let name = escape_html(&shorten(name, 40));
    let links: String = state
        .fleet
        .sites()
        .iter()
        .map(|s| {
            let served = escape_html(&s.name);
            format!("<li><a href=\"/e/{served}\" rel=\"external\">{served}</a></li>")
        })
        .collect();
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>No etcd cluster {name} · Patrol</title></head><body>\
         <h1>No etcd cluster named {name}</h1>\
         <p data-testid=\"unknown-etcd\">This Patrol serves these etcd clusters:</p>\
         <ul>{links}</ul><p><a href=\"/\" rel=\"external\">The fleet overview</a></p></body></html>"
    );
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}
