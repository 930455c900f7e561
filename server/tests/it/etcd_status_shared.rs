//! Twenty open `/etcd` pages cost etcd one reading per interval, not
//! twenty: each reader asks the page's own server function
//! (`POST /api/etcd_status`) every 3 s as the page does, and etcd's
//! `/metrics` count the `Status` requests that reached it meanwhile.
//!
//! The etcd is the test's own: on the shared test bed every other test
//! binary running in parallel asks for `Status` too, so a count there
//! could not be bounded.

use std::time::{Duration, Instant};

use crate::common::{Etcd, Patrol, TempDir};
use serde_json::Value;

const READERS: usize = 20;
/// How often each reader asks, as the page does.
const EVERY: Duration = Duration::from_secs(3);
/// How long the readers read.
const FOR: Duration = Duration::from_secs(8);

/// `Status` requests etcd has handled, over every answer code.
async fn status_calls(endpoint: &str) -> u64 {
    let text = reqwest::get(format!("{endpoint}/metrics"))
        .await
        .expect("etcd /metrics")
        .text()
        .await
        .expect("metrics text");
    text.lines()
        .filter(|l| l.starts_with("grpc_server_handled_total{"))
        .filter(|l| l.contains("grpc_method=\"Status\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

/// What the page's refresh gets: the server function's answer.
async fn read_page(client: &reqwest::Client, url: &str) -> Value {
    let resp = client
        .post(format!("{url}/api/etcd_status"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("POST /api/etcd_status");
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("status JSON")
}

#[tokio::test]
async fn twenty_etcd_pages_share_one_reading_per_interval() {
    let dir = TempDir::new("status-shared");
    let etcd = Etcd::start(dir.path());
    etcd.ctl(&["put", "/ready", "yes"]);
    let patrol = Patrol::start_reachable(&["--endpoints", &etcd.endpoint]).await;

    let before = status_calls(&etcd.endpoint).await;
    let start = Instant::now();
    let readers: Vec<_> = (0..READERS)
        .map(|i| {
            let url = patrol.url.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                // Spread over the interval, as pages opened at different
                // moments are.
                tokio::time::sleep(EVERY * i as u32 / READERS as u32).await;
                let mut readings = Vec::new();
                while start.elapsed() < FOR {
                    let asked = Instant::now();
                    let status = read_page(&client, &url).await;
                    assert_eq!(status["members"][0]["healthy"], true, "{status}");
                    readings.push(status["read_at_ms"].as_u64().unwrap_or_default());
                    tokio::time::sleep(EVERY.saturating_sub(asked.elapsed())).await;
                }
                readings
            })
        })
        .collect();
    let mut answers = 0;
    let mut distinct = std::collections::BTreeSet::new();
    for reader in readers {
        let readings = reader.await.expect("reader");
        answers += readings.len();
        distinct.extend(readings);
    }
    let took = start.elapsed();
    let calls = status_calls(&etcd.endpoint).await - before;

    // One reading per interval while someone looks, one member here.
    let intervals = (took.as_secs_f64() / EVERY.as_secs_f64()).ceil() as u64;
    let allowance = 2;
    println!(
        "{READERS} readers, {answers} answers in {took:.1?}: {} distinct readings, \
         {calls} Status calls at etcd (bound {}; each reader asking itself would make {answers})",
        distinct.len(),
        intervals + allowance
    );
    assert!(answers >= READERS * 2, "every reader read repeatedly");
    assert!(
        calls <= intervals + allowance,
        "{calls} Status calls for {answers} answers in {took:?}"
    );
    assert!(calls >= 2, "the readers saw new readings: {calls}");
    assert!(distinct.len() >= 2, "readings move on: {distinct:?}");
}
