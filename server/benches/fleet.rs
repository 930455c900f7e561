//! Fleet benchmark: ten throwaway single-member etcd clusters, each holding
//! 100 synthetic 3-member Patroni clusters under `/pg` (scopes c000..c099,
//! keys shaped like the test bed's), served by the real `patrol` binary
//! through `[etcd.eK]` tables of `--config`, with 1, 2, 5 and then all 10
//! etcd clusters. For each it measures:
//! - the fleet overview, `GET /api/v1/fleet`: p50/p99 and body size, beside
//!   `etcdctl get --prefix /pg` run against each etcd cluster in turn (what
//!   an operator without Patrol needs to see the same);
//! - the page `/`: p50, when it answers 200 HTML;
//! - the delay from a put of a member key to the `cluster` event of that
//!   cluster's open stream (c000 on the first etcd cluster and, from two
//!   on, on the last one);
//! - Patrol's resident memory after those runs.
//!
//! Targets (10 etcd clusters): fleet GET p50 ≤ 200 ms, put → event p99
//! ≤ 100 ms, RSS ≤ 150 MB; the table shows how each figure grows from 1 to
//! 10 etcd clusters. Prints figures and asserts nothing about them; panics
//! (non-zero exit) when an answer is wrong. The etcd servers, their data and
//! Patrol go away however the run ends (end, panic, Ctrl-C).
//! Run with `cargo bench -p server --bench fleet`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::bench::{cluster_keys, ms, quantile, write, ETCD_FLAGS};
use common::proc::rss_mib;
use common::sse::{next_timed, timed};
use common::{etcd_client, Etcd, Patrol, TempDir};
use etcd_client::Client;
use serde_json::Value;

const ETCD_CLUSTERS: usize = 10;
const STEPS: [usize; 4] = [1, 2, 5, 10];
const CLUSTERS: usize = 100;
const NAMESPACE: &str = "/pg";
const FLEET_GETS: usize = 200;
const PAGE_GETS: usize = 20;
const PUTS: usize = 100;
/// A stream's round stops early after this long, so a slow stream cannot
/// stretch the run.
const PUT_BUDGET: Duration = Duration::from_secs(30);
const ETCDCTL_RUNS: usize = 5;
const WARMUP: usize = 3;

/// One throwaway etcd cluster and a client of it.
struct Site {
    name: String,
    etcd: Etcd,
    client: Client,
}

/// One row of the table.
struct Row {
    sites: usize,
    ready_s: f64,
    fleet: Vec<Duration>,
    body: usize,
    page: Option<Vec<Duration>>,
    puts: Vec<Duration>,
    rss: f64,
    etcdctl: Vec<Duration>,
}

/// Starts the etcd clusters and writes [`CLUSTERS`] Patroni clusters into each.
async fn sites() -> Vec<Site> {
    let start = Instant::now();
    // All started before the first is waited for: each takes a moment.
    let etcds = (0..ETCD_CLUSTERS).map(|k| Etcd::scratch(&format!("bench-fleet-e{k}"), ETCD_FLAGS));
    let mut sites = Vec::with_capacity(ETCD_CLUSTERS);
    for (k, etcd) in etcds.collect::<Vec<_>>().into_iter().enumerate() {
        let client = etcd_client(std::slice::from_ref(&etcd.endpoint)).await;
        let mut keys = Vec::with_capacity(CLUSTERS * 8);
        for i in 0..CLUSTERS {
            let lsn = (4 << 30) + 8192 * i as u64;
            keys.extend(cluster_keys(NAMESPACE, &format!("c{i:03}"), i, lsn));
        }
        write(&client, keys, None).await;
        let name = format!("e{k}");
        sites.push(Site { name, etcd, client });
    }
    let took = start.elapsed().as_secs_f64();
    println!("{ETCD_CLUSTERS} etcd clusters started and {CLUSTERS} Patroni clusters (800 keys) written into each in {took:.1} s\n");
    sites
}

/// A `--config` file with the first `n` etcd clusters as tables.
fn config(dir: &TempDir, sites: &[Site]) -> String {
    let tables: Vec<String> = sites
        .iter()
        .map(|s| {
            let (name, endpoint) = (&s.name, &s.etcd.endpoint);
            format!("[etcd.{name}]\nendpoints = [\"{endpoint}\"]\nnamespace = [\"{NAMESPACE}\"]\n")
        })
        .collect();
    let path = dir.path().join(format!("fleet-{}.toml", sites.len()));
    std::fs::write(&path, tables.join("\n")).expect("write the config file");
    path.to_string_lossy().into_owned()
}

/// Patrol's clusters per etcd cluster in a fleet answer, when each is reachable.
fn listed(fleet: &Value) -> Vec<usize> {
    let sites = fleet["sites"].as_array().into_iter().flatten();
    let reachable = |s: &&Value| s["overview"]["etcd"]["reachable"] == true;
    let count = |s: &Value| s["overview"]["clusters"].as_array().map_or(0, Vec::len);
    sites.filter(reachable).map(count).collect()
}

