//! Admin sign-in: password hashes made by `patrol hash-password`, sessions,
//! tokens, the sign-in rate limit, and the read-only switches.

use crate::common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::says;
use common::store::Postgres;
use common::{testbed_endpoints, Patrol, TempDir};
use reqwest::StatusCode;
use serde_json::{json, Value};

const TOKEN: &str = "auth-test-token-0123456789";

/// `patrol hash-password` with `input` on standard input.
fn hash_password(input: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_patrol"))
        .arg("hash-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn patrol hash-password");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).expect("write password");
    }
    child.wait_with_output().expect("hash-password output")
}

/// Patrol with an admin password (`s3cret pass`), a token file and `extra`.
fn admin_patrol(dir: &TempDir, extra: &[&str]) -> Patrol {
    let out = hash_password("s3cret pass\n");
    assert!(out.status.success(), "{out:?}");
    let phc = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(phc.starts_with("$argon2id$"), "{phc}");
    let tokens = dir.path().join("tokens");
    std::fs::write(&tokens, format!("# scripts\n\n{TOKEN}\n")).expect("token file");
    let endpoints = testbed_endpoints();
    let tokens = tokens.to_string_lossy().into_owned();
    let mut args = vec![
        "--endpoints",
        &endpoints,
        "--admin-password-hash",
        &phc,
        "--admin-token-file",
        &tokens,
    ];
    args.extend_from_slice(extra);
    Patrol::start(&args)
}

async fn sign_in(
    http: &reqwest::Client,
    patrol: &Patrol,
    user: &str,
    password: &str,
) -> reqwest::Response {
    http.post(format!("{}/api/v1/session", patrol.url))
        .json(&json!({ "username": user, "password": password }))
        .send()
        .await
        .expect("POST /api/v1/session")
}

/// The session cookie a sign-in set, checked to be `HttpOnly`, strict and
/// for the whole site, and to have `also`: the whole `Set-Cookie` and the
/// `name=value` to send back.
fn session_cookie(signed_in: &reqwest::Response, also: &str) -> (String, String) {
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    for part in [
        "patrol_session=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        also,
    ] {
        assert!(cookie.contains(part), "{part} missing in {cookie}");
    }
    let session = cookie.split(';').next().expect("name=value").to_owned();
    (cookie, session)
}

/// `GET /api/v1/session` with one header (a cookie or a token): who Patrol
/// takes the caller for.
async fn session_with(http: &reqwest::Client, patrol: &Patrol, name: &str, value: &str) -> Value {
    let resp = http
        .get(format!("{}/api/v1/session", patrol.url))
        .header(name, value)
        .send()
        .await
        .expect("GET /api/v1/session");
    resp.json().await.expect("JSON")
}

/// Checks that `session` (a cookie as `name=value`) is the admin's until
/// `sign_out` is sent with it: its answer clears the cookie, after which
/// the old cookie signs no one in. The status of that answer.
async fn signed_in_until(
    http: &reqwest::Client,
    patrol: &Patrol,
    session: &str,
    sign_out: reqwest::RequestBuilder,
) -> StatusCode {
    let me = session_with(http, patrol, "cookie", session).await;
    assert_eq!(me["admin"], "admin", "{me}");
    let out = sign_out
        .header("cookie", session)
        .send()
        .await
        .expect("sign out");
    assert!(out.headers()["set-cookie"]
        .to_str()
        .is_ok_and(|c| c.contains("Max-Age=0")));
    let after = session_with(http, patrol, "cookie", session).await;
    assert_eq!(
        after["admin"],
        Value::Null,
        "the old cookie must not work after sign-out"
    );
    out.status()
}

