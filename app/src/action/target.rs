//! The cluster an action is aimed at, read straight from etcd (not from the
//! mirror) so that the preflight's revision and what it saw agree, and an
//! action can compare what was seen then with what holds now.

use etcd_client::GetOptions;

use super::basis::Basis;
use crate::error::AppError;
use crate::etcd::{EtcdError, Gateway};
use crate::patroni::{clusters_in_namespace, normalize_namespace, Cluster, Member};

/// `(namespace, scope, Citus group)` of the cluster acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// With its leading slash, e.g. `/pg`.
    pub namespace: String,
    pub scope: String,
    pub group: Option<u32>,
}

impl Target {
    /// Checks the path's parts; `namespace` may come with or without `/`.
    pub fn new(namespace: &str, scope: &str, group: Option<u32>) -> Result<Target, AppError> {
        let namespace = normalize_namespace(namespace)
            .ok_or_else(|| AppError::Invalid("empty namespace".into()))?;
        if scope.is_empty() || scope.contains('/') {
            return Err(AppError::Invalid(format!("not a cluster scope: {scope:?}")));
        }
        Ok(Target {
            namespace,
            scope: scope.to_owned(),
            group,
        })
    }

    /// `pg/pg-meta` (and `#1` for a Citus group), as the audit log names it.
    pub fn text(&self) -> String {
        let ns = self.namespace.trim_start_matches('/');
        match self.group {
            Some(g) => format!("{ns}/{}#{g}", self.scope),
            None => format!("{ns}/{}", self.scope),
        }
    }
}

/// The cluster as etcd holds it at `revision` (now when `None`), and the
/// revision read.
pub async fn read(
    etcd: &Gateway,
    target: &Target,
    revision: Option<i64>,
) -> Result<(Cluster, i64), AppError> {
    let prefix = format!("{}/{}/", target.namespace, target.scope);
    let mut opts = GetOptions::new().with_prefix();
    if let Some(r) = revision {
        opts = opts.with_revision(r);
    }
    let gw = etcd;
    let mut kv = gw.client().await?.kv_client();
    let resp = match gw.call(kv.get(prefix, Some(opts))).await {
        Ok(resp) => resp,
        Err(EtcdError::Compacted(_)) => {
            return Err(AppError::Conflict(format!(
                "etcd has compacted revision {} away, so Patrol cannot tell what changed since: run the preflight again",
                revision.unwrap_or_default()
            )))
        }
        Err(EtcdError::FutureRevision(_)) => {
            return Err(AppError::Invalid(format!(
                "revision {} is newer than etcd's: send the revision a preflight returned",
                revision.unwrap_or_default()
            )))
        }
        Err(e) => return Err(AppError::Unavailable(e.to_string())),
    };
    let at = resp.header().map_or(0, |h| h.revision());
    let kvs = resp.kvs().iter().map(|kv| (kv.key(), kv.value()));
    let cluster = clusters_in_namespace(&target.namespace, kvs)
        .into_iter()
        .find(|c| c.scope == target.scope && c.citus_group == target.group);
    match cluster {
        Some(c) => Ok((c, revision.unwrap_or(at))),
        None if revision.is_some() => Err(AppError::Conflict(format!(
            "cluster {} did not exist at revision {}: run the preflight again",
            target.text(),
            revision.unwrap_or_default()
        ))),
        None => Err(AppError::NotFound(format!("no cluster {}", target.text()))),
    }
}

/// The cluster now, after checking that nothing an action rests on changed
/// since `seen` (the revision a preflight returned): 409 naming what did.
pub async fn pinned(
    etcd: &Gateway,
    target: &Target,
    seen: Option<i64>,
) -> Result<(Cluster, i64), AppError> {
    let (now, at) = read(etcd, target, None).await?;
    let Some(seen) = seen else {
        return Ok((now, at));
    };
    if seen <= 0 || seen > at {
        return Err(AppError::Invalid(format!(
            "revision {seen} is not one etcd has given (now {at}): send the revision a preflight returned"
        )));
    }
    let (then, _) = read(etcd, target, Some(seen)).await?;
    let changes = Basis::of(&then).changes(&Basis::of(&now));
    if changes.is_empty() {
        Ok((now, at))
    } else {
        Err(AppError::Conflict(format!(
            "the cluster changed since revision {seen}: {}; run the preflight again",
            changes.join("; ")
        )))
    }
}

/// The typed confirmation must repeat `expected` exactly.
pub fn confirm(given: &str, expected: &str) -> Result<(), AppError> {
    if given == expected {
        Ok(())
    } else {
        Err(AppError::Invalid(format!(
            "confirmation does not match: type {expected:?} to confirm"
        )))
    }
}

/// The member named `name`, or 404 listing who is there.
pub fn member<'c>(cluster: &'c Cluster, name: &str) -> Result<&'c Member, AppError> {
    cluster
        .members
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| {
            let names: Vec<_> = cluster.members.iter().map(|m| m.name.as_str()).collect();
            AppError::NotFound(format!(
                "no member {name:?} in {}/{}; members: {}",
                cluster.namespace.trim_start_matches('/'),
                cluster.scope,
                names.join(", ")
            ))
        })
}

/// `(member, api_url)` of the member named `name`.
pub fn api_of(cluster: &Cluster, name: &str) -> Result<(String, String), AppError> {
    cluster
        .members
        .iter()
        .find(|m| m.name == name)
        .and_then(|m| Some((m.name.clone(), m.api_url.clone()?)))
        .ok_or_else(|| {
            AppError::Refused(format!(
                "{name} publishes no REST API address (api_url) in etcd"
            ))
        })
}

/// The leader's API if it publishes one, else the first running member's.
pub fn any_api(cluster: &Cluster) -> Result<(String, String), AppError> {
    let leader = cluster
        .leader
        .as_deref()
        .and_then(|l| api_of(cluster, l).ok());
    leader
        .or_else(|| {
            cluster
                .members
                .iter()
                .filter(|m| m.is_running())
                .find_map(|m| Some((m.name.clone(), m.api_url.clone()?)))
        })
        .ok_or_else(|| AppError::Refused("no running member publishes a REST API address".into()))
}

/// A scheduled time: RFC 3339 with an offset, in the future.
pub fn future_time(text: &str) -> Result<String, AppError> {
    let at = chrono::DateTime::parse_from_rfc3339(text.trim()).map_err(|e| {
        AppError::Invalid(format!(
            "scheduled_at {text:?} is not an RFC 3339 time with an offset (e.g. 2026-11-24T03:00:00+01:00): {e}"
        ))
    })?;
    if at <= chrono::Utc::now() {
        return Err(AppError::Invalid(format!(
            "scheduled_at {text} is not in the future"
        )));
    }
    Ok(at.to_rfc3339())
}
