//! A 4th member joins the test bed's own etcd as a learner through the
//! API, starts, is promoted and removed again, so the test bed ends as it
//! began. Runs alone with the other tests that change the test bed (see
//! .config/nextest.toml): Patroni and the other tests see 4 members
//! meanwhile.

use reqwest::Method;
use serde_json::{json, Value};

use super::learner::patiently;
use crate::common::admin::actions_done;
use crate::common::etcd_admin::EtcdAdmin;
use crate::common::{etcdctl, free_port, testbed_endpoints};
use crate::scratch::Joiner;

const NAME: &str = "patrol-learner";

/// Removes the member with etcdctl should the test stop half-way, before
/// its process goes: a dead voting member would leave the test bed's etcd
/// unable to lose another.
struct Cleanup {
    id: Option<String>,
    joiner: Option<Joiner>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let _ = std::process::Command::new("etcdctl")
                .env("ETCDCTL_API", "3")
                .env_remove("ETCDCTL_ENDPOINTS")
                .arg(format!("--endpoints={}", testbed_endpoints()))
                .args(["member", "remove", &id])
                .output();
        }
        self.joiner.take();
    }
}

#[tokio::test]
async fn a_learner_joins_the_test_bed_is_promoted_and_removed() {
    let admin = EtcdAdmin::start(&testbed_endpoints());
    let status = admin.status().await;
    assert_eq!(
        status["quorum"]["voting"], 3,
        "the test bed as started: {status}"
    );
    assert_eq!(
        status["members"].as_array().map(Vec::len),
        Some(3),
        "{status}"
    );

    let peer = format!("http://127.0.0.1:{}", free_port());
    let ask = json!({ "name": NAME, "peer_urls": [peer], "confirm": NAME });
    let (code, added) = patiently("unhealthy", || admin.post("/members", ask.clone())).await;
    assert_eq!(code, 200, "{added}");
    let id = added["id"].as_str().unwrap_or_default().to_owned();
    let mut cleanup = Cleanup {
        id: Some(id.clone()),
        joiner: None,
    };
    let initial = added["initial_cluster"].as_str().unwrap_or_default();
    assert!(initial.contains(&format!("{NAME}={peer}")), "{added}");
    cleanup.joiner = Some(Joiner::start(NAME, &peer, initial));

    let status = admin
        .status_until("the learner answers", |s| {
            EtcdAdmin::named(s, NAME).is_some_and(|m| m["healthy"] == true)
        })
        .await;
    assert_eq!(EtcdAdmin::member(&status, NAME)["is_learner"], true);
    assert_eq!(
        status["quorum"]["voting"], 3,
        "a learner does not vote: {status}"
    );

    let promote = format!("/members/{id}/promote");
    let (code, body) = patiently("sync", || admin.post(&promote, json!({ "confirm": NAME }))).await;
    assert_eq!(code, 200, "{body}");
    let status = admin
        .status_until("4 voting members", |s| s["quorum"]["voting"] == 4)
        .await;
    assert_eq!(status["quorum"]["can_lose"], 1, "{status}");

    let remove = format!("/members/{id}?confirm={NAME}");
    let (code, body) = patiently("unhealthy", || {
        admin.call(Method::DELETE, &remove, Value::Null)
    })
    .await;
    assert_eq!(code, 200, "{body}");
    cleanup.id = None;
    admin
        .status_until("back to 3", |s| {
            s["members"].as_array().is_some_and(|ms| ms.len() == 3)
                && s["quorum"]["healthy_voting"] == 3
        })
        .await;
    drop(cleanup);
    let list = etcdctl(&testbed_endpoints(), &[], &["member", "list"]);
    assert!(!list.contains(NAME), "{list}");

    let url = format!("{}/api/v1/audit", admin.patrol.url);
    let audit = crate::common::testbed::get(&url).await.1;
    let done = actions_done(&audit);
    assert_eq!(
        done,
        ["etcd-remove-member", "etcd-promote", "etcd-add-learner"],
        "newest first: {audit}"
    );
}
