//! Driving Patrol's guarded actions as an admin with a token: requests,
//! preflights, waiting for etcd to show a change, members' REST APIs.

use std::path::Path;
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use super::testbed::{self, Deadline};
use super::{testbed_endpoints, Patrol, TempDir};

pub const TOKEN: &str = "actions-test-token-0123456789";

/// Patrol's flags for an admin token file (holding [`TOKEN`]) in `dir`.
/// The audit log is in the Patrol's store.
pub fn flags(dir: &Path) -> Vec<String> {
    let tokens = dir.join("tokens");
    std::fs::write(&tokens, format!("{TOKEN}\n")).expect("token file");
    vec![
        "--admin-token-file".into(),
        tokens.to_string_lossy().into_owned(),
    ]
}

/// The audit records of the Patrol at `url`, oldest first, one JSON line
/// each, as the audit log file used to hold them.
pub async fn audit_lines(url: &str) -> String {
    let (status, page) = testbed::get(&format!("{url}/api/v1/audit?limit=1000")).await;
    assert_eq!(status, 200, "{page}");
    let records = page["records"].as_array().cloned().unwrap_or_default();
    records.iter().rev().map(|r| format!("{r}\n")).collect()
}

/// `method url` with [`TOKEN`] and a JSON body (none for `Null`): status and
/// JSON answer (`Null` when it is not JSON).
pub async fn call(http: &reqwest::Client, method: Method, url: &str, body: Value) -> (u16, Value) {
    let mut req = http.request(method, url).bearer_auth(TOKEN);
    if !body.is_null() {
        req = req.json(&body);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// The answer of a call to `path`, which must have come with `status`.
pub fn expect_status(path: &str, (got, answer): (u16, Value), status: u16) -> Value {
    assert_eq!(got, status, "{path}: {answer}");
    answer
}

/// The actions of the audit log's `after` records, newest first.
pub fn actions_done(audit: &Value) -> Vec<Value> {
    let records = audit["records"].as_array().into_iter().flatten();
    let after = records.filter(|r| r["phase"] == "after");
    after.map(|r| r["action"].clone()).collect()
}

/// A Patrol with an admin token, an audit log and the test bed's Patroni
/// REST credentials (unless `with_rest_credentials` is false).
pub struct Admin {
    pub patrol: Patrol,
    pub dir: TempDir,
    http: reqwest::Client,
}

impl Admin {
    pub fn start(with_rest_credentials: bool) -> Admin {
        if with_rest_credentials {
            Admin::start_with(&["--patroni-rest", &testbed::patroni_rest_file()])
        } else {
            Admin::start_with(&[])
        }
    }

    /// An admin Patrol with `more` flags (e.g. `--patroni-rest FILE`).
    pub fn start_with(more: &[&str]) -> Admin {
        let dir = TempDir::new("actions");
        let mut args = vec!["--endpoints".to_owned(), testbed_endpoints()];
        args.extend(flags(dir.path()));
        args.extend(more.iter().map(|s| s.to_string()));
        let patrol = Patrol::start(&args);
        Admin {
            patrol,
            dir,
            http: reqwest::Client::new(),
        }
    }

    /// `method path` with the token and a JSON body (none for `Null`):
    /// status and JSON answer.
    pub async fn call(&self, method: Method, path: &str, body: Value) -> (u16, Value) {
        call(
            &self.http,
            method,
            &format!("{}{path}", self.patrol.url),
            body,
        )
        .await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, body).await
    }

    /// Posts `body` to `path`, which must answer `status`: the answer.
    pub async fn answers(&self, path: &str, body: Value, status: u16) -> Value {
        expect_status(path, self.post(path, body).await, status)
    }

    /// Posts `body` to `path`, which must refuse it with `status` and an
    /// error that says `part`.
    pub async fn refused(&self, path: &str, body: Value, status: u16, part: &str) {
        let answer = expect_status(path, self.post(path, body).await, status);
        assert!(
            super::says(&answer["error"], part),
            "{path}, {part:?}: {answer}"
        );
    }

    /// `GET .../<kind>/preflight` of `cluster` (`pg/pg-meta`).
    pub async fn preflight(&self, cluster: &str, kind: &str) -> Value {
        let url = format!(
            "{}/api/v1/clusters/{cluster}/{kind}/preflight",
            self.patrol.url
        );
        let (status, body) = testbed::get(&url).await;
        assert_eq!(status, 200, "{url}: {body}");
        body
    }

    /// Polls the preflight until `want` holds for it.
    pub async fn preflight_until(
        &self,
        cluster: &str,
        kind: &str,
        what: &str,
        want: impl Fn(&Value) -> bool,
    ) -> Value {
        let wait = Deadline::new(Duration::from_secs(60), what.to_owned());
        loop {
            let p = self.preflight(cluster, kind).await;
            if want(&p) {
                return p;
            }
            wait.check(&p).await;
        }
    }

    /// Polls `GET .../changes` of `cluster` (`pg/pg-meta`) until `want`
    /// holds for its list of changes; the list.
    pub async fn changes_until(
        &self,
        cluster: &str,
        what: &str,
        want: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let url = format!("{}/api/v1/clusters/{cluster}/changes", self.patrol.url);
        let wait = Deadline::new(Duration::from_secs(30), what.to_owned());
        loop {
            let (status, body) = testbed::get(&url).await;
            assert_eq!(status, 200, "{url}: {body}");
            let changes = body["changes"].as_array().cloned().unwrap_or_default();
            if want(&changes) {
                return changes;
            }
            wait.check(&body).await;
        }
    }

    /// The audit records, oldest first, one JSON line each.
    pub async fn audit_lines(&self) -> String {
        audit_lines(&self.patrol.url).await
    }

    /// The audit log as `GET /api/v1/audit` gives it.
    pub async fn audit(&self) -> Value {
        testbed::get(&format!("{}/api/v1/audit", self.patrol.url))
            .await
            .1
    }
}

/// The first candidate the preflight finds eligible.
pub fn eligible(preflight: &Value) -> Option<String> {
    preflight["candidates"]
        .as_array()?
        .iter()
        .find(|c| c["eligible"] == true)
        .and_then(|c| c["name"].as_str().map(str::to_owned))
}

/// The candidate named `name` in a preflight.
pub fn candidate<'p>(preflight: &'p Value, name: &str) -> &'p Value {
    preflight["candidates"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no candidate {name}: {preflight}"))
}

/// Polls etcd (through etcdctl, not Patrol) until `key`'s value satisfies `want`.
pub async fn until_key(
    key: &str,
    within: Duration,
    want: impl Fn(Option<&str>) -> bool,
) -> Option<String> {
    let wait = Deadline::new(within, format!("{key} as wanted"));
    loop {
        let v = testbed::value(key);
        if want(v.as_deref()) {
            return v;
        }
        wait.check(format!("{v:?}")).await;
    }
}

/// `GET <member's REST API>/patroni`, straight from Patroni.
pub async fn patroni_status(member: &str) -> Value {
    let url = format!("{}/patroni", testbed::rest_url(member));
    testbed::get(&url).await.1
}

/// The argon2 hash `patrol hash-password` makes of `password`.
pub fn password_hash(password: &str) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_patrol"))
        .arg("hash-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn patrol hash-password");
    if let Some(mut stdin) = child.stdin.take() {
        writeln!(stdin, "{password}").expect("write password");
    }
    let out = child.wait_with_output().expect("hash-password output");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
