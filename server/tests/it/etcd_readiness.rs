//! Upgrade readiness against real etcd: the test bed's three members agree
//! (and Patrol's hashes are the ones `etcdctl endpoint hashkv` gives at the
//! same revision), and a throwaway cluster with the v2 API on, v2 keys and
//! a learner shows each warning.

use std::time::Duration;

use app::etcd::membership::add_learner;
use app::etcd::readiness::{check, V2Store};
use serde_json::Value;

use crate::common::testbed::ctl;
use crate::common::{etcdctl, free_port, install_tls_provider, testbed_endpoints, Patrol};
use crate::scratch::{when_settled, Cluster};

/// `etcdctl endpoint hashkv --rev` at one member: (hash, compact revision).
fn etcdctl_hashkv(client_url: &str, revision: i64) -> (u64, i64) {
    let out = etcdctl(
        client_url,
        &[],
        &[
            "endpoint",
            "hashkv",
            &format!("--rev={revision}"),
            "-w",
            "json",
        ],
    );
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let h = &v[0]["HashKV"];
    (
        h["hash"].as_u64().expect("hash"),
        h["compact_revision"].as_i64().unwrap_or(0),
    )
}

#[tokio::test]
async fn testbed_members_agree_and_match_etcdctl() {
    let patrol = Patrol::start(&["--endpoints", &testbed_endpoints()]);
    let r = patrol.json("/api/v1/etcd/readiness").await;
    let readings = r["hashes"]["readings"].as_array().expect("readings");
    assert_eq!(readings.len(), 3, "{r:#}");
    assert_eq!(r["hashes"]["mismatches"], Value::Array(vec![]), "{r:#}");
    let revision = r["hashes"]["revision"].as_i64().expect("a revision");
    assert!(revision > 0);
    let status = patrol.json("/api/v1/etcd/status").await;
    for reading in readings {
        let hash = reading["hash"]
            .as_u64()
            .unwrap_or_else(|| panic!("not checked: {reading:#}"));
        let member = status["members"]
            .as_array()
            .and_then(|ms| ms.iter().find(|m| m["id"] == reading["member_id"]))
            .unwrap_or_else(|| panic!("{reading:#} not in {status:#}"));
        let url = member["client_urls"][0].as_str().expect("client URL");
        let (want, compact) = etcdctl_hashkv(url, revision);
        assert_eq!(
            (hash, reading["compact_revision"].as_i64()),
            (want, Some(compact)),
            "{url}"
        );
    }

    let versions = r["versions"]["members"].as_array().expect("versions");
    assert_eq!(versions.len(), 3);
    assert!(
        versions
            .iter()
            .all(|v| v["version"].as_str().is_some_and(|v| v.starts_with("3.4."))),
        "{r:#}"
    );
    assert_eq!(r["versions"]["cluster"], "3.4.0");
    assert_eq!(r["learners"], serde_json::json!({ "count": 0, "max": 1 }));
    assert_eq!(r["v2"]["state"], "off", "{r:#}");
    assert!(r["v2"]["endpoint"]
        .as_str()
        .is_some_and(|e| testbed_endpoints().contains(e)));

    // Shared: a second question within the interval gets the same check.
    let again = patrol.json("/api/v1/etcd/readiness").await;
    assert_eq!(again["read_at_ms"], r["read_at_ms"]);
    // The test bed's etcd was only read.
    assert!(ctl(&["member", "list"]).lines().count() == 3);
}

#[tokio::test]
async fn v2_keys_and_a_learner_at_the_limit_are_warned_about() {
    // Patrol's HTTP clients need the crypto provider its main installs.
    install_tls_provider();
    let (cluster, gw, _) = Cluster::start_ready("readiness", 1, &["--enable-v2=true"]).await;
    let endpoint = cluster.members[0].client.clone();
    let http = reqwest::Client::new();
    for key in ["patrol/a", "patrol/b", "solo"] {
        let resp = http
            .put(format!("{endpoint}/v2/keys/{key}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("value=x")
            .send()
            .await
            .expect("v2 put");
        assert!(resp.status().is_success(), "{}", resp.status());
    }
    let peer = format!("http://127.0.0.1:{}", free_port());
    when_settled(|| add_learner(&gw, "m2", std::slice::from_ref(&peer)))
        .await
        .expect("add learner");

    let r = tokio::time::timeout(Duration::from_secs(20), check(&gw))
        .await
        .expect("in time")
        .expect("readiness");
    // Directory patrol, its two keys, and solo.
    assert_eq!(
        r.v2,
        V2Store::Data {
            endpoint: endpoint.clone(),
            keys: 4,
            more: false
        }
    );
    assert_eq!((r.learners.count, r.learners.at_limit()), (1, true));
    let warnings = r.warnings();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].contains("refuses to start"), "{warnings:?}");
    assert!(warnings[1].contains("promote or remove"), "{warnings:?}");
    // The learner has not started: not checked, which is no mismatch.
    assert_eq!(r.hashes.readings.len(), 2, "{:#?}", r.hashes);
    assert_eq!(r.hashes.checked(), 1);
    assert!(r.hashes.mismatches.is_empty());
    let silent = r
        .hashes
        .readings
        .iter()
        .find(|x| x.hash.is_none())
        .expect("the learner");
    assert!(
        silent
            .error
            .as_deref()
            .is_some_and(|e| e.contains("not started")),
        "{silent:?}"
    );
    assert!(
        r.hashes.words().ends_with("1 not checked"),
        "{}",
        r.hashes.words()
    );
}
