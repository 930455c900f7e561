//! Keyspace benchmark: a throwaway etcd holding a million keys, the real
//! `patrol` binary in front of it, and Patrol's keyspace API timed beside
//! the `etcdctl` command a DBA would run instead. Prints figures and asserts
//! nothing about them; panics (non-zero exit) when an answer is wrong.
//! Run with `cargo bench -p server --bench keyspace`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::bench::{ms, quantile};
use common::proc::rss_mib;
use common::sse::{next_timed, timed, Timed};
use common::{etcd_client, testbed_endpoints, Etcd, Patrol};
use etcd_client::{Client, ConnectOptions, GetOptions, Txn, TxnOp};
use futures::{StreamExt, TryStreamExt};
use reqwest::Url;
use serde_json::Value;

/// Groups × directories × keys loaded under `/bench/`.
const GROUPS: usize = 10;
const DIRS: usize = 100;
const KEYS: usize = 1000;
const TOTAL: usize = GROUPS * DIRS * KEYS;
/// etcd's default `--max-txn-ops`.
const TXN_OPS: usize = 128;
const IN_FLIGHT: usize = 16;
const WARMUP: usize = 2;
const SAMPLES: usize = 20;
const SSE_PUTS: usize = 200;

/// About 100 bytes of JSON shaped like a Patroni member key.
fn member_value(i: usize) -> String {
    let ip = format!("10.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255);
    format!(
        r#"{{"conn_url":"postgres://{ip}:5432/postgres","state":"running","role":"replica","timeline":1}}"#
    )
}

/// Writes `/bench/gG/dDDD/kKKK` in transactions of [`TXN_OPS`] puts.
async fn load(etcd: &Client) {
    let batches = (0..TOTAL).step_by(TXN_OPS).map(|from| {
        let ops = (from..(from + TXN_OPS).min(TOTAL)).map(|i| {
            let (g, d, k) = (i / 100_000, i / 1000 % 100, i % 1000);
            let key = format!("/bench/g{g}/d{d:03}/k{k:03}");
            TxnOp::put(key, member_value(i), None)
        });
        let (mut etcd, txn) = (etcd.clone(), Txn::new().and_then(ops.collect::<Vec<_>>()));
        async move { etcd.txn(txn).await }
    });
    let stream = futures::stream::iter(batches).buffer_unordered(IN_FLIGHT);
    let done = stream.try_for_each(|_| async { Ok(()) }).await;
    done.expect("load the benchmark keys into etcd");
}

/// Copies the test bed's Patroni keys (`/pg/`, `/db/`) when it is up.
async fn copy_testbed(to: &Client) {
    let endpoints = testbed_endpoints();
    let opts = ConnectOptions::new().with_connect_timeout(Duration::from_secs(2));
    let read = async {
        let endpoints: Vec<&str> = endpoints.split(',').collect();
        let mut from = Client::connect(endpoints, Some(opts)).await?;
        let mut ops = Vec::new();
        for prefix in ["/pg/", "/db/"] {
            let resp = from.get(prefix, Some(GetOptions::new().with_prefix()));
            let put = |kv: &etcd_client::KeyValue| TxnOp::put(kv.key(), kv.value(), None);
            ops.extend(resp.await?.kvs().iter().map(put));
        }
        Ok::<_, etcd_client::Error>(ops)
    };
    // The client may connect lazily, so bound the whole read, not just the dial.
    match tokio::time::timeout(Duration::from_secs(5), read).await {
        Ok(Ok(ops)) => {
            for chunk in ops.chunks(TXN_OPS) {
                let txn = Txn::new().and_then(chunk.to_vec());
                to.clone().txn(txn).await.expect("copy the test bed's keys");
            }
            let n = ops.len();
            println!("copied {n} Patroni keys from the test bed ({endpoints})");
        }
        Ok(Err(e)) => println!("note: test bed not reachable ({e}); no Patroni keys copied"),
        Err(_) => println!("note: test bed not reachable (timed out); no Patroni keys copied"),
    }
}

/// Patrol's base URL, its etcd's endpoint and the one HTTP client.
struct Bench {
    http: reqwest::Client,
    patrol: String,
    etcd: String,
}

impl Bench {
    /// Patrol's `/api/v1/{route}` with a percent-encoded query.
    fn url(&self, route: &str, query: &[(&str, &str)]) -> Url {
        let base = format!("{}/api/v1/{route}", self.patrol);
        Url::parse_with_params(&base, query).expect("a valid URL")
    }

    /// One GET, timed to the last body byte; panics unless it answers 200.
    async fn fetch(&self, url: Url) -> (Duration, Value, usize) {
        let start = Instant::now();
        let resp = self.http.get(url.clone()).send().await;
        let resp = resp.expect("request to patrol");
        let status = resp.status();
        let body = resp.bytes().await.expect("read patrol's response body");
        let took = start.elapsed();
        let text = String::from_utf8_lossy(&body);
        assert_eq!(status, 200, "GET {url}: {text}");
        let json = serde_json::from_slice(&body).unwrap_or_else(|e| panic!("GET {url}: {e}"));
        (took, json, body.len())
    }

    /// Times `urls` fetched in turn, checks the first answer, times `etcdctl
    /// args` `runs` times, prints a table row; returns Patrol's median and p95.
    async fn case(
        &self,
        name: &str,
        urls: &[Url],
        ok: Check,
        ctl: &[&str],
        runs: usize,
    ) -> [f64; 2] {
        let (mut samples, mut bytes) = (Vec::new(), 0);
        for i in 0..WARMUP + SAMPLES {
            let (mut took, mut first) = (Duration::ZERO, Value::Null);
            bytes = 0;
            for url in urls {
                let (t, json, size) = self.fetch(url.clone()).await;
                (took, bytes) = (took + t, bytes + size);
                first = if first.is_null() { json } else { first };
            }
            assert!(ok(&first), "{name}: wrong answer: {first}");
            if i >= WARMUP {
                samples.push(took);
            }
        }
        let mut etcdctl_runs = Vec::new();
        for _ in 0..runs {
            etcdctl_runs.push(etcdctl(&self.etcd, ctl).await);
        }
        samples.sort();
        etcdctl_runs.sort();
        let [median, p95] = [0.5, 0.95].map(|q| ms(quantile(&samples, q)));
        let etcdctl = ms(quantile(&etcdctl_runs, 0.5));
        let ratio = etcdctl / median;
        println!("| {name} | {median:.1} | {p95:.1} | {etcdctl:.1} | {ratio:.1}× | {bytes} |");
        [median, p95]
    }
}

/// Runs etcdctl, reading and discarding its output; panics if it fails.
async fn etcdctl(endpoint: &str, args: &[&str]) -> Duration {
    let start = Instant::now();
    let mut child = tokio::process::Command::new("etcdctl")
        .env("ETCDCTL_API", "3")
        .env_remove("ETCDCTL_ENDPOINTS")
        .arg(format!("--endpoints={endpoint}"))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn etcdctl (Debian's etcd-client must be on PATH)");
    let mut out = child.stdout.take().expect("etcdctl's stdout is piped");
    let read = tokio::io::copy(&mut out, &mut tokio::io::sink()).await;
    read.expect("read etcdctl's output");
    let status = child.wait().await.expect("wait for etcdctl");
    assert!(status.success(), "etcdctl {args:?}: {status}");
    start.elapsed()
}

/// What a case's first answer must satisfy.
type Check = fn(&Value) -> bool;

/// Names in a listing's `dirs` or `keys`.
fn names<'a>(json: &'a Value, field: &str) -> Vec<&'a str> {
    let items = json[field].as_array().into_iter().flatten();
    items.filter_map(|e| e["name"].as_str()).collect()
}

