//! The watch-fed mirror of the Patroni namespaces.
//!
//! One range read, then one watch stream from the next revision; on a
//! compacted or cancelled watch, or any error, it reads again and watches
//! again. Everything Patrol shows is built from this copy, so the number of
//! viewers never changes what etcd has to do.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use app::clock::now_ms;
use app::cluster::book::{ClusterBook, ClusterId};
use app::cluster::MemberLag;
use app::keyspace::path::prefix_end;
use app::model::{EtcdConnection, Overview};
use app::patroni::summary::sort_worst_first;
use app::patroni::{clusters_in_namespace, ClusterKey, KeyKind, MAX_CLUSTER_VALUE};
use etcd_client::{EventType, GetOptions, WatchOptions};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use app::etcd::{Gateway, MAX_MESSAGE_BYTES};

/// Keys per range request while loading a namespace.
const PAGE: i64 = 500;
const MIN_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// What the mirror publishes.
pub struct Published {
    /// The latest overview (summaries, worst first).
    pub overview: watch::Receiver<Arc<Overview>>,
    /// Every cluster in full.
    pub clusters: watch::Receiver<Arc<ClusterBook>>,
}

/// Starts the mirror. The receivers always hold the latest state; the task
/// ends (and the streams close) when the handle is aborted.
/// `seed` is each cluster's lag history as stored, for the live charts to
/// go on from.
pub fn spawn(
    gateway: Gateway,
    namespaces: Vec<String>,
    seed: BTreeMap<ClusterId, Vec<MemberLag>>,
) -> (JoinHandle<()>, Published) {
    let initial = Overview {
        etcd: EtcdConnection {
            endpoints: gateway.endpoints().to_vec(),
            ..EtcdConnection::default()
        },
        namespaces: namespaces.clone(),
        clusters: Vec::new(),
    };
    let (tx, overview) = watch::channel(Arc::new(initial));
    let (book_tx, clusters) = watch::channel(Arc::new(ClusterBook::default()));
    let mirror = Mirror {
        gateway,
        namespaces,
        kvs: BTreeMap::new(),
        book: ClusterBook::seeded(seed),
        tx,
        book_tx,
    };
    let published = Published { overview, clusters };
    (tokio::spawn(mirror.run()), published)
}

/// A key's value and the lease it is attached to (0: none).
struct Stored {
    /// The value, or its first [`MAX_CLUSTER_VALUE`] + 1 bytes: the parser
    /// reads nothing larger (it warns instead), so the copy holds no more.
    value: Vec<u8>,
    lease: i64,
}

impl Stored {
    fn of(kv: &etcd_client::KeyValue) -> Stored {
        let value = kv.value();
        Stored {
            value: value.get(..=MAX_CLUSTER_VALUE).unwrap_or(value).to_vec(),
            lease: kv.lease(),
        }
    }
}

/// `(namespace index, scope)`: the unit the mirror re-parses.
type ScopeId = (usize, String);

struct Mirror {
    gateway: Gateway,
    namespaces: Vec<String>,
    kvs: BTreeMap<Vec<u8>, Stored>,
    book: ClusterBook,
    tx: watch::Sender<Arc<Overview>>,
    book_tx: watch::Sender<Arc<ClusterBook>>,
}

