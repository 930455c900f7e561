//! Snapshot benchmark: a throwaway etcd filled to about 200 MB, and Patrol's
//! download (`POST /api/v1/etcd/snapshot`, streamed to a file and fsynced)
//! timed against `etcdctl snapshot save`, the two alternating. Patrol's peak
//! memory is read from /proc before and after downloads of a ~50 MB and a
//! ~200 MB snapshot, each on a fresh process, to show that it does not grow
//! with the snapshot. Every downloaded file is checked with `etcdctl
//! snapshot status`. Prints figures and asserts nothing about them; panics
//! (non-zero exit) when an answer is wrong.
//! Run with `cargo bench -p server --bench snapshot`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::admin::{self, TOKEN};
use common::proc::{peak_rss_mib, rss_mib};
use common::{etcd_client, Etcd, Patrol, TempDir};
use etcd_client::Client;
use futures::{StreamExt, TryStreamExt};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

/// Values of 256 KiB: well under etcd's 1.5 MiB request limit.
const VALUE_BYTES: usize = 256 * 1024;
/// Keys for the small (~50 MB) and the large (~200 MB) database.
const SMALL_KEYS: usize = 200;
const LARGE_KEYS: usize = 800;
const IN_FLIGHT: usize = 4;
const ROUNDS: usize = 3;
const PREFIX: &str = "/bench-snapshot/";

/// Starts `patrol` on port 0 with an admin token and an audit log in `dir`.
fn start_patrol(etcd: &str, dir: &Path) -> Patrol {
    let mut args = vec!["--endpoints".to_owned(), etcd.to_owned()];
    args.extend(admin::flags(dir));
    Patrol::start(&args)
}

/// 256 KiB of xorshift noise, different for every key.
fn value(i: usize) -> Vec<u8> {
    let mut seed = 0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1);
    let mut out = Vec::with_capacity(VALUE_BYTES);
    while out.len() < VALUE_BYTES {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.extend_from_slice(&seed.to_le_bytes());
    }
    out
}

/// Puts keys `from..to` under [`PREFIX`], [`IN_FLIGHT`] at a time, and
/// prints how long that took.
async fn fill(etcd: &Client, from: usize, to: usize) {
    let start = Instant::now();
    let puts = (from..to).map(|i| {
        let mut etcd = etcd.clone();
        async move { etcd.put(format!("{PREFIX}{i:04}"), value(i), None).await }
    });
    let stream = futures::stream::iter(puts).buffer_unordered(IN_FLIGHT);
    let done = stream.try_for_each(|_| async { Ok(()) }).await;
    done.expect("put the benchmark values into etcd");
    let (n, s) = (to - from, start.elapsed().as_secs_f64());
    println!("put {n} values of {} KiB in {s:.1} s", VALUE_BYTES / 1024);
}

/// etcd's DB size in bytes and its current revision; prints the size.
async fn db_status(etcd: &Client) -> (u64, i64) {
    let status = etcd.clone().status().await.expect("etcd status");
    let revision = status.header().map_or(0, |h| h.revision());
    let size = status.db_size() as u64;
    println!("etcd DB size: {:.1} MB (revision {revision})", mb(size));
    (size, revision)
}

/// Runs etcdctl with `args`; panics if it fails. Returns its stdout.
async fn etcdctl(args: &[&str]) -> Vec<u8> {
    let out = tokio::process::Command::new("etcdctl")
        .env("ETCDCTL_API", "3")
        .env_remove("ETCDCTL_ENDPOINTS")
        .args(args)
        .kill_on_drop(true)
        .output()
        .await
        .expect("run etcdctl (Debian's etcd-client must be on PATH)");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "etcdctl {args:?}: {}: {err}",
        out.status
    );
    out.stdout
}

/// `etcdctl snapshot save`, timed wall-clock; returns the time and file size.
async fn etcdctl_save(endpoint: &str, file: &Path) -> (Duration, u64) {
    let (endpoint, path) = (
        format!("--endpoints={endpoint}"),
        file.display().to_string(),
    );
    let start = Instant::now();
    etcdctl(&[&endpoint, "snapshot", "save", &path]).await;
    let took = start.elapsed();
    let size = std::fs::metadata(file)
        .expect("etcdctl's snapshot file")
        .len();
    (took, size)
}

