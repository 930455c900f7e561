//! Reads how long the leader keys' leases have left. Patroni renews a lease
//! with keep-alives, which write nothing and so never reach a watch; the
//! only way to know is to ask etcd. Readings are cached briefly and shared,
//! so a hundred open pages cost etcd what one does.
//!
//! A page never waits on etcd for more than [`WAIT`]: one background task
//! per lease asks, and a reader that finds no fresh reading waits that long
//! for it, then goes on with the last reading it has (or none). A stuck
//! etcd member so costs a page a quarter of a second, not the command
//! timeout.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::LeaderLease;
use crate::etcd::Gateway;

/// A reading younger than this is reused.
const FRESH: Duration = Duration::from_millis(900);
/// How long a reader waits for a reading under way.
pub const WAIT: Duration = Duration::from_millis(250);
/// Readings older than this are forgotten (the lease is no longer read).
const FORGET: Duration = Duration::from_secs(10);

/// What is known of one lease.
#[derive(Default)]
struct Slot {
    /// When it was last read, and what etcd said.
    reading: Option<(Instant, Option<LeaderLease>)>,
    /// A task is asking etcd now.
    asking: bool,
}

/// Shared lease reader. Cheap to clone.
#[derive(Clone)]
pub struct LeaseClock {
    gateway: Gateway,
    slots: Arc<Mutex<HashMap<i64, Slot>>>,
    /// Bumped after every reading, to wake readers that wait for one.
    readings: watch::Sender<u64>,
}

impl LeaseClock {
    pub fn new(gateway: Gateway) -> LeaseClock {
        LeaseClock {
            gateway,
            slots: Arc::default(),
            readings: watch::channel(0).0,
        }
    }

    /// The lease `id` as etcd saw it within [`FRESH`], or, when etcd takes
    /// longer than [`WAIT`] to answer, the last reading there is. `None`
    /// for no lease (0), an expired one, or one never read yet.
    pub async fn read(&self, id: i64) -> Option<LeaderLease> {
        if id == 0 {
            return None;
        }
        let mut woken = self.readings.subscribe();
        let fallback = match self.lookup(id) {
            Lookup::Fresh(reading) => return reading,
            Lookup::Stale(reading) => reading,
        };
        let deadline = tokio::time::Instant::now() + WAIT;
        while tokio::time::timeout_at(deadline, woken.changed())
            .await
            .is_ok_and(|r| r.is_ok())
        {
            if let Lookup::Fresh(reading) = self.lookup(id) {
                return reading;
            }
        }
        fallback
    }

    /// A fresh reading, or the last one while a task asks etcd (started
    /// here if none is under way).
    fn lookup(&self, id: i64) -> Lookup {
        let Ok(mut slots) = self.slots.lock() else {
            return Lookup::Stale(None);
        };
        slots.retain(|_, s| {
            s.asking
                || s.reading
                    .as_ref()
                    .is_some_and(|(at, _)| at.elapsed() < FORGET)
        });
        let slot = slots.entry(id).or_default();
        match &slot.reading {
            Some((at, reading)) if at.elapsed() < FRESH => return Lookup::Fresh(reading.clone()),
            _ => {}
        }
        if !slot.asking {
            slot.asking = true;
            let clock = self.clone();
            tokio::spawn(async move {
                let asked = clock.ask(id).await;
                if let Ok(mut slots) = clock.slots.lock() {
                    let slot = slots.entry(id).or_default();
                    slot.asking = false;
                    // etcd not answering keeps the last reading (it counts
                    // down from when it was read), asked again after FRESH.
                    let reading = match asked {
                        Ok(reading) => reading,
                        Err(()) => slot.reading.take().and_then(|(_, r)| r),
                    };
                    slot.reading = Some((Instant::now(), reading));
                }
                clock.readings.send_modify(|n| *n = n.wrapping_add(1));
            });
        }
        Lookup::Stale(slot.reading.as_ref().and_then(|(_, r)| r.clone()))
    }

    async fn ask(&self, id: i64) -> Result<Option<LeaderLease>, ()> {
        let asked = self
            .gateway
            .call_read(|c, _| async move { c.lease_client().time_to_live(id, None).await })
            .await;
        match asked {
            Ok(resp) if resp.ttl() >= 0 => Ok(Some(LeaderLease {
                id: format!("{id:x}"),
                ttl_s: resp.granted_ttl(),
                remaining_s: resp.ttl(),
                read_at_ms: crate::clock::now_ms(),
            })),
            // etcd answers -1 for a lease that expired.
            Ok(_) => Ok(None),
            Err(e) => {
                tracing::debug!(lease = %format!("{id:x}"), error = %e, "lease time-to-live unavailable");
                Err(())
            }
        }
    }
}

enum Lookup {
    Fresh(Option<LeaderLease>),
    Stale(Option<LeaderLease>),
}