struct Bench {
    http: reqwest::Client,
    patrol: Patrol,
}

impl Bench {
    /// `n` GETs of `path` in turn on one keep-alive connection: sorted times
    /// to the last body byte, the status and the last body.
    async fn get(&self, path: &str, n: usize) -> (Vec<Duration>, u16, Bytes) {
        let url = format!("{}{path}", self.patrol.url);
        let (mut took, mut status, mut body) = (Vec::with_capacity(n), 0, Bytes::new());
        for _ in 0..n {
            let start = Instant::now();
            let resp = self.http.get(&url).send().await.expect("request to patrol");
            status = resp.status().as_u16();
            body = resp.bytes().await.expect("read patrol's response body");
            took.push(start.elapsed());
        }
        took.sort();
        (took, status, body)
    }

    /// Waits until the fleet lists every cluster of `n` etcd clusters: the
    /// seconds since `start` (the launch); panics after 60 s.
    async fn until_listed(&self, n: usize, start: Instant) -> f64 {
        loop {
            let (_, status, body) = self.get("/api/v1/fleet", 1).await;
            let fleet = serde_json::from_slice(&body).unwrap_or(Value::Null);
            if status == 200 && listed(&fleet) == [CLUSTERS; ETCD_CLUSTERS][..n] {
                return start.elapsed().as_secs_f64();
            }
            let late = start.elapsed() > Duration::from_secs(60);
            assert!(
                !late,
                "the fleet of {n} does not list every cluster in 60 s: {:?}\nlog:\n{}",
                listed(&fleet),
                self.patrol.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// [`PUTS`] puts of c000's leader key on `site`, each timed until the
    /// `cluster` event of c000's stream shows it. `lsn` gives fresh positions.
    async fn puts(&self, site: &Site, lsn: &mut u64) -> Vec<Duration> {
        let path = format!("/api/v1/e/{}/clusters{NAMESPACE}/c000/events", site.name);
        let (mut events, reader) = timed(&self.http, &format!("{}{path}", self.patrol.url)).await;
        let (first, ..) = next_timed(&mut events).await;
        assert_eq!(first, "cluster", "the first event of {path}");
        let key = format!("{NAMESPACE}/c000/members/c000-1");
        let (mut took, began) = (Vec::with_capacity(PUTS), Instant::now());
        for _ in (0..PUTS).take_while(|_| began.elapsed() < PUT_BUDGET) {
            *lsn += 8192;
            let keys = cluster_keys(NAMESPACE, "c000", 0, *lsn);
            let value = keys.into_iter().find(|(k, _)| *k == key).expect("c000-1").1;
            let start = Instant::now();
            let put = site.client.clone().put(key.as_str(), value, None).await;
            put.expect("put c000-1's member key");
            let at = loop {
                let (event, data, at) = next_timed(&mut events).await;
                if event == "cluster" && leader_at(&data, *lsn) {
                    break at;
                }
            };
            took.push(at - start);
        }
        reader.abort();
        took
    }
}

/// Whether a `cluster` event shows `c000-1` at `lsn`.
fn leader_at(cluster: &Value, lsn: u64) -> bool {
    let mut members = cluster["members"].as_array().into_iter().flatten();
    members.any(|m| m["name"] == "c000-1" && m["wal_lsn"] == lsn)
}

/// `etcdctl get --prefix /pg` against each of `sites` in turn, output read
/// in full, [`ETCDCTL_RUNS`] times: sorted wall times of each whole round.
async fn etcdctl(sites: &[Site]) -> Vec<Duration> {
    let mut took = Vec::with_capacity(ETCDCTL_RUNS);
    for _ in 0..ETCDCTL_RUNS {
        let start = Instant::now();
        for site in sites {
            let out = tokio::process::Command::new("etcdctl")
                .arg(format!("--endpoints={}", site.etcd.endpoint))
                .args(["get", "--prefix", NAMESPACE])
                .env("ETCDCTL_API", "3")
                .env_remove("ETCDCTL_ENDPOINTS")
                .stdin(Stdio::null())
                .output()
                .await
                .expect("run etcdctl");
            let stdout = String::from_utf8_lossy(&out.stdout);
            let ok = out.status.success() && stdout.contains("/pg/c099/leader");
            assert!(ok, "etcdctl on {}: {}", site.name, out.status);
        }
        took.push(start.elapsed());
    }
    took.sort();
    took
}

/// Serves the first `n` etcd clusters and measures them.
async fn step(sites: &[Site], n: usize, dir: &TempDir, lsn: &mut u64) -> Row {
    let served = &sites[..n];
    let launched = Instant::now();
    let patrol = Patrol::start(&["--config", &config(dir, served)]);
    let http = reqwest::Client::builder().no_proxy().build();
    let b = Bench {
        http: http.expect("an HTTP client"),
        patrol,
    };
    let ready_s = b.until_listed(n, launched).await;

    b.get("/api/v1/fleet", WARMUP).await;
    let (fleet, _, body) = b.get("/api/v1/fleet", FLEET_GETS).await;
    let json: Value = serde_json::from_slice(&body).expect("fleet JSON");
    assert_eq!(
        listed(&json),
        [CLUSTERS; ETCD_CLUSTERS][..n],
        "GET /api/v1/fleet"
    );

    let (_, status, _) = b.get("/", 1).await;
    let page = if status == 200 {
        b.get("/", WARMUP).await;
        Some(b.get("/", PAGE_GETS).await.0)
    } else {
        println!("note: GET / answered {status} with {n} etcd clusters; not timed");
        None
    };

    let mut puts = b.puts(&served[0], lsn).await;
    if n > 1 {
        puts.extend(b.puts(&served[n - 1], lsn).await);
    }
    puts.sort();
    let rss = rss_mib(b.patrol.pid());
    drop(b);
    Row {
        sites: n,
        ready_s,
        fleet,
        body: body.len(),
        page,
        puts,
        rss,
        etcdctl: etcdctl(served).await,
    }
}

fn p(sorted: &[Duration], q: f64) -> f64 {
    ms(quantile(sorted, q))
}

/// The table, with growth from the first row and the targets.
fn table(rows: &[Row]) {
    println!("\n| etcd clusters | Patroni clusters | all listed after s | fleet GET p50 ms | p99 ms | body KiB | `GET /` p50 ms | put → event p50 ms | p99 ms (puts) | RSS MiB | etcdctl ×N p50 ms | etcdctl ÷ fleet GET |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let page = r
            .page
            .as_ref()
            .map_or("–".to_owned(), |pg| format!("{:.1}", p(pg, 0.5)));
        let (ctl, fleet) = (p(&r.etcdctl, 0.5), p(&r.fleet, 0.5));
        println!(
            "| {} | {} | {:.2} | {fleet:.2} | {:.2} | {:.0} | {page} | {:.1} | {:.1} ({}) | {:.1} | {ctl:.0} | {:.0}× |",
            r.sites,
            r.sites * CLUSTERS,
            r.ready_s,
            p(&r.fleet, 0.99),
            r.body as f64 / 1024.0,
            p(&r.puts, 0.5),
            p(&r.puts, 0.99),
            r.puts.len(),
            r.rss,
            ctl / fleet,
        );
    }
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return;
    };
    let grows = |f: &dyn Fn(&Row) -> f64| format!("×{:.1}", f(last) / f(first));
    println!(
        "\nfrom {} to {} etcd clusters: fleet GET p50 {}, body {}, put → event p99 {}, RSS {}",
        first.sites,
        last.sites,
        grows(&|r| p(&r.fleet, 0.5)),
        grows(&|r| r.body as f64),
        grows(&|r| p(&r.puts, 0.99)),
        grows(&|r| r.rss),
    );
    let verdict = |met: bool| if met { "ok" } else { "MISSED" };
    let (fleet, puts, rss) = (p(&last.fleet, 0.5), p(&last.puts, 0.99), last.rss);
    let n = last.sites;
    println!("\nsummary against the targets, {n} etcd clusters × {CLUSTERS} Patroni clusters:");
    println!(
        "  fleet GET p50 {fleet:.1} ms (target ≤ 200 ms): {}",
        verdict(fleet <= 200.0)
    );
    println!(
        "  put → event p99 {puts:.1} ms (target ≤ 100 ms): {}",
        verdict(puts <= 100.0)
    );
    let mb = rss * 1.048_576;
    println!(
        "  RSS {rss:.1} MiB = {mb:.0} MB (target ≤ 150 MB): {}",
        verdict(mb <= 150.0)
    );
}

/// The whole benchmark; the guards it holds clean up however it ends.
async fn run() {
    let sites = sites().await;
    let dir = TempDir::new("bench-fleet");
    let mut lsn = 100_000_000;
    let mut rows = Vec::with_capacity(STEPS.len());
    for n in STEPS {
        let row = step(&sites, n, &dir, &mut lsn).await;
        let (fleet, puts) = (p(&row.fleet, 0.5), p(&row.puts, 0.99));
        println!("{n} etcd clusters: listed {:.2} s after launch, fleet GET p50 {fleet:.2} ms, put → event p99 {puts:.1} ms, RSS {:.1} MiB", row.ready_s, row.rss);
        rows.push(row);
    }
    table(&rows);
}

/// Runs the benchmark until it ends or Ctrl-C.
#[tokio::main]
async fn main() {
    common::bench::until_done_or_ctrl_c(run(), "patrol and the etcd servers stopped").await;
}
