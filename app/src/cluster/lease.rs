//! Reads how long the leader keys' leases have left. Patroni renews a lease
//! with keep-alives, which write nothing and so never reach a watch; the
//! only way to know is to ask etcd. Readings are cached briefly and shared,
//! so a hundred open pages cost etcd what one does.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::Mutex;

use super::LeaderLease;
use crate::etcd::Gateway;

/// A reading younger than this is reused.
const FRESH: Duration = Duration::from_millis(900);

/// When a lease was read, and what etcd said.
type Reading = (Instant, Option<LeaderLease>);

/// Shared lease reader. Cheap to clone.
#[derive(Clone)]
pub struct LeaseClock {
    gateway: Gateway,
    cache: Arc<Mutex<HashMap<i64, Reading>>>,
}

impl LeaseClock {
    pub fn new(gateway: Gateway) -> LeaseClock {
        LeaseClock {
            gateway,
            cache: Arc::default(),
        }
    }

    /// The lease `id` as etcd sees it now (within [`FRESH`]); `None` for no
    /// lease (0), an expired one, or when etcd cannot be asked.
    pub async fn read(&self, id: i64) -> Option<LeaderLease> {
        if id == 0 {
            return None;
        }
        // Holding the lock across the request makes concurrent callers wait
        // for one reading instead of each making their own.
        let mut cache = self.cache.lock().await;
        if let Some((at, reading)) = cache.get(&id) {
            if at.elapsed() < FRESH {
                return reading.clone();
            }
        }
        let reading = self.ask(id).await;
        cache.retain(|_, (at, _)| at.elapsed() < FRESH * 10);
        cache.insert(id, (Instant::now(), reading.clone()));
        reading
    }

    async fn ask(&self, id: i64) -> Option<LeaderLease> {
        let client = self.gateway.client().await.ok()?;
        let mut leases = client.lease_client();
        match self.gateway.call(leases.time_to_live(id, None)).await {
            Ok(resp) if resp.ttl() >= 0 => Some(LeaderLease {
                id: format!("{id:x}"),
                ttl_s: resp.granted_ttl(),
                remaining_s: resp.ttl(),
                read_at_ms: SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as u64),
            }),
            Ok(_) => None,
            Err(e) => {
                tracing::debug!(lease = %format!("{id:x}"), error = %e, "lease time-to-live unavailable");
                None
            }
        }
    }
}
