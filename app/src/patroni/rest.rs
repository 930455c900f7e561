//! Patroni's REST API at a member's `api_url`, for status reads and admin
//! actions (switchover, failover, `PATCH /config`, restart, reinitialize,
//! reload), with the credentials and CA configured for its cluster.
//!
//! Credentials go out as HTTP basic auth and nowhere else: not to the
//! browser, not to the log (which names the URL and status only). Bodies are
//! read up to [`BODY_CAP`], so a hostile endpoint cannot exhaust memory.

mod credentials;
mod file;

use std::collections::HashMap;
use std::error::Error as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, RequestBuilder};

pub use credentials::{PatroniRestConfig, RestCredentials};

/// `status()` gives up after this, connecting included.
const STATUS_TIMEOUT: Duration = Duration::from_secs(2);
/// A switchover blocks in Patroni until it is done.
const ACTION_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// The most of a reply body kept; the rest is dropped unread.
pub const BODY_CAP: usize = 64 * 1024;
/// How much of a failed status reply the error message quotes.
const QUOTE: usize = 300;

/// What one request to Patroni came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestReply {
    /// The URL requested (never with credentials in it).
    pub url: String,
    /// The HTTP status, `None` when no answer came.
    pub status: Option<u16>,
    /// The body as Patroni sent it (lossy UTF-8, at most [`BODY_CAP`] bytes).
    pub body: String,
    /// Why the request or reading its answer failed, in words.
    pub error: Option<String>,
    /// The request or its answer ran out of time (the action may still
    /// be running in Patroni).
    pub timed_out: bool,
}