/// Patrol's download streamed to `file` and fsynced, timed from the request
/// to the fsync; returns the time and bytes written.
async fn patrol_save(http: &reqwest::Client, patrol: &str, file: &Path) -> (Duration, u64) {
    let start = Instant::now();
    let resp = http
        .post(format!("{patrol}/api/v1/etcd/snapshot"))
        .bearer_auth(TOKEN)
        .json(&json!({ "confirm": "etcd" }))
        .send()
        .await
        .expect("request to patrol");
    let status = resp.status();
    if status != 200 {
        let text = resp.text().await.unwrap_or_default();
        panic!("POST /api/v1/etcd/snapshot: {status}: {text}");
    }
    let mut out = tokio::fs::File::create(file)
        .await
        .expect("create the snapshot file");
    let (mut body, mut bytes) = (resp.bytes_stream(), 0);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.expect("read patrol's snapshot stream");
        out.write_all(&chunk)
            .await
            .expect("write the snapshot file");
        bytes += chunk.len() as u64;
    }
    out.sync_all().await.expect("fsync the snapshot file");
    (start.elapsed(), bytes)
}

/// Panics unless `etcdctl snapshot status` reads `file` as a snapshot
/// holding at least `keys` keys at revision `revision` or later.
async fn check_snapshot(file: &Path, revision: i64, keys: usize) {
    let path = file.display().to_string();
    let out = etcdctl(&["snapshot", "status", "-w", "json", &path]).await;
    let status: Value = serde_json::from_slice(&out).expect("snapshot status as JSON");
    let total = status["totalKey"].as_u64().unwrap_or(0);
    let rev = status["revision"].as_i64().unwrap_or(0);
    let ok = total > 0 && total >= keys as u64 && rev >= revision;
    assert!(
        ok,
        "{path}: not a valid snapshot of {keys} keys at revision ≥ {revision}: {status}"
    );
}

/// Bytes in MB (10^6).
fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// Throughput in MB/s.
fn mb_s(bytes: u64, took: Duration) -> f64 {
    mb(bytes) / took.as_secs_f64()
}

/// The median of a few figures.
fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// A Patrol process, checked healthy, and its HTTP client.
async fn patrol(endpoint: &str, dir: &Path) -> (Patrol, String, reqwest::Client) {
    let guard = start_patrol(endpoint, dir);
    let url = guard.url.clone();
    let http = reqwest::Client::new();
    let health = http.get(format!("{url}/api/v1/health")).send().await;
    let health = health.expect("GET /api/v1/health").status();
    assert_eq!(health, 200, "GET /api/v1/health");
    (guard, url, http)
}

/// Patrol's memory around the downloads of one snapshot size.
struct Memory {
    db: u64,
    snapshot: u64,
    /// VmHWM before the first download, MiB.
    before: f64,
    /// VmHWM after the last download, MiB.
    peak: f64,
    /// VmRSS after the last download, MiB.
    rss: f64,
}

/// Where the benchmark runs: etcd, its client, and a temp dir for files.
struct Bench {
    endpoint: String,
    etcd: Client,
    dir: PathBuf,
}

impl Bench {
    /// Fills etcd up to `keys` keys; returns its DB size and revision.
    async fn fill_to(&self, from: usize, keys: usize) -> (u64, i64) {
        fill(&self.etcd, from, keys).await;
        // etcd commits its backend every 100 ms and reports the DB size as
        // of the last commit.
        tokio::time::sleep(Duration::from_millis(300)).await;
        db_status(&self.etcd).await
    }

