//! The guarded etcd routes (`/api/v1/etcd/...`) through the real binary:
//! a snapshot download etcdctl reads, defragmentation member by member and
//! leader moves on the test bed; compaction and learner add, start,
//! promote and remove on throwaway clusters. Refusals without admin are
//! proven for every route by `guard.rs`.

use crate::common;
use crate::scratch;

use std::process::Command;

use common::etcd_admin::EtcdAdmin;
use common::{etcdctl, testbed_endpoints, TempDir};
use reqwest::Method;
use scratch::{ready, Cluster};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// `etcdctl snapshot status -w json` of a file.
fn snapshot_status(path: &std::path::Path) -> Value {
    let out = Command::new("etcdctl")
        .env("ETCDCTL_API", "3")
        .args(["snapshot", "status", "-w", "json"])
        .arg(path)
        .output()
        .expect("run etcdctl");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "etcdctl snapshot status: {err}");
    serde_json::from_slice(&out.stdout).expect("json")
}

#[tokio::test]
async fn a_snapshot_downloads_as_a_file_etcdctl_reads() {
    let admin = EtcdAdmin::start(&testbed_endpoints());
    let (code, body) = admin.post("/snapshot", json!({ "confirm": "pg" })).await;
    assert_eq!(code, 400, "wrong confirmation: {body}");

    let revision = admin.status().await["revision"].as_i64().unwrap_or(0);
    let dir = TempDir::new("snapshot-download");
    let path = dir.path().join("etcd.db");
    let (code, disposition, bytes) = admin.snapshot(&path).await;
    assert_eq!(code, 200);
    assert!(
        disposition.starts_with("attachment; filename=\"patrol-")
            && disposition.ends_with("Z.db\""),
        "{disposition}"
    );
    let status = snapshot_status(&path);
    assert!(status["revision"].as_i64() >= Some(revision), "{status}");
    assert!(status["totalKey"].as_i64() > Some(0), "{status}");

    // etcd appends a SHA-256 to the stream, which restore checks.
    let restored = dir.path().join("restored");
    let out = Command::new("etcdctl")
        .env("ETCDCTL_API", "3")
        .args(["snapshot", "restore"])
        .arg(&path)
        .arg("--data-dir")
        .arg(&restored)
        .output()
        .expect("run etcdctl");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "etcdctl snapshot restore: {err}");
    assert!(restored.join("member/snap/db").is_file(), "{err}");

    let data = std::fs::read(&path).expect("read snapshot");
    assert_eq!(data.len() as u64, bytes);
    let sha = hex::encode(Sha256::digest(&data));
    let audit = common::testbed::get(&format!("{}/api/v1/audit", admin.patrol.url))
        .await
        .1;
    let text = audit.to_string();
    assert!(
        text.contains("etcd-snapshot") && text.contains(&sha),
        "{audit}"
    );

    // --snapshot-dir kept the same bytes, and lists them with their record.
    let (code, list) = admin.call(Method::GET, "/snapshots", Value::Null).await;
    assert_eq!(code, 200, "{list}");
    let kept = &list["snapshots"][0];
    assert_eq!(kept["sha256"], sha.as_str(), "{list}");
    assert_eq!(kept["bytes"].as_u64(), Some(bytes), "{list}");
    assert!(kept["revision"].as_i64() >= Some(revision), "{list}");
    assert!(kept["keys"].as_i64() > Some(0), "{list}");
    assert!(
        disposition.contains(kept["file"].as_str().unwrap_or("?")),
        "{list}"
    );
    let dir = std::path::PathBuf::from(list["dir"].as_str().unwrap_or_default());
    let copy = dir.join(kept["file"].as_str().unwrap_or_default());
    let copied = std::fs::read(&copy).expect("the kept copy");
    assert_eq!(hex::encode(Sha256::digest(&copied)), sha);
    assert_eq!(snapshot_status(&copy)["hash"], status["hash"]);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("read the snapshot dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test]
async fn compaction_moves_the_compaction_point_and_refuses_going_back() {
    let cluster = Cluster::start("api-compact", 1, &[]);
    ready(&cluster.gateway(), 1).await;
    let endpoints = cluster.endpoints().join(",");
    let admin = EtcdAdmin::start(&endpoints);
    for i in 0..20 {
        etcdctl(&endpoints, &[], &["put", "/c/k", &format!("v{i}")]);
    }
    let (code, pre) = admin
        .call(Method::GET, "/compact/preflight?keep=5", Value::Null)
        .await;
    assert_eq!(code, 200, "{pre}");
    let (current, target) = (pre["current_revision"].as_i64(), pre["target"].as_i64());
    assert_eq!(target, current.map(|c| c - 4), "{pre}");
    assert_eq!(
        pre["revisions_lost"].as_i64(),
        target.map(|t| t - 1),
        "{pre}"
    );

    let ask = json!({ "keep": 5, "physical": true, "confirm": "etcd" });
    let (code, done) = admin.post("/compact", ask).await;
    assert_eq!(code, 200, "{done}");
    assert_eq!(done["revision"].as_i64(), target);
    let status = admin.status().await;
    assert_eq!(status["compact_revision"].as_i64(), target);
    let old = Command::new("etcdctl")
        .env("ETCDCTL_API", "3")
        .args([
            &format!("--endpoints={endpoints}"),
            "get",
            "/c/k",
            "--rev=2",
        ])
        .output()
        .expect("etcdctl");
    assert!(String::from_utf8_lossy(&old.stderr).contains("compacted"));

    let back = json!({ "revision": target, "confirm": "etcd" });
    let (code, body) = admin.post("/compact", back).await;
    assert_eq!(code, 409, "{body}");
    assert!(body["error"]
        .as_str()
        .is_some_and(|e| e.contains("compacted up to")));
    let (code, pre) = admin
        .call(
            Method::GET,
            &format!("/compact/preflight?revision={}", target.unwrap_or(0)),
            Value::Null,
        )
        .await;
    assert!(code == 200 && pre["refusal"].is_string(), "{pre}");
    let (code, body) = admin
        .post("/compact", json!({ "keep": 5, "confirm": "pg" }))
        .await;
    assert_eq!(code, 400, "{body}");
}

#[tokio::test]
async fn defragment_goes_member_by_member_leader_last_and_the_leader_moves() {
    let admin = EtcdAdmin::start(&testbed_endpoints());
    let (code, body) = admin
        .post("/defragment", json!({ "confirm": "etcd" }))
        .await;
    assert_eq!(code, 200, "{body}");
    let done = body["done"].as_array().cloned().unwrap_or_default();
    assert_eq!(done.len(), 3, "{body}");
    let leaders: Vec<bool> = done.iter().map(|d| d["was_leader"] == true).collect();
    assert_eq!(leaders, [false, false, true], "{body}");
    assert!(done.iter().all(|d| d["db_size_after"].as_u64() > Some(0)));

    let status = admin.status().await;
    let leader = EtcdAdmin::leader(&status);
    let follower = status["members"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| m["is_leader"] == false))
        .and_then(|m| m["name"].as_str())
        .map(str::to_owned)
        .expect("a follower");
    // A member is confirmed by its name, the leader's move by the new one's.
    for (path, body, status) in [
        (
            "/defragment",
            json!({ "member": follower, "confirm": "etcd" }),
            400,
        ),
        (
            "/defragment",
            json!({ "member": follower, "confirm": follower }),
            200,
        ),
        (
            "/move-leader",
            json!({ "to": follower, "confirm": leader }),
            400,
        ),
        (
            "/move-leader",
            json!({ "to": follower, "confirm": follower }),
            200,
        ),
    ] {
        admin.answers(path, body, status).await;
    }
    admin
        .status_until("the follower leads", |s| EtcdAdmin::leader(s) == follower)
        .await;
    // And back, by hex ID this time.
    let id = EtcdAdmin::member(&status, &leader)["id"].clone();
    let (code, body) = admin
        .post("/move-leader", json!({ "to": id, "confirm": leader }))
        .await;
    assert_eq!(code, 200, "{body}");
    admin
        .status_until("the old leader leads again", |s| {
            EtcdAdmin::leader(s) == leader
        })
        .await;
}

mod alarm;
mod learner;
mod permission;
mod testbed_learner;
