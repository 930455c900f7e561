//! The etcd maintenance functions (`app::etcd::compact`, `::defragment`, `::membership`, ...)
//! against throwaway etcd clusters, never the shared test bed: a snapshot
//! etcdctl can read, compaction, defragmentation leader last, a NOSPACE
//! alarm cleared, a leader move, and membership changes with their quorum
//! checks.

use crate::common;
use crate::scratch;

use std::process::Command;

use app::error::AppError;
use app::etcd::compact::CompactTo;
use app::etcd::status::{read_alarms, read_status};
use app::etcd::Gateway;
use app::etcd::{compact, defragment, defragment_all, disarm_all, move_leader};
use app::etcd::{save_snapshot, snapshot};
use etcd_client::{DeleteOptions, GetOptions};
use scratch::{wait_for, Cluster};

mod membership;

/// Puts `value` at `key`; returns the revision of the write.
async fn put(gw: &Gateway, key: &str, value: Vec<u8>) -> Result<i64, String> {
    let mut client = gw.client().await.map_err(|e| e.to_string())?;
    let resp = client
        .put(key, value, None)
        .await
        .map_err(|e| e.to_string())?;
    Ok(resp.header().map_or(0, |h| h.revision()))
}

/// Fills etcd with values under `prefix`, then deletes and compacts them,
/// so a defragmentation has space to give back.
async fn churn(gw: &Gateway, prefix: &str) {
    for i in 0..20 {
        put(gw, &format!("{prefix}{i}"), vec![b'x'; 100_000])
            .await
            .expect("put");
    }
    clear(gw, prefix).await;
}

/// Deletes everything under `prefix` and compacts its history away.
async fn clear(gw: &Gateway, prefix: &str) {
    let mut client = gw.client().await.expect("client");
    client
        .delete(prefix, Some(DeleteOptions::new().with_prefix()))
        .await
        .unwrap_or_else(|e| panic!("delete {prefix}: {e}"));
    compact(gw, CompactTo::KeepLast(1), true)
        .await
        .expect("compact");
}

#[tokio::test]
async fn a_snapshot_streams_in_chunks_into_a_file_etcdctl_reads() {
    let (_cluster, gw, _) = Cluster::start_ready("snap", 1, &[]).await;
    let mut last = 0;
    for i in 0..5 {
        last = put(&gw, &format!("/snap/{i}"), vec![b'v'; 100_000])
            .await
            .expect("put");
    }
    let mut snap = snapshot(&gw, None).await.expect("snapshot");
    let (mut chunks, mut largest) = (0, 0);
    while let Some(chunk) = snap.next_chunk().await.expect("chunk") {
        chunks += 1;
        largest = largest.max(chunk.len());
    }
    assert!(
        chunks > 10 && largest <= 64 << 10,
        "{chunks} chunks, largest {largest}"
    );

    let dir = common::TempDir::new("snapfile");
    let path = dir.path().join("etcd.db");
    let mut file = tokio::fs::File::create(&path).await.expect("create");
    let taken = save_snapshot(&gw, Some(&snap.member_id), &mut file)
        .await
        .expect("save");
    let on_disk = std::fs::metadata(&path).expect("snapshot file").len();
    assert_eq!(taken.bytes, on_disk);
    assert_eq!(taken.name, "m1");
    let out = common::succeed(
        Command::new("etcdctl")
            .env("ETCDCTL_API", "3")
            .env_remove("ETCDCTL_ENDPOINTS")
            .args(["snapshot", "status", "-w", "json"])
            .arg(&path),
    );
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(status["revision"].as_i64() >= Some(last), "{status}");
    assert!(status["totalKey"].as_i64() >= Some(5), "{status}");
}

