//! The test bed's Patroni clusters from a test's side: etcd keys, members'
//! addresses, psql and patronictl, stopping a process, polling with a
//! deadline.

use std::fmt::Display;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use super::{etcdctl, proc, testbed_endpoints, try_etcdctl};

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// Runs etcdctl against the test bed; panics on failure.
pub fn ctl(args: &[&str]) -> String {
    etcdctl(&testbed_endpoints(), &[], args)
}

/// A key's value, `None` when it does not exist.
pub fn value(key: &str) -> Option<String> {
    let out = ctl(&["get", key, "--print-value-only"]);
    let v = out.strip_suffix('\n').unwrap_or(&out);
    (!out.is_empty()).then(|| v.to_owned())
}

/// The lease a key is attached to, in hex as Patrol prints it (`None`: no
/// key or no lease).
pub fn lease_of(key: &str) -> Option<String> {
    let out = ctl(&["get", key, "-w", "json"]);
    let json: Value = serde_json::from_str(&out).expect("etcdctl -w json");
    let lease = json["kvs"][0]["lease"].as_i64()?;
    (lease != 0).then(|| format!("{lease:x}"))
}

/// Deletes every key under each prefix when dropped, even when the test
/// fails; a failed delete is reported, never a panic inside a panic.
pub struct ScratchKeys(pub Vec<String>);

impl Drop for ScratchKeys {
    fn drop(&mut self) {
        for prefix in &self.0 {
            if try_etcdctl(&testbed_endpoints(), &[], &["del", "--prefix", prefix]).is_err() {
                eprintln!("could not delete {prefix}: remove it by hand");
            }
        }
    }
}

/// `$PATROL_TESTBED_DIR`, where each member has `<member>/patroni.yml`.
pub fn dir() -> PathBuf {
    std::env::var("PATROL_TESTBED_DIR")
        .unwrap_or_else(|_| "/tmp/patrol-testbed".into())
        .into()
}

/// `$PATROL_TESTBED_VENV/bin/patronictl`.
pub fn patronictl() -> PathBuf {
    let venv =
        std::env::var("PATROL_TESTBED_VENV").unwrap_or_else(|_| "/opt/patrol-testbed/venv".into());
    PathBuf::from(venv).join("bin/patronictl")
}

/// Patrol's `--patroni-rest` file that start.sh writes (credentials for
/// mycluster, whose REST API wants basic auth): `$PATROL_TESTBED_PATRONI_REST`.
pub fn patroni_rest_file() -> String {
    std::env::var("PATROL_TESTBED_PATRONI_REST").unwrap_or_else(|_| {
        dir()
            .join("patroni-rest.toml")
            .to_string_lossy()
            .into_owned()
    })
}

/// `member`'s address in `$var`, a list of `name=address` (`fallback`, the
/// test bed's defaults, when unset).
fn address_of(var: &str, fallback: &str, member: &str) -> String {
    let pairs = std::env::var(var).unwrap_or_else(|_| fallback.into());
    pairs
        .split_whitespace()
        .find_map(|p| p.strip_prefix(member)?.strip_prefix('='))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no address for {member} in {var}: {pairs}"))
}

/// A member's REST API base URL (`http://127.0.0.1:18011`), from
/// `$PATROL_TESTBED_PATRONI`.
pub fn rest_url(member: &str) -> String {
    let fallback = "pg-meta-1=http://127.0.0.1:18001 pg-meta-2=http://127.0.0.1:18002 \
         pg-meta-3=http://127.0.0.1:18003 mycluster-1=http://127.0.0.1:18011 \
         mycluster-2=http://127.0.0.1:18012 quorum-1=http://127.0.0.1:18021 \
         quorum-2=http://127.0.0.1:18022 quorum-3=http://127.0.0.1:18023 \
         standby-1=http://127.0.0.1:18031 standby-2=http://127.0.0.1:18032";
    address_of("PATROL_TESTBED_PATRONI", fallback, member)
}

