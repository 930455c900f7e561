//! The test kit of the integration tests and the benchmarks (which include
//! it with `#[path]`): the real `patrol` binary on port 0, throwaway etcd
//! servers, throwaway certificates, the test bed's addresses, event streams
//! and /proc.
#![allow(dead_code)] // the tests and each benchmark use different subsets

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub mod admin;
pub mod bench;
pub mod etcd_admin;
pub mod pki;
pub mod proc;
pub mod sse;
pub mod store;
pub mod testbed;

/// `s` percent-encoded for a URL, leaving unreserved characters and `keep`:
/// `"/"` for a key path, `""` for one segment or a query value.
pub fn percent_encode(s: &str, keep: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ if keep.as_bytes().contains(&b) => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether `v` is a string holding `part`, such as an error that names
/// its cause.
pub fn says(v: &serde_json::Value, part: &str) -> bool {
    v.as_str().is_some_and(|s| s.contains(part))
}

/// Runs `cmd` to its end: its output, once it has succeeded (else the test
/// fails with what it wrote to standard error).
pub fn succeed(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Gives this test process rustls' ring provider, as `patrol` itself does:
/// reqwest is built without a default one.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The test bed's etcd endpoints (see end2end/testbed/env.sh).
pub fn testbed_endpoints() -> String {
    std::env::var("PATROL_TESTBED_ENDPOINTS").unwrap_or_else(|_| {
        "http://127.0.0.1:12379,http://127.0.0.1:12479,http://127.0.0.1:12579".into()
    })
}

/// A running `patrol`; killed on drop.
pub struct Patrol {
    child: Child,
    pub url: String,
    log: Arc<Mutex<String>>,
    /// Its own state directory (so its own SQLite store, unless the test
    /// gives it `--store`): tests never share a store by accident.
    state: TempDir,
}

impl Patrol {
    /// Starts the binary with `args` plus `--listen 127.0.0.1:0` and a
    /// state directory of its own, and waits for the line that gives its
    /// address.
    pub fn start<S: AsRef<OsStr>>(args: &[S]) -> Patrol {
        install_tls_provider();
        let state = TempDir::new("state");
        let mut child = Command::new(env!("CARGO_BIN_EXE_patrol"))
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .env_remove("ETCDCTL_ENDPOINTS")
            .env_remove("PATROL_STORE")
            .env("PATROL_STATE_DIR", state.path())
            .env("PATROL_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn patrol");
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("listening on http://") {
                    let url = line[at + "listening on ".len()..]
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_owned();
                    let _ = tx.send(url);
                }
                if let Ok(mut l) = sink.lock() {
                    l.push_str(&line);
                    l.push('\n');
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| {
                let _ = child.kill();
                panic!(
                    "patrol did not report its address; log:\n{}",
                    log.lock().map(|l| l.clone()).unwrap_or_default()
                )
            });
        wait_served(&url);
        Patrol {
            child,
            url,
            log,
            state,
        }
    }

    /// Its state directory (where its default SQLite store is).
    pub fn state_dir(&self) -> &Path {
        self.state.path()
    }

    /// Kills it with SIGKILL, as a crash would, and waits for it to go.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The process id, to look at its command line.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// `GET path`: status and JSON body.
    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        testbed::get(&format!("{}{path}", self.url)).await
    }

    /// `GET path`: status and body.
    pub async fn text(&self, path: &str) -> (u16, String) {
        let resp = reqwest::get(format!("{}{path}", self.url))
            .await
            .expect("request");
        let status = resp.status().as_u16();
        (status, resp.text().await.expect("body"))
    }

    /// `POST path` with a body of `content_type` as given, however bad.
    pub async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("{}{path}", self.url))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    pub async fn json(&self, path: &str) -> serde_json::Value {
        let resp = reqwest::get(format!("{}{path}", self.url))
            .await
            .expect("request");
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.expect("json body")
    }

    /// Starts the binary with `args` and waits (20 s at most) until it has
    /// reached etcd.
    pub async fn start_reachable<S: AsRef<OsStr>>(args: &[S]) -> Patrol {
        let patrol = Patrol::start(args);
        patrol.wait_reachable(Duration::from_secs(20)).await;
        patrol
    }

    /// Polls `GET /api/v1/health` until Patrol has reached etcd (`within`
    /// at most).
    pub async fn wait_reachable(&self, within: Duration) -> serde_json::Value {
        self.wait_health(within, |h| h["etcd"]["reachable"] == true)
            .await
    }

    /// Polls `GET /api/v1/health` until `want(health)` holds or `within` passes.
    pub async fn wait_health(
        &self,
        within: Duration,
        want: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = Instant::now() + within;
        loop {
            let health = self.json("/api/v1/health").await;
            if want(&health) {
                return health;
            }
            if Instant::now() > deadline {
                panic!("health never matched; last: {health}\nlog:\n{}", self.log());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Patrol {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits (20 s at most) until the Patrol at `url` serves `/healthz`: it
/// reports its address before it has opened its store, and connections
/// wait in the backlog until then. Returns early if it exits instead.
fn wait_served(url: &str) {
    use std::io::{Read, Write};
    let Some(addr) = url.strip_prefix("http://") else {
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
            return; // it exited
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
        let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        let mut answer = Vec::new();
        let answered =
            stream.write_all(request.as_bytes()).is_ok() && stream.read_to_end(&mut answer).is_ok();
        if answered && (answer.starts_with(b"HTTP/1.1 200") || answer.is_empty()) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A client of the etcd at `endpoints`, once it answers (within 20 s: a
/// fresh etcd needs a moment).
pub async fn etcd_client(endpoints: &[String]) -> etcd_client::Client {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(mut c) = etcd_client::Client::connect(endpoints, None).await {
            if c.get("probe", None).await.is_ok() {
                return c;
            }
        }
        assert!(
            Instant::now() < deadline,
            "etcd at {endpoints:?} never answered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A private temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "patrol-test-{tag}-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A single-member etcd of the test's own; killed on drop.
pub struct Etcd {
    child: Option<Child>,
    args: Vec<String>,
    pub endpoint: String,
    /// The data directory when the etcd owns it ([`Etcd::scratch`]):
    /// removed after the process is killed, as fields drop after `drop`.
    owned: Option<TempDir>,
}

impl Etcd {
    /// Starts plain-http etcd with its data in `dir`.
    pub fn start(dir: &Path) -> Etcd {
        let client = free_port();
        let endpoint = format!("http://127.0.0.1:{client}");
        Etcd::launch(dir, endpoint, Vec::new())
    }

    /// Starts plain-http etcd with `extra` flags and its data in a temporary
    /// directory of its own, removed with it.
    pub fn scratch(tag: &str, extra: &[&str]) -> Etcd {
        let dir = TempDir::new(tag);
        let endpoint = format!("http://127.0.0.1:{}", free_port());
        let extra = extra.iter().map(|&f| f.to_owned()).collect();
        let mut etcd = Etcd::launch(dir.path(), endpoint, extra);
        etcd.owned = Some(dir);
        etcd
    }

    /// Starts etcd with `scheme` (`http`/`https`) and extra flags.
    pub fn launch(dir: &Path, endpoint: String, extra: Vec<String>) -> Etcd {
        let peer = free_port();
        let mut args = vec![
            "--name=t".to_owned(),
            format!("--data-dir={}", dir.join("etcd").display()),
            format!("--listen-client-urls={endpoint}"),
            format!("--advertise-client-urls={endpoint}"),
            format!("--listen-peer-urls=http://127.0.0.1:{peer}"),
            format!("--initial-advertise-peer-urls=http://127.0.0.1:{peer}"),
            format!("--initial-cluster=t=http://127.0.0.1:{peer}"),
            "--log-level=error".to_owned(),
        ];
        args.extend(extra);
        let mut etcd = Etcd {
            child: None,
            args,
            endpoint,
            owned: None,
        };
        etcd.resume();
        etcd
    }

    /// (Re)starts the process with the same data and ports.
    pub fn resume(&mut self) {
        let child = Command::new("etcd")
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn etcd (is etcd-server installed?)");
        self.child = Some(child);
    }

    /// Kills the process hard, as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Runs etcdctl against this etcd; panics on failure.
    pub fn ctl(&self, args: &[&str]) -> String {
        etcdctl(&self.endpoint, &[], args)
    }
}

impl Drop for Etcd {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs `etcdctl --endpoints=<endpoints> <tls> <args>` once: its output, or
/// what went wrong (for clean-up in `drop`, which must not panic).
pub fn try_etcdctl(endpoints: &str, tls: &[String], args: &[&str]) -> Result<String, String> {
    let out = Command::new("etcdctl")
        .env("ETCDCTL_API", "3")
        .env_remove("ETCDCTL_ENDPOINTS")
        .arg(format!("--endpoints={endpoints}"))
        .args(tls)
        .args(args)
        .output()
        .map_err(|e| format!("etcdctl: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

/// Runs `etcdctl --endpoints=<endpoints> <tls> <args>` until it succeeds or
/// 10 s pass (a fresh etcd needs a moment).
pub fn etcdctl(endpoints: &str, tls: &[String], args: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match try_etcdctl(endpoints, tls, args) {
            Ok(out) => return out,
            Err(e) if Instant::now() > deadline => panic!("etcdctl {args:?} failed: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}