#[tokio::test]
async fn sign_in_sets_a_strict_http_only_cookie_and_sign_out_ends_it() {
    let dir = TempDir::new("auth");
    let patrol = admin_patrol(&dir, &[]);
    let http = reqwest::Client::new();
    let anon = patrol.json("/api/v1/session").await;
    assert_eq!(
        anon,
        json!({ "admin": null, "read_only": false, "sign_in_available": true })
    );

    let wrong = sign_in(&http, &patrol, "admin", "guess").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let body: Value = wrong.json().await.expect("JSON");
    assert!(
        says(&body["error"], "wrong user name or password"),
        "{body}"
    );
    assert_eq!(
        sign_in(&http, &patrol, "root", "s3cret pass")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    let ok = sign_in(&http, &patrol, "admin", "s3cret pass").await;
    assert_eq!(ok.status(), StatusCode::OK);
    let (cookie, session) = session_cookie(&ok, "Max-Age=28800");
    assert!(
        !cookie.contains("Secure"),
        "plain-http Patrol must not mark it Secure: {cookie}"
    );
    let sign_out = http.delete(format!("{}/api/v1/session", patrol.url));
    signed_in_until(&http, &patrol, &session, sign_out).await;
    // The password and the hash never reach the log.
    let log = patrol.log();
    assert!(
        !log.contains("s3cret") && !log.contains("argon2id"),
        "{log}"
    );
}

/// A sign-in attempt from `client` as a trusted proxy on 127.0.0.1 forwards it.
async fn sign_in_via_proxy(
    http: &reqwest::Client,
    patrol: &Patrol,
    client: &str,
    password: &str,
) -> (StatusCode, std::time::Duration) {
    let started = std::time::Instant::now();
    let resp = http
        .post(format!("{}/api/v1/session", patrol.url))
        .header("x-forwarded-for", client)
        .json(&json!({ "username": "admin", "password": password }))
        .send()
        .await
        .expect("POST /api/v1/session");
    (resp.status(), started.elapsed())
}

#[tokio::test]
async fn failed_sign_ins_slow_an_address_down_but_never_lock_the_admin_out() {
    let dir = TempDir::new("auth-rate");
    let patrol = admin_patrol(&dir, &["--trusted-proxy", "127.0.0.1"]);
    let http = reqwest::Client::new();
    let attacker = "203.0.113.66";
    // Five failures cost nothing; then attempts from that address wait
    // their turn, one second, then two, each failure doubling it.
    for _ in 0..6 {
        let (status, _) = sign_in_via_proxy(&http, &patrol, attacker, "nope").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // (Bounds allow for the time the checks themselves take; without the
    // slowdown an attempt takes a few tens of milliseconds.)
    let (status, took) = sign_in_via_proxy(&http, &patrol, attacker, "nope").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(took >= std::time::Duration::from_millis(700), "{took:?}");
    // The right password from the same address is slowed, never refused.
    let (status, took) = sign_in_via_proxy(&http, &patrol, attacker, "s3cret pass").await;
    assert_eq!(status, StatusCode::OK);
    assert!(took >= std::time::Duration::from_millis(1500), "{took:?}");
    // Another client behind the same proxy was never slowed by it.
    for _ in 0..6 {
        sign_in_via_proxy(&http, &patrol, attacker, "nope").await;
    }
    let (status, took) = sign_in_via_proxy(&http, &patrol, "198.51.100.7", "s3cret pass").await;
    assert_eq!(status, StatusCode::OK);
    assert!(took < std::time::Duration::from_millis(900), "{took:?}");
}

#[tokio::test]
async fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
    let dir = TempDir::new("auth-proxy");
    // No --trusted-proxy: X-Forwarded-For is the client's own invention, so
    // changing it does not escape the slowdown of the real address.
    let patrol = admin_patrol(&dir, &[]);
    let http = reqwest::Client::new();
    for i in 0..7 {
        let (status, _) = sign_in_via_proxy(&http, &patrol, &format!("192.0.2.{i}"), "nope").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, took) = sign_in_via_proxy(&http, &patrol, "192.0.2.200", "s3cret pass").await;
    assert_eq!(status, StatusCode::OK);
    assert!(took >= std::time::Duration::from_millis(900), "{took:?}");
    let log = patrol.log();
    assert!(log.contains("source=Some(127.0.0.1)"), "{log}");
    assert!(!log.contains("192.0.2."), "{log}");
}

#[tokio::test]
async fn tokens_identify_scripts_and_read_only_says_so() {
    let dir = TempDir::new("auth-token");
    let patrol = admin_patrol(&dir, &["--read-only"]);
    let http = reqwest::Client::new();
    let me = session_with(
        &http,
        &patrol,
        "authorization",
        "Bearer auth-test-token-0123456789",
    )
    .await;
    assert_eq!(
        me,
        json!({ "admin": "token", "read_only": true, "sign_in_available": true })
    );
    let forged = session_with(
        &http,
        &patrol,
        "authorization",
        "Bearer auth-test-token-0123456780",
    )
    .await;
    assert_eq!(forged["admin"], Value::Null);
}

#[tokio::test]
async fn without_credentials_patrol_is_read_only() {
    let patrol = Patrol::start(&["--endpoints", &testbed_endpoints()]);
    let access = patrol.json("/api/v1/session").await;
    assert_eq!(access["sign_in_available"], false);
    let resp = sign_in(&reqwest::Client::new(), &patrol, "admin", "anything").await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[test]
fn hash_password_refuses_an_empty_password_and_bad_hashes_are_refused_at_start() {
    let out = hash_password("\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty password"));
    let out = Command::new(env!("CARGO_BIN_EXE_patrol"))
        .args(["--admin-password-hash", "plain-text-password"])
        .output()
        .expect("run patrol");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--admin-password-hash") && err.contains("hash-password"),
        "{err}"
    );
    assert!(
        !err.contains("plain-text-password"),
        "the value must not be echoed: {err}"
    );
}

