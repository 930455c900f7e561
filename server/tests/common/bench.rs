//! What the benchmarks share besides the rest of the kit: quantiles,
//! running until done or Ctrl-C, and synthetic Patroni clusters written
//! to etcd in transactions.

use std::time::Duration;

use etcd_client::{Client, PutOptions, Txn, TxnOp};
use futures::{StreamExt, TryStreamExt};
use serde_json::json;

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

/// The keys of a 3-member Patroni 4.1.5 cluster `scope` under `namespace`,
/// shaped like the test bed's, member `{scope}-1` leading at `lsn`. Every
/// 50th cluster has a replica 64 MiB behind, every 97th a replica still
/// starting.
pub fn cluster_keys(namespace: &str, scope: &str, i: usize, lsn: u64) -> Vec<(String, String)> {
    let config = json!({"ttl": 30, "loop_wait": 10, "retry_timeout": 10,
        "maximum_lag_on_failover": 1048576, "synchronous_mode": false, "failsafe_mode": false,
        "postgresql": {"use_pg_rewind": true, "use_slots": true, "parameters": {
            "max_connections": 200, "wal_level": "replica", "hot_standby": "on",
            "wal_log_hints": "on", "max_wal_senders": 10, "max_replication_slots": 10,
            "wal_keep_size": "1GB"}}});
    let slot = |m| format!("{}_{m}", scope.replace('-', "_"));
    let slots: Vec<String> = (1..=3).map(slot).collect();
    let optimes: serde_json::Map<_, _> = slots.iter().map(|s| (s.clone(), json!(lsn))).collect();
    let status = json!({"optime": lsn, "slots": optimes, "retain_slots": slots});
    let history = format!(
        r#"[[1,25165984,"no recovery target specified","2026-01-12T08:00:00+00:00","{scope}-1"]]"#
    );
    let mut keys = vec![
        ("config".to_owned(), config.to_string()),
        (
            "initialize".to_owned(),
            format!("{}", 7_310_963_214_869_708_827 + i as u64),
        ),
        ("leader".to_owned(), format!("{scope}-1")),
        ("status".to_owned(), status.to_string()),
        ("history".to_owned(), history),
    ];
    for m in 1..=3 {
        let ip = format!("10.{}.{}.{m}", i >> 8 & 255, i & 255);
        let mut member = json!({"conn_url": format!("postgres://{ip}:5432/postgres"),
            "api_url": format!("http://{ip}:8008/patroni"), "state": "running",
            "role": "replica", "version": "4.1.5", "timeline": 2});
        let at = lsn - u64::from(m == 3 && i % 50 == 7) * (64 << 20);
        let fields = match m {
            1 => json!({"role": "primary", "xlog_location": lsn}),
            3 if i % 97 == 3 => json!({"state": "starting"}),
            _ => json!({"xlog_location": at, "replay_lsn": at, "receive_lsn": at,
                "replication_state": "streaming"}),
        };
        for (k, v) in fields.as_object().into_iter().flatten() {
            member[k] = v.clone();
        }
        keys.push((format!("members/{scope}-{m}"), member.to_string()));
    }
    let at = |(item, value): (String, String)| (format!("{namespace}/{scope}/{item}"), value);
    keys.into_iter().map(at).collect()
}

/// etcd's default `--max-txn-ops`: 16 whole clusters of 8 keys per txn.
const TXN_OPS: usize = 128;
const IN_FLIGHT: usize = 4;

/// Writes `keys` (on `lease`, if any) in transactions of [`TXN_OPS`] puts,
/// [`IN_FLIGHT`] at a time; panics if etcd refuses one.
pub async fn write(etcd: &Client, keys: Vec<(String, String)>, lease: Option<i64>) {
    let options = || lease.map(|id| PutOptions::new().with_lease(id));
    let put = |(k, v): (String, String)| TxnOp::put(k, v, options());
    let ops: Vec<TxnOp> = keys.into_iter().map(put).collect();
    let batches = ops.chunks(TXN_OPS).map(|chunk| {
        let (mut etcd, txn) = (etcd.clone(), Txn::new().and_then(chunk.to_vec()));
        async move { etcd.txn(txn).await }
    });
    let stream = futures::stream::iter(batches).buffer_unordered(IN_FLIGHT);
    let done = stream.try_for_each(|_| async { Ok(()) }).await;
    done.expect("write the synthetic clusters");
}
