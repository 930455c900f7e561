//! The test bed's quorum cluster (`synchronous_mode: quorum`,
//! `synchronous_node_count: 1`, quorum-3 tagged `nosync`): Patrol reads the
//! mode and the `sync` key's voters and quorum, names the voters as
//! patronictl does, and its switchover preflight refuses the candidate that
//! Patroni refuses. Changes nothing when Patroni refuses as expected; runs
//! in the cluster-changes group because it asks Patroni for a switchover.

use crate::common;

use std::time::Duration;

use common::admin::{candidate, until_key, Admin};
use common::testbed;
use serde_json::{json, Value};

/// The voters the `sync` key names.
fn voters(cluster: &Value) -> Vec<String> {
    cluster["sync_standbys"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn quorum_mode_is_read_and_the_preflight_refuses_what_patroni_refuses() {
    let admin = Admin::start(true);
    let pf = admin
        .preflight_until(
            "db/quorum",
            "switchover",
            "a leader and two candidates",
            |p| p["leader"].is_string() && p["candidates"].as_array().map(Vec::len) == Some(2),
        )
        .await;
    let leader = pf["leader"].as_str().expect("a leader").to_owned();
    assert_ne!(leader, "quorum-3", "quorum-3 leads: restart the test bed");

    let url = format!("{}/api/v1/clusters/db/quorum", admin.patrol.url);
    let (status, cluster) = testbed::get(&url).await;
    assert_eq!(status, 200, "{cluster}");
    let cluster = &cluster;
    assert_eq!(cluster["sync_mode"], "quorum", "{cluster}");
    assert_eq!(cluster["synchronous_mode"], true, "{cluster}");
    assert_eq!(cluster["synchronous_node_count"], 1, "{cluster}");
    assert!(cluster["sync_quorum"].is_u64(), "{cluster}");
    let voters = voters(cluster);
    assert!(!voters.is_empty(), "{cluster}");
    assert!(
        !voters.contains(&"quorum-3".to_owned()),
        "nosync: {cluster}"
    );
    for m in cluster["members"].as_array().expect("members") {
        let name = m["name"].as_str().unwrap_or_default();
        let want = if name == leader {
            "leader"
        } else if voters.iter().any(|v| v == name) {
            "quorum_standby"
        } else {
            "replica"
        };
        assert_eq!(m["role"], want, "{name}: {cluster}");
    }

    // A voter may be promoted; quorum-3, outside the voters, may not.
    for v in &voters {
        let c = candidate(&pf, v);
        assert_eq!(c["eligible"], true, "{c}");
    }
    let q3 = candidate(&pf, "quorum-3");
    assert_eq!(q3["eligible"], false, "{q3}");
    assert!(
        q3["reasons"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r.as_str()
                == Some("sync: not a quorum standby: quorum mode promotes only those"))),
        "{q3}"
    );

    // Patroni, asked directly, refuses quorum-3 too: the leader stays.
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{}/switchover", testbed::rest_url(&leader)))
        .json(&json!({ "leader": leader, "candidate": "quorum-3" }))
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .expect("Patroni answers");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    eprintln!("Patroni on a switchover to quorum-3: {status} {text}");
    assert_ne!(status, 200, "Patroni switched over to quorum-3: {text}");
    until_key("/db/quorum/failover", Duration::from_secs(20), |v| {
        v.is_none_or(|v| !v.contains("quorum-3"))
    })
    .await;
    assert_eq!(
        testbed::value("/db/quorum/leader").as_deref(),
        Some(leader.as_str()),
        "the leader stayed"
    );
}
