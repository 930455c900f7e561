//! Defragmentation: a member gives the space compaction freed back to the
//! file system, blocked meanwhile. `POST /api/v1/etcd/defragment` does one
//! member or all, one at a time, the leader last.

use serde::{Deserialize, Serialize};

/// `POST /defragment` `{ "member"?, "confirm" }`: that member (name or hex
/// ID, confirmed by its name), or every member (confirmed by `etcd`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefragRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    pub confirm: String,
}

/// One member defragmented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Defragmented {
    /// Member ID, hex.
    pub member_id: String,
    pub name: String,
    /// It was the raft leader when defragmented.
    pub was_leader: bool,
    /// Database file size before, bytes.
    pub db_size_before: Option<u64>,
    /// Database file size after, bytes.
    pub db_size_after: Option<u64>,
    /// How long the member was busy defragmenting.
    pub took_ms: u64,
}

impl Defragmented {
    /// Bytes it gave back.
    pub fn freed(&self) -> u64 {
        match (self.db_size_before, self.db_size_after) {
            (Some(b), Some(a)) => b.saturating_sub(a),
            _ => 0,
        }
    }
}

/// The whole cluster defragmented one member at a time: followers first,
/// the leader last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefragReport {
    /// Members done, in order.
    pub done: Vec<Defragmented>,
    /// Why it stopped before the end, if it did; members after that one
    /// were left alone.
    pub stopped: Option<String>,
}

#[cfg(feature = "ssr")]
pub use ssr::{defragment, defragment_all, LONG_TIMEOUT};

#[cfg(feature = "ssr")]
mod ssr {
    use std::time::{Duration, Instant};

    use super::{DefragReport, Defragmented};
    use crate::error::AppError;
    use crate::etcd::status::read_status;
    use crate::etcd::{checks, EtcdMember, Gateway};

    /// How long a request that blocks a member may take: defragmenting or
    /// physically compacting a large database takes a while.
    pub const LONG_TIMEOUT: Duration = Duration::from_secs(300);

    /// Defragments one member (hex ID), which blocks it meanwhile; refuses
    /// when that would cost the quorum. Reports the database size before
    /// and after.
    pub async fn defragment(gateway: &Gateway, member_id: &str) -> Result<Defragmented, AppError> {
        let status = read_status(gateway).await?;
        let member = checks::find(&status, member_id)?;
        checks::defrag_check(&status, member)?;
        defragment_checked(gateway, member).await
    }

    /// Defragments every member, one at a time: followers first, the
    /// leader last, each after a fresh check. Stops at the first failure.
    pub async fn defragment_all(gateway: &Gateway) -> Result<DefragReport, AppError> {
        let status = read_status(gateway).await?;
        let order: Vec<String> = checks::defrag_order(&status)
            .iter()
            .map(|m| m.id.clone())
            .collect();
        let mut report = DefragReport {
            done: Vec::new(),
            stopped: None,
        };
        for id in order {
            match defragment(gateway, &id).await {
                Ok(done) => report.done.push(done),
                Err(e) => {
                    report.stopped = Some(format!("member {id}: {e}"));
                    break;
                }
            }
        }
        Ok(report)
    }

    async fn defragment_checked(
        gateway: &Gateway,
        member: &EtcdMember,
    ) -> Result<Defragmented, AppError> {
        let mut client = gateway.member_client(&member.client_urls).await?;
        let start = Instant::now();
        gateway
            .call_within(LONG_TIMEOUT, client.defragment())
            .await?;
        let took_ms = start.elapsed().as_millis().try_into().unwrap_or(u64::MAX);
        let after = gateway.call(client.status()).await.ok();
        Ok(Defragmented {
            member_id: member.id.clone(),
            name: member.name.clone(),
            was_leader: member.is_leader,
            db_size_before: member.db_size,
            db_size_after: after.and_then(|s| u64::try_from(s.db_size()).ok()),
            took_ms,
        })
    }
}
