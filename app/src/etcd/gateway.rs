//! The etcd gateway: one long-lived client shared by everything Patrol does.

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use etcd_client::{Certificate, Client, ConnectOptions, Identity, TlsOptions};
use tokio::sync::OnceCell;

use super::error::EtcdError;
use super::explain::explain;
use super::{clients, read, status};

/// How to reach etcd: what the server's flags say, etcdctl style.
#[derive(Debug, Clone)]
pub struct EtcdConfig {
    /// Client URLs, all `http://` or all `https://`.
    pub endpoints: Vec<String>,
    /// CA bundle (PEM) that signed etcd's server certificates.
    pub cacert: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS.
    pub cert: Option<PathBuf>,
    /// Private key (PEM) of `cert`.
    pub key: Option<PathBuf>,
    /// etcd auth credentials.
    pub user: Option<EtcdUser>,
    /// How long to wait for a connection.
    pub dial_timeout: Duration,
    /// How long one request may take.
    pub command_timeout: Duration,
}

/// etcd credentials. `Debug` hides the password.
#[derive(Clone)]
pub struct EtcdUser {
    /// User name.
    pub name: String,
    /// Password; never logged, never sent to the browser.
    pub password: String,
}

impl fmt::Debug for EtcdUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EtcdUser")
            .field("name", &self.name)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Largest gRPC message Patrol accepts from etcd. etcd's default request
/// limit is 1.5 MiB per value; pages of keys can hold many of those.
pub const MAX_MESSAGE_BYTES: usize = 256 << 20;

/// Shared handle to etcd. Cheap to clone; connects once, on first use.
#[derive(Clone)]
pub struct Gateway {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) endpoints: Vec<String>,
    pub(super) options: ConnectOptions,
    pub(super) dial_timeout: Duration,
    pub(super) command_timeout: Duration,
    /// TLS is on but Patrol has no client certificate to offer.
    tls_without_cert: bool,
    client: OnceCell<Client>,
    /// One client per member, for requests etcd answers per member.
    pub(super) members: clients::MemberClients,
    /// Which configured endpoints were slow or failing, for reads.
    pub(super) read_health: read::Health,
    /// Rotates the endpoint reads start at.
    pub(super) read_turn: std::sync::atomic::AtomicUsize,
    /// The `/etcd` page's reading, shared by every viewer.
    status_feed: status::Feed,
    /// The last upgrade readiness check, shared by every viewer.
    readiness: super::readiness::Cache,
}

/// Why a TLS flag combination or certificate file cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SetupError(String);

impl SetupError {
    /// The same refusal, said of one named part of the configuration
    /// (`etcd.<name>`), so a fleet's error points at its table.
    pub fn within(self, part: &str) -> SetupError {
        SetupError(format!("{part}: {}", self.0))
    }
}

impl Gateway {
    /// Prepares the connection options; reads certificate files now so a bad
    /// path or mixed http/https endpoints fail at start-up, not on first use.
    pub fn new(config: &EtcdConfig) -> Result<Gateway, SetupError> {
        let https = config
            .endpoints
            .iter()
            .filter(|e| e.starts_with("https://"))
            .count();
        let tls_flags = config.cacert.is_some() || config.cert.is_some();
        if https != 0 && https != config.endpoints.len() {
            return Err(SetupError(
                "--endpoints mixes http:// and https:// URLs".into(),
            ));
        }
        if https == 0 && tls_flags {
            return Err(SetupError(
                "--cacert/--cert/--key need https:// --endpoints".into(),
            ));
        }
        let mut options = ConnectOptions::new()
            .with_connect_timeout(config.dial_timeout)
            .with_keep_alive(Duration::from_secs(5), config.command_timeout)
            .with_keep_alive_while_idle(true);
        if https > 0 {
            options = options.with_tls(tls_options(config)?);
        }
        if let Some(user) = &config.user {
            options = options.with_user(user.name.clone(), user.password.clone());
        }
        Ok(Gateway {
            inner: Arc::new(Inner {
                endpoints: config.endpoints.clone(),
                options,
                dial_timeout: config.dial_timeout,
                command_timeout: config.command_timeout,
                tls_without_cert: https > 0 && config.cert.is_none(),
                client: OnceCell::new(),
                members: clients::MemberClients::default(),
                read_health: read::Health::default(),
                read_turn: std::sync::atomic::AtomicUsize::new(0),
                status_feed: status::Feed::default(),
                readiness: super::readiness::Cache::default(),
            }),
        })
    }