/// A member's PostgreSQL port, from `$PATROL_TESTBED_POSTGRES`.
pub fn pg_port(member: &str) -> u16 {
    let fallback = "pg-meta-1=127.0.0.1:15431 pg-meta-2=127.0.0.1:15432 \
         pg-meta-3=127.0.0.1:15433 mycluster-1=127.0.0.1:15441 mycluster-2=127.0.0.1:15442 \
         quorum-1=127.0.0.1:15451 quorum-2=127.0.0.1:15452 quorum-3=127.0.0.1:15453 \
         standby-1=127.0.0.1:15461 standby-2=127.0.0.1:15462";
    let addr = address_of("PATROL_TESTBED_POSTGRES", fallback, member);
    let port = addr.rsplit_once(':').and_then(|(_, p)| p.parse().ok());
    port.unwrap_or_else(|| panic!("no port in {member}'s PostgreSQL address {addr}"))
}

fn psql_command(member: &str, sql: &str) -> Command {
    let mut cmd = Command::new(format!("{PG_BIN}/psql"));
    cmd.env(
        "PGPASSWORD",
        std::env::var("PATROL_TESTBED_PGPASSWORD").unwrap_or_else(|_| "patrol-super".into()),
    )
    .args(["-h", "127.0.0.1", "-p", &pg_port(member).to_string()])
    .args(["-U", "postgres", "-d", "postgres", "-X", "-A", "-t"])
    .args(["-v", "ON_ERROR_STOP=1", "-c", sql]);
    cmd
}

/// Runs `sql` on a member as the superuser; panics on failure.
pub async fn psql(member: &str, sql: &str) -> String {
    let out = tokio::process::Command::from(psql_command(member, sql))
        .output()
        .await
        .expect("run psql");
    assert!(
        out.status.success(),
        "psql on {member} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Runs `sql` on `member` when dropped (clean-up that must happen even when
/// the test fails); errors are printed, not raised.
pub struct OnDrop {
    pub member: String,
    pub sql: String,
}

impl Drop for OnDrop {
    fn drop(&mut self) {
        match psql_command(&self.member, &self.sql).output() {
            Ok(o) if o.status.success() => {}
            _ => eprintln!("clean-up failed on {}: {}", self.member, self.sql),
        }
    }
}

/// The PID of the WAL receiver of `member`'s PostgreSQL: the postmaster's
/// child whose title says `walreceiver`.
pub fn walreceiver_pid(member: &str) -> Option<u32> {
    let pid_file = dir().join(member).join("data/postmaster.pid");
    let text = std::fs::read_to_string(&pid_file).ok()?;
    let postmaster: u32 = text.lines().next()?.trim().parse().ok()?;
    proc::children(postmaster).into_iter().find_map(|(pid, _)| {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        String::from_utf8_lossy(&cmdline)
            .contains("walreceiver")
            .then_some(pid)
    })
}

/// A process stopped with SIGSTOP, continued when this is dropped, so a
/// failing test never leaves it stopped.
pub struct Stopped(u32);

impl Stopped {
    pub fn new(pid: u32) -> Stopped {
        let status = Command::new("kill")
            .args(["-STOP", &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -STOP {pid} failed");
        Stopped(pid)
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        let ok = Command::new("kill")
            .args(["-CONT", &self.0.to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("kill -CONT {} failed: continue it by hand", self.0);
        }
    }
}

/// A deadline for polling: `check` sleeps a little, or panics with `what`
/// and the last value seen once the time is up.
pub struct Deadline {
    what: String,
    end: Instant,
}

impl Deadline {
    pub fn new(within: Duration, what: impl Into<String>) -> Deadline {
        Deadline {
            what: what.into(),
            end: Instant::now() + within,
        }
    }

    pub async fn check(&self, last: impl Display) {
        if Instant::now() > self.end {
            panic!("{} did not happen in time; last seen:\n{last}", self.what);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `GET url`: status and JSON body.
pub async fn get(url: &str) -> (u16, Value) {
    let resp = reqwest::get(url).await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json body"))
}
