//! Admin sign-in: password hashes made by `patrol hash-password`, sessions,
//! tokens, the sign-in rate limit, and the read-only switches.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

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
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("wrong user name or password")),
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
    let cookie = ok.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    for part in [
        "patrol_session=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=28800",
    ] {
        assert!(cookie.contains(part), "{part} missing in {cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain-http Patrol must not mark it Secure: {cookie}"
    );
    let session = cookie.split(';').next().expect("name=value").to_owned();
    let me: Value = http
        .get(format!("{}/api/v1/session", patrol.url))
        .header("cookie", &session)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert_eq!(me["admin"], "admin");

    let out = http
        .delete(format!("{}/api/v1/session", patrol.url))
        .header("cookie", &session)
        .send()
        .await
        .expect("DELETE");
    assert!(out.headers()["set-cookie"]
        .to_str()
        .is_ok_and(|c| c.contains("Max-Age=0")));
    let after: Value = http
        .get(format!("{}/api/v1/session", patrol.url))
        .header("cookie", &session)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        after["admin"],
        Value::Null,
        "the old cookie must not work after sign-out"
    );
    // The password and the hash never reach the log.
    let log = patrol.log();
    assert!(
        !log.contains("s3cret") && !log.contains("argon2id"),
        "{log}"
    );
}

#[tokio::test]
async fn five_failed_sign_ins_are_throttled() {
    let dir = TempDir::new("auth-rate");
    let patrol = admin_patrol(&dir, &[]);
    let http = reqwest::Client::new();
    for _ in 0..5 {
        assert_eq!(
            sign_in(&http, &patrol, "admin", "nope").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let blocked = sign_in(&http, &patrol, "admin", "s3cret pass").await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = blocked.headers()["retry-after"]
        .to_str()
        .expect("retry-after")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&wait), "{wait}");
}

#[tokio::test]
async fn tokens_identify_scripts_and_read_only_says_so() {
    let dir = TempDir::new("auth-token");
    let patrol = admin_patrol(&dir, &["--read-only"]);
    let http = reqwest::Client::new();
    let get = |auth: &'static str| {
        http.get(format!("{}/api/v1/session", patrol.url))
            .header("authorization", auth)
            .send()
    };
    let me: Value = get("Bearer auth-test-token-0123456789")
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        me,
        json!({ "admin": "token", "read_only": true, "sign_in_available": true })
    );
    let forged: Value = get("Bearer auth-test-token-0123456780")
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
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
async fn the_sign_in_form_shares_the_cookie_and_the_rate_limit_with_the_rest_route() {
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
    let cookie = ok.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    for part in [
        "patrol_session=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        "Secure",
    ] {
        assert!(cookie.contains(part), "{part} missing in {cookie}");
    }
    let session = cookie.split(';').next().expect("name=value").to_owned();
    let me = |session: String| {
        http.get(format!("{}/api/v1/session", patrol.url))
            .header("cookie", session)
            .send()
    };
    let body: Value = me(session.clone())
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["admin"], "admin");

    let out = http
        .post(format!("{}/api/sign_out", patrol.url))
        .header("cookie", &session)
        .send()
        .await
        .expect("POST /api/sign_out");
    assert_eq!(out.status(), StatusCode::OK);
    assert!(out.headers()["set-cookie"]
        .to_str()
        .is_ok_and(|c| c.contains("Max-Age=0")));
    let body: Value = me(session).await.expect("GET").json().await.expect("JSON");
    assert_eq!(body["admin"], Value::Null);

    // One failure above on the form, four on the REST route: the form is throttled.
    for _ in 0..4 {
        assert_eq!(
            sign_in(&http, &patrol, "admin", "nope").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let blocked = form_sign_in(&http, &patrol, "user=admin&password=s3cret%20pass").await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.headers().contains_key("retry-after"));
    let text = blocked.text().await.expect("body");
    assert!(text.contains("try again in"), "{text}");
    assert!(!patrol.log().contains("s3cret"));
}
