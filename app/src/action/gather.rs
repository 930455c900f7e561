//! Gathers what a preflight needs beyond etcd's keys: whether each
//! member's REST API answers (all asked at once, 2 s each) and the risks
//! etcd itself poses (quorum, alarms).

use futures::future::join_all;

use super::preflight::{evaluate, Kind, Probe, Probes};
use super::services::Services;
use super::target::{self, Target};
use super::Preflight;
use crate::error::AppError;
use crate::patroni::Cluster;

/// The preflight for `target` as etcd holds it now.
pub async fn preflight(svc: &Services, kind: Kind, target: &Target) -> Result<Preflight, AppError> {
    let (cluster, revision) = target::read(&svc.etcd, target, None).await?;
    Ok(checked(svc, kind, &cluster, revision).await)
}

/// The preflight for `cluster`, already read at `revision`.
pub async fn checked(svc: &Services, kind: Kind, cluster: &Cluster, revision: i64) -> Preflight {
    let (probes, risks) = tokio::join!(probe(svc, cluster), etcd_risks(svc));
    evaluate(kind, cluster, revision, &probes, risks)
}

async fn probe(svc: &Services, cluster: &Cluster) -> Probes {
    let asks = cluster.members.iter().filter_map(|m| {
        let url = m.api_url.clone()?;
        let name = m.name.clone();
        Some(async move {
            let answer = svc
                .patroni
                .status(&cluster.namespace, &cluster.scope, &url)
                .await
                .map_or_else(Probe::Failed, |_| Probe::Answered);
            (name, answer)
        })
    });
    join_all(asks).await.into_iter().collect()
}

async fn etcd_risks(svc: &Services) -> Vec<String> {
    match crate::etcd::status::read_status(&svc.etcd).await {
        Ok(status) => status.risks(),
        Err(e) => vec![format!("etcd: could not read its status ({e})")],
    }
}
