//! Cluster benchmark against the running test bed (`end2end/testbed/start.sh`):
//! the real `patrol` binary watching the test bed's etcd, timed on
//! `GET /api/v1/clusters/pg/pg-meta` beside `patronictl list` and `etcdctl
//! get --prefix` on the same cluster; its throughput at 100 connections; the
//! delay from an etcd write of a member key to the cluster stream's event
//! (beside the same write seen by polling `GET`, to tell the mirror's share
//! from the stream's);
//! and, with 1,000 synthetic 3-member clusters, the overview page's render
//! time and Patrol's memory.
//!
//! Throughput is driven by `wrk` (Debian's `wrk` package), not a Rust client:
//! on a 2-core machine the load generator competes with Patrol for the CPU
//! and wrk costs less of it. Without wrk that case is skipped with a note.
//!
//! Synthetic keys go under the scratch namespace `/patrol-bench`, which is
//! deleted however the run ends (end, panic, Ctrl-C); they also hang on a
//! lease that runs out by itself should the run be killed outright.
//! Prints figures beside the targets and asserts nothing about them; panics
//! (non-zero exit) when an answer is wrong.
//! Run with `cargo bench -p server --bench cluster`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::bench::{ms, quantile};
use common::proc::rss_mib;
use common::sse::{next_timed, timed};
use common::{testbed, testbed_endpoints, try_etcdctl, Patrol};
use etcd_client::{Client, PutOptions};
use serde_json::Value;
/// Patrol watches this beside the test bed's namespaces; the bench owns it.
const SCRATCH: &str = "/patrol-bench";
const SEQUENTIAL: usize = 2_000;
const PATRONICTL_RUNS: usize = 10;
const ETCDCTL_RUNS: usize = 20;
const SSE_PUTS: usize = 200;
/// An SSE round stops early after this long, so a slow stream cannot
/// stretch the run; the table gives the puts made.
const SSE_BUDGET: Duration = Duration::from_secs(45);
const CLUSTERS: usize = 1_000;
const RENDERS: usize = 20;
const WARMUP: usize = 2;
/// Long enough for a run, short enough to clean up after a `kill -9`.
const LEASE_TTL_S: i64 = 900;

/// The scratch namespace: emptied when created (a killed run's leftovers)
/// and when dropped.
struct Scratch {
    endpoints: String,
}

impl Scratch {
    fn new(endpoints: &str) -> Scratch {
        let scratch = Scratch {
            endpoints: endpoints.to_owned(),
        };
        scratch.clear();
        scratch
    }

    /// Deletes `/patrol-bench/` with etcdctl; returns how many keys went.
    /// Blocking, as it runs in `drop`, where no runtime can be relied on.
    fn clear(&self) -> String {
        let prefix = format!("{SCRATCH}/");
        match try_etcdctl(&self.endpoints, &[], &["del", "--prefix", &prefix]) {
            Ok(deleted) => deleted.trim().to_owned(),
            Err(e) => format!("failed: {e}"),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        eprintln!("{SCRATCH}/ deleted: {} keys", self.clear());
    }
}

/// Starts `patrol` on port 0 against the test bed and the scratch namespace.
fn start_patrol(endpoints: &str) -> Patrol {
    let namespaces = format!("/service,/db,/pg,{SCRATCH}");
    Patrol::start(&["--endpoints", endpoints, "--namespace", &namespaces])
}

/// A table row: runs, p50, p95, p99, max (ms), then `rest`.
fn row(name: &str, sorted: &[Duration], rest: &str) {
    let [p50, p95, p99, max] = [0.5, 0.95, 0.99, 1.0].map(|q| ms(quantile(sorted, q)));
    let n = sorted.len();
    println!("| {name} | {n} | {p50:.2} | {p95:.2} | {p99:.2} | {max:.1} | {rest} |");
}

/// `ok` or `MISSED`, for the summary.
fn verdict(met: bool) -> &'static str {
    if met {
        "ok"
    } else {
        "MISSED"
    }
}

/// Runs `program args` `n` times as a DBA would, output read in full; panics
/// unless each succeeds and prints `expect`. Sorted wall times.
async fn processes(program: &str, args: &[&str], n: usize, expect: &str) -> Vec<Duration> {
    let mut took = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let out = tokio::process::Command::new(program)
            .args(args)
            .env("ETCDCTL_API", "3")
            .env_remove("ETCDCTL_ENDPOINTS")
            .stdin(Stdio::null())
            .output()
            .await;
        took.push(start.elapsed());
        let out = out.unwrap_or_else(|e| panic!("run {program}: {e}"));
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), &out.stderr);
        let ok = out.status.success() && stdout.contains(expect);
        let stderr = String::from_utf8_lossy(stderr);
        assert!(ok, "{program} {args:?}: {}\n{stdout}{stderr}", out.status);
    }
    took.sort();
    took
}

