//! Flushing scheduled operations against the real test bed: a restart and
//! a switchover scheduled an hour ahead on pg-meta are cancelled through
//! Patroni, leave etcd and Patrol's view, and are recorded; nothing
//! scheduled, a stale revision and a member that does not answer are each
//! refused or reported as the README says. These tests change the
//! clusters: nextest runs them one at a time (.config/nextest.toml).

use crate::common;

use std::process::Command;
use std::time::Duration;

use common::admin::{until_key, Admin};
use common::testbed::{self, Deadline, ScratchKeys};
use serde_json::{json, Value};

const PG: &str = "/api/v1/clusters/pg/pg-meta";

/// Flushes whatever is scheduled on pg-meta with patronictl, on creation
/// and again when dropped, so the test bed is left with nothing scheduled
/// even when the test fails.
struct NothingScheduled;

impl NothingScheduled {
    fn new() -> NothingScheduled {
        flush_with_patronictl();
        NothingScheduled
    }
}

impl Drop for NothingScheduled {
    fn drop(&mut self) {
        flush_with_patronictl();
    }
}

fn flush_with_patronictl() {
    let config = testbed::dir().join("pg-meta-1").join("patroni.yml");
    for what in ["restart", "switchover"] {
        let out = Command::new(testbed::patronictl())
            .arg("-c")
            .arg(&config)
            .args(["flush", "pg-meta", what, "--force"])
            .output();
        if !out.is_ok_and(|o| o.status.success()) {
            eprintln!("patronictl flush pg-meta {what} failed: flush it by hand");
        }
    }
}

fn member_keys() -> Vec<(String, Value)> {
    testbed::ctl(&["get", "--prefix", "/pg/pg-meta/members/"])
        .lines()
        .collect::<Vec<_>>()
        .chunks(2)
        .filter_map(|kv| {
            let name = kv[0].rsplit('/').next()?.to_owned();
            Some((name, serde_json::from_str(kv.get(1)?).ok()?))
        })
        .collect()
}

