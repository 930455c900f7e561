//! Every mutating route refuses whoever is not an admin. The routes come
//! from the router itself (`server::api::paths()`) and from the server
//! functions Leptos registered, so a route added later is covered without
//! anyone remembering to list it here.

use crate::common;

use common::admin::{self, TOKEN};
use common::says;
use common::store::Postgres;
use common::{testbed_endpoints, Etcd, Patrol, TempDir};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Requests that change something yet must work without admin: signing in
/// and out.
const ANONYMOUS_OK: &[(&str, &str)] = &[("POST", "/api/v1/session"), ("DELETE", "/api/v1/session")];

/// Server functions that only read (Leptos sends them as POST). A new
/// server function is probed and fails this test until it refuses
/// anonymous callers or is added here on purpose.
const READ_ONLY_SERVER_FNS: &[&str] = &[
    "access",
    "audit",
    "fleet",
    "cluster",
    "keys/list",
    "keys/get",
    "keys/search",
    "keys/history",
    "etcd_status",
    "etcd_readiness",
    "lag-history",
    "changes",
    "actions/switchover-preflight",
    "actions/failover-preflight",
    "actions/flush-preflight",
    "actions/config",
    "actions/demote-preflight",
    "actions/promote-preflight",
    // Signing in and out is for anyone (the sign-in is rate-limited).
    "sign_in",
    "sign_out",
];

/// `{param}` placeholders filled with plausible values.
fn concrete(path: &str) -> String {
    path.replace("{namespace}", "pg")
        .replace("{scope}", "pg-meta")
        .replace("{member}", "pg-meta-2")
        .replace("{id}", "8e9e05c52164694d")
        .replace("{*rest}", "x")
}

/// Every (method, path) the server answers other than GET/HEAD, found by
/// asking each registered path with each mutating method: axum answers 405
/// for a method a path does not have.
async fn mutating_routes(http: &reqwest::Client, patrol: &Patrol) -> Vec<(Method, String)> {
    let mut found = Vec::new();
    for path in server::api::paths() {
        let url = format!("/api/v1{}", concrete(&path));
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let resp = http
                .request(method.clone(), format!("{}{url}", patrol.url))
                .send()
                .await
                .expect("request");
            if resp.status() != StatusCode::METHOD_NOT_ALLOWED {
                found.push((method, url.clone()));
            }
        }
    }
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        let name = path.trim_start_matches("/api/");
        if !READ_ONLY_SERVER_FNS.contains(&name) {
            found.push((method, path.to_owned()));
        }
    }
    found
}

async fn send(
    http: &reqwest::Client,
    patrol: &Patrol,
    (method, path): &(Method, String),
    token: Option<&str>,
) -> (StatusCode, Value) {
    // REST routes take JSON; server functions take their arguments form-encoded.
    let (kind, body) = if path.starts_with("/api/v1/") {
        (
            "application/json",
            r#"{"confirm":"pg-meta","revision":1,"candidate":"pg-meta-2"}"#,
        )
    } else {
        (
            "application/x-www-form-urlencoded",
            "namespace=pg&scope=pg-meta&member=pg-meta-2&config=%7B%7D&request[confirm]=pg-meta&request[revision]=1&request[candidate]=pg-meta-2&request[config]=%7B%7D",
        )
    };
    let mut req = http
        .request(method.clone(), format!("{}{path}", patrol.url))
        .header("content-type", kind)
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let body = resp.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

fn start(dir: &TempDir, extra: &[&str]) -> Patrol {
    let mut args = vec!["--endpoints".to_owned(), testbed_endpoints()];
    args.extend(admin::flags(dir.path()));
    args.extend(extra.iter().map(|&f| f.to_owned()));
    Patrol::start(&args)
}

#[tokio::test]
async fn every_mutating_route_refuses_anonymous_and_read_only_requests() {
    let dir = TempDir::new("guard");
    let patrol = start(&dir, &[]);
    let http = reqwest::Client::new();
    let routes = mutating_routes(&http, &patrol).await;
    let names: Vec<String> = routes.iter().map(|(m, p)| format!("{m} {p}")).collect();
    eprintln!("{} mutating routes:\n{}", routes.len(), names.join("\n"));
    // The guarded actions must be among them: the enumeration sees them.
    for want in [
        "POST /api/v1/clusters/pg/pg-meta/switchover",
        "POST /api/v1/clusters/pg/pg-meta/pause",
        "POST /api/actions/switchover",
        "PATCH /api/v1/clusters/pg/pg-meta/config",
        "POST /api/v1/clusters/pg/pg-meta/demote",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} not found in {names:?}"
        );
    }
    for route in &routes {
        let allowed = ANONYMOUS_OK.contains(&(route.0.as_str(), route.1.as_str()));
        let (status, body) = send(&http, &patrol, route, None).await;
        if allowed {
            assert_ne!(status, StatusCode::UNAUTHORIZED, "{route:?}");
            continue;
        }
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{} {}: {body}",
            route.0,
            route.1
        );
        let message = body.get("error").or_else(|| body.get("Unauthorized"));
        assert!(
            message.is_some_and(|m| m.to_string().contains("sign in")),
            "{} {}: a JSON message: {body}",
            route.0,
            route.1
        );
    }
    drop(patrol);

    // An admin token on a --read-only Patrol: 403 everywhere.
    let patrol = start(&dir, &["--read-only"]);
    for route in &routes {
        if ANONYMOUS_OK.contains(&(route.0.as_str(), route.1.as_str())) {
            continue;
        }
        let (status, body) = send(&http, &patrol, route, Some(TOKEN)).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{} {}: {body}",
            route.0,
            route.1
        );
        assert!(body.to_string().contains("read-only"), "{body}");
    }
    assert!(
        !admin::audit_lines(&patrol.url).await.contains("\"before\""),
        "nothing was attempted, so nothing was recorded"
    );

    drop(patrol);

    // An admin on a Patrol whose store cannot take the audit record (it
    // turned read-only): nothing is done unrecorded, and pages still serve.
    // The action is an alarm disarm on a throwaway etcd, harmless even if
    // it ran.
    let pg = Postgres::start();
    let db = pg.create_db();
    let etcd = Etcd::scratch("guard-store", &[]);
    let mut args = admin::flags(dir.path());
    args.extend(pg.flags(&db));
    args.extend(["--endpoints".to_owned(), etcd.endpoint.clone()]);
    let patrol = Patrol::start(&args);
    pg.make_read_only(&db);
    let url = format!("{}/api/v1/etcd/alarms/disarm", patrol.url);
    let (status, body) = admin::call(
        &http,
        Method::POST,
        &url,
        serde_json::json!({ "confirm": "etcd" }),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE.as_u16(), "{body}");
    assert!(says(&body["error"], "store"), "{body}");
    assert!(says(&body["error"], "read-only"), "{body}");
    assert!(says(&body["error"], "nothing was done"), "{body}");
    let (status, page) = patrol.get("/api/v1/audit").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page["records"],
        serde_json::json!([]),
        "nothing recorded: {page}"
    );
    assert_eq!(patrol.text("/").await.0, 200, "pages still serve");
}
