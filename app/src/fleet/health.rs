//! Each etcd cluster's health for the fleet overview, read in the
//! background: a page about the fleet never waits on an etcd cluster that
//! is slow or down, it shows the last reading and how old it is.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::EtcdHealth;
use crate::etcd::status::shared_status;
use crate::etcd::{EtcdStatus, Gateway};

/// How often the health is read again.
pub const EVERY: Duration = Duration::from_secs(5);
/// How long one reading may take before it counts as failed.
const LIMIT: Duration = Duration::from_secs(10);

/// Starts reading `gateway`'s health every [`EVERY`]; the receiver holds
/// the latest. Abort the handle to stop.
pub fn spawn(gateway: Gateway) -> (JoinHandle<()>, watch::Receiver<EtcdHealth>) {
    let (tx, rx) = watch::channel(EtcdHealth::default());
    let task = tokio::spawn(async move {
        loop {
            let reading = tokio::time::timeout(LIMIT, shared_status(&gateway)).await;
            tx.send_modify(|health| match reading {
                Ok(Ok(status)) => *health = of_status(&status),
                Ok(Err(e)) => health.error = Some(e.to_string()),
                Err(_) => health.error = Some(format!("no etcd member answered within {LIMIT:?}")),
            });
            tokio::time::sleep(EVERY).await;
        }
    });
    (task, rx)
}

/// The brief health of a full reading.
pub fn of_status(status: &EtcdStatus) -> EtcdHealth {
    EtcdHealth {
        voting: status.quorum.voting,
        healthy_voting: status.quorum.healthy_voting,
        quorum: crate::etcd::Quorum::holds(status.quorum.voting, status.quorum.healthy_voting),
        words: status.quorum.words.clone(),
        alarms: status
            .alarms
            .iter()
            .map(|a| format!("{} on {}", a.alarm, a.member_id))
            .collect(),
        read_at_ms: Some(status.read_at_ms),
        error: None,
    }
}
