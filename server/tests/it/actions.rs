//! Guarded cluster actions against the real test bed, with an admin token:
//! each is seen to take effect in etcd, and each refusal (confirmation,
//! stale revision, Patroni's own) comes back as the README says.
//! These tests change the clusters: nextest runs them one at a time
//! (.config/nextest.toml).

use crate::common;

use std::time::Duration;

use common::admin::{candidate, eligible, until_key, Admin};
use common::says;
use reqwest::Method;
use serde_json::{json, Value};

const PG: &str = "/api/v1/clusters/pg/pg-meta";
const DB: &str = "/api/v1/clusters/db/mycluster";

fn records<'a>(audit: &'a Value, action: &str) -> Vec<&'a Value> {
    audit["records"]
        .as_array()
        .map(|rs| rs.iter().filter(|r| r["action"] == action).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn switchover_is_confirmed_pinned_carried_out_and_recorded() {
    let admin = Admin::start(true);
    let pf = admin
        .preflight_until("pg/pg-meta", "switchover", "an eligible candidate", |p| {
            p["blockers"] == json!([]) && eligible(p).is_some()
        })
        .await;
    let leader = pf["leader"].as_str().expect("a leader").to_owned();
    let to = eligible(&pf).expect("eligible");
    let revision = pf["revision"].as_i64().expect("revision is a number");
    assert_eq!(pf["candidates"].as_array().map(Vec::len), Some(2), "{pf}");

    let switchover = format!("{PG}/switchover");
    for (confirm, candidate, refusal) in [
        ("pg", to.as_str(), r#"type "pg-meta""#),
        ("pg-meta", "nobody", "not a replica"),
    ] {
        let body = json!({ "candidate": candidate, "confirm": confirm, "revision": revision });
        admin.refused(&switchover, body, 400, refusal).await;
    }

    let started = std::time::Instant::now();
    let ask = json!({ "candidate": to, "confirm": "pg-meta", "revision": revision });
    let body = admin.answers(&switchover, ask, 200).await;
    assert_eq!(body["accepted"], true, "{body}");
    assert_eq!(body["expect"]["kind"], "new_leader", "{body}");
    until_key("/pg/pg-meta/leader", Duration::from_secs(30), |v| {
        v == Some(to.as_str())
    })
    .await;
    eprintln!(
        "switchover {leader} -> {to}: leader key moved {:?} after the request",
        started.elapsed()
    );

    // Patrol saw it happen and keeps it: the leader key leaving the old
    // leader and reaching the new one (through no leader, or at once),
    // and the new leader's role.
    let changed = |c: &Value, kind: &str, side: &str, name: &str| {
        c["kind"] == kind && c[side].as_str() == Some(name)
    };
    let changes = admin
        .changes_until("pg/pg-meta", "the switchover among the changes", |cs| {
            cs.iter().any(|c| changed(c, "leader_changed", "to", &to))
                && cs
                    .iter()
                    .any(|c| changed(c, "leader_changed", "from", &leader))
                && cs.iter().any(|c| {
                    c["member"] == to.as_str() && changed(c, "role_changed", "to", "leader")
                })
        })
        .await;
    eprintln!("changes seen: {}", json!(changes));

    // The same decision again rests on a leader that is gone.
    let again = json!({ "candidate": leader, "confirm": "pg-meta", "revision": revision });
    let moved = format!("leader was {leader}, is now {to}");
    admin.refused(&switchover, again, 409, &moved).await;

    let audit = admin.audit().await;
    assert_eq!(audit["verified"]["ok"], true, "{audit}");
    let done = records(&audit, "switchover");
    assert_eq!(done.len(), 2, "one before, one after: {audit}");
    let after = done
        .iter()
        .find(|r| r["phase"] == "after")
        .expect("after record");
    assert_eq!(after["target"], "pg/pg-meta");
    assert_eq!(after["actor"], "token (token)");
    assert_eq!(after["source"], "127.0.0.1");
    assert_eq!(after["outcome"]["status"], 200, "{after}");
    assert_eq!(after["params"]["candidate"], to.as_str());
    assert!(after["preflight"]["candidates"].is_array(), "{after}");
    assert!(
        after["revision_after"].as_i64() > after["revision_before"].as_i64(),
        "{after}"
    );
}

#[tokio::test]
async fn a_scheduled_switchover_is_written_to_etcd_and_cancelled() {
    let admin = Admin::start(true);
    let pf = admin
        .preflight_until("pg/pg-meta", "switchover", "an eligible candidate", |p| {
            eligible(p).is_some()
        })
        .await;
    let revision = pf["revision"].as_i64().expect("revision");
    let switchover = format!("{PG}/switchover");
    let at = |when| json!({ "scheduled_at": when, "confirm": "pg-meta", "revision": revision });
    let past = (chrono::Utc::now() - chrono::Duration::minutes(5)).to_rfc3339();
    admin
        .refused(&switchover, at(past), 400, "not in the future")
        .await;

    let future = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let body = admin.answers(&switchover, at(future), 202).await;
    assert_eq!(
        body["expect"],
        json!({ "kind": "scheduled", "present": true })
    );
    let key = until_key("/pg/pg-meta/failover", Duration::from_secs(10), |v| {
        v.is_some_and(|v| v.contains("scheduled_at"))
    })
    .await;
    eprintln!("failover key: {key:?}");

    let cancel_url = format!("{PG}/switchover?confirm=pg-meta");
    let cancel = || admin.call(Method::DELETE, &cancel_url, Value::Null);
    let (status, body) = cancel().await;
    assert_eq!(status, 200, "{body}");
    until_key("/pg/pg-meta/failover", Duration::from_secs(10), |v| {
        v.is_none_or(|v| !v.contains("scheduled_at"))
    })
    .await;
    let (status, body) = cancel().await;
    assert_eq!(status, 412, "nothing left to cancel: {body}");
}

#[tokio::test]
async fn pause_and_resume_with_rest_credentials_and_a_stale_revision() {
    let admin = Admin::start(true);
    let pf = admin.preflight("db/mycluster", "switchover").await;
    assert_eq!(pf["paused"], false, "mycluster starts unpaused: {pf}");
    let seen = pf["revision"].as_i64().expect("revision");

    let confirm = json!({ "confirm": "mycluster" });
    let pause = format!("{DB}/pause");
    admin.answers(&pause, confirm.clone(), 200).await;
    until_key("/db/mycluster/config", Duration::from_secs(10), |v| {
        v.is_some_and(|v| v.contains(r#""pause":true"#) || v.contains(r#""pause": true"#))
    })
    .await;
    // Already paused: nothing to do.
    admin.answers(&pause, confirm.clone(), 412).await;

    let to = eligible(&pf).unwrap_or_else(|| "mycluster-2".into());
    admin
        .refused(
            &format!("{DB}/switchover"),
            json!({ "candidate": to, "confirm": "mycluster", "revision": seen }),
            409,
            "paused since",
        )
        .await;

    admin
        .answers(&format!("{DB}/resume"), confirm.clone(), 200)
        .await;
    until_key("/db/mycluster/config", Duration::from_secs(10), |v| {
        v.is_some_and(|v| !v.contains(r#""pause""#))
    })
    .await;

    let kinds = |cs: &[Value]| -> Vec<String> {
        cs.iter()
            .filter_map(|c| c["kind"].as_str().map(str::to_owned))
            .collect()
    };
    let seen = admin
        .changes_until(
            "db/mycluster",
            "the pause and resume among the changes",
            |cs| {
                let k = kinds(cs);
                k.contains(&"paused".to_owned()) && k.contains(&"resumed".to_owned())
            },
        )
        .await;
    // Newest first: the resume came after the pause.
    let k = kinds(&seen);
    let at = |kind: &str| k.iter().position(|x| x == kind);
    assert!(at("resumed") < at("paused"), "{k:?}");

    // Without Patroni's credentials, Patroni's refusal comes back verbatim.
    let bare = Admin::start(false);
    let body = bare.answers(&pause, confirm, 502).await;
    assert_eq!(body["status"], 401, "{body}");
    assert!(says(&body["explanation"], "--patroni-rest"), "{body}");
    eprintln!("Patroni's 401 body: {}", body["body"]);
    assert!(!testbed_paused(), "nothing changed");
}

fn testbed_paused() -> bool {
    common::testbed::value("/db/mycluster/config").is_some_and(|v| v.contains(r#""pause""#))
}

#[tokio::test]
async fn failover_promotes_the_named_sync_standby() {
    let admin = Admin::start(true);
    let pf = admin
        .preflight_until(
            "db/mycluster",
            "failover",
            "an eligible sync standby",
            |p| eligible(p).is_some(),
        )
        .await;
    let old = pf["leader"].as_str().expect("leader").to_owned();
    let to = eligible(&pf).expect("eligible");
    assert!(
        candidate(&pf, &to)["checks"]
            .as_array()
            .is_some_and(|cs| cs.iter().any(|c| c["name"] == "sync" && c["ok"] == true)),
        "{pf}"
    );
    let ask = json!({ "candidate": to, "confirm": "mycluster", "revision": pf["revision"] });
    let body = admin.answers(&format!("{DB}/failover"), ask, 200).await;
    until_key("/db/mycluster/leader", Duration::from_secs(30), |v| {
        v == Some(to.as_str())
    })
    .await;
    eprintln!("failover {old} -> {to}: {}", body["body"]);
}