    /// Endpoints as configured.
    pub fn endpoints(&self) -> &[String] {
        &self.inner.endpoints
    }

    /// The shared client, connecting on first use. With `--user` the first
    /// connection authenticates, so it needs a reachable etcd; later calls
    /// reuse the client, whose channel reconnects by itself.
    pub async fn client(&self) -> Result<Client, EtcdError> {
        let inner = &self.inner;
        let connect = || async {
            let pending = Client::connect(&inner.endpoints, Some(inner.options.clone()));
            match tokio::time::timeout(inner.dial_timeout, pending).await {
                Ok(Ok(client)) => Ok(client),
                Ok(Err(e)) => Err(self.error(&e)),
                Err(_) => Err(EtcdError::DialTimeout {
                    to: "etcd".into(),
                    after: inner.dial_timeout,
                }),
            }
        };
        inner.client.get_or_try_init(connect).await.cloned()
    }

    /// Runs one etcd request with the command timeout.
    pub async fn call<T, F>(&self, request: F) -> Result<T, EtcdError>
    where
        F: Future<Output = Result<T, etcd_client::Error>>,
    {
        match tokio::time::timeout(self.inner.command_timeout, request).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.error(&e)),
            Err(_) => Err(EtcdError::Timeout {
                limit: self.inner.command_timeout,
                flag: Some("--command-timeout"),
            }),
        }
    }

    /// The shared `/etcd` reading (see [`status::Feed`]).
    pub(crate) fn status_feed(&self) -> &status::Feed {
        &self.inner.status_feed
    }

    /// The shared upgrade readiness check (see [`super::readiness::Cache`]).
    pub(crate) fn readiness_cache(&self) -> &super::readiness::Cache {
        &self.inner.readiness
    }

    /// Patrol changed the cluster: the `/etcd` pages get a new reading
    /// rather than the one from before.
    pub fn status_changed(&self) {
        self.inner.status_feed.changed();
    }
}

impl Gateway {
    /// `err` sorted and in words ([`explain`]), plus what only the
    /// configuration can tell: etcd closing a TLS connection Patrol offered
    /// no certificate on usually means it requires client certificates.
    pub fn error(&self, err: &etcd_client::Error) -> EtcdError {
        let text = explain(err);
        let dropped = ["connection closed", "broken pipe", "connection reset"]
            .iter()
            .any(|s| text.contains(s));
        let words = if self.inner.tls_without_cert && !text.starts_with("TLS:") && dropped {
            format!("TLS: etcd closed the connection; if it requires client certificates, give --cert/--key ({text})")
        } else {
            text
        };
        EtcdError::classify(err, words)
    }
}

fn tls_options(config: &EtcdConfig) -> Result<TlsOptions, SetupError> {
    let read = |path: &std::path::Path, flag: &str| {
        std::fs::read(path)
            .map_err(|e| SetupError(format!("{flag}: cannot read {}: {e}", path.display())))
    };
    let mut tls = TlsOptions::new();
    if let Some(ca) = &config.cacert {
        tls = tls.ca_certificate(Certificate::from_pem(read(ca, "--cacert")?));
    }
    if let (Some(cert), Some(key)) = (&config.cert, &config.key) {
        tls = tls.identity(Identity::from_pem(
            read(cert, "--cert")?,
            read(key, "--key")?,
        ));
    }
    Ok(tls)
}