/// What wrk reports.
struct Wrk {
    rps: f64,
    p50: Duration,
    p99: Duration,
    /// Non-2xx answers plus socket errors.
    errors: u64,
}

/// 100 connections on 2 threads for 10 s; `None` (after a note) without wrk.
async fn wrk(url: &str) -> Option<Wrk> {
    let args = ["-t2", "-c100", "-d10s", "--latency", url];
    let out = match tokio::process::Command::new("wrk")
        .args(args)
        .output()
        .await
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("note: wrk not found (apt-get install wrk); throughput case skipped");
            return None;
        }
        Err(e) => panic!("run wrk: {e}"),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "wrk: {}\n{text}", out.status);
    let field = |f: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(f))
            .map(str::trim)
    };
    let number = |s: &str| s.trim_end_matches(',').parse::<u64>().unwrap_or(0);
    let socket = field("Socket errors:").unwrap_or_default();
    let socket: u64 = socket.split_whitespace().map(number).sum();
    let rps = field("Requests/sec:").and_then(|v| v.parse().ok());
    Some(Wrk {
        rps: rps.unwrap_or_else(|| panic!("no Requests/sec in wrk's output:\n{text}")),
        p50: wrk_duration(field("50%").unwrap_or_default()),
        p99: wrk_duration(field("99%").unwrap_or_default()),
        errors: field("Non-2xx or 3xx responses:").map_or(0, number) + socket,
    })
}

/// wrk's `850.00us`, `4.90ms`, `1.20s`.
fn wrk_duration(text: &str) -> Duration {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let value: f64 = text[..split].parse().unwrap_or(f64::NAN);
    let seconds = match &text[split..] {
        "us" => value / 1e6,
        "ms" => value / 1e3,
        "s" => value,
        "m" => value * 60.0,
        _ => panic!("unreadable wrk duration {text:?}"),
    };
    Duration::from_secs_f64(seconds)
}

/// A synthetic cluster's keys under the scratch namespace.
fn cluster_keys(scope: &str, i: usize, lsn: u64) -> Vec<(String, String)> {
    common::bench::cluster_keys(SCRATCH, scope, i, lsn)
}

/// Writes `keys` on `lease`, in transactions.
async fn write(etcd: &Client, keys: Vec<(String, String)>, lease: i64) {
    common::bench::write(etcd, keys, Some(lease)).await;
}

/// Puts the member key of `sse-1`, the scratch cluster's leader, at `lsn`;
/// returns when the put started and when etcd acknowledged it.
async fn move_leader(b: &Bench, lsn: u64) -> (Instant, Instant) {
    let key = format!("{SCRATCH}/sse/members/sse-1");
    let value = cluster_keys("sse", 0, lsn)
        .into_iter()
        .find(|(k, _)| *k == key);
    let value = value.expect("sse-1's key").1;
    let start = Instant::now();
    let opts = PutOptions::new().with_lease(b.lease);
    let put = b.etcd.clone().put(key, value, Some(opts)).await;
    put.expect("put sse-1's member key");
    (start, Instant::now())
}

/// Whether a cluster (API answer or `cluster` event) shows `sse-1` at `lsn`.
fn leader_at(cluster: &Value, lsn: u64) -> bool {
    let mut members = cluster["members"].as_array().into_iter().flatten();
    members.any(|m| m["name"] == "sse-1" && m["wal_lsn"] == lsn)
}

/// A fresh position for put `i` of `round` (kind 0: stream, 1: polling).
fn position(kind: u64, round: usize, i: usize) -> u64 {
    100_000_000 * (kind + 1) + 8192 * (round * SSE_PUTS + i + 1) as u64
}