#[tokio::test]
async fn compaction_moves_the_compaction_point() {
    let (_cluster, gw, status) = Cluster::start_ready("compact", 1, &[]).await;
    assert_eq!(status.compact_revision, None);
    let mut revs = Vec::new();
    for i in 0..5 {
        revs.push(
            put(&gw, "/c/k", format!("v{i}").into_bytes())
                .await
                .expect("put"),
        );
    }
    let done = compact(&gw, CompactTo::Revision(revs[2]), true)
        .await
        .expect("compact");
    assert_eq!((done.revision, done.previous), (revs[2], None));
    assert_eq!(
        read_status(&gw).await.expect("status").compact_revision,
        Some(revs[2])
    );
    let mut client = gw.client().await.expect("client");
    let old = client
        .get("/c/k", Some(GetOptions::new().with_revision(revs[0])))
        .await;
    let err = old.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        err.contains("compacted"),
        "read below the compaction point: {err:?}"
    );
    let kept = client
        .get("/c/k", Some(GetOptions::new().with_revision(revs[2])))
        .await
        .expect("read at the compaction point");
    assert_eq!(kept.kvs()[0].value(), b"v2");

    let again = compact(&gw, CompactTo::Revision(revs[1]), false).await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");
    assert!(matches!(
        compact(&gw, CompactTo::KeepLast(0), false).await,
        Err(AppError::Invalid(_))
    ));
    let future = compact(&gw, CompactTo::Revision(revs[4] + 100), false).await;
    assert!(matches!(future, Err(AppError::Invalid(_))), "{future:?}");
    let last = compact(&gw, CompactTo::KeepLast(1), false)
        .await
        .expect("keep last 1");
    assert_eq!((last.revision, last.previous), (revs[4], Some(revs[2])));
}

#[tokio::test]
async fn defragmentation_goes_member_by_member_leader_last() {
    let (mut cluster, gw, _) = Cluster::start_ready("defrag", 3, &[]).await;
    churn(&gw, "/defrag/").await;
    let report = defragment_all(&gw).await.expect("defragment");
    assert_eq!(report.stopped, None);
    let leaders: Vec<bool> = report.done.iter().map(|d| d.was_leader).collect();
    assert_eq!(leaders, [false, false, true], "{report:#?}");
    for d in &report.done {
        let (before, after) = (
            d.db_size_before.unwrap_or(0),
            d.db_size_after.unwrap_or(u64::MAX),
        );
        assert!(
            after < before,
            "{} did not shrink: {before} -> {after}",
            d.name
        );
    }

    // With one member down, blocking another would stop etcd: refused.
    cluster.kill(2);
    let down = wait_for(&gw, "m3 down", |s| s.quorum.healthy_voting == 2).await;
    let m1 = down.members.iter().find(|m| m.name == "m1").expect("m1");
    let refused = defragment(&gw, &m1.id).await;
    assert!(matches!(refused, Err(AppError::Conflict(_))), "{refused:?}");
}

#[tokio::test]
async fn a_nospace_alarm_clears_after_compaction_defragmentation_and_disarm() {
    let (_cluster, gw, _) =
        Cluster::start_ready("nospace", 1, &["--quota-backend-bytes=2097152"]).await;
    // etcd checks the quota against the database file, which grows when
    // a batch commits (every 100 ms): write at a pace it notices.
    let mut full = None;
    for i in 0..300 {
        if let Err(e) = put(&gw, &format!("/fill/{i}"), vec![b'x'; 200_000]).await {
            full = Some(e);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    let full = full.expect("the quota was never reached");
    assert!(full.contains("space exceeded"), "{full}");
    let alarms = read_alarms(&gw).await.expect("alarms").alarms;
    assert_eq!(alarms.len(), 1, "{alarms:?}");
    assert_eq!(alarms[0].alarm, "NOSPACE");
    let status = read_status(&gw).await.expect("status");
    assert_eq!(status.alarms, alarms);
    assert!(
        status
            .risks()
            .iter()
            .any(|r| r.contains("NOSPACE alarm on m1")),
        "{:?}",
        status.risks()
    );

    // Deleting works under NOSPACE.
    clear(&gw, "/fill/").await;
    defragment_all(&gw).await.expect("defragment");
    assert_eq!(disarm_all(&gw).await.expect("disarm").alarms, []);
    put(&gw, "/fill/again", b"ok".to_vec())
        .await
        .expect("writes work again");
}

#[tokio::test]
async fn leadership_moves_to_a_chosen_follower() {
    let (_cluster, gw, status) = Cluster::start_ready("move", 3, &[]).await;
    let leader = status.members.iter().find(|m| m.is_leader).expect("leader");
    let target = status
        .members
        .iter()
        .find(|m| !m.is_leader)
        .expect("follower");
    let moved = move_leader(&gw, &target.id).await.expect("move leader");
    assert_eq!(
        (moved.from.as_str(), moved.to.as_str()),
        (leader.id.as_str(), target.id.as_str())
    );
    let after = wait_for(&gw, "new leader", |s| {
        s.members.iter().any(|m| m.is_leader && m.id == target.id)
    })
    .await;
    assert_eq!(after.quorum.can_lose, 1);
    let again = move_leader(&gw, &target.id).await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");
    assert!(matches!(
        move_leader(&gw, "ffff").await,
        Err(AppError::NotFound(_))
    ));
}
