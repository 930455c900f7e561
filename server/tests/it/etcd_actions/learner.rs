//! A learner added, started, promoted and removed through the API on a
//! throwaway cluster, and a removal that costs the fault tolerance refused
//! without an override.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::etcd_admin::EtcdAdmin;
use crate::common::free_port;
use crate::common::says;
use crate::scratch::{ready, Cluster};

/// Asks again (20 s at most) while etcd refuses with a 409 whose words
/// contain `busy`: a fresh cluster is "unhealthy" to etcd's strict
/// reconfiguration check for 5 s, a new learner not "in sync" for a while.
pub async fn patiently<F, Fut>(busy: &str, mut ask: F) -> (u16, Value)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = (u16, Value)>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (code, body) = ask().await;
        let waiting = code == 409 && body["error"].as_str().is_some_and(|e| e.contains(busy));
        if !waiting || Instant::now() > deadline {
            return (code, body);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn a_learner_is_added_started_promoted_and_removed() {
    let mut cluster = Cluster::start("api-learner", 3, &[]);
    ready(&cluster.gateway(), 3).await;
    let admin = EtcdAdmin::start(&cluster.endpoints().join(","));
    let peer = format!("http://127.0.0.1:{}", free_port());
    let ask = json!({ "name": "m4", "peer_urls": [peer], "confirm": "m4" });
    let (code, added) = patiently("unhealthy", || admin.post("/members", ask.clone())).await;
    assert_eq!(code, 200, "{added}");
    let id = added["id"].as_str().unwrap_or_default().to_owned();
    let initial = added["initial_cluster"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(initial.contains(&format!("m4={peer}")), "{added}");
    let env = added["env"].to_string();
    assert!(
        env.contains("ETCD_INITIAL_CLUSTER_STATE=existing"),
        "{added}"
    );

    cluster.join("m4", &peer, &initial);
    admin
        .status_until("m4 answers as a learner", |s| {
            EtcdAdmin::named(s, "m4")
                .is_some_and(|m| m["healthy"] == true && m["is_learner"] == true)
        })
        .await;
    let promote = format!("/members/{id}/promote");
    let (code, body) = admin.post(&promote, json!({ "confirm": "m3" })).await;
    assert_eq!(code, 400, "{body}");
    let (code, body) = patiently("sync", || admin.post(&promote, json!({ "confirm": "m4" }))).await;
    assert_eq!(code, 200, "{body}");
    let status = admin
        .status_until("m4 votes", |s| {
            EtcdAdmin::member(s, "m4")["is_learner"] == false
        })
        .await;
    assert_eq!(status["quorum"]["voting"], 4);
    let (code, body) = admin.post(&promote, json!({ "confirm": "m4" })).await;
    assert_eq!(code, 409, "a voting member is promoted no further: {body}");

    // 4 voting members to 3: it can still lose one.
    let remove = format!("/members/{id}?confirm=m4");
    let (code, body) = patiently("unhealthy", || {
        admin.call(Method::DELETE, &remove, Value::Null)
    })
    .await;
    assert_eq!(code, 200, "{body}");
    admin
        .status_until("m4 is gone", |s| {
            s["members"].as_array().is_some_and(|ms| ms.len() == 3)
        })
        .await;

    // 3 to 2 could not lose another: not without the override.
    let status = admin.status().await;
    let m3 = EtcdAdmin::member(&status, "m3")["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let path = format!("/members/{m3}");
    let (code, body) = admin
        .call(Method::DELETE, &path, json!({ "confirm": "m3" }))
        .await;
    assert_eq!(code, 412, "{body}");
    assert!(says(&body["error"], "override"), "{body}");
    let (code, body) = admin
        .call(Method::DELETE, &path, json!({ "confirm": "m2" }))
        .await;
    assert_eq!(code, 400, "{body}");
}