/// Moves the scratch cluster's leader [`SSE_PUTS`] times (or for
/// [`SSE_BUDGET`]) and times each put until its `cluster` event arrives:
/// sorted (from the put's start, from its acknowledgement).
async fn sse_latency(b: &Bench, round: usize) -> (Vec<Duration>, Vec<Duration>) {
    let url = b.url(&format!("/api/v1/clusters{SCRATCH}/sse/events"));
    let (mut events, reader) = timed(&b.http, &url).await;
    let (first, ..) = next_timed(&mut events).await;
    assert_eq!(first, "cluster", "the first event of {url}");
    let (mut from_put, mut from_ack) = (Vec::new(), Vec::new());
    let began = Instant::now();
    for i in (0..SSE_PUTS).take_while(|_| began.elapsed() < SSE_BUDGET) {
        let lsn = position(0, round, i);
        let (start, ack) = move_leader(b, lsn).await;
        let at = loop {
            let (event, data, at) = next_timed(&mut events).await;
            if event == "cluster" && leader_at(&data, lsn) {
                break at;
            }
        };
        from_put.push(at - start);
        from_ack.push(at.saturating_duration_since(ack));
    }
    reader.abort();
    from_put.sort();
    from_ack.sort();
    (from_put, from_ack)
}

/// The same puts, a quarter as many, with no stream open: each timed until
/// `GET` of the cluster shows it, which separates the mirror from the stream.
async fn poll_latency(b: &Bench, round: usize) -> Vec<Duration> {
    let path = format!("/api/v1/clusters{SCRATCH}/sse");
    let mut took = Vec::new();
    for i in 0..SSE_PUTS / 4 {
        let lsn = position(1, round, i);
        let (start, _) = move_leader(b, lsn).await;
        b.until(&path, 1, |j| leader_at(j, lsn)).await;
        took.push(start.elapsed());
    }
    took.sort();
    took
}

/// Patrol (its base URL and pid), the test bed's etcd and the scratch lease.
struct Bench {
    http: reqwest::Client,
    patrol: String,
    pid: u32,
    endpoints: String,
    etcd: Client,
    lease: i64,
}

impl Bench {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.patrol)
    }

    /// `n` GETs of `path` in turn, which reuse one keep-alive connection;
    /// sorted times to the last body byte, and the last body. Panics unless
    /// each answers 200.
    async fn get(&self, path: &str, n: usize) -> (Vec<Duration>, Bytes) {
        let (url, mut took, mut body) = (self.url(path), Vec::with_capacity(n), Bytes::new());
        for _ in 0..n {
            let start = Instant::now();
            let resp = self.http.get(&url).send().await.expect("request to patrol");
            let status = resp.status();
            body = resp.bytes().await.expect("read patrol's response body");
            took.push(start.elapsed());
            assert_eq!(status, 200, "GET {url}: {}", String::from_utf8_lossy(&body));
        }
        took.sort();
        (took, body)
    }

    /// Polls `path` every `pause` ms until it answers JSON for which `ready`
    /// holds; panics after 60 s. Returns the wait.
    async fn until(&self, path: &str, pause: u64, ready: impl Fn(&Value) -> bool) -> Duration {
        let start = Instant::now();
        loop {
            let resp = self.http.get(self.url(path)).send().await;
            let resp = resp.expect("request to patrol");
            if resp.status() == 200 && ready(&resp.json().await.expect("JSON from patrol")) {
                return start.elapsed();
            }
            let late = start.elapsed() > Duration::from_secs(60);
            assert!(!late, "{path} not ready in 60 s");
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
    }
}

/// The cluster every case of the test bed reads.
const PG_META: &str = "/api/v1/clusters/pg/pg-meta";

/// What the summary holds up against the targets.
#[derive(Default)]
struct Figures {
    api_p50: f64,
    wrk: Option<Wrk>,
    sse_p99: f64,
    poll_p99: f64,
    render_p50: f64,
    rss: Vec<(String, f64)>,
}

impl Figures {
    fn rss(&mut self, b: &Bench, when: &str) {
        self.rss.push((when.to_owned(), rss_mib(b.pid)));
    }
}

