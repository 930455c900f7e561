//! Standby clusters against the real test bed: the `standby` cluster
//! (namespace /db) follows quorum-1. Patrol shows its standby leader and
//! its source, promotes it (audit pair, a primary of its own), demotes it
//! back to follow quorum-1 (a standby leader again, its replica
//! streaming, a row written on quorum-1 arriving), and refuses what Patroni
//! 4.1 and patronictl refuse. It changes a cluster: nextest runs it in the
//! cluster-changes group, and a guard demotes the cluster back to follow
//! quorum-1 even when the test fails.

use crate::common;

use std::process::Command;
use std::time::Duration;

use common::admin::Admin;
use common::testbed::{self, psql, Deadline, OnDrop};
use serde_json::{json, Value};

const SB: &str = "/api/v1/clusters/db/standby";
const SOURCE_HOST: &str = "127.0.0.1";
/// quorum's leader from the test bed's start; it must be a primary, since
/// Patroni checks a demoted cluster's diverged timeline only against one.
const SOURCE_MEMBER: &str = "quorum-1";

/// The member key of `name` in the standby cluster, parsed.
fn member_key(name: &str) -> Value {
    testbed::value(&format!("/db/standby/members/{name}"))
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or(Value::Null)
}

/// `(leader, its role, its state)` as etcd holds them.
fn leader_now() -> (String, String, String) {
    let leader = testbed::value("/db/standby/leader").unwrap_or_default();
    let m = member_key(&leader);
    let text = |k: &str| m[k].as_str().unwrap_or_default().to_owned();
    (leader, text("role"), text("state"))
}

fn is_standby_config() -> bool {
    testbed::value("/db/standby/config").is_some_and(|c| {
        serde_json::from_str::<Value>(&c).is_ok_and(|v| v["standby_cluster"].is_object())
    })
}

/// Puts the standby cluster back to following quorum-1 when dropped, if a
/// failed test left it promoted (patronictl waits until it is done).
struct Demoted;

impl Drop for Demoted {
    fn drop(&mut self) {
        if is_standby_config() {
            return;
        }
        let port = testbed::pg_port(SOURCE_MEMBER).to_string();
        let config = testbed::dir().join("standby-1/patroni.yml");
        let out = Command::new(testbed::patronictl())
            .arg("-c")
            .arg(&config)
            .args([
                "demote-cluster",
                "standby",
                "--force",
                "--host",
                SOURCE_HOST,
            ])
            .args(["--port", &port])
            .output();
        match out {
            Ok(o) if o.status.success() => {
                eprintln!("standby: demoted back to follow {SOURCE_MEMBER}")
            }
            Ok(o) => eprintln!(
                "standby: could not demote it back, do it by hand: {}",
                String::from_utf8_lossy(&o.stderr)
            ),
            Err(e) => eprintln!("standby: could not run patronictl ({e}); demote it by hand"),
        }
    }
}

/// Waits until the leader key is held by a running member in `role`, and
/// every other member streams (Patroni's `replication_state`).
async fn settled_as(role: &str, within: Duration) -> String {
    let wait = Deadline::new(
        within,
        format!("the standby cluster led by a running {role}"),
    );
    loop {
        let (leader, r, state) = leader_now();
        let others: Vec<_> = ["standby-1", "standby-2"]
            .into_iter()
            .filter(|m| *m != leader)
            .map(|m| (m, member_key(m)["replication_state"].clone()))
            .collect();
        // A standby leader streams from the source itself.
        let own = member_key(&leader)["replication_state"].clone();
        let fed = role != "standby_leader" || own == "streaming";
        if r == role && state == "running" && fed && others.iter().all(|(_, s)| s == "streaming") {
            return leader;
        }
        wait.check(format!("leader {leader:?} {r} {state}; others {others:?}"))
            .await;
    }
}

async fn preflight(admin: &Admin, cluster: &str, verb: &str) -> (i64, Value) {
    let p = admin.preflight(cluster, verb).await;
    (p["revision"].as_i64().expect("revision"), p)
}

