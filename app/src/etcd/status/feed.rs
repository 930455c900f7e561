//! One reading of the cluster for every open `/etcd` page. Each page asks
//! every few seconds; were each question a reading, every viewer would ask
//! every member for its status again. Instead one task reads every
//! [`EVERY`] while someone looks, publishes through a `watch` channel, and
//! stops once nobody has asked for [`IDLE_AFTER`]; a viewer gets the
//! latest reading, or waits for the next when it is too old.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{watch, Notify};
use tokio::time::Instant;

use super::{read_status, MEMBER_TIMEOUT};
use crate::error::AppError;
use crate::etcd::{EtcdStatus, Gateway};

/// How often the cluster is read while someone looks.
pub const EVERY: Duration = crate::etcd::STATUS_EVERY;
/// How long after the last question the reader stops.
pub const IDLE_AFTER: Duration = Duration::from_secs(10);
/// How old a reading may be and still be handed out: the interval plus
/// the time a reading may take.
const FRESH_FOR: Duration = EVERY.saturating_add(MEMBER_TIMEOUT);
/// How long a viewer waits for a reading under way.
const WAIT_AT_MOST: Duration = Duration::from_secs(20);

/// A reading and when it was made.
#[derive(Debug, Clone)]
struct Reading {
    at: Instant,
    result: Result<EtcdStatus, AppError>,
}

/// The shared reading (kept by the [`Gateway`]).
pub struct Feed {
    readings: watch::Sender<Option<Reading>>,
    /// When a viewer last asked.
    asked: Mutex<Option<Instant>>,
    /// A reader task is running.
    running: AtomicBool,
    /// Wakes the reader before its interval is up.
    wake: Notify,
}

impl Default for Feed {
    fn default() -> Feed {
        Feed {
            readings: watch::channel(None).0,
            asked: Mutex::new(None),
            running: AtomicBool::new(false),
            wake: Notify::new(),
        }
    }
}

impl Feed {
    /// The latest reading, no older than the interval and the time a
    /// reading takes; starts the reader when it is not running.
    pub async fn latest(&self, gateway: &Gateway) -> Result<EtcdStatus, AppError> {
        let mut readings = self.readings.subscribe();
        if let Ok(mut asked) = self.asked.lock() {
            *asked = Some(Instant::now());
        }
        if !self.running.swap(true, Ordering::SeqCst) {
            tokio::spawn(read_while_watched(gateway.clone()));
        }
        let deadline = Instant::now() + WAIT_AT_MOST;
        loop {
            if let Some(r) = readings.borrow_and_update().as_ref() {
                if r.at.elapsed() < FRESH_FOR {
                    return r.result.clone();
                }
            }
            match tokio::time::timeout_at(deadline, readings.changed()).await {
                Ok(Ok(())) => continue,
                _ => {
                    return Err(AppError::Unavailable(format!(
                        "no reading of etcd within {WAIT_AT_MOST:?}"
                    )))
                }
            }
        }
    }

    /// Something changed the cluster (a maintenance action): the next
    /// question waits for a reading made after now.
    pub fn changed(&self) {
        self.readings.send_replace(None);
        self.wake.notify_one();
    }

    /// Nobody asked for [`IDLE_AFTER`].
    fn idle(&self) -> bool {
        self.asked
            .lock()
            .map_or(true, |a| a.is_none_or(|at| at.elapsed() >= IDLE_AFTER))
    }
}

/// Reads every [`EVERY`] until the feed is idle. The clone of the gateway
/// it holds is dropped when it stops.
async fn read_while_watched(gateway: Gateway) {
    let feed = gateway.status_feed();
    loop {
        let result = read_status(&gateway).await;
        if let Err(e) = &result {
            tracing::debug!("etcd status reading failed: {e}");
        }
        feed.readings.send_replace(Some(Reading {
            at: Instant::now(),
            result,
        }));
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = feed.wake.notified() => {}
        }
        if feed.idle() {
            feed.running.store(false, Ordering::SeqCst);
            // A viewer who asked just now saw it running and started none.
            if feed.idle() || feed.running.swap(true, Ordering::SeqCst) {
                return;
            }
        }
    }
}
