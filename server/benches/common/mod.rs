//! Helpers the benchmarks share: reading Patrol's address from its log,
//! memory, quantiles, SSE events and a throwaway etcd.
#![allow(dead_code)] // each benchmark uses a different subset

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::mpsc::UnboundedReceiver;

/// SSE events as `(event name, JSON data, arrival time)`.
pub type Events = UnboundedReceiver<(String, Value, Instant)>;

/// Reads the `listening on http://…` line from `child`'s piped stderr and
/// keeps draining it afterwards so patrol never blocks on a full pipe.
pub fn patrol_url(child: &mut Child) -> String {
    let stderr = child.stderr.take().expect("patrol's stderr is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some((_, addr)) = line.split_once("listening on http://") {
                let addr = addr.split_whitespace().next().unwrap_or_default();
                let _ = tx.send(format!("http://{addr}"));
            }
        }
    });
    let url = rx.recv_timeout(Duration::from_secs(20));
    url.expect("patrol logged no `listening on http://…` in 20 s")
}

/// Resident memory of process `pid` in MiB.
pub fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"));
    let status = status.expect("read /proc/PID/status");
    let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:"));
    let kib = line.and_then(|v| v.trim().trim_end_matches(" kB").parse::<f64>().ok());
    kib.expect("VmRSS in /proc status") / 1024.0
}

/// A duration in milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The sample at quantile `q` of sorted durations.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// The next SSE event; panics after 10 s without one.
pub async fn next_event(events: &mut Events) -> (String, Value, Instant) {
    let next = tokio::time::timeout(Duration::from_secs(10), events.recv()).await;
    let next = next.expect("no SSE event within 10 s");
    next.expect("the event stream ended")
}

/// Peak resident memory (`VmHWM`) of process `pid` in MiB.
pub fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"));
    let status = status.expect("read /proc/PID/status");
    let line = status.lines().find_map(|l| l.strip_prefix("VmHWM:"));
    let kib = line.and_then(|v| v.trim().trim_end_matches(" kB").parse::<f64>().ok());
    kib.expect("VmHWM in /proc status") / 1024.0
}

/// A child process killed on drop, with a directory removed after it.
pub struct Guard(pub Child, pub Option<PathBuf>);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        if let Some(dir) = &self.1 {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Starts a throwaway single-member etcd on free ports, its data in a temp
/// dir; returns its guard and client URL.
pub fn start_etcd() -> (Guard, String) {
    let port = || {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        l.local_addr().expect("local address").port()
    };
    let (client, peer) = (port(), port());
    let dir = std::env::temp_dir().join(format!("patrol-bench-{}-{client}", std::process::id()));
    let url = format!("http://127.0.0.1:{client}");
    let flags = format!(
        "--name=bench --listen-client-urls={url} --advertise-client-urls={url} \
         --listen-peer-urls=http://127.0.0.1:{peer} \
         --initial-advertise-peer-urls=http://127.0.0.1:{peer} \
         --initial-cluster=bench=http://127.0.0.1:{peer} --quota-backend-bytes=8589934592 \
         --snapshot-count=1000000 --log-level=error --logger=zap"
    );
    let child = Command::new("etcd")
        .args(flags.split_whitespace())
        .arg(format!("--data-dir={}", dir.display()))
        .stdout(Stdio::null())
        .spawn()
        .expect("start etcd (Debian's etcd-server must be on PATH)");
    (Guard(child, Some(dir)), url)
}

/// A client of the etcd at `endpoint` once it answers (20 s at most).
pub async fn connect_etcd(endpoint: &str) -> etcd_client::Client {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        // A fresh etcd needs a moment before it answers.
        if let Ok(mut c) = etcd_client::Client::connect([endpoint], None).await {
            if c.status().await.is_ok() {
                return c;
            }
        }
        assert!(Instant::now() < deadline, "etcd did not answer in 20 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs a benchmark until it ends or Ctrl-C. On Ctrl-C, `select!` drops
/// `run`, and with it every guard it holds (etcd, patrol, temp dirs, a
/// scratch namespace); the process exits only after that, with
/// `interrupted` printed.
pub async fn until_done_or_ctrl_c(run: impl std::future::Future<Output = ()>, interrupted: &str) {
    // reqwest is built without a default TLS provider; patrol installs ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let stopped = tokio::select! {
        () = run => false,
        _ = tokio::signal::ctrl_c() => true,
    };
    if stopped {
        eprintln!("interrupted; {interrupted}");
        std::process::exit(130);
    }
}