/// Opens Patrol's watch on `prefix`, timed as events arrive.
async fn watch(b: &Bench, prefix: &str) -> Timed {
    timed(&b.http, b.url("kv/watch", &[("prefix", prefix)]).as_str())
        .await
        .0
}

/// Puts keys one by one and times each until its `put` event arrives.
async fn sse_latency(b: &Bench, etcd: &Client) -> Vec<Duration> {
    let mut events = watch(b, "/bench-sse/").await;
    let (first, ..) = next_timed(&mut events).await;
    assert_eq!(first, "ready", "the first SSE event");
    let mut latencies = Vec::new();
    for i in 0..SSE_PUTS {
        let key = format!("/bench-sse/k{i}");
        let start = Instant::now();
        let put = etcd.clone().put(key.as_str(), member_value(i), None).await;
        put.expect("put a watched key");
        let at = loop {
            match next_timed(&mut events).await {
                (event, data, at) if event == "put" && data["key"] == key.as_str() => break at,
                _ => {}
            }
        };
        latencies.push(at - start);
    }
    latencies.sort();
    latencies
}

/// The whole benchmark; the guards it holds clean up however it ends.
async fn run() {
    let etcd = Etcd::scratch("bench-keyspace", common::bench::ETCD_FLAGS);
    let endpoint = etcd.endpoint.clone();
    let client = etcd_client(std::slice::from_ref(&endpoint)).await;
    let start = Instant::now();
    load(&client).await;
    let (load_s, value) = (start.elapsed().as_secs_f64(), member_value(0).len());
    let rate = TOTAL as f64 / load_s;
    println!("loaded {TOTAL} keys ({value}-byte values) in {load_s:.1} s: {rate:.0} keys/s");
    copy_testbed(&client).await;

    let patrol = Patrol::start(&["--endpoints", &endpoint]);
    let pid = patrol.pid();
    let http = reqwest::Client::new();
    let b = Bench {
        http,
        patrol: patrol.url.clone(),
        etcd: endpoint,
    };
    b.fetch(b.url("health", &[])).await;
    let rss_start = rss_mib(pid);
    println!("patrol at {}\n", b.patrol);

    println!(
        "| case | Patrol median ms | Patrol p95 ms | etcdctl median ms | etcdctl/Patrol | \
              response bytes |\n|---|---:|---:|---:|---:|---:|"
    );
    let ls = |path: &'static str| [b.url("kv/ls", &[("path", path)])];
    let keys = |prefix| ["get", "--prefix", "--keys-only", prefix];
    let name = "`/` (root)";
    let root: Check = |j| names(j, "dirs").contains(&"bench");
    b.case(name, &ls("/"), root, &keys("/"), 3).await;
    let name = "`/bench/` (10 dirs, 1M keys)";
    let ten: Check = |j| names(j, "dirs").len() == GROUPS && names(j, "keys").is_empty();
    b.case(name, &ls("/bench/"), ten, &keys("/bench/"), 3).await;
    let name = "`/bench/g3/` (100 dirs, 100k keys)";
    let hundred: Check = |j| names(j, "dirs").len() == DIRS && names(j, "keys").is_empty();
    let g3 = (ls("/bench/g3/"), keys("/bench/g3/"));
    let [level, level_p95] = b.case(name, &g3.0, hundred, &g3.1, 5).await;
    let name = "`/bench/g3/d042/` (1,000 keys)";
    let d042 = [b.url("kv/ls", &[("path", "/bench/g3/d042/"), ("limit", "1000")])];
    let all: Check = |j| names(j, "keys").len() == KEYS && j["next"].is_null();
    b.case(name, &d042, all, &keys("/bench/g3/d042/"), 5).await;
    let name = "key `…/d042/k500` (get + history)";
    let key = [("key", "/bench/g3/d042/k500")];
    let view = [b.url("kv/get", &key), b.url("kv/history", &key)];
    let value: Check = |j| j["value"].as_str() == Some(&member_value(342_500));
    b.case(name, &view, value, &["get", key[0].1], 5).await;
    let rss_cases = rss_mib(pid);

    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..100 {
        // xorshift: any spread of directories will do, no need for a crate.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let dir = format!("/bench/g{}/d{:03}/", seed % 10, (seed >> 8) % 100);
        let url = b.url("kv/ls", &[("path", &dir), ("limit", "1000")]);
        let (_, json, _) = b.fetch(url).await;
        assert_eq!(names(&json, "keys").len(), KEYS, "keys listed in {dir}");
    }
    let rss_end = rss_mib(pid);
    println!(
        "\npatrol RSS: {rss_start:.1} MiB before browsing, {rss_cases:.1} MiB after the \
              cases, {rss_end:.1} MiB after 100 more 1,000-key listings"
    );

    let sse = sse_latency(&b, &client).await;
    let [p50, p99, max] = [0.5, 0.99, 1.0].map(|q| ms(quantile(&sse, q)));
    let sse = format!("p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms");
    println!("SSE put → event, {SSE_PUTS} puts: {sse}");

    println!("\nsummary:\n  load: {TOTAL} keys in {load_s:.0} s ({rate:.0} keys/s)");
    let level = format!("median {level:.1} ms, p95 {level_p95:.1} ms");
    println!("  a level with 100 children: {level} (target ≤ 100 ms)");
    println!("  SSE latency p99 {p99:.1} ms (target ≤ 100 ms)");
    println!("  patrol RSS {rss_start:.0} → {rss_end:.0} MiB");
}

/// Runs the benchmark until it ends or Ctrl-C.
#[tokio::main]
async fn main() {
    common::bench::until_done_or_ctrl_c(run(), "etcd and patrol stopped, temp dir removed").await;
}
