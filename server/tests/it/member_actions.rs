//! Member actions (reload, restart, reinitialise) and the preflight's
//! refusals (a lagging replica, a `nofailover` one) against the real test
//! bed. They change the clusters: nextest runs them one at a time.

use crate::common;

use std::time::Duration;

use common::admin::{actions_done, candidate, eligible, patroni_status, Admin};
use common::testbed::{self, psql, Deadline, OnDrop, Stopped};
use serde_json::{json, Value};

const PG: &str = "/api/v1/clusters/pg/pg-meta";

/// A replica of pg-meta that is running and caught up, and the leader.
async fn healthy_replica(admin: &Admin) -> (String, String) {
    let pf = admin
        .preflight_until("pg/pg-meta", "switchover", "a caught-up replica", |p| {
            eligible(p).is_some()
        })
        .await;
    let leader = pf["leader"].as_str().expect("leader").to_owned();
    (leader, eligible(&pf).expect("eligible"))
}

fn reasons(c: &Value) -> String {
    c["reasons"].to_string()
}

#[tokio::test]
async fn reload_restart_and_reinitialise_a_replica() {
    let admin = Admin::start(true);
    let (leader, replica) = healthy_replica(&admin).await;
    let url = |verb: &str| format!("{PG}/members/{replica}/{verb}");

    let (status, body) = admin
        .post(&url("reload"), json!({ "confirm": "pg-meta" }))
        .await;
    assert_eq!(
        status, 400,
        "the member's name confirms a member action: {body}"
    );
    let (status, body) = admin
        .post(&url("reload"), json!({ "confirm": replica }))
        .await;
    assert_eq!(status, 202, "{body}");

    let started = patroni_status(&replica).await["postmaster_start_time"].clone();
    assert!(started.is_string(), "{started}");
    let (status, body) = admin
        .post(&url("restart"), json!({ "confirm": replica }))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["expect"],
        json!({ "kind": "member_running", "member": replica })
    );
    let wait = Deadline::new(Duration::from_secs(30), format!("{replica} restarted"));
    loop {
        let s = patroni_status(&replica).await;
        if s["state"] == "running" && s["postmaster_start_time"] != started {
            break;
        }
        wait.check(&s).await;
    }
    let (status, body) = admin
        .post(
            &format!("{PG}/members/{replica}/restart"),
            json!({ "confirm": replica, "pending_only": true }),
        )
        .await;
    eprintln!("restart only if pending, with none pending: {status} {body}");
    assert!(
        !matches!(status, 200..=299),
        "no restart is pending: {body}"
    );

    let (status, body) = admin
        .post(
            &format!("{PG}/members/{leader}/reinitialize"),
            json!({ "confirm": leader }),
        )
        .await;
    assert_eq!(status, 412, "a leader is never reinitialised: {body}");
    let (status, body) = admin
        .post(
            &url("reinitialize"),
            json!({ "confirm": replica, "force": true }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let wait = Deadline::new(
        Duration::from_secs(90),
        format!("{replica} reinitialised and streaming"),
    );
    let mut seen_other = false;
    loop {
        let s = patroni_status(&replica).await;
        seen_other |= s["state"] != "running";
        if seen_other && s["state"] == "running" && s["replication_state"] == "streaming" {
            break;
        }
        wait.check(&s).await;
    }
    let audit = admin.audit().await;
    let actions = actions_done(&audit);
    assert_eq!(
        actions,
        ["reinitialize", "restart", "restart", "reload"],
        "newest first: {audit}"
    );
}

#[tokio::test]
async fn a_lagging_replica_is_refused() {
    let admin = Admin::start(true);
    let (leader, replica) = healthy_replica(&admin).await;
    let table = format!("patrol_refuse_{}", std::process::id());
    let _drop_table = OnDrop {
        member: leader.clone(),
        sql: format!("drop table if exists {table}"),
    };
    let pid = testbed::walreceiver_pid(&replica).expect("a walreceiver");
    let stalled = Stopped::new(pid);
    psql(
        &leader,
        &format!("create table {table} as select g, repeat(md5(g::text), 4) as pad from generate_series(1, 150000) g"),
    )
    .await;
    let pf = admin
        .preflight_until(
            "pg/pg-meta",
            "switchover",
            "the stalled replica refused for lag",
            |p| {
                candidate(p, &replica)["reasons"]
                    .to_string()
                    .contains("lag:")
            },
        )
        .await;
    let c = candidate(&pf, &replica);
    assert_eq!(c["eligible"], false, "{c}");
    let (status, body) = admin
        .post(
            &format!("{PG}/switchover"),
            json!({ "candidate": replica, "confirm": "pg-meta", "revision": pf["revision"] }),
        )
        .await;
    drop(stalled);
    assert_eq!(status, 412, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| e.contains("lag")),
        "{body}"
    );
    eprintln!("refused: {}", reasons(c));
    assert_eq!(
        testbed::value("/pg/pg-meta/leader").as_deref(),
        Some(leader.as_str())
    );
}

/// Sets or clears `nofailover` in a member's patroni.yml and reloads it
/// through Patrol; restores the file when dropped.
struct Tagged {
    path: std::path::PathBuf,
    original: String,
}

impl Drop for Tagged {
    fn drop(&mut self) {
        if std::fs::write(&self.path, &self.original).is_err() {
            eprintln!("restore {} by hand", self.path.display());
        }
    }
}

#[tokio::test]
async fn a_nofailover_replica_is_refused() {
    let admin = Admin::start(true);
    let (_, replica) = healthy_replica(&admin).await;
    let path = testbed::dir().join(&replica).join("patroni.yml");
    let original = std::fs::read_to_string(&path).expect("patroni.yml");
    assert!(
        !original.contains("\ntags:"),
        "the test bed sets no tags: {original}"
    );
    let tagged = Tagged {
        path: path.clone(),
        original: original.clone(),
    };
    std::fs::write(&path, format!("{original}\ntags:\n  nofailover: true\n")).expect("write");
    let reload = format!("{PG}/members/{replica}/reload");
    admin
        .answers(&reload, json!({ "confirm": replica }), 202)
        .await;
    let pf = admin
        .preflight_until(
            "pg/pg-meta",
            "failover",
            "the tagged replica refused",
            // Waits for the tag itself: the replica may be refused for lag
            // for a moment (another test's writes) before the reload lands.
            |p| reasons(candidate(p, &replica)).contains("nofailover: tagged nofailover"),
        )
        .await;
    let c = candidate(&pf, &replica);
    assert!(reasons(c).contains("nofailover: tagged nofailover"), "{c}");
    let ask = json!({ "candidate": replica, "confirm": "pg-meta", "revision": pf["revision"] });
    admin.answers(&format!("{PG}/failover"), ask, 412).await;

    drop(tagged);
    admin
        .answers(&reload, json!({ "confirm": replica }), 202)
        .await;
    admin
        .preflight_until("pg/pg-meta", "failover", "the tag gone again", |p| {
            candidate(p, &replica)["eligible"] == true
        })
        .await;
}