    /// Fills etcd to `keys` keys, starts a fresh Patrol and runs `rounds` of
    /// `etcdctl snapshot save` then Patrol's download, each file checked;
    /// prints a row per round. Returns Patrol's memory and the ratios.
    async fn rounds(&self, from: usize, keys: usize, rounds: usize) -> (Memory, Vec<f64>) {
        let (db, revision) = self.fill_to(from, keys).await;
        let (guard, url, http) = patrol(&self.endpoint, &self.dir).await;
        let pid = guard.pid();
        let (patrol_file, etcdctl_file) = (self.dir.join("patrol.db"), self.dir.join("etcdctl.db"));
        let (before, rss) = (peak_rss_mib(pid), rss_mib(pid));
        println!("fresh patrol: VmHWM {before:.1} MiB, VmRSS {rss:.1} MiB before downloading\n");
        println!(
            "| run | etcdctl s | etcdctl MB/s | Patrol s | Patrol MB/s | Patrol/etcdctl | \
             Patrol VmHWM MiB | Patrol VmRSS MiB |\n|---|---:|---:|---:|---:|---:|---:|---:|"
        );
        let (mut ratios, mut snapshot) = (Vec::new(), 0);
        for run in 1..=rounds {
            let (ctl_took, ctl_bytes) = etcdctl_save(&self.endpoint, &etcdctl_file).await;
            let _ = std::fs::remove_file(&etcdctl_file);
            let (took, bytes) = patrol_save(&http, &url, &patrol_file).await;
            check_snapshot(&patrol_file, revision, keys).await;
            let _ = std::fs::remove_file(&patrol_file);
            let (peak, rss) = (peak_rss_mib(pid), rss_mib(pid));
            let (ctl, patrol) = (mb_s(ctl_bytes, ctl_took), mb_s(bytes, took));
            let (ratio, ctl_s, patrol_s) =
                (patrol / ctl, ctl_took.as_secs_f64(), took.as_secs_f64());
            println!(
                "| {run} | {ctl_s:.2} | {ctl:.0} | {patrol_s:.2} | {patrol:.0} | {ratio:.2} \
                 | {peak:.1} | {rss:.1} |"
            );
            ratios.push(ratio);
            snapshot = bytes;
        }
        // VmHWM only grows, so the last reading is the peak.
        let (peak, rss) = (peak_rss_mib(pid), rss_mib(pid));
        println!();
        (
            Memory {
                db,
                snapshot,
                before,
                peak,
                rss,
            },
            ratios,
        )
    }
}

/// The whole benchmark; the guards it holds clean up however it ends.
async fn run() {
    let temp = TempDir::new("bench-snapshot");
    let etcd = Etcd::scratch("bench-snapshot-etcd", common::bench::ETCD_FLAGS);
    let endpoint = etcd.endpoint.clone();
    let client = etcd_client(std::slice::from_ref(&endpoint)).await;
    let b = Bench {
        endpoint,
        etcd: client,
        dir: temp.path().to_owned(),
    };

    let (small, _) = b.rounds(0, SMALL_KEYS, 1).await;
    let (large, ratios) = b.rounds(SMALL_KEYS, LARGE_KEYS, ROUNDS).await;
    let ratio = median(ratios);
    println!("median throughput ratio Patrol/etcdctl, {ROUNDS} runs: {ratio:.2} (target ≥ 0.9)\n");

    println!(
        "| snapshot MB | etcd DB MB | Patrol VmHWM before MiB | Patrol peak RSS (VmHWM) after MiB \
         | Patrol VmRSS after MiB |\n|---:|---:|---:|---:|---:|"
    );
    for m in [&small, &large] {
        let (snapshot, db) = (mb(m.snapshot), mb(m.db));
        let (before, peak, rss) = (m.before, m.peak, m.rss);
        println!("| {snapshot:.1} | {db:.1} | {before:.1} | {peak:.1} | {rss:.1} |");
    }
    let (growth, times) = (
        large.peak - small.peak,
        large.snapshot as f64 / small.snapshot as f64,
    );
    println!("\npeak RSS {growth:+.1} MiB for a {times:.1}× larger snapshot");
}

/// Runs the benchmark until it ends or Ctrl-C.
#[tokio::main]
async fn main() {
    common::bench::until_done_or_ctrl_c(run(), "etcd and patrol stopped, temp dirs removed").await;
}
