//! The router driven in-process (`tower::ServiceExt::oneshot`), with no
//! socket and no `patrol` process: what Patrol answers whatever etcd says.
//! Its etcd is a port nobody listens on, so nothing here waits on one.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::common::says;
use crate::common::{self, free_port};

/// Where the router believes it listens, as `launch` would tell it.
const ADDR: &str = "127.0.0.1:8000";

/// Patrol's router with `flags`, and the mirror task behind it (aborted on
/// drop).
struct InProcess {
    router: Router,
    mirror: JoinHandle<()>,
    _state: common::TempDir,
}

impl InProcess {
    async fn new(flags: &[&str]) -> InProcess {
        // As `launch` does first: the Patroni REST client needs it.
        common::install_tls_provider();
        let etcd = format!("http://127.0.0.1:{}", free_port());
        // A store of its own, never the user's default one.
        let home = common::TempDir::new("router-state");
        let state_dir = home.path().to_string_lossy().into_owned();
        let mut args = vec!["patrol", "--endpoints", &etcd, "--state-dir", &state_dir];
        args.extend_from_slice(flags);
        let loaded = match server::config::load(args) {
            Ok(loaded) => loaded,
            Err(_) => panic!("the flags {flags:?} are refused"),
        };
        let addr: SocketAddr = ADDR.parse().expect("an address");
        let (state, site, mirror) = server::build(&loaded.config, addr)
            .await
            .expect("build the state");
        InProcess {
            router: server::router(state, site),
            mirror,
            _state: home,
        }
    }

    /// Sends `request` as if from 127.0.0.1 to [`ADDR`]; status, headers,
    /// body.
    async fn send(&self, mut request: Request<Body>) -> (StatusCode, HeaderMap, String) {
        let peer: SocketAddr = "127.0.0.1:40000".parse().expect("an address");
        request.extensions_mut().insert(ConnectInfo(peer));
        request
            .headers_mut()
            .insert(header::HOST, ADDR.parse().expect("a header value"));
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, 16 << 20)
            .await
            .expect("the body");
        let body = String::from_utf8_lossy(&body).into_owned();
        (parts.status, parts.headers, body)
    }

    async fn get(&self, path: &str) -> (StatusCode, HeaderMap, String) {
        let request = Request::get(path).body(Body::empty()).expect("a request");
        self.send(request).await
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        self.mirror.abort();
    }
}

fn value_of(h: &HeaderMap, name: header::HeaderName) -> &str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The headers every answer carries.
fn assert_protected(what: &str, h: &HeaderMap) {
    let csp = value_of(h, header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("object-src 'none'"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert_eq!(value_of(h, header::X_FRAME_OPTIONS), "DENY", "{what}");
    assert_eq!(
        value_of(h, header::X_CONTENT_TYPE_OPTIONS),
        "nosniff",
        "{what}"
    );
    assert_eq!(
        value_of(h, header::REFERRER_POLICY),
        "same-origin",
        "{what}"
    );
}

#[tokio::test]
async fn health_answers_while_etcd_is_unreachable() {
    let patrol = InProcess::new(&[]).await;
    let (status, h, body) = patrol.get("/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    assert_protected("/healthz", &h);

    let (status, h, body) = patrol.get("/api/v1/health").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_protected("/api/v1/health", &h);
    assert_eq!(value_of(&h, header::CACHE_CONTROL), "no-store");
    let health: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(health["status"], "degraded", "{health}");
    assert_eq!(health["etcd"]["reachable"], false, "{health}");
}

#[tokio::test]
async fn a_page_carries_the_security_headers_and_its_scripts_the_nonce() {
    let patrol = InProcess::new(&[]).await;
    let (status, h, body) = patrol.get("/").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_protected("/", &h);
    assert_eq!(value_of(&h, header::CACHE_CONTROL), "no-store");
    let csp = value_of(&h, header::CONTENT_SECURITY_POLICY);
    let nonce = csp
        .split_whitespace()
        .find_map(|s| s.strip_prefix("'nonce-")?.strip_suffix('\''))
        .unwrap_or_else(|| panic!("no nonce in {csp}"));
    assert!(body.contains("<script"), "{body}");
    assert!(body.contains(&format!("nonce=\"{nonce}\"")), "{body}");
    // A fresh nonce for every answer.
    let (_, again, _) = patrol.get("/").await;
    assert_ne!(value_of(&again, header::CONTENT_SECURITY_POLICY), csp);
}

#[tokio::test]
async fn unknown_paths_are_404_json_under_the_api_and_a_page_elsewhere() {
    let patrol = InProcess::new(&[]).await;
    for path in ["/api/v1/nope", "/api/v1/clusters/a/b/c/d"] {
        let (status, h, body) = patrol.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_protected(path, &h);
        assert!(
            value_of(&h, header::CONTENT_TYPE).starts_with("application/json"),
            "{path}"
        );
        let body: Value = serde_json::from_str(&body).expect("JSON");
        assert!(says(&body["error"], "no API route"), "{body}");
    }
    let (status, h, body) = patrol.get("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_protected("a page's 404", &h);
    assert!(
        value_of(&h, header::CONTENT_TYPE).starts_with("text/html"),
        "{body}"
    );
}

#[tokio::test]
async fn the_sign_in_form_refuses_a_post_from_another_site() {
    let hash = app::auth::password::hash("s3cret").expect("hash a password");
    let patrol = InProcess::new(&["--admin-password-hash", &hash]).await;
    let post = |origin: &str| {
        Request::builder()
            .method(Method::POST)
            .uri("/api/sign_in")
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("user=admin&password=s3cret"))
            .expect("a request")
    };
    // Another site, and this console by another scheme: refused, no cookie.
    for origin in ["https://evil.example", "https://127.0.0.1:8000"] {
        let (status, h, body) = patrol.send(post(origin)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{origin}: {body}");
        assert!(h.get(header::SET_COOKIE).is_none(), "{origin}");
    }
    // The console's own origin signs in.
    let (status, h, body) = patrol.send(post("http://127.0.0.1:8000")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(h.get(header::SET_COOKIE).is_some(), "{body}");
}

#[tokio::test]
async fn the_changes_of_an_unknown_cluster_or_a_bad_limit_are_refused_in_words() {
    let patrol = InProcess::new(&[]).await;
    for (path, status, says_what) in [
        (
            "/api/v1/clusters/pg/nobody/changes",
            StatusCode::NOT_FOUND,
            "nobody",
        ),
        (
            "/api/v1/clusters/pg/nobody/changes?limit=0",
            StatusCode::BAD_REQUEST,
            "limit must be 1 to 1000",
        ),
        (
            "/api/v1/clusters/pg/nobody/changes?limit=5000",
            StatusCode::BAD_REQUEST,
            "limit must be 1 to 1000, not 5000",
        ),
    ] {
        let (got, h, body) = patrol.get(path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(
            value_of(&h, header::CONTENT_TYPE).starts_with("application/json"),
            "{path}"
        );
        let body: Value = serde_json::from_str(&body).expect("JSON");
        assert!(says(&body["error"], says_what), "{path}: {body}");
    }
}
