//! Reading the etcd cluster, as `etcdctl endpoint status --cluster` does:
//! the membership, each member's own status (asked in parallel, each with
//! a short time limit), alarms and revisions.

use std::time::Duration;

use etcd_client::{AlarmAction, AlarmType, GetOptions, WatchOptions};

use super::{
    hex_id, EtcdAlarm, EtcdAlarms, EtcdError, EtcdMemberEntry, EtcdMembers, EtcdStatus, Gateway,
    Quorum,
};
use crate::error::AppError;

mod feed;
mod member;

pub use feed::{Feed, EVERY};

/// The cluster as the `/etcd` page shows it: one reading every [`EVERY`]
/// shared by every viewer (see [`Feed`]), however many pages are open.
pub async fn shared_status(gateway: &Gateway) -> Result<EtcdStatus, AppError> {
    gateway.status_feed().latest(gateway).await
}

/// How long one member may take to answer its status: a dead member must
/// not stall the page.
pub const MEMBER_TIMEOUT: Duration = Duration::from_millis(1500);

/// A key no one writes: watching or reading it at revision 1 costs nothing
/// but tells whether (and up to where) etcd compacted its history.
const PROBE_KEY: &[u8] = b"\0patrol/compaction-probe";

/// The cluster now: every member with its status, alarms, revisions and
/// quorum. A member that does not answer appears with `healthy: false` and
/// the reason; only when no member answers is the whole read an error.
pub async fn read_status(gateway: &Gateway) -> Result<EtcdStatus, AppError> {
    let listed = read_members(gateway).await?;
    let urls: Vec<Vec<String>> = listed
        .members
        .iter()
        .map(|m| m.client_urls.clone())
        .collect();
    gateway.keep_member_clients(&urls);
    let probes: Vec<_> = listed
        .members
        .iter()
        .map(|m| {
            let (gateway, urls) = (gateway.clone(), m.client_urls.clone());
            tokio::spawn(async move { member::probe(&gateway, &urls).await })
        })
        .collect();
    // Both need a quorum; without one they would hold the page up.
    let (alarms, compact_revision) = tokio::join!(
        tokio::time::timeout(MEMBER_TIMEOUT, read_alarms(gateway)),
        tokio::time::timeout(MEMBER_TIMEOUT, compact_revision(gateway)),
    );
    let compact_revision = compact_revision.ok().flatten();
    let mut members = Vec::with_capacity(probes.len());
    let mut revision = listed.revision;
    for (entry, probe) in listed.members.into_iter().zip(probes) {
        let probe = probe
            .await
            .unwrap_or_else(|e| Err(EtcdError::Other(format!("status probe failed: {e}"))));
        if let Ok(p) = &probe {
            revision = revision.max(p.revision);
        }
        members.push(member::merge(entry, probe));
    }
    if !members.is_empty() && members.iter().all(|m| m.round_trip_us.is_none()) {
        let why: Vec<String> = members
            .iter()
            .map(|m| {
                format!(
                    "{}: {}",
                    m.label(),
                    m.error.as_deref().unwrap_or("no answer")
                )
            })
            .collect();
        return Err(AppError::Unavailable(format!(
            "no etcd member answers ({})",
            why.join("; ")
        )));
    }
    // Alarms go through raft; without a quorum the members' own error
    // lists still name them.
    let alarms = match alarms {
        Ok(Ok(a)) => a.alarms,
        _ => member::alarms_from_errors(&members),
    };
    members.sort_by(|a, b| (a.is_learner, &a.name).cmp(&(b.is_learner, &b.name)));
    Ok(EtcdStatus {
        cluster_id: listed.cluster_id,
        revision,
        compact_revision,
        quorum: Quorum::of(&members),
        members,
        alarms,
        read_at_ms: crate::clock::now_ms(),
    })
}

/// The membership and the revision and cluster ID its answer carried.
pub struct Listed {
    pub cluster_id: String,
    pub revision: i64,
    pub members: Vec<EtcdMemberEntry>,
}

impl From<Listed> for EtcdMembers {
    fn from(l: Listed) -> EtcdMembers {
        EtcdMembers {
            cluster_id: l.cluster_id,
            members: l.members,
        }
    }
}

/// The membership (`etcdctl member list`), through the shared client.
pub async fn read_members(gateway: &Gateway) -> Result<Listed, AppError> {
    let list = gateway
        .call_shared(|mut c| async move { c.member_list().await })
        .await?;
    let header = list.header();
    Ok(Listed {
        cluster_id: header.map(|h| hex_id(h.cluster_id())).unwrap_or_default(),
        revision: header.map_or(0, |h| h.revision()),
        members: list
            .members()
            .iter()
            .map(|m| EtcdMemberEntry {
                id: hex_id(m.id()),
                name: m.name().to_owned(),
                client_urls: m.client_urls().to_vec(),
                peer_urls: m.peer_urls().to_vec(),
                is_learner: m.is_learner(),
            })
            .collect(),
    })
}

/// Active alarms (`etcdctl alarm list`).
pub async fn read_alarms(gateway: &Gateway) -> Result<EtcdAlarms, AppError> {
    let resp = gateway
        .call_shared(|mut c| async move { c.alarm(AlarmAction::Get, AlarmType::None, None).await })
        .await?;
    let alarms = resp
        .alarms()
        .iter()
        .map(|a| EtcdAlarm {
            member_id: hex_id(a.member_id()),
            alarm: a.alarm().as_str_name().to_owned(),
        })
        .collect();
    Ok(EtcdAlarms { alarms })
}

/// The compaction revision. etcd has no request for it: a read at
/// revision 1 succeeds while nothing is compacted, and a watch from
/// revision 1 of a compacted store is cancelled with the number.
pub async fn compact_revision(gateway: &Gateway) -> Option<i64> {
    let at_one = || Some(GetOptions::new().with_revision(1).with_count_only());
    let read = gateway.call_shared(|mut c| async move { c.get(PROBE_KEY, at_one()).await });
    match read.await {
        Ok(_) => return None,
        Err(EtcdError::Compacted(_)) => {}
        Err(e) => {
            tracing::debug!("compaction probe: {e}");
            return None;
        }
    }
    let from_one = || Some(WatchOptions::new().with_start_revision(1));
    let mut watch = gateway
        .call_shared(|mut c| async move { c.watch(PROBE_KEY, from_one()).await })
        .await
        .ok()?;
    let first_compacted = async {
        while let Some(resp) = watch.message().await? {
            if resp.compact_revision() != 0 {
                return Ok(Some(resp.compact_revision()));
            }
            if resp.canceled() {
                break;
            }
        }
        Ok::<_, etcd_client::Error>(None)
    };
    let found = gateway.call_within(MEMBER_TIMEOUT, first_compacted).await;
    // Dropping the stream ends the watch on etcd's side too.
    drop(watch);
    found.ok().flatten()
}