impl Mirror {
    async fn run(mut self) {
        let mut backoff = MIN_BACKOFF;
        loop {
            let error = match self.sync().await {
                Ok(()) => "etcd closed the watch stream".to_owned(),
                Err(e) => e,
            };
            if self.tx.borrow().etcd.reachable {
                backoff = MIN_BACKOFF;
            }
            tracing::warn!(error = %error, "etcd mirror interrupted; retrying in {backoff:?}");
            self.publish(|etcd| {
                etcd.reachable = false;
                etcd.error = Some(error.clone());
            });
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// Loads the namespaces, then applies watch events until something
    /// breaks. Returns only on an interruption that needs a fresh read.
    async fn sync(&mut self) -> Result<(), String> {
        let client = self.gateway.client().await.map_err(|e| e.to_string())?;
        let mut kv = client
            .kv_client()
            .max_decoding_message_size(MAX_MESSAGE_BYTES);
        let mut kvs = BTreeMap::new();
        let mut revision = 0;
        let mut cluster_id = 0;
        for ns in &self.namespaces {
            let prefix = format!("{ns}/").into_bytes();
            let end = prefix_end(&prefix);
            let mut start = prefix.clone();
            loop {
                let mut opts = GetOptions::new().with_range(end.clone()).with_limit(PAGE);
                if revision > 0 {
                    // Later pages and namespaces read at the first page's
                    // revision, so the copy is one consistent snapshot.
                    opts = opts.with_revision(revision);
                }
                let resp = self
                    .gateway
                    .call(kv.get(start.clone(), Some(opts)))
                    .await
                    .map_err(|e| e.to_string())?;
                if let Some(h) = resp.header() {
                    if revision == 0 {
                        revision = h.revision();
                    }
                    cluster_id = h.cluster_id();
                }
                for item in resp.kvs() {
                    kvs.insert(item.key().to_vec(), Stored::of(item));
                }
                match resp.kvs().last() {
                    Some(last) if resp.more() => start = [last.key(), &[0]].concat(),
                    _ => break,
                }
            }
        }
        self.kvs = kvs;
        let every_scope = self.scopes(self.kvs.keys().map(Vec::as_slice));
        // Scopes the book knows but etcd no longer has must go too.
        let known: BTreeSet<ScopeId> = self
            .book
            .entries
            .keys()
            .filter_map(|(ns, scope, _)| {
                let i = self.namespaces.iter().position(|n| n == ns)?;
                Some((i, scope.clone()))
            })
            .collect();
        self.rebuild(every_scope.union(&known));
        self.publish(|etcd| {
            etcd.reachable = true;
            etcd.error = None;
            etcd.cluster_id = Some(format!("{cluster_id:x}"));
            etcd.revision = revision;
        });
        tracing::info!(revision, keys = self.kvs.len(), "etcd mirror loaded");
        self.follow(revision + 1).await
    }

    async fn follow(&mut self, from: i64) -> Result<(), String> {
        let client = self.gateway.client().await.map_err(|e| e.to_string())?;
        let mut watcher = client
            .watch_client()
            .max_decoding_message_size(MAX_MESSAGE_BYTES);
        let mut stream = None;
        for ns in &self.namespaces {
            let prefix = format!("{ns}/");
            let opts = WatchOptions::new()
                .with_prefix()
                .with_start_revision(from)
                .with_progress_notify();
            match &mut stream {
                None => {
                    stream = Some(
                        self.gateway
                            .call(watcher.watch(prefix, Some(opts)))
                            .await
                            .map_err(|e| e.to_string())?,
                    )
                }
                Some(s) => self
                    .gateway
                    .call(s.watch(prefix, Some(opts)))
                    .await
                    .map_err(|e| e.to_string())?,
            }
        }
        let Some(mut stream) = stream else {
            return Ok(());
        };
        loop {
            let resp = match stream.message().await {
                Ok(Some(resp)) => resp,
                Ok(None) => return Ok(()),
                Err(e) => return Err(self.gateway.error(&e).to_string()),
            };
            if resp.compact_revision() > 0 {
                return Err(format!(
                    "watch fell behind compaction at revision {}; reloading",
                    resp.compact_revision()
                ));
            }
            if resp.canceled() {
                return Err(format!(
                    "etcd cancelled the watch: {}",
                    resp.cancel_reason()
                ));
            }
            let mut touched = Vec::with_capacity(resp.events().len());
            for event in resp.events() {
                let Some(kv) = event.kv() else { continue };
                match event.event_type() {
                    EventType::Put => {
                        self.kvs.insert(kv.key().to_vec(), Stored::of(kv));
                    }
                    EventType::Delete => {
                        self.kvs.remove(kv.key());
                    }
                };
                touched.push(kv.key());
            }
            let dirty = self.scopes(touched);
            self.rebuild(dirty.iter());
            let revision = resp.header().map(|h| h.revision());
            self.publish(|etcd| {
                etcd.reachable = true;
                if let Some(r) = revision {
                    etcd.revision = etcd.revision.max(r);
                }
            });
        }
    }

    /// The scopes `keys` belong to: the first path segment under a namespace.
    fn scopes<'k>(&self, keys: impl IntoIterator<Item = &'k [u8]>) -> BTreeSet<ScopeId> {
        keys.into_iter().filter_map(|k| self.scope_of(k)).collect()
    }

    fn scope_of(&self, key: &[u8]) -> Option<ScopeId> {
        let key = std::str::from_utf8(key).ok()?;
        self.namespaces.iter().enumerate().find_map(|(i, ns)| {
            let rest = key.strip_prefix(ns.as_str())?.strip_prefix('/')?;
            let (scope, _) = rest.split_once('/')?;
            (!scope.is_empty()).then(|| (i, scope.to_owned()))
        })
    }

    /// Re-parses `scopes` from the copy into the book, and publishes the
    /// book if a cluster changed.
    fn rebuild<'s>(&mut self, scopes: impl Iterator<Item = &'s ScopeId>) {
        let now = now_ms();
        let mut changed = false;
        for (i, scope) in scopes {
            let ns = &self.namespaces[*i];
            let prefix = format!("{ns}/{scope}/").into_bytes();
            let end = prefix_end(&prefix);
            let range = self.kvs.range(prefix.clone()..end);
            let mut leases = BTreeMap::new();
            let mut kvs = Vec::new();
            for (k, stored) in range {
                if let Ok(key) = std::str::from_utf8(k) {
                    if let Some(ck) = ClusterKey::parse(ns, key) {
                        if ck.kind == KeyKind::Leader {
                            leases.insert(ck.group, stored.lease);
                        }
                    }
                }
                kvs.push((k.as_slice(), stored.value.as_slice()));
            }
            let fresh = clusters_in_namespace(ns, kvs);
            changed |= self.book.replace_scope(ns, scope, fresh, &leases, now);
        }
        if changed {
            self.book_tx.send_replace(Arc::new(self.book.clone()));
        }
    }

    /// Publishes the overview. Subscribers (open pages) are woken only when
    /// something they show changed, not for the revision and contact time
    /// that move with every Patroni heartbeat.
    fn publish(&self, update: impl FnOnce(&mut EtcdConnection)) {
        let mut clusters: Vec<_> = self
            .book
            .entries
            .values()
            .map(|e| e.summary.clone())
            .collect();
        sort_worst_first(&mut clusters, &self.namespaces);
        self.tx.send_if_modified(|current| {
            let mut etcd = current.etcd.clone();
            update(&mut etcd);
            if etcd.reachable {
                etcd.last_contact_ms = Some(now_ms());
            }
            let quiet = |e: &EtcdConnection| EtcdConnection {
                revision: 0,
                last_contact_ms: None,
                ..e.clone()
            };
            let changed = quiet(&etcd) != quiet(&current.etcd) || clusters != current.clusters;
            *current = Arc::new(Overview {
                etcd,
                namespaces: current.namespaces.clone(),
                clusters,
            });
            changed
        });
    }
}