/// POSTs the sign-in page's form (`user`, `password`) to its server function.
async fn form_sign_in(http: &reqwest::Client, patrol: &Patrol, body: &str) -> reqwest::Response {
    http.post(format!("{}/api/sign_in", patrol.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .expect("POST /api/sign_in")
}

#[tokio::test]
async fn the_sign_in_form_shares_the_cookie_and_the_slowdown_with_the_rest_route() {
    let dir = TempDir::new("auth-form");
    let patrol = admin_patrol(&dir, &["--secure-cookies"]);
    let http = reqwest::Client::new();

    let wrong = form_sign_in(&http, &patrol, "user=admin&password=guess-4711").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let text = wrong.text().await.expect("body");
    assert!(text.contains("wrong user name or password"), "{text}");
    assert!(
        !text.contains("guess-4711"),
        "the password must not be echoed: {text}"
    );

    let ok = form_sign_in(&http, &patrol, "user=admin&password=s3cret%20pass").await;
    assert_eq!(ok.status(), StatusCode::OK);
    let (_, session) = session_cookie(&ok, "Secure");
    let sign_out = http.post(format!("{}/api/sign_out", patrol.url));
    let status = signed_in_until(&http, &patrol, &session, sign_out).await;
    assert_eq!(status, StatusCode::OK);

    // The sign-in above cleared the address's failures. Six on the REST
    // route: the form's next attempt waits its turn like the REST route's
    // would, then signs in.
    for _ in 0..6 {
        assert_eq!(
            sign_in(&http, &patrol, "admin", "nope").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let started = std::time::Instant::now();
    let slowed = form_sign_in(&http, &patrol, "user=admin&password=s3cret%20pass").await;
    assert_eq!(slowed.status(), StatusCode::OK);
    let took = started.elapsed();
    assert!(took >= std::time::Duration::from_millis(700), "{took:?}");
    assert!(!patrol.log().contains("s3cret"));
}

#[tokio::test]
async fn a_foreign_page_cannot_post_the_sign_in_form() {
    let dir = TempDir::new("auth-form-origin");
    let patrol = admin_patrol(&dir, &[]);
    let http = reqwest::Client::new();
    let host = patrol.url.trim_start_matches("http://").to_owned();
    let post = |origin: String, password: &str| {
        http.post(format!("{}/api/sign_in", patrol.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", origin)
            .body(format!("user=admin&password={password}"))
            .send()
    };
    // From another site or scheme: the right password is refused without a
    // cookie, and wrong ones count no failure against the address.
    for origin in ["https://evil.example".to_owned(), format!("https://{host}")] {
        let resp = post(origin.clone(), "s3cret%20pass").await.expect("POST");
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{origin}");
        assert!(resp.headers().get("set-cookie").is_none(), "{origin}");
        for _ in 0..8 {
            let resp = post(origin.clone(), "guess").await.expect("POST");
            assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{origin}");
        }
    }
    // Sixteen counted failures would make this wait seconds.
    let started = std::time::Instant::now();
    let ok = post(patrol.url.clone(), "s3cret%20pass")
        .await
        .expect("POST");
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.headers().get("set-cookie").is_some());
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_millis(500), "{took:?}");
}

/// POSTs a mutating route with the session cookie and the given headers;
/// returns the status. The route needs an audit record, which this
/// Patrol's store (turned read-only) refuses, so passing the admin and
/// Origin checks answers 503.
async fn pause_with(
    http: &reqwest::Client,
    patrol: &Patrol,
    session: &str,
    headers: &[(&str, String)],
) -> StatusCode {
    let mut req = http
        .post(format!("{}/api/v1/clusters/pg/pg-meta/pause", patrol.url))
        .header("cookie", session)
        .json(&json!({ "confirm": "pg-meta" }));
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    req.send().await.expect("POST pause").status()
}

/// Signs in to `patrol` and returns the session cookie as `name=value`.
async fn session_of(http: &reqwest::Client, patrol: &Patrol) -> String {
    let ok = sign_in(http, patrol, "admin", "s3cret pass").await;
    let cookie = ok.headers()["set-cookie"].to_str().expect("cookie");
    cookie.split(';').next().expect("name=value").to_owned()
}

#[tokio::test]
async fn cookie_requests_must_come_from_this_consoles_origin_scheme_and_all() {
    common::install_tls_provider();
    let http = reqwest::Client::new();
    let forbidden = StatusCode::FORBIDDEN;
    // Past the admin and Origin checks: refused only because the store
    // cannot take the audit record.
    let passed = StatusCode::SERVICE_UNAVAILABLE;
    let https = ("x-forwarded-proto", "https".to_owned());

    let dir = TempDir::new("auth-origin");
    let pg = Postgres::start();
    let db = pg.create_db();
    let store = pg.flags(&db);
    let store: Vec<&str> = store.iter().map(String::as_str).collect();
    let patrol = admin_patrol(&dir, &store);
    let session = session_of(&http, &patrol).await;
    pg.make_read_only(&db);
    let host = patrol.url.trim_start_matches("http://").to_owned();
    let ip = host.split(':').next().unwrap_or_default().to_owned();
    let cases: Vec<(Vec<(&str, String)>, StatusCode)> = vec![
        (vec![], forbidden),
        (vec![("origin", "http://evil.example".into())], forbidden),
        // Same host and port, other scheme: another origin.
        (vec![("origin", format!("https://{host}"))], forbidden),
        (vec![("origin", format!("http://{ip}:1"))], forbidden),
        (vec![("origin", format!("http://{host}"))], passed),
        // A forwarded scheme is ignored from a proxy that is not trusted.
        (
            vec![("origin", format!("https://{host}")), https.clone()],
            forbidden,
        ),
    ];
    for (headers, want) in &cases {
        let got = pause_with(&http, &patrol, &session, headers).await;
        assert_eq!(got, *want, "{headers:?}");
    }

    // Behind a trusted TLS proxy, https:// is this console's scheme.
    let dir = TempDir::new("auth-origin-proxy");
    let db = pg.create_db();
    let mut flags = pg.flags(&db);
    flags.extend(["--trusted-proxy".to_owned(), "127.0.0.1".to_owned()]);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let patrol = admin_patrol(&dir, &flags);
    let session = session_of(&http, &patrol).await;
    pg.make_read_only(&db);
    let host = patrol.url.trim_start_matches("http://").to_owned();
    let cases = vec![
        (
            vec![("origin", format!("https://{host}")), https.clone()],
            passed,
        ),
        (vec![("origin", format!("http://{host}")), https], forbidden),
    ];
    for (headers, want) in &cases {
        let got = pause_with(&http, &patrol, &session, headers).await;
        assert_eq!(got, *want, "{headers:?}");
    }
}
