//! Watches shared by all viewers: one etcd watch per watched prefix, however
//! many browsers follow it. A watch ends once its last viewer has gone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use etcd_client::{EventType, WatchOptions};
use tokio::sync::broadcast;

use super::model::{lease_hex, EventKind, KvEvent, EVENT_VALUE_MAX};
use super::path::{b64_encode, display_key};
use crate::etcd::{Gateway, MAX_MESSAGE_BYTES};

/// Events a slow viewer may fall behind by before it is told to reload.
const BUFFER: usize = 1024;
/// How often an idle watch checks whether anyone still follows it.
const IDLE_CHECK: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// What a follower of a prefix receives.
#[derive(Debug, Clone)]
pub enum Message {
    /// The watch is in place from `revision` on; reload to catch up.
    Ready { revision: i64 },
    /// A change under the prefix.
    Event(KvEvent),
}

/// The registry of shared watches. Cheap to clone.
#[derive(Clone)]
pub struct WatchHub {
    gateway: Gateway,
    watches: Arc<Mutex<HashMap<Vec<u8>, Shared>>>,
}

struct Shared {
    tx: broadcast::Sender<Message>,
    /// The revision the etcd watch started at, once it has.
    ready: Arc<Mutex<Option<i64>>>,
}

/// A viewer's subscription: a receiver plus, when the watch was already in
/// place, the revision it started at (so the viewer need not wait for it).
pub struct Subscription {
    pub rx: broadcast::Receiver<Message>,
    pub ready: Option<i64>,
}

impl WatchHub {
    /// An empty hub; watches start on first subscription.
    pub fn new(gateway: Gateway) -> WatchHub {
        WatchHub {
            gateway,
            watches: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Follows `prefix`, joining the watch on it or starting one.
    pub fn subscribe(&self, prefix: &[u8]) -> Subscription {
        let mut watches = self.watches.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(shared) = watches.get(prefix) {
            if shared.tx.receiver_count() > 0 {
                let ready = *shared.ready.lock().unwrap_or_else(|p| p.into_inner());
                return Subscription {
                    rx: shared.tx.subscribe(),
                    ready,
                };
            }
        }
        let (tx, rx) = broadcast::channel(BUFFER);
        let ready = Arc::new(Mutex::new(None));
        watches.insert(
            prefix.to_vec(),
            Shared {
                tx: tx.clone(),
                ready: ready.clone(),
            },
        );
        tokio::spawn(self.clone().follow(prefix.to_vec(), tx, ready));
        Subscription { rx, ready: None }
    }

    /// Number of etcd watches running now.
    pub fn watches(&self) -> usize {
        self.watches.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    async fn follow(
        self,
        prefix: Vec<u8>,
        tx: broadcast::Sender<Message>,
        ready: Arc<Mutex<Option<i64>>>,
    ) {
        let mut backoff = Duration::from_millis(250);
        while tx.receiver_count() > 0 {
            match self.watch(&prefix, &tx, &ready).await {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!(prefix = %display_key(&prefix), error = %e, "key watch interrupted; retrying in {backoff:?}");
                    *ready.lock().unwrap_or_else(|p| p.into_inner()) = None;
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
        let mut watches = self.watches.lock().unwrap_or_else(|p| p.into_inner());
        if watches.get(&prefix).is_some_and(|s| s.tx.same_channel(&tx)) {
            watches.remove(&prefix);
        }
    }

    /// Runs one etcd watch until nobody follows (`Ok`) or it breaks.
    async fn watch(
        &self,
        prefix: &[u8],
        tx: &broadcast::Sender<Message>,
        ready: &Mutex<Option<i64>>,
    ) -> Result<(), String> {
        let client = self.gateway.client().await.map_err(|e| e.to_string())?;
        let mut watcher = client
            .watch_client()
            .max_decoding_message_size(MAX_MESSAGE_BYTES);
        let opts = WatchOptions::new().with_prefix();
        let mut stream = self
            .gateway
            .call(watcher.watch(prefix.to_vec(), Some(opts)))
            .await
            .map_err(|e| e.to_string())?;
        loop {
            let next = tokio::time::timeout(IDLE_CHECK, stream.message()).await;
            if tx.receiver_count() == 0 {
                return Ok(());
            }
            let resp = match next {
                Err(_) => continue,
                Ok(Ok(Some(resp))) => resp,
                Ok(Ok(None)) => return Err("etcd closed the watch".into()),
                Ok(Err(e)) => return Err(self.gateway.error(&e).to_string()),
            };
            if resp.canceled() {
                return Err(format!(
                    "etcd cancelled the watch: {}",
                    resp.cancel_reason()
                ));
            }
            if resp.created() {
                let revision = resp.header().map_or(0, |h| h.revision());
                *ready.lock().unwrap_or_else(|p| p.into_inner()) = Some(revision);
                let _ = tx.send(Message::Ready { revision });
            }
            for event in resp.events() {
                let Some(kv) = event.kv() else { continue };
                let kind = match event.event_type() {
                    EventType::Put => EventKind::Put,
                    EventType::Delete => EventKind::Delete,
                };
                let value = kv.value();
                let _ = tx.send(Message::Event(KvEvent {
                    kind,
                    key: display_key(kv.key()),
                    key_base64: b64_encode(kv.key()),
                    mod_revision: kv.mod_revision(),
                    version: kv.version(),
                    size: value.len() as u64,
                    value: (value.len() <= EVENT_VALUE_MAX)
                        .then(|| std::str::from_utf8(value).ok().map(str::to_owned))
                        .flatten(),
                    lease: lease_hex(kv.lease()),
                }));
            }
        }
    }
}
