//! Sessions in the store: a sign-in on one Patrol is valid on another
//! sharing the store, a sign-out on either ends it for both, and a restart
//! no longer signs anyone out.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::admin::password_hash;
use crate::common::store::{sqlite_flags, Postgres};
use crate::common::{testbed_endpoints, Patrol, TempDir};

const PASSWORD: &str = "shared s3cret";

fn start(hash: &str, store: &[String]) -> Patrol {
    let mut args = vec![
        "--endpoints".to_owned(),
        testbed_endpoints(),
        "--admin-password-hash".to_owned(),
        hash.to_owned(),
    ];
    args.extend(store.iter().cloned());
    Patrol::start(&args)
}

/// Signs in on `patrol`; the cookie as `name=value`.
async fn sign_in(http: &reqwest::Client, patrol: &Patrol) -> String {
    let resp = http
        .post(format!("{}/api/v1/session", patrol.url))
        .json(&json!({ "username": "admin", "password": PASSWORD }))
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.status(), StatusCode::OK);
    let cookie = resp.headers()["set-cookie"].to_str().expect("cookie");
    cookie.split(';').next().expect("name=value").to_owned()
}

/// Who `patrol` says the cookie belongs to.
async fn admin_on(http: &reqwest::Client, patrol: &Patrol, cookie: &str) -> Value {
    let resp = http
        .get(format!("{}/api/v1/session", patrol.url))
        .header("cookie", cookie)
        .send()
        .await
        .expect("GET session");
    assert_eq!(resp.status(), StatusCode::OK);
    let access: Value = resp.json().await.expect("JSON");
    access["admin"].clone()
}

async fn sign_out(http: &reqwest::Client, patrol: &Patrol, cookie: &str) {
    let resp = http
        .delete(format!("{}/api/v1/session", patrol.url))
        .header("cookie", cookie)
        .send()
        .await
        .expect("DELETE session");
    assert_eq!(resp.status(), StatusCode::OK);
}

/// Two Patrols on `store`: a sign-in on one counts on the other, and a
/// sign-out on the other ends it on both.
async fn shared(store: &[String]) {
    crate::common::install_tls_provider();
    let http = reqwest::Client::new();
    let hash = password_hash(PASSWORD);
    let a = start(&hash, store);
    let b = start(&hash, store);
    let cookie = sign_in(&http, &a).await;
    assert_eq!(admin_on(&http, &b, &cookie).await, json!("admin"));
    assert_eq!(admin_on(&http, &a, &cookie).await, json!("admin"));
    // A forged cookie is nobody on either.
    assert_eq!(
        admin_on(&http, &b, "patrol_session=0123abcd").await,
        Value::Null
    );
    sign_out(&http, &b, &cookie).await;
    assert_eq!(admin_on(&http, &a, &cookie).await, Value::Null);
    assert_eq!(admin_on(&http, &b, &cookie).await, Value::Null);

    // A restart keeps a session: it lives in the store, not in memory.
    let cookie = sign_in(&http, &a).await;
    drop(a);
    let again = start(&hash, store);
    assert_eq!(admin_on(&http, &again, &cookie).await, json!("admin"));
}

#[tokio::test]
async fn two_patrols_on_one_postgres_share_sign_in_and_sign_out() {
    let pg = Postgres::start();
    let db = pg.create_db();
    shared(&pg.flags(&db)).await;
    // The store holds hashes of tokens, never a token.
    let tokens = pg.psql(&db, "SELECT token_hash FROM patrol_sessions");
    assert!(tokens.lines().all(|t| t.len() == 64), "{tokens}");
}

#[tokio::test]
async fn two_patrols_on_one_sqlite_file_share_sign_in_and_sign_out() {
    let dir = TempDir::new("sessions-sqlite");
    shared(&sqlite_flags(&dir.path().join("patrol.db"))).await;
}
