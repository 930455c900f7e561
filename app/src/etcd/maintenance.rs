//! etcd maintenance: compaction, defragmentation, alarms, leader moves.
//! Each checks the cluster first (see [`super::checks`]) and touches one
//! member at a time. Callers prove admin rights before calling these.

use std::time::{Duration, Instant};

use etcd_client::{AlarmAction, AlarmOptions, AlarmType, CompactionOptions, GetOptions};

use super::checks::{self, refused};
use super::status::{compact_revision, read_alarms, read_status};
use super::Gateway;
use crate::error::AppError;
use crate::etcd_cluster::maintenance::{
    CompactTo, Compacted, DefragReport, Defragmented, LeaderMoved,
};
use crate::etcd_cluster::{hex_id, parse_hex_id, EtcdAlarm, EtcdAlarms, EtcdMember};

pub use super::snapshot::{keys_at, save_snapshot, snapshot, Snapshot};

/// How long a request that blocks a member may take: defragmenting or
/// physically compacting a large database takes a while.
pub const LONG_TIMEOUT: Duration = Duration::from_secs(300);

/// Compacts the history: revisions before the target are gone afterwards.
/// With `physical`, waits until the space is freed in the database too.
pub async fn compact(
    gateway: &Gateway,
    to: CompactTo,
    physical: bool,
) -> Result<Compacted, AppError> {
    let count_only = || Some(GetOptions::new().with_count_only());
    let now = gateway
        .call_shared(|mut c| async move { c.get("\0", count_only()).await })
        .await
        .map_err(AppError::Unavailable)?;
    let current = now.header().map_or(0, |h| h.revision());
    let previous = compact_revision(gateway).await;
    let revision = to.target(current)?;
    if previous.is_some_and(|p| revision <= p) {
        return Err(AppError::Conflict(format!(
            "etcd is compacted up to revision {} already",
            previous.unwrap_or_default()
        )));
    }
    let options = move || physical.then(|| CompactionOptions::new().with_physical());
    gateway
        .call_shared_within(LONG_TIMEOUT, |mut c| async move {
            c.compact(revision, options()).await
        })
        .await
        .map_err(refused)?;
    Ok(Compacted {
        revision,
        previous,
        current_revision: current,
        physical,
    })
}

/// Defragments one member (hex ID), which blocks it meanwhile; refuses
/// when that would cost the quorum. Reports the database size before and
/// after.
pub async fn defragment(gateway: &Gateway, member_id: &str) -> Result<Defragmented, AppError> {
    let status = read_status(gateway).await?;
    let member = checks::find(&status, member_id)?;
    checks::defrag_check(&status, member)?;
    defragment_checked(gateway, member).await
}

/// Defragments every member, one at a time: followers first, the leader
/// last, each after a fresh check. Stops at the first failure.
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
    let mut client = gateway
        .member_client(&member.client_urls)
        .await
        .map_err(AppError::Unavailable)?;
    let start = Instant::now();
    gateway
        .call_within(LONG_TIMEOUT, client.defragment())
        .await
        .map_err(refused)?;
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

/// Disarms one alarm (after the cause is fixed: space freed, data
/// checked); returns the alarms still active.
pub async fn disarm(gateway: &Gateway, alarm: &EtcdAlarm) -> Result<EtcdAlarms, AppError> {
    let kind = match alarm.alarm.as_str() {
        "NOSPACE" => AlarmType::Nospace,
        "CORRUPT" => AlarmType::Corrupt,
        other => return Err(AppError::Invalid(format!("unknown alarm {other:?}"))),
    };
    let member = parse_hex_id(&alarm.member_id)?;
    let options = move || {
        let mut options = AlarmOptions::new();
        options.with_member(member);
        Some(options)
    };
    gateway
        .call_shared(|mut c| async move { c.alarm(AlarmAction::Deactivate, kind, options()).await })
        .await
        .map_err(refused)?;
    read_alarms(gateway).await
}

/// Disarms every active alarm, as `etcdctl alarm disarm` does.
pub async fn disarm_all(gateway: &Gateway) -> Result<EtcdAlarms, AppError> {
    let active = read_alarms(gateway).await?;
    for alarm in &active.alarms {
        disarm(gateway, alarm).await?;
    }
    read_alarms(gateway).await
}

/// Hands raft leadership to the member with this hex ID. The request must
/// reach the leader, so it goes through the leader's own client.
pub async fn move_leader(gateway: &Gateway, to: &str) -> Result<LeaderMoved, AppError> {
    let status = read_status(gateway).await?;
    let target = checks::find(&status, to)?;
    checks::move_leader_check(&status, target)?;
    let leader = checks::leader(&status)?;
    let mut client = gateway
        .member_client(&leader.client_urls)
        .await
        .map_err(AppError::Unavailable)?;
    let target_id = parse_hex_id(&target.id)?;
    gateway
        .call(client.move_leader(target_id))
        .await
        .map_err(refused)?;
    Ok(LeaderMoved {
        from: leader.id.clone(),
        to: hex_id(target_id),
    })
}
