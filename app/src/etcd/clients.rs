//! Clients of single members. etcd answers Status, Defragment, Snapshot and
//! MoveLeader for the member a request reaches, so these go through a
//! client of that member alone; the clients are kept and reused.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use etcd_client::Client;

use super::{EtcdError, Gateway};

/// Per-member clients by their client URLs.
#[derive(Default)]
pub(super) struct MemberClients(Mutex<HashMap<Vec<String>, Client>>);

impl MemberClients {
    fn get(&self, urls: &[String]) -> Option<Client> {
        self.0.lock().ok()?.get(urls).cloned()
    }

    fn put(&self, urls: &[String], client: Client) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(urls.to_vec(), client);
        }
    }

    /// Drops the clients of members no longer in `current`.
    fn retain(&self, current: &[Vec<String>]) {
        if let Ok(mut map) = self.0.lock() {
            map.retain(|urls, _| current.contains(urls));
        }
    }
}

impl Gateway {
    /// A client that reaches only the member with these client URLs, with
    /// the same TLS and credentials as [`Gateway::client`]. Connecting is
    /// lazy, so a member that is down fails on the first request, not here
    /// (with `--user`, authenticating needs it up: bounded by the dial
    /// timeout).
    pub(crate) async fn member_client(&self, urls: &[String]) -> Result<Client, EtcdError> {
        if urls.is_empty() {
            return Err(EtcdError::NotStarted);
        }
        if let Some(client) = self.inner.members.get(urls) {
            return Ok(client);
        }
        let pending = Client::connect(urls, Some(self.inner.options.clone()));
        let client = match tokio::time::timeout(self.inner.dial_timeout, pending).await {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => return Err(self.error(&e)),
            Err(_) => {
                return Err(EtcdError::DialTimeout {
                    to: urls.join(","),
                    after: self.inner.dial_timeout,
                })
            }
        };
        self.inner.members.put(urls, client.clone());
        Ok(client)
    }

    /// Forgets the member clients of members that left the cluster.
    pub(crate) fn keep_member_clients(&self, current: &[Vec<String>]) {
        self.inner.members.retain(current);
    }

    /// [`Gateway::call`] through the shared client, sent again when it
    /// never reached etcd: the shared client spreads requests over every
    /// endpoint, and one that goes to a member that is down fails to
    /// connect. Safe for writes too, since nothing was sent; bounded by
    /// the command timeout overall.
    pub(crate) async fn call_shared<T, F, Fut>(&self, request: F) -> Result<T, EtcdError>
    where
        F: FnMut(Client) -> Fut,
        Fut: Future<Output = Result<T, etcd_client::Error>>,
    {
        self.call_shared_within(self.inner.command_timeout, request)
            .await
    }

    /// [`Gateway::call_shared`], each attempt allowed `limit`.
    pub(crate) async fn call_shared_within<T, F, Fut>(
        &self,
        limit: Duration,
        mut request: F,
    ) -> Result<T, EtcdError>
    where
        F: FnMut(Client) -> Fut,
        Fut: Future<Output = Result<T, etcd_client::Error>>,
    {
        let client = self.client().await?;
        let deadline = tokio::time::Instant::now() + self.inner.command_timeout;
        // Twice per endpoint: the balancer picks at random.
        let mut tries = 2 * self.inner.endpoints.len();
        loop {
            tries = tries.saturating_sub(1);
            match self.call_within(limit, request(client.clone())).await {
                Err(e) if e.never_sent() && tries > 0 && tokio::time::Instant::now() < deadline => {
                    tracing::debug!("etcd request not sent, trying another endpoint: {e}");
                }
                other => return other,
            }
        }
    }

    /// [`Gateway::call`] with its own time limit instead of the command
    /// timeout: shorter for status probes, longer for defragmentation.
    pub(crate) async fn call_within<T, F>(
        &self,
        limit: Duration,
        request: F,
    ) -> Result<T, EtcdError>
    where
        F: Future<Output = Result<T, etcd_client::Error>>,
    {
        match tokio::time::timeout(limit, request).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.error(&e)),
            Err(_) => Err(EtcdError::Timeout { limit, flag: None }),
        }
    }
}
