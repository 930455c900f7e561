//! What the benchmarks share besides the rest of the kit: quantiles, and
//! running until done or Ctrl-C.

use std::time::Duration;

/// A duration in milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The sample at quantile `q` of sorted durations.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// Runs a benchmark until it ends or Ctrl-C. On Ctrl-C, `select!` drops
/// `run`, and with it every guard it holds (etcd, patrol, temp dirs, a
/// scratch namespace); the process exits only after that, with
/// `interrupted` printed.
pub async fn until_done_or_ctrl_c(run: impl std::future::Future<Output = ()>, interrupted: &str) {
    super::install_tls_provider();
    let stopped = tokio::select! {
        () = run => false,
        _ = tokio::signal::ctrl_c() => true,
    };
    if stopped {
        eprintln!("interrupted; {interrupted}");
        std::process::exit(130);
    }
}

/// etcd's flags for a benchmark's own etcd: room for a big database, and
/// no snapshots of its own while it loads.
pub const ETCD_FLAGS: &[&str] = &[
    "--quota-backend-bytes=8589934592",
    "--snapshot-count=1000000",
];
