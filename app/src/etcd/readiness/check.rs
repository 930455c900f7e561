//! Asking etcd for the readiness check: the membership and versions
//! (`endpoint status`), every member's revision, then every member's
//! `HashKV` at the lowest of them, and the HTTP side (see `v2`).

use super::versions::{MemberVersion, Versions};
use super::{v2, HashCheck, HashReading, Learners, Readiness, DEFAULT_MAX_LEARNERS};
use crate::error::AppError;
use crate::etcd::status::{read_status, MEMBER_TIMEOUT};
use crate::etcd::{EtcdError, EtcdMember, Gateway};

/// The check, shared: a check younger than [`super::READINESS_EVERY`] is
/// handed out again, and viewers asking together wait for one check.
pub async fn readiness(gateway: &Gateway) -> Result<Readiness, AppError> {
    gateway.readiness_cache().get(gateway).await
}

/// A fresh check. Only when no member answers is it an error.
pub async fn check(gateway: &Gateway) -> Result<Readiness, AppError> {
    let status = read_status(gateway).await?;
    let (hashes, http) = tokio::join!(
        hashes(gateway, &status.members),
        v2::probe(gateway.endpoints())
    );
    let versions = Versions {
        cluster: http.cluster_version,
        members: status
            .members
            .iter()
            .map(|m| MemberVersion {
                member: m.label().to_owned(),
                version: m.version.clone(),
            })
            .collect(),
    };
    Ok(Readiness {
        hashes,
        versions,
        v2: http.v2,
        learners: Learners {
            count: status.members.iter().filter(|m| m.is_learner).count(),
            max: DEFAULT_MAX_LEARNERS,
        },
        read_at_ms: crate::clock::now_ms(),
    })
}

/// Every member's hash at the lowest revision any of them has applied.
async fn hashes(gateway: &Gateway, members: &[EtcdMember]) -> HashCheck {
    let revisions = each(gateway, members, |mut c| async move {
        let status = c.status().await?;
        Ok(status.header().map_or(0, |h| h.revision()))
    })
    .await;
    let revision = revisions
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .min()
        .copied();
    let Some(revision) = revision.filter(|r| *r > 0) else {
        let readings = members
            .iter()
            .zip(revisions)
            .map(|(m, r)| reading(m, r.map(|_| (0, 0)), false))
            .collect();
        return HashCheck::of(None, readings);
    };
    let answers = each(gateway, members, move |mut c| async move {
        let h = c.hash_kv(revision).await?;
        Ok((h.hash(), h.compact_version()))
    })
    .await;
    let readings = members
        .iter()
        .zip(answers)
        .map(|(m, a)| reading(m, a, true))
        .collect();
    HashCheck::of(Some(revision), readings)
}

fn reading(m: &EtcdMember, answer: Result<(u32, i64), EtcdError>, hashed: bool) -> HashReading {
    let (hash, compact_revision, error) = match answer {
        Ok((hash, compact)) if hashed => (Some(hash), Some(compact), None),
        Ok(_) => (None, None, Some("no revision to hash at".to_owned())),
        Err(e) => (None, None, Some(e.to_string())),
    };
    HashReading {
        member_id: m.id.clone(),
        member: m.label().to_owned(),
        hash,
        compact_revision,
        error,
    }
}

/// `request` sent to every member through its own client, in parallel,
/// each within [`MEMBER_TIMEOUT`]; answers in the members' order.
async fn each<T, F, Fut>(
    gateway: &Gateway,
    members: &[EtcdMember],
    request: F,
) -> Vec<Result<T, EtcdError>>
where
    T: Send + 'static,
    F: Fn(etcd_client::Client) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<T, etcd_client::Error>> + Send,
{
    let tasks: Vec<_> = members
        .iter()
        .map(|m| {
            let (gateway, urls, request) =
                (gateway.clone(), m.client_urls.clone(), request.clone());
            tokio::spawn(async move {
                let asked = async move {
                    let client = gateway.member_client(&urls).await?;
                    gateway.call_within(MEMBER_TIMEOUT, request(client)).await
                };
                tokio::time::timeout(MEMBER_TIMEOUT, asked)
                    .await
                    .unwrap_or(Err(EtcdError::Timeout {
                        limit: MEMBER_TIMEOUT,
                        flag: None,
                    }))
            })
        })
        .collect();
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        out.push(
            task.await
                .unwrap_or_else(|e| Err(EtcdError::Other(format!("request failed: {e}")))),
        );
    }
    out
}
