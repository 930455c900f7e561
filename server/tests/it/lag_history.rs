//! Lag history in the store, against the test bed's pg-meta: one of several
//! instances writes it, every instance serves it, a restarted instance goes
//! on from it, and when the writer dies another takes over.

use std::time::{Duration, Instant};

use crate::common::store::{sqlite_flags, Postgres};
use crate::common::{testbed_endpoints, Patrol, TempDir};

const WRITING: &str = "this instance writes the lag history now";
const CLUSTER: &str = "/api/v1/clusters/pg/pg-meta";

fn args(store: &[String]) -> Vec<String> {
    let mut args = vec![
        "--endpoints".to_owned(),
        testbed_endpoints(),
        "--namespace".to_owned(),
        "/pg".to_owned(),
    ];
    args.extend_from_slice(store);
    args
}

/// Waits until `patrol`'s log says `line`; how long that took.
async fn wait_log(patrol: &Patrol, line: &str, within: Duration) -> Duration {
    let start = Instant::now();
    while !patrol.log().contains(line) {
        assert!(
            start.elapsed() < within,
            "no {line:?} within {within:?}; log:\n{}",
            patrol.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    start.elapsed()
}

/// The members of `range`'s stored history once it has any (30 s at most).
async fn stored(patrol: &Patrol, range: &str) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = patrol
            .get(&format!("{CLUSTER}/lag-history?range={range}"))
            .await;
        if status == 200 {
            if let Some(members) = body["members"].as_array().filter(|m| !m.is_empty()) {
                return members.clone();
            }
        }
        assert!(
            Instant::now() < deadline,
            "no stored history: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn sample_times(members: &[serde_json::Value]) -> Vec<u64> {
    members
        .iter()
        .flat_map(|m| m["samples"].as_array().cloned().unwrap_or_default())
        .filter_map(|s| s["t"].as_u64())
        .collect()
}

async fn written_by_one_kept_and_taken_over(store: &[String]) {
    let a = Patrol::start_reachable(&args(store)).await;
    wait_log(&a, WRITING, Duration::from_secs(10)).await;
    let b = Patrol::start_reachable(&args(store)).await;

    // b serves what a wrote, at every range.
    for range in ["1h", "24h", "7d"] {
        let members = stored(&b, range).await;
        let names: Vec<&str> = members.iter().filter_map(|m| m["name"].as_str()).collect();
        assert!(names.iter().all(|n| n.starts_with("pg-meta-")), "{names:?}");
        assert!(!sample_times(&members).is_empty(), "{range}: {members:?}");
    }
    let (status, body) = b.get(&format!("{CLUSTER}/lag-history?range=2h")).await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = b.get("/api/v1/clusters/pg/nope/lag-history").await;
    assert_eq!(status, 404);
    assert!(
        !b.log().contains(WRITING),
        "two writers at once:\n{}",
        b.log()
    );

    // The writer dies without a word; b takes the lease over.
    drop(a);
    let took = wait_log(&b, WRITING, Duration::from_secs(15)).await;
    println!(
        "lag history writer taken over {} ms after the holder was killed",
        took.as_millis()
    );
    assert!(took <= Duration::from_secs(10), "took {took:?}");

    // A new instance's live charts start from the stored hour.
    let started = app::clock::now_ms();
    let c = Patrol::start_reachable(&args(store)).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let detail = loop {
        let (status, body) = c.get(CLUSTER).await;
        if status == 200 {
            break body;
        }
        assert!(Instant::now() < deadline, "{status} {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let live = detail["lag_history"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let times = sample_times(&live);
    assert!(
        times.iter().any(|&t| t < started),
        "no sample from before this instance started ({started}): {times:?}"
    );
}

#[tokio::test]
async fn sqlite_lag_history_is_written_once_kept_and_taken_over() {
    let dir = TempDir::new("lag-history");
    written_by_one_kept_and_taken_over(&sqlite_flags(&dir.path().join("patrol.db"))).await;
}

#[tokio::test]
async fn postgres_lag_history_is_written_once_kept_and_taken_over() {
    let pg = Postgres::start();
    let db = pg.create_db();
    written_by_one_kept_and_taken_over(&pg.flags(&db)).await;
}
