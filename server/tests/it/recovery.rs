//! etcd going away and coming back: Patrol keeps serving, says so, and
//! recovers by itself.

use crate::common;

use std::time::Duration;

use common::{Etcd, Patrol, TempDir};

const MEMBER: &str = r#"{"conn_url":"postgres://127.0.0.1:5998/postgres","api_url":"http://127.0.0.1:8998/patroni","state":"running","role":"primary","timeline":1}"#;

#[tokio::test]
async fn serves_while_etcd_is_down_and_recovers_without_restart() {
    let dir = TempDir::new("recovery");
    let mut etcd = Etcd::start(dir.path());
    etcd.ctl(&["put", "/db/crashy/leader", "crashy-1"]);
    etcd.ctl(&["put", "/db/crashy/members/crashy-1", MEMBER]);
    let patrol = Patrol::start(&[
        "--endpoints",
        &etcd.endpoint,
        "--dial-timeout",
        "1s",
        "--command-timeout",
        "2s",
    ]);
    patrol.wait_reachable(Duration::from_secs(10)).await;

    etcd.kill();
    let down = patrol
        .wait_health(Duration::from_secs(20), |h| h["etcd"]["reachable"] == false)
        .await;
    assert_eq!(down["status"], "degraded");
    assert!(
        down["etcd"]["error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "{down}"
    );
    // The last state seen stays visible, and the page still renders.
    let clusters = patrol.json("/api/v1/clusters").await;
    assert_eq!(clusters[0]["leader"], "crashy-1");
    let (_, page) = patrol.text("/").await;
    assert!(page.contains("etcd is unreachable"), "the page says so");

    etcd.resume();
    etcd.ctl(&["put", "/db/crashy/leader", "crashy-2"]);
    patrol.wait_reachable(Duration::from_secs(30)).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let clusters = patrol.json("/api/v1/clusters").await;
        if clusters[0]["leader"] == "crashy-2" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "new leader never arrived: {clusters}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn starts_and_serves_with_etcd_never_reachable() {
    let port = common::free_port();
    let patrol = Patrol::start(&[
        "--endpoints",
        &format!("http://127.0.0.1:{port}"),
        "--dial-timeout",
        "1s",
    ]);
    let health = patrol
        .wait_health(Duration::from_secs(15), |h| !h["etcd"]["error"].is_null())
        .await;
    assert_eq!(health["etcd"]["reachable"], false);
    assert_eq!(health["etcd"]["cluster_id"], serde_json::Value::Null);
    let page = reqwest::get(&patrol.url).await.expect("page");
    assert!(page.status().is_success());
    let html = page.text().await.expect("html");
    assert!(html.contains("has not reached etcd"), "{html}");
}