async fn flush_preflight(admin: &Admin, what: &str) -> Value {
    let url = format!("{}{PG}/flush/preflight?what={what}", admin.patrol.url);
    let (status, body) = testbed::get(&url).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn a_scheduled_restart_and_switchover_are_flushed_and_recorded() {
    let _clean = NothingScheduled::new();
    let admin = Admin::start(true);
    let flush = format!("{PG}/flush");

    // Nothing scheduled: the preflight says so and the flush is refused.
    let wait = Deadline::new(Duration::from_secs(20), "pg-meta with nothing scheduled");
    let empty = loop {
        let p = flush_preflight(&admin, "all").await;
        if p["scheduled"] == json!([]) {
            break p;
        }
        wait.check(&p).await;
    };
    assert_eq!(
        empty["blockers"],
        json!(["nothing is scheduled for this cluster"])
    );
    let before = empty["revision"].as_i64().expect("revision");
    let ask = |revision: i64, confirm: &str| json!({ "confirm": confirm, "revision": revision, "what": "all" });
    admin
        .refused(&flush, ask(before, "pg-meta"), 412, "nothing is scheduled")
        .await;

    // A restart an hour ahead on a replica, a switchover an hour ahead.
    let leader = testbed::value("/pg/pg-meta/leader").expect("a leader");
    let replica = member_keys()
        .into_iter()
        .map(|(name, _)| name)
        .find(|n| *n != leader)
        .expect("a replica");
    let later = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let restart = json!({ "confirm": replica, "scheduled_at": later, "pending_only": true });
    admin
        .answers(&format!("{PG}/members/{replica}/restart"), restart, 202)
        .await;
    let pf = admin
        .preflight_until(
            "pg/pg-meta",
            "switchover",
            "a switchover preflight without blockers",
            |p| p["blockers"] == json!([]),
        )
        .await;
    let switchover =
        json!({ "confirm": "pg-meta", "revision": pf["revision"], "scheduled_at": later });
    admin
        .answers(&format!("{PG}/switchover"), switchover, 202)
        .await;
    until_key("/pg/pg-meta/failover", Duration::from_secs(10), |v| {
        v.is_some_and(|v| v.contains("scheduled_at"))
    })
    .await;

    // Patrol lists both, with the condition Patroni stored.
    let wait = Deadline::new(
        Duration::from_secs(20),
        "both scheduled operations in the preflight",
    );
    let full = loop {
        let p = flush_preflight(&admin, "all").await;
        if p["scheduled"].as_array().is_some_and(|s| s.len() == 2) {
            break p;
        }
        wait.check(&p).await;
    };
    let ops = &full["scheduled"];
    assert_eq!(ops[0]["kind"], "switchover", "{full}");
    assert_eq!(ops[1]["kind"], "restart", "{full}");
    assert_eq!(ops[1]["member"], replica.as_str(), "{full}");
    assert_eq!(
        ops[1]["details"],
        json!(["only if a restart is pending"]),
        "{full}"
    );
    assert_eq!(full["blockers"], json!([]));
    let restarts_only = flush_preflight(&admin, "restart").await;
    assert_eq!(restarts_only["scheduled"].as_array().map(Vec::len), Some(1));

    // The revision from before they were scheduled no longer holds.
    admin
        .refused(
            &flush,
            ask(before, "pg-meta"),
            409,
            "scheduled operations changed since",
        )
        .await;
    let revision = full["revision"].as_i64().expect("revision");
    admin
        .refused(&flush, ask(revision, "pg"), 400, r#"type "pg-meta""#)
        .await;
    let anonymous = reqwest::Client::new()
        .post(format!("{}{flush}", admin.patrol.url))
        .json(&ask(revision, "pg-meta"))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), 401);

    let started = std::time::Instant::now();
    let done = admin.answers(&flush, ask(revision, "pg-meta"), 200).await;
    let items = done["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{done}");
    assert!(items.iter().all(|i| i["cancelled"] == true), "{done}");
    assert_eq!(items[1]["via"], replica.as_str(), "{done}");

    until_key("/pg/pg-meta/failover", Duration::from_secs(10), |v| {
        v.is_none_or(|v| !v.contains("scheduled_at"))
    })
    .await;
    let wait = Deadline::new(Duration::from_secs(10), "no scheduled_restart in etcd");
    loop {
        let keys = member_keys();
        if keys
            .iter()
            .all(|(_, v)| v.get("scheduled_restart").is_none())
        {
            break;
        }
        wait.check(format!("{keys:?}")).await;
    }
    let wait = Deadline::new(
        Duration::from_secs(10),
        "nothing scheduled in Patrol's view",
    );
    loop {
        let d = admin.patrol.json(PG).await;
        let restarts = d["members"]
            .as_array()
            .is_some_and(|ms| ms.iter().any(|m| !m["scheduled_restart"].is_null()));
        if d["scheduled_switchover"].is_null() && !restarts {
            break;
        }
        wait.check(&d).await;
    }
    eprintln!(
        "flush: both gone from etcd and Patrol's view {:?} after the request",
        started.elapsed()
    );

    let audit = admin.audit().await;
    assert_eq!(audit["verified"]["ok"], true, "{audit}");
    let flushes: Vec<_> = audit["records"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["action"] == "flush")
        .collect();
    assert_eq!(flushes.len(), 2, "one before, one after: {audit}");
    let after = flushes
        .iter()
        .find(|r| r["phase"] == "after")
        .expect("after record");
    assert_eq!(after["target"], "pg/pg-meta");
    assert_eq!(after["params"]["what"], "all");
    assert_eq!(after["outcome"]["status"], 200, "{after}");
    assert_eq!(
        after["preflight"]["scheduled"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn a_member_that_does_not_answer_is_its_own_error() {
    // A cluster of one member whose REST API nobody serves, in a namespace
    // of its own: the flush reports that member, it does not fail whole.
    let _keys = ScratchKeys(vec!["/flush-scratch/".into()]);
    let port = common::free_port();
    let member = json!({
        "conn_url": "postgres://127.0.0.1:1/postgres",
        "api_url": format!("http://127.0.0.1:{port}/patroni"),
        "state": "running",
        "role": "replica",
        "scheduled_restart": { "schedule": "2030-01-01T10:00:00+00:00" },
    });
    testbed::ctl(&[
        "put",
        "/flush-scratch/ghost/members/ghost-1",
        &member.to_string(),
    ]);
    let admin = Admin::start_with(&["--namespace", "/flush-scratch"]);
    let url = format!(
        "{}/api/v1/clusters/flush-scratch/ghost/flush/preflight",
        admin.patrol.url
    );
    let (status, pf) = testbed::get(&url).await;
    assert_eq!(status, 200, "{pf}");
    assert_eq!(pf["scheduled"][0]["member"], "ghost-1", "{pf}");
    let ask = json!({ "confirm": "ghost", "revision": pf["revision"] });
    let body = admin
        .answers("/api/v1/clusters/flush-scratch/ghost/flush", ask, 502)
        .await;
    let item = &body["items"][0];
    assert_eq!(item["cancelled"], false, "{body}");
    assert_eq!(item["via"], "ghost-1", "{body}");
    assert!(
        common::says(&item["explanation"], "could not reach"),
        "{body}"
    );
    assert!(common::says(&body["error"], "could not reach"), "{body}");
}
