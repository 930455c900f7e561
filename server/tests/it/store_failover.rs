//! A store on the test bed's pg-meta cluster, named by all three members'
//! addresses: Patrol writes only to the primary, and when an admin switches
//! pg-meta over (so the store's own primary moves under the action that is
//! being recorded) the after record still lands, the chain stays whole and
//! the next action is recorded on the new primary.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::admin::{eligible, until_key, Admin};
use crate::common::says;
use crate::common::testbed::{self, pg_port, psql, Deadline, OnDrop};

const MEMBERS: [&str; 3] = ["pg-meta-1", "pg-meta-2", "pg-meta-3"];

/// Flags for a store in database `db` on every pg-meta member.
fn store_flags(dir: &std::path::Path, db: &str) -> Vec<String> {
    let hosts: Vec<String> = MEMBERS
        .iter()
        .map(|m| format!("127.0.0.1:{}", pg_port(m)))
        .collect();
    let password = dir.join("store-password");
    std::fs::write(&password, "patrol-super\n").expect("password file");
    vec![
        "--store".into(),
        format!("postgres://postgres@{}/{db}", hosts.join(",")),
        "--store-password-file".into(),
        password.to_string_lossy().into_owned(),
    ]
}

/// The records of `action` in the audit, once its after record is there.
async fn after_record(admin: &Admin, action: &str) -> Value {
    let wait = Deadline::new(Duration::from_secs(40), format!("{action}'s after record"));
    loop {
        let audit = admin.audit().await;
        let records = audit["records"].as_array().cloned().unwrap_or_default();
        if let Some(after) = records
            .iter()
            .find(|r| r["action"] == action && r["phase"] == "after")
        {
            assert_eq!(audit["verified"]["ok"], true, "{audit}");
            return after.clone();
        }
        wait.check(&audit).await;
    }
}

/// Drops the store's database on pg-meta's primary of the moment.
struct DropDb(String);

impl Drop for DropDb {
    fn drop(&mut self) {
        if let Some(member) = testbed::value("/pg/pg-meta/leader") {
            drop(OnDrop {
                member,
                sql: format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.0),
            });
        }
    }
}

#[tokio::test]
async fn the_store_follows_its_primary_through_a_switchover_recorded_in_it() {
    let leader = testbed::value("/pg/pg-meta/leader").expect("pg-meta has a leader");
    let db = format!("patrol_store_{}", std::process::id());
    psql(&leader, &format!("CREATE DATABASE {db}")).await;
    let _drop = DropDb(db.clone());
    let dir = crate::common::TempDir::new("store-failover");
    let mut more = store_flags(dir.path(), &db);
    more.extend(["--patroni-rest".to_owned(), testbed::patroni_rest_file()]);
    let more: Vec<&str> = more.iter().map(String::as_str).collect();
    let admin = Admin::start_with(&more);
    admin.patrol.wait_reachable(Duration::from_secs(20)).await;
    let on = format!("127.0.0.1:{}", pg_port(&leader));
    assert!(
        admin.patrol.log().contains(&on),
        "the store should be on {leader} ({on}):\n{}",
        admin.patrol.log()
    );

    // Switch pg-meta over through Patrol: the audit's own primary moves.
    // CREATE DATABASE above wrote megabytes of WAL, and the replicas report
    // catching up only at their next Patroni loop: a candidate the preflight
    // found eligible may be refused as lagging until then, so ask again.
    let wait = Deadline::new(Duration::from_secs(60), "a switchover Patroni accepts");
    let (to, body) = loop {
        let pf = admin
            .preflight_until("pg/pg-meta", "switchover", "an eligible candidate", |p| {
                p["blockers"] == json!([]) && eligible(p).is_some()
            })
            .await;
        let to = eligible(&pf).expect("eligible");
        let revision = pf["revision"].as_i64().expect("revision");
        let ask = json!({ "candidate": to, "confirm": "pg-meta", "revision": revision });
        let (status, body) = admin
            .post("/api/v1/clusters/pg/pg-meta/switchover", ask)
            .await;
        if status == 200 {
            break (to, body);
        }
        assert!(says(&body["error"], "cannot take over"), "{status}: {body}");
        wait.check(&body).await;
    };
    assert_eq!(body["accepted"], true, "{body}");
    until_key("/pg/pg-meta/leader", Duration::from_secs(30), |v| {
        v == Some(to.as_str())
    })
    .await;
    let moved = Instant::now();

    let after = after_record(&admin, "switchover").await;
    assert_eq!(after["outcome"]["status"], 200, "{after}");
    assert_eq!(after["params"]["candidate"], to.as_str(), "{after}");

    // The next action is recorded on the new primary.
    let key = format!("/patrol-test/store-failover/{}", std::process::id());
    let put = json!({ "key": key, "value": "after the switchover", "revision": 0, "confirm": key });
    let wait = Deadline::new(Duration::from_secs(30), "a key write after the switchover");
    loop {
        let (status, answer) = admin
            .call(Method::PUT, "/api/v1/kv/value", put.clone())
            .await;
        if status == 200 {
            break;
        }
        assert_eq!(
            status, 503,
            "only an unreachable store may refuse: {answer}"
        );
        wait.check(&answer).await;
    }
    println!(
        "store primary {leader} -> {to}: an audited write succeeded {} ms after the leader key moved",
        moved.elapsed().as_millis()
    );
    testbed::ctl(&["del", &key]);
    after_record(&admin, "kv-put").await;
    let log = admin.patrol.log();
    assert!(log.contains("the store's primary moved"), "{log}");
    println!(
        "the switchover's after record waited for the store: {}",
        log.contains("the after record waits for the store")
    );
    let on_new = psql(&to, "SELECT pg_is_in_recovery()").await;
    assert_eq!(on_new, "f", "{to} should be the primary now");
}
