//! Security headers on every answer, and the per-response nonce that lets the
//! page's own inline scripts (hydration, streamed resources) run under a
//! Content-Security-Policy without `'unsafe-inline'`.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};

/// Answers Patrol's own pages load in a hidden frame: the etcd snapshot form
/// posts there, and the page reads a refusal from the frame. Only
/// same-origin framing is allowed for them; every other answer refuses frames.
const FRAMED_BY_OWN_PAGES: &[&str] = &["/api/v1/etcd/snapshot"];

/// Middleware: gives the request a fresh nonce (read by [`provide_nonce`]
/// while the page renders) and sets the headers on the way out.
pub async fn headers(mut request: Request, next: Next) -> Response {
    let nonce = Nonce::new();
    let path = route_of(request.uri().path());
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    apply(&path, &nonce, response.headers_mut());
    response
}

/// The route `path` is served by: `/api/v1/e/<name>/…` as `/api/v1/…` (see
/// [`crate::scope`], which routes it so), since the headers depend on the
/// route, not on the etcd cluster.
fn route_of(path: &str) -> String {
    crate::scope::api_route(path).map_or_else(|| path.to_owned(), |(_, route)| route)
}

/// Puts the request's nonce in the page's context, replacing the one
/// leptos_axum made up, so the scripts carry the nonce the header names.
pub fn provide_nonce() {
    let nonce = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Nonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(nonce);
    }
}

/// The headers for an answer to `path`, on top of what its handler set.
pub fn apply(path: &str, nonce: &str, headers: &mut HeaderMap) {
    let framed = FRAMED_BY_OWN_PAGES.contains(&path);
    if let Ok(csp) = HeaderValue::from_str(&policy(nonce, framed)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    let frames = if framed { "SAMEORIGIN" } else { "DENY" };
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static(frames));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // API answers and pages show cluster state and must never be kept; the
    // site's files say themselves how long they may be.
    if path == "/api" || path.starts_with("/api/") || !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// The Content-Security-Policy. Scripts: the site's own files (the wasm
/// bundle's JS is imported from /pkg) and inline scripts bearing this
/// answer's nonce; WebAssembly needs `'wasm-unsafe-eval'` to compile. Styles
/// only from the stylesheet: the pages use no inline `style`.
pub fn policy(nonce: &str, framed_by_own_pages: bool) -> String {
    let ancestors = if framed_by_own_pages {
        "'self'"
    } else {
        "'none'"
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers_for(path: &str, set: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in set {
            h.insert(name, HeaderValue::from_static(value));
        }
        apply(path, "n0nce", &mut h);
        h
    }

    #[test]
    fn the_policy_allows_no_inline_script_but_the_nonced() {
        let p = policy("n0nce", false);
        assert!(
            p.contains("script-src 'self' 'nonce-n0nce' 'wasm-unsafe-eval';"),
            "{p}"
        );
        assert!(!p.contains("unsafe-inline"), "{p}");
        assert!(p.contains("frame-ancestors 'none'"), "{p}");
        assert!(p.contains("connect-src 'self'"), "{p}");
        assert!(p.contains("object-src 'none'"), "{p}");
    }

    #[test]
    fn a_scoped_api_path_is_framed_as_its_route() {
        assert_eq!(
            route_of("/api/v1/e/edge/etcd/snapshot"),
            "/api/v1/etcd/snapshot"
        );
        assert_eq!(route_of("/api/v1/etcd/snapshot"), "/api/v1/etcd/snapshot");
        assert_eq!(route_of("/e/edge/etcd"), "/e/edge/etcd");
        assert_eq!(route_of("/api/v1/e/edge"), "/api/v1/");
    }

    #[test]
    fn every_answer_refuses_frames_and_sniffing() {
        for path in ["/", "/api/v1/clusters", "/pkg/patrol.0123.wasm", "/nowhere"] {
            let h = headers_for(path, &[]);
            assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{path}");
            assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
            assert_eq!(h[header::REFERRER_POLICY], "same-origin", "{path}");
            let csp = h[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap_or_default();
            assert!(csp.ends_with("frame-ancestors 'none'"), "{path}: {csp}");
        }
    }

    #[test]
    fn the_snapshot_answer_may_be_framed_by_patrol_alone() {
        let h = headers_for("/api/v1/etcd/snapshot", &[]);
        assert_eq!(h[header::X_FRAME_OPTIONS], "SAMEORIGIN");
        let csp = h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap_or_default();
        assert!(csp.ends_with("frame-ancestors 'self'"), "{csp}");
        assert_eq!(
            headers_for("/api/v1/etcd/snapshotx", &[])[header::X_FRAME_OPTIONS],
            "DENY"
        );
    }

    #[test]
    fn api_answers_are_never_stored_whatever_the_handler_said() {
        let h = headers_for(
            "/api/v1/clusters/events",
            &[(header::CACHE_CONTROL, "no-cache")],
        );
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        assert_eq!(
            headers_for("/api/v1/health", &[])[header::CACHE_CONTROL],
            "no-store"
        );
    }

    #[test]
    fn pages_are_not_stored_and_assets_keep_their_own_caching() {
        assert_eq!(
            headers_for("/clusters", &[])[header::CACHE_CONTROL],
            "no-store"
        );
        let immutable = "public, max-age=31536000, immutable";
        let h = headers_for("/pkg/patrol.0123.js", &[(header::CACHE_CONTROL, immutable)]);
        assert_eq!(h[header::CACHE_CONTROL], immutable);
    }
}