/// Patrol's cluster API on one connection beside `patronictl list` and
/// `etcdctl get --prefix`, then at 100 connections.
async fn api_cases(b: &Bench, leader: &str, f: &mut Figures) {
    println!(
        "| case | runs | p50 ms | p95 ms | p99 ms | max ms | bytes, or tool p50 ÷ Patrol p50 |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|");
    b.get(PG_META, 50).await;
    let (api, body) = b.get(PG_META, SEQUENTIAL).await;
    let json: Value = serde_json::from_slice(&body).expect("cluster JSON");
    let members = json["members"].as_array().map_or(0, Vec::len);
    let ok = json["scope"] == "pg-meta" && members == 3 && json["leader"].is_string();
    assert!(ok, "GET {PG_META}: {json}");
    f.api_p50 = ms(quantile(&api, 0.5));
    let name = format!("Patrol `GET {PG_META}`, 1 connection");
    row(&name, &api, &format!("{} B", body.len()));
    let ratio = |runs: &[Duration]| format!("{:.0}×", ms(quantile(runs, 0.5)) / f.api_p50);
    let yml = testbed::dir().join(leader).join("patroni.yml");
    let yml = yml.to_string_lossy().into_owned();
    let patronictl = testbed::patronictl().to_string_lossy().into_owned();
    if Path::new(&yml).exists() && Path::new(&patronictl).exists() {
        let args = ["-c", &yml, "list"];
        let runs = processes(&patronictl, &args, PATRONICTL_RUNS, "pg-meta-3").await;
        let name = format!("`patronictl -c {leader}/patroni.yml list`");
        row(&name, &runs, &ratio(&runs));
    } else {
        println!("| `patronictl list`: skipped, no {patronictl} or {yml} | | | | | | |");
    }
    let ep = format!("--endpoints={}", b.endpoints);
    let args = [ep.as_str(), "get", "--prefix", "/pg/pg-meta"];
    let runs = processes("etcdctl", &args, ETCDCTL_RUNS, "/pg/pg-meta/leader").await;
    row("`etcdctl get --prefix /pg/pg-meta`", &runs, &ratio(&runs));

    f.wrk = wrk(&b.url(PG_META)).await;
    if let Some(w) = &f.wrk {
        let (rps, p50, p99, errors) = (w.rps, ms(w.p50), ms(w.p99), w.errors);
        println!("\nwrk -t2 -c100 -d10s `GET {PG_META}`: {rps:.0} req/s, p50 {p50:.2} ms, p99 {p99:.2} ms, {errors} errors");
    }
}

/// Rows of put → event latency `with` what Patrol holds; the first
/// `round` prints the header and the latency from the acknowledgement too.
async fn sse_case(b: &Bench, round: usize, with: &str, f: &mut Figures) {
    if round == 0 {
        println!("\n| member key put → change seen | puts | p50 ms | p95 ms | p99 ms | max ms | |");
        println!("|---|---:|---:|---:|---:|---:|---|");
    }
    let polled = poll_latency(b, round).await;
    row(
        &format!("`GET` polled, no stream open, {with}"),
        &polled,
        "",
    );
    f.poll_p99 = f.poll_p99.max(ms(quantile(&polled, 0.99)));
    let (from_put, from_ack) = sse_latency(b, round).await;
    row(&format!("SSE `cluster` event, {with}"), &from_put, "");
    if round == 0 {
        row("SSE, from the put's acknowledgement", &from_ack, "");
    }
    f.sse_p99 = f.sse_p99.max(ms(quantile(&from_put, 0.99)));
}

/// Clusters in a `/api/v1/clusters` answer that are synthetic.
fn synthetic(list: &Value) -> usize {
    let ours = |c: &&Value| c["namespace"] == SCRATCH && c["scope"] != "sse";
    list.as_array().into_iter().flatten().filter(ours).count()
}

/// Writes [`CLUSTERS`] clusters and waits until Patrol lists them all.
async fn load_clusters(b: &Bench) {
    let mut keys = Vec::with_capacity(CLUSTERS * 8);
    for i in 0..CLUSTERS {
        let lsn = (4 << 30) + 8192 * i as u64;
        keys.extend(cluster_keys(&format!("bench-{i:04}"), i, lsn));
    }
    let count = keys.len();
    let mib = keys.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>() as f64 / 1048576.0;
    let start = Instant::now();
    write(&b.etcd, keys, b.lease).await;
    let wrote = start.elapsed().as_secs_f64();
    let listed = b
        .until("/api/v1/clusters", 20, |j| synthetic(j) == CLUSTERS)
        .await;
    let listed = listed.as_secs_f64();
    println!("\n{CLUSTERS} synthetic clusters: {count} keys ({mib:.1} MiB) written in {wrote:.2} s, all listed by Patrol {listed:.2} s later");
}

