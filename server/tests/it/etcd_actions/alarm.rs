//! A NOSPACE alarm seen through the API and disarmed through it once the
//! space is back, on a throwaway etcd with a 2 MiB quota.

use std::time::Duration;

use etcd_client::DeleteOptions;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::etcd_admin::EtcdAdmin;
use crate::scratch::{ready, Cluster};

#[tokio::test]
async fn a_nospace_alarm_is_listed_and_disarmed_once_space_is_freed() {
    let cluster = Cluster::start("api-nospace", 1, &["--quota-backend-bytes=2097152"]);
    let gw = cluster.gateway();
    ready(&gw, 1).await;
    let admin = EtcdAdmin::start(&cluster.endpoints().join(","));
    let mut client = gw.client().await.expect("client");
    // etcd checks the quota against the database file, which grows when a
    // batch commits (every 100 ms): write at a pace it notices.
    let mut full = None;
    for i in 0..300 {
        if let Err(e) = client
            .put(format!("/fill/{i}"), vec![b'x'; 200_000], None)
            .await
        {
            full = Some(e.to_string());
            break;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let full = full.expect("the quota was never reached");
    assert!(full.contains("space exceeded"), "{full}");

    let (code, alarms) = admin.call(Method::GET, "/alarms", Value::Null).await;
    assert_eq!(code, 200, "{alarms}");
    assert_eq!(alarms["alarms"][0]["alarm"], "NOSPACE", "{alarms}");
    let status = admin.status().await;
    assert_eq!(status["alarms"], alarms["alarms"], "{status}");

    let (code, body) = admin
        .post("/alarms/disarm", json!({ "confirm": "m1" }))
        .await;
    assert_eq!(
        code, 400,
        "cluster-wide actions are confirmed by `etcd`: {body}"
    );

    // The cause first: delete, compact and defragment through the API.
    client
        .delete("/fill/", Some(DeleteOptions::new().with_prefix()))
        .await
        .expect("deleting works under NOSPACE");
    let compact = json!({ "keep": 1, "physical": true, "confirm": "etcd" });
    let (code, body) = admin.post("/compact", compact).await;
    assert_eq!(code, 200, "{body}");
    let (code, body) = admin
        .post("/defragment", json!({ "confirm": "etcd" }))
        .await;
    assert_eq!(code, 200, "{body}");
    let before = body["done"][0]["db_size_before"].as_u64();
    let after = body["done"][0]["db_size_after"].as_u64();
    assert!(after < before, "defragmenting gave space back: {body}");

    let (code, body) = admin
        .post("/alarms/disarm", json!({ "confirm": "etcd" }))
        .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["alarms"], json!([]), "{body}");
    assert!(body["audit_seq"].is_u64(), "{body}");
    client
        .put("/fill/again", "ok", None)
        .await
        .expect("writes work again");
    let (_, alarms) = admin.call(Method::GET, "/alarms", Value::Null).await;
    assert_eq!(alarms["alarms"], json!([]), "{alarms}");
}