fn audit_pair(audit: &Value, action: &str) -> Vec<String> {
    audit["records"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["action"] == action && r["target"] == "db/standby")
        .map(|r| r["phase"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_standby_cluster_is_shown_promoted_and_demoted_back_through_patrol() {
    assert_eq!(
        testbed::value("/db/quorum/leader").as_deref(),
        Some(SOURCE_MEMBER),
        "the standby cluster's source must lead quorum (a demoted cluster rewinds only against a \
         primary): switch quorum over to {SOURCE_MEMBER} or restart the test bed"
    );
    let admin = Admin::start(true);
    let _guard = Demoted;
    settled_as("standby_leader", Duration::from_secs(120)).await;

    // Shown as a standby cluster, with its source (and no more than the
    // four keys of the section).
    let (status, c) = testbed::get(&format!("{}{SB}", admin.patrol.url)).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["standby_cluster"], true, "{c}");
    let port = testbed::pg_port(SOURCE_MEMBER).to_string();
    assert_eq!(
        c["standby_source"],
        json!({ "host": SOURCE_HOST, "port": port, "primary_slot_name": null, "restore_command": null }),
        "{c}"
    );
    let leader = c["leader"].as_str().expect("leader").to_owned();
    let role = c["members"].as_array().and_then(|ms| {
        ms.iter()
            .find(|m| m["name"] == leader.as_str())
            .map(|m| m["role"].clone())
    });
    assert_eq!(role, Some(json!("standby_leader")), "{c}");

    // Refusals: demoting a standby cluster, promoting one that is not,
    // a demote that names no source, a wrong confirmation.
    let (rev, pf) = preflight(&admin, "db/standby", "demote").await;
    assert!(
        pf["blockers"]
            .to_string()
            .contains("already a standby cluster"),
        "{pf}"
    );
    let source = json!({ "host": SOURCE_HOST, "port": testbed::pg_port(SOURCE_MEMBER) });
    let demote = |revision: i64, extra: Value| {
        let mut body = json!({ "confirm": "standby", "revision": revision });
        for (k, v) in source
            .as_object()
            .into_iter()
            .flatten()
            .chain(extra.as_object().into_iter().flatten())
        {
            body[k] = v.clone();
        }
        body
    };
    admin
        .refused(
            &format!("{SB}/demote"),
            demote(rev, json!({})),
            412,
            "already a standby cluster",
        )
        .await;
    admin
        .refused(
            &format!("{SB}/demote"),
            json!({ "confirm": "standby", "revision": rev, "primary_slot_name": "x" }),
            400,
            "host, port or restore_command",
        )
        .await;
    admin
        .refused(
            &format!("{SB}/demote"),
            demote(rev, json!({ "port": 70000 })),
            400,
            "1–65535",
        )
        .await;
    let (pg_rev, pg_pf) = preflight(&admin, "pg/pg-meta", "promote").await;
    assert!(
        pg_pf["blockers"]
            .to_string()
            .contains("already runs on its own"),
        "{pg_pf}"
    );
    admin
        .refused(
            "/api/v1/clusters/pg/pg-meta/promote",
            json!({ "confirm": "pg-meta", "revision": pg_rev }),
            412,
            "already runs on its own",
        )
        .await;

    let (rev, pf) = preflight(&admin, "db/standby", "promote").await;
    assert_eq!(pf["blockers"], json!([]), "{pf}");
    admin
        .refused(
            &format!("{SB}/promote"),
            json!({ "confirm": "standb", "revision": rev }),
            400,
            "confirmation does not match",
        )
        .await;
    assert!(is_standby_config(), "nothing was changed by a refusal");

    // Promote: the standby leader becomes a primary of its own.
    let out = admin
        .answers(
            &format!("{SB}/promote"),
            json!({ "confirm": "standby", "revision": rev }),
            200,
        )
        .await;
    assert_eq!(out["accepted"], true, "{out}");
    assert_eq!(
        out["expect"],
        json!({ "kind": "cluster_role", "role": "leader" }),
        "{out}"
    );
    let primary = settled_as("primary", Duration::from_secs(90)).await;
    assert_eq!(psql(&primary, "SELECT pg_is_in_recovery()").await, "f");
    assert_eq!(audit_pair(&admin.audit().await, "promote_cluster").len(), 2);

    // The promote's revision is stale now: a demote pinned to it is 409.
    admin
        .refused(
            &format!("{SB}/demote"),
            demote(rev, json!({})),
            409,
            "promoted since",
        )
        .await;
    // A promoted cluster is not promoted again.
    let (rev, _) = preflight(&admin, "db/standby", "promote").await;
    admin
        .refused(
            &format!("{SB}/promote"),
            json!({ "confirm": "standby", "revision": rev }),
            412,
            "already runs on its own",
        )
        .await;
    // Its own timeline: a write the source never saw.
    psql(
        &primary,
        "CREATE TABLE IF NOT EXISTS patrol_promoted (x int); DROP TABLE patrol_promoted",
    )
    .await;

    // Demote: it follows quorum-1 again, rewound (or cloned afresh).
    let (rev, pf) = preflight(&admin, "db/standby", "demote").await;
    assert_eq!(pf["blockers"], json!([]), "{pf}");
    let out = admin
        .answers(&format!("{SB}/demote"), demote(rev, json!({})), 200)
        .await;
    assert_eq!(out["accepted"], true, "{out}");
    assert_eq!(
        out["expect"],
        json!({ "kind": "cluster_role", "role": "standby_leader" }),
        "{out}"
    );
    let standby_leader = settled_as("standby_leader", Duration::from_secs(180)).await;
    assert!(is_standby_config());
    assert_eq!(audit_pair(&admin.audit().await, "demote_cluster").len(), 2);

    // Following its source again: a row written on quorum-1 now arrives on
    // both members (on a timeline of its own it never would).
    let token = format!("patrol-{}", std::process::id());
    let _drop_probe = OnDrop {
        member: SOURCE_MEMBER.into(),
        sql: "DROP TABLE IF EXISTS patrol_standby_probe".into(),
    };
    psql(
        SOURCE_MEMBER,
        &format!(
            "CREATE TABLE IF NOT EXISTS patrol_standby_probe (token text); \
             INSERT INTO patrol_standby_probe VALUES ('{token}')"
        ),
    )
    .await;
    let other = if standby_leader == "standby-1" {
        "standby-2"
    } else {
        "standby-1"
    };
    for member in [standby_leader.as_str(), other] {
        let wait = Deadline::new(Duration::from_secs(60), format!("{member} has {token}"));
        // The table and its row came in one transaction: once the table
        // shows, so does the row.
        loop {
            let seen = psql(
                member,
                "SELECT to_regclass('patrol_standby_probe') IS NOT NULL",
            )
            .await;
            if seen == "t" {
                break;
            }
            wait.check(&seen).await;
        }
        let sql = format!("SELECT count(*) FROM patrol_standby_probe WHERE token = '{token}'");
        assert_eq!(psql(member, &sql).await, "1", "{member}");
    }
}
