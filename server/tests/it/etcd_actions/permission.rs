//! An etcd user without the admin role: what etcd refuses comes back as
//! etcd's refusal, in its words, and the audit log records the refusal;
//! what the user may do still works.

use serde_json::json;

use crate::common::etcd_admin::EtcdAdmin;
use crate::common::etcdctl;
use crate::scratch::{ready, Cluster};

#[tokio::test]
async fn a_non_root_etcd_user_gets_etcds_refusal_not_a_success() {
    let cluster = Cluster::start("api-permission", 1, &[]);
    ready(&cluster.gateway(), 1).await;
    let endpoints = cluster.endpoints().join(",");
    let root = ["--user=root:root-password".to_owned()];
    // The operator may read and write every key, but is no etcd admin.
    for args in [
        &["user", "add", "root:root-password"][..],
        &["user", "grant-role", "root", "root"],
        &["user", "add", "operator:operator-password"],
        &["role", "add", "operator"],
        &[
            "role",
            "grant-permission",
            "operator",
            "--prefix=true",
            "readwrite",
            "",
        ],
        &["user", "grant-role", "operator", "operator"],
        &["auth", "enable"],
    ] {
        etcdctl(&endpoints, &[], args);
    }

    let admin = EtcdAdmin::start_with(&endpoints, &["--user", "operator:operator-password"]);
    let status = admin.status().await;
    assert_eq!(status["members"][0]["healthy"], true, "{status}");

    let learner = json!({
        "name": "m2",
        "peer_urls": ["http://127.0.0.1:9"],
        "confirm": "m2",
    });
    let (code, body) = admin.post("/members", learner).await;
    assert_eq!(code, 403, "{body}");
    let error = body["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("etcd refused Patrol's etcd user") && error.contains("permission denied"),
        "{body}"
    );
    let members = etcdctl(&endpoints, &root, &["member", "list"]);
    assert_eq!(members.lines().count(), 1, "nothing was added: {members}");

    let audit = crate::common::testbed::get(&format!("{}/api/v1/audit", admin.patrol.url))
        .await
        .1;
    let after = &audit["records"][0];
    assert_eq!(after["action"], "etcd-add-learner", "{audit}");
    assert!(
        after.to_string().contains("permission denied"),
        "the refusal is recorded: {audit}"
    );
}