impl RestReply {
    /// Patroni answered 2xx (the action was accepted, even if reading the
    /// rest of the body then failed).
    pub fn accepted(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Cheap to clone; one reqwest client per distinct CA, built at start-up (a bad CA file fails start-up with a clear message).
#[derive(Clone, Debug)]
pub struct PatroniRest {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: PatroniRestConfig,
    clients: HashMap<Option<PathBuf>, reqwest::Client>,
}

impl PatroniRest {
    /// Builds a client for every CA `config` names; fails naming the file
    /// when one cannot be read or holds no certificate.
    pub fn new(config: PatroniRestConfig) -> Result<PatroniRest, String> {
        let clients = config
            .cacerts()
            .into_iter()
            .map(|ca| Ok((ca.clone(), client(ca.as_deref())?)))
            .collect::<Result<_, String>>()?;
        Ok(PatroniRest {
            inner: Arc::new(Inner { config, clients }),
        })
    }

    /// GET <base>/patroni with a 2 s timeout: Ok(json) or Err(words: "connection refused", "timed out after 2 s", "HTTP 503: <body>", "not JSON: ...").
    pub async fn status(
        &self,
        namespace: &str,
        scope: &str,
        api_url: &str,
    ) -> Result<serde_json::Value, String> {
        let url = format!("{}/patroni", base_url(api_url)?);
        let request = self.request(namespace, scope, Method::GET, &url)?;
        let resp = request
            .timeout(STATUS_TIMEOUT)
            .send()
            .await
            .map_err(|e| explain(&e, STATUS_TIMEOUT))?;
        let status = resp.status().as_u16();
        let (body, failed) = read_capped(resp).await;
        if let Some(e) = failed {
            return Err(explain(&e, STATUS_TIMEOUT));
        }
        if !(200..300).contains(&status) {
            let quote: String = body.trim().chars().take(QUOTE).collect();
            return Err(format!("HTTP {status}: {quote}"));
        }
        serde_json::from_str(&body).map_err(|e| format!("not JSON: {e}"))
    }

    /// One action request, credentials for (namespace, scope) applied as HTTP basic auth; method is reqwest::Method; path like "/switchover"; body JSON or None. Timeout 60 s (a switchover blocks in Patroni until done), connect timeout 3 s. Never fails: transport errors land in RestReply.error.
    pub async fn send(
        &self,
        namespace: &str,
        scope: &str,
        api_url: &str,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> RestReply {
        let mut reply = RestReply {
            url: api_url.to_owned(),
            status: None,
            body: String::new(),
            error: None,
            timed_out: false,
        };
        let request = base_url(api_url).and_then(|base| {
            reply.url = format!("{base}/{}", path.trim_start_matches('/'));
            self.request(namespace, scope, method.clone(), &reply.url)
        });
        let mut request = match request {
            Ok(r) => r.timeout(ACTION_TIMEOUT),
            Err(e) => {
                reply.error = Some(e);
                return reply;
            }
        };
        if let Some(body) = &body {
            request = request.json(body);
        }
        let url = reply.url.clone();
        match request.send().await {
            Err(e) => {
                reply.timed_out = e.is_timeout();
                reply.error = Some(explain(&e, ACTION_TIMEOUT));
            }
            Ok(resp) => {
                let status = resp.status().as_u16();
                tracing::info!(%method, %url, status, "Patroni REST reply");
                let (text, failed) = read_capped(resp).await;
                reply.status = Some(status);
                reply.body = text;
                reply.timed_out = failed.as_ref().is_some_and(reqwest::Error::is_timeout);
                reply.error =
                    failed.map(|e| format!("reading the reply: {}", explain(&e, ACTION_TIMEOUT)));
            }
        }
        if let Some(error) = &reply.error {
            tracing::warn!(%method, %url, %error, "Patroni REST request failed");
        }
        reply
    }

    /// A request through the client for the cluster's CA, with its login.
    fn request(
        &self,
        namespace: &str,
        scope: &str,
        method: Method,
        url: &str,
    ) -> Result<RequestBuilder, String> {
        let creds = self.inner.config.credentials(namespace, scope);
        let client = self
            .inner
            .clients
            .get(&creds.cacert)
            .ok_or("no REST client for this cluster's CA")?;
        let request = client.request(method, url);
        Ok(match creds.username {
            Some(user) => request.basic_auth(user, creds.password),
            None => request,
        })
    }
}

/// "http://h:8008/patroni" -> "http://h:8008"; also accepts a base without /patroni; Err for non-http(s) URLs.
pub fn base_url(api_url: &str) -> Result<String, String> {
    let trimmed = api_url.trim().trim_end_matches('/');
    let base = trimmed.strip_suffix("/patroni").unwrap_or(trimmed);
    let base = base.trim_end_matches('/');
    let url = reqwest::Url::parse(base).map_err(|e| format!("'{api_url}' is not a URL: {e}"))?;
    if !url.username().is_empty() || url.password().is_some() {
        // Not echoed: it would show the password.
        return Err("a Patroni api_url must not carry user:password".into());
    }
    let web = matches!(url.scheme(), "http" | "https");
    if !web || url.host_str().is_none_or(str::is_empty) {
        return Err(format!("'{api_url}' is not an http:// or https:// URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("'{api_url}' has a query or fragment"));
    }
    Ok(base.to_owned())
}

/// A client trusting `ca` only (or the system's roots), never following
/// redirects: Patroni does not send them, and a redirect must not carry
/// the login elsewhere.
fn client(ca: Option<&Path>) -> Result<reqwest::Client, String> {
    let builder = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("patrol/", env!("CARGO_PKG_VERSION")));
    let Some(ca) = ca else {
        return builder
            .build()
            .map_err(|e| format!("cannot set up the Patroni REST client: {e}"));
    };
    let shown = ca.display();
    let pem = std::fs::read(ca).map_err(|e| format!("cannot read CA file {shown}: {e}"))?;
    let certs =
        reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| format!("CA file {shown}: {e}"))?;
    if certs.is_empty() {
        return Err(format!("CA file {shown}: no PEM certificate in it"));
    }
    builder
        .tls_certs_only(certs)
        .build()
        .map_err(|e| format!("CA file {shown}: {e}"))
}

/// The body, at most [`BODY_CAP`] bytes of it, and the error that cut it
/// short if any.
async fn read_capped(mut resp: reqwest::Response) -> (String, Option<reqwest::Error>) {
    let mut body = Vec::new();
    let failed = loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = BODY_CAP - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if chunk.len() >= room {
                    break None;
                }
            }
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    (String::from_utf8_lossy(&body).into_owned(), failed)
}

/// A transport error in words: "connection refused", "timed out after 2 s",
/// or the innermost cause (say a TLS certificate problem).
fn explain(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        let (what, limit) = if e.is_connect() {
            ("connecting timed out", CONNECT_TIMEOUT.min(timeout))
        } else {
            ("timed out", timeout)
        };
        return format!("{what} after {} s", limit.as_secs());
    }
    let mut cause = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        if s.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return "connection refused".into();
        }
        cause = s.to_string();
        source = s.source();
    }
    if e.is_connect() {
        format!("cannot connect: {cause}")
    } else {
        cause
    }
}

#[cfg(test)]
mod tests;
