//! Editing a cluster's dynamic configuration through Patrol, against the
//! test bed's `mycluster` (its Patroni REST API asks for credentials): the
//! preview's diff and checks, the edit applied by Patroni and seen in etcd,
//! a stale revision refused with nothing changed, bad proposals refused
//! before Patroni is asked. Puts `maximum_lag_on_failover` back at the end.

use crate::common;

use std::time::Duration;

use common::admin::{actions_done, expect_status, until_key, Admin};
use common::testbed;
use reqwest::Method;
use serde_json::{json, Value};

const BASE: &str = "/api/v1/clusters/db/mycluster/config";
const KEY: &str = "/db/mycluster/config";
/// What the test bed bootstraps `mycluster` with.
const BOOTSTRAPPED: u64 = 1_048_576;
const EDITED: u64 = 2_097_152;

/// The configuration and its revision, as the editor opens it.
async fn open(admin: &Admin) -> (Value, i64) {
    let (status, view) = admin.call(Method::GET, BASE, Value::Null).await;
    assert_eq!(status, 200, "{view}");
    let text = view["text"].as_str().expect("text");
    let config = serde_json::from_str(text).expect("the editor's text is JSON");
    (config, view["revision"].as_i64().expect("revision"))
}

/// `config` with `maximum_lag_on_failover` set to `lag`.
fn with_lag(config: &Value, lag: u64) -> Value {
    let mut c = config.clone();
    c["maximum_lag_on_failover"] = json!(lag);
    c
}

/// Edits the lag to `lag` through Patrol and waits for etcd to hold it.
async fn edit_lag(admin: &Admin, lag: u64) -> Value {
    let (config, revision) = open(admin).await;
    let body =
        json!({"config": with_lag(&config, lag), "confirm": "mycluster", "revision": revision});
    let outcome = expect_status(BASE, admin.call(Method::PATCH, BASE, body).await, 200);
    assert_eq!(outcome["accepted"], true, "{outcome}");
    assert_eq!(outcome["action"], "edit-config", "{outcome}");
    until_key(KEY, Duration::from_secs(20), |v| {
        v.and_then(|v| serde_json::from_str::<Value>(v).ok())
            .is_some_and(|c| c["maximum_lag_on_failover"] == json!(lag))
    })
    .await;
    outcome
}

#[tokio::test]
async fn an_edit_is_previewed_applied_by_patroni_and_pinned_to_its_revision() {
    let admin = Admin::start(true);
    let (config, _) = open(&admin).await;
    if config["maximum_lag_on_failover"] != json!(BOOTSTRAPPED) {
        edit_lag(&admin, BOOTSTRAPPED).await; // an earlier run stopped half-way
    }
    let (config, before) = open(&admin).await;

    // The preview: the diff, no findings, nothing needing a restart.
    let preview_path = format!("{BASE}/preview");
    let proposal = with_lag(&config, EDITED);
    let preview = admin
        .answers(&preview_path, json!({ "config": proposal }), 200)
        .await;
    assert_eq!(preview["revision"], before, "{preview}");
    assert_eq!(preview["errors"], json!([]), "{preview}");
    assert_eq!(preview["blockers"], json!([]), "{preview}");
    assert_eq!(preview["restart"], json!([]), "{preview}");
    let changed: Vec<(&str, &str)> = preview["diff"]
        .as_array()
        .expect("diff")
        .iter()
        .filter(|l| l["change"] != "Same")
        .map(|l| {
            (
                l["change"].as_str().unwrap_or_default(),
                l["text"].as_str().unwrap_or_default().trim(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        vec![
            ("Removed", "\"maximum_lag_on_failover\": 1048576,"),
            ("Added", "\"maximum_lag_on_failover\": 2097152,"),
        ],
        "{preview}"
    );
    let patch: Value =
        serde_json::from_str(preview["patch"].as_str().expect("patch")).expect("JSON");
    assert_eq!(patch, json!({"maximum_lag_on_failover": EDITED}));

    // The wrong confirmation changes nothing.
    let wrong = json!({"config": proposal, "confirm": "pg-meta", "revision": before});
    expect_status(BASE, admin.call(Method::PATCH, BASE, wrong).await, 400);

    // Applied: Patroni answers, etcd holds it, Patroni serves it.
    edit_lag(&admin, EDITED).await;
    let rest = format!("{}/config", testbed::rest_url("mycluster-1"));
    let (status, served) = testbed::get(&rest).await;
    assert_eq!(status, 200, "{served}");
    assert_eq!(served["maximum_lag_on_failover"], json!(EDITED), "{served}");

    // A second editor that opened the configuration before is refused,
    // and etcd keeps the first edit.
    let stale =
        json!({"config": with_lag(&config, 3_145_728), "confirm": "mycluster", "revision": before});
    let answer = expect_status(BASE, admin.call(Method::PATCH, BASE, stale).await, 409);
    assert!(
        common::says(&answer["error"], "changed since the editor read it"),
        "{answer}"
    );
    let held: Value =
        serde_json::from_str(&testbed::value(KEY).expect("config key")).expect("JSON");
    assert_eq!(held["maximum_lag_on_failover"], json!(EDITED), "{held}");

    // Recorded, with the patch.
    let audit = admin.audit().await;
    assert!(
        actions_done(&audit).iter().any(|a| a == "edit-config"),
        "{audit}"
    );
    let records = audit["records"].as_array().expect("records");
    let record = records
        .iter()
        .find(|r| r["action"] == "edit-config" && r["phase"] == "before")
        .expect("a before record");
    assert_eq!(
        record["params"]["patch"],
        json!({"maximum_lag_on_failover": EDITED}),
        "{record}"
    );

    edit_lag(&admin, BOOTSTRAPPED).await;
}

#[tokio::test]
async fn bad_proposals_are_refused_before_patroni_is_asked() {
    let admin = Admin::start(true);
    let (config, revision) = open(&admin).await;
    let held_before = testbed::value(KEY);
    let send =
        |config: Value| json!({"config": config, "confirm": "mycluster", "revision": revision});

    let not_json = json!({"config": "{\"ttl\": 30,", "confirm": "mycluster", "revision": revision});
    let answer = expect_status(BASE, admin.call(Method::PATCH, BASE, not_json).await, 400);
    assert!(common::says(&answer["error"], "not valid JSON"), "{answer}");

    let mut typo = config.clone();
    typo["ttl"] = json!("thirty");
    let answer = expect_status(BASE, admin.call(Method::PATCH, BASE, send(typo)).await, 400);
    assert!(
        common::says(&answer["error"], "ttl: \"thirty\" is not a whole number"),
        "{answer}"
    );

    let answer = expect_status(
        BASE,
        admin.call(Method::PATCH, BASE, send(config.clone())).await,
        412,
    );
    assert!(
        common::says(&answer["error"], "nothing changes"),
        "{answer}"
    );

    // A parameter that needs a restart is named; a misspelt one is warned.
    let mut restart = config.clone();
    restart["postgresql"]["parameters"]["max_connections"] = json!(77);
    restart["postgresql"]["parameters"]["max_conections"] = json!(77);
    let preview = admin
        .answers(
            &format!("{BASE}/preview"),
            json!({ "config": restart }),
            200,
        )
        .await;
    assert_eq!(preview["restart"], json!(["max_connections"]), "{preview}");
    let warnings = preview["warnings"].to_string();
    assert!(
        warnings.contains("max_conections is not a parameter Patrol knows"),
        "{preview}"
    );

    assert_eq!(testbed::value(KEY), held_before, "nothing was written");
}
