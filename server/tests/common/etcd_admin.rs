//! Driving Patrol's guarded etcd actions as an admin with a token, against
//! any etcd: the test bed or a throwaway cluster.

use std::path::Path;
use std::time::Duration;

use futures::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

use super::admin::{self, TOKEN};
use super::testbed::Deadline;
use super::{Patrol, TempDir};

/// A Patrol with an admin token and an audit log, on `endpoints`.
pub struct EtcdAdmin {
    pub patrol: Patrol,
    pub dir: TempDir,
    http: reqwest::Client,
}

impl EtcdAdmin {
    pub fn start(endpoints: &str) -> EtcdAdmin {
        Self::start_with(endpoints, &[])
    }

    /// The same, with more of Patrol's flags.
    pub fn start_with(endpoints: &str, more: &[&str]) -> EtcdAdmin {
        let dir = TempDir::new("etcd-actions");
        let kept = dir.path().join("snapshots");
        let mut args = vec!["--endpoints".to_owned(), endpoints.to_owned()];
        args.extend(admin::flags(dir.path()));
        args.extend(["--snapshot-dir".into(), kept.to_string_lossy().into_owned()]);
        args.extend(more.iter().map(|&f| f.to_owned()));
        let patrol = Patrol::start(&args);
        EtcdAdmin {
            patrol,
            dir,
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1/etcd{path}", self.patrol.url)
    }

    /// `method /api/v1/etcd<path>` with a JSON body (none for `Null`).
    pub async fn call(&self, method: Method, path: &str, body: Value) -> (u16, Value) {
        admin::call(&self.http, method, &self.url(path), body).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, body).await
    }

    /// Posts `body` to `/api/v1/etcd<path>`, which must answer `status`:
    /// the answer.
    pub async fn answers(&self, path: &str, body: Value, status: u16) -> Value {
        admin::expect_status(path, self.post(path, body).await, status)
    }

    /// `GET /api/v1/etcd/status`.
    pub async fn status(&self) -> Value {
        let (code, body) = self.call(Method::GET, "/status", Value::Null).await;
        assert_eq!(code, 200, "status: {body}");
        body
    }

    /// Polls the status until `want` holds for it (60 s at most).
    pub async fn status_until(&self, what: &str, want: impl Fn(&Value) -> bool) -> Value {
        let wait = Deadline::new(Duration::from_secs(60), what.to_owned());
        loop {
            let s = self.status().await;
            if want(&s) {
                return s;
            }
            wait.check(&s).await;
        }
    }

    /// Downloads a snapshot into `to` as the stream arrives: status, the
    /// `Content-Disposition` header, bytes written.
    pub async fn snapshot(&self, to: &Path) -> (u16, String, u64) {
        let resp = self
            .http
            .post(self.url("/snapshot"))
            .bearer_auth(TOKEN)
            .json(&json!({ "confirm": "etcd" }))
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        let disposition = resp
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let mut file = tokio::fs::File::create(to).await.expect("create");
        let mut stream = resp.bytes_stream();
        let mut written = 0;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.expect("snapshot chunk");
            written += chunk.len() as u64;
            file.write_all(&chunk).await.expect("write");
        }
        file.flush().await.expect("flush");
        (status, disposition, written)
    }

    /// The member called `name` in a status.
    pub fn member<'s>(status: &'s Value, name: &str) -> &'s Value {
        Self::named(status, name).unwrap_or_else(|| panic!("no member {name}: {status}"))
    }

    /// The member called `name`, if the status has one by that name yet
    /// (a member added but not started has none).
    pub fn named<'s>(status: &'s Value, name: &str) -> Option<&'s Value> {
        status["members"]
            .as_array()
            .and_then(|ms| ms.iter().find(|m| m["name"] == name))
    }

    /// The leader's name in a status.
    pub fn leader(status: &Value) -> String {
        status["members"]
            .as_array()
            .and_then(|ms| ms.iter().find(|m| m["is_leader"] == true))
            .and_then(|m| m["name"].as_str())
            .unwrap_or_default()
            .to_owned()
    }
}