/// The overview page and the APIs with the synthetic clusters loaded.
async fn overview_cases(b: &Bench, f: &mut Figures) {
    println!(
        "\n| with {CLUSTERS} clusters loaded | runs | p50 ms | p95 ms | p99 ms | max ms | bytes |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|");
    b.get("/", WARMUP).await;
    let (renders, html) = b.get("/", RENDERS).await;
    let html = String::from_utf8_lossy(&html);
    let cards = html.matches(r#"data-testid="cluster""#).count();
    let last = html.contains(r#"data-scope="bench-0999""#);
    assert!(
        cards >= CLUSTERS && last,
        "the overview shows {cards} clusters"
    );
    f.render_p50 = ms(quantile(&renders, 0.5));
    let size = format!("{} B, {cards} clusters", html.len());
    row("`GET /` (overview, server-rendered HTML)", &renders, &size);
    b.get("/api/v1/clusters", WARMUP).await;
    let (list, body) = b.get("/api/v1/clusters", RENDERS).await;
    row(
        "`GET /api/v1/clusters`",
        &list,
        &format!("{} B", body.len()),
    );
    let (api, body) = b.get(PG_META, SEQUENTIAL / 4).await;
    row(
        &format!("`GET {PG_META}`"),
        &api,
        &format!("{} B", body.len()),
    );
}

/// Prints the figures beside the targets.
fn summary(f: &Figures) {
    let rss: Vec<String> = f
        .rss
        .iter()
        .map(|(when, mib)| format!("{mib:.1} {when}"))
        .collect();
    println!("\npatrol RSS (MiB): {}", rss.join(", "));
    println!("\nsummary against the targets:");
    let p50 = f.api_p50;
    println!("  cluster GET p50 {p50:.2} ms client-side on loopback, an upper bound of the server's time (target ≤ 1 ms): {}", verdict(p50 <= 1.0));
    if let Some(w) = &f.wrk {
        let met = w.rps >= 5000.0 && w.errors == 0;
        println!(
            "  {:.0} req/s at 100 connections, {} errors (target ≥ 5,000 req/s): {}",
            w.rps,
            w.errors,
            verdict(met)
        );
    }
    let sse = f.sse_p99;
    println!(
        "  SSE p99 {sse:.1} ms, the worse of both runs (target ≤ 100 ms): {}; polled GET p99 {:.1} ms",
        verdict(sse <= 100.0),
        f.poll_p99
    );
    let render = f.render_p50;
    println!(
        "  overview render p50 {render:.1} ms with {CLUSTERS} clusters (target ≤ 200 ms): {}",
        verdict(render <= 200.0)
    );
}

/// The test bed's etcd and pg-meta's leader; panics when the test bed is down.
async fn testbed(endpoints: &str) -> (Client, String) {
    let list: Vec<&str> = endpoints.split(',').collect();
    let connect = tokio::time::timeout(Duration::from_secs(5), Client::connect(list, None));
    let etcd = connect.await.ok().and_then(Result::ok);
    let mut etcd = etcd.expect("the test bed's etcd (end2end/testbed/start.sh)");
    let resp = etcd.get("/pg/pg-meta/leader", None).await;
    let resp = resp.expect("read pg-meta's leader");
    let leader = resp.kvs().first().and_then(|kv| kv.value_str().ok());
    let leader = leader.expect("pg-meta has a leader (is the test bed up?)");
    (etcd, leader.to_owned())
}

/// The whole benchmark; the guards it holds clean up however it ends.
async fn run() {
    let endpoints = testbed_endpoints();
    let (mut etcd, leader) = testbed(&endpoints).await;
    let lease = etcd.lease_grant(LEASE_TTL_S, None).await;
    let lease = lease.expect("grant the scratch lease").id();
    // Declared before patrol, so dropped after it.
    let _scratch = Scratch::new(&endpoints);
    write(&etcd, cluster_keys("sse", 0, 100_000_000), lease).await;

    let patrol = start_patrol(&endpoints);
    let http = reqwest::Client::builder().no_proxy().build();
    let http = http.expect("an HTTP client");
    let pid = patrol.pid();
    let b = Bench {
        http,
        patrol: patrol.url.clone(),
        pid,
        endpoints,
        etcd,
        lease,
    };
    b.until(PG_META, 20, |_| true).await;
    let sse = format!("/api/v1/clusters{SCRATCH}/sse");
    b.until(&sse, 20, |_| true).await;
    println!(
        "patrol at {} (pid {pid}); pg-meta's leader is {leader}\n",
        b.patrol
    );
    let mut f = Figures::default();
    f.rss(&b, "at start");
    api_cases(&b, &leader, &mut f).await;
    f.rss(&b, "after the HTTP load");
    sse_case(&b, 0, "test bed + 1 scratch cluster", &mut f).await;
    load_clusters(&b).await;
    let more = format!("with {CLUSTERS} more clusters");
    f.rss(&b, &more);
    sse_case(&b, 1, &more, &mut f).await;
    overview_cases(&b, &mut f).await;
    f.rss(&b, "after the renders");
    summary(&f);
}

/// Runs the benchmark until it ends or Ctrl-C.
#[tokio::main]
async fn main() {
    common::bench::until_done_or_ctrl_c(run(), &format!("patrol stopped, {SCRATCH}/ deleted"))
        .await;
}
