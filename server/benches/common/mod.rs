//! Helpers both benchmarks use: reading Patrol's address from its log,
//! memory, quantiles and SSE events.
#![allow(dead_code)] // each benchmark uses a different subset

use std::io::{BufRead, BufReader};
use std::process::Child;
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
