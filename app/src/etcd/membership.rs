//! Changing etcd's membership: add a learner, promote it, remove a member.
//! Only learners are added, so a new member never counts towards the
//! quorum before it has caught up. Callers prove admin rights first.

use etcd_client::MemberAddOptions;

use super::checks::{self, refused};
use super::status::{read_members, read_status};
use super::Gateway;
use crate::error::AppError;
use crate::etcd_cluster::maintenance::MemberAdded;
use crate::etcd_cluster::{hex_id, parse_hex_id, EtcdMembers};

/// Adds a learner with these peer URLs. `name` is what the operator will
/// start it with; the answer carries the settings to start it with.
pub async fn add_learner(
    gateway: &Gateway,
    name: &str,
    peer_urls: &[String],
) -> Result<MemberAdded, AppError> {
    if name.is_empty() || name.contains([',', '=']) {
        return Err(AppError::Invalid(format!("unusable member name {name:?}")));
    }
    if peer_urls.is_empty() || peer_urls.iter().any(|u| !u.contains("://")) {
        return Err(AppError::Invalid(
            "give the new member's peer URLs, like http://10.0.0.4:2380".into(),
        ));
    }
    let learner = || Some(MemberAddOptions::new().with_is_learner());
    let added = gateway
        .call_shared(|mut c| async move { c.member_add(peer_urls, learner()).await })
        .await
        .map_err(refused)?;
    let id = added
        .member()
        .map(|m| m.id())
        .ok_or_else(|| AppError::Internal("etcd added a member but did not say which".into()))?;
    let mut initial = Vec::new();
    for m in added.member_list() {
        let member_name = if m.id() == id { name } else { m.name() };
        for url in m.peer_urls() {
            initial.push(format!("{member_name}={url}"));
        }
    }
    Ok(MemberAdded {
        id: hex_id(id),
        name: name.to_owned(),
        is_learner: true,
        initial_cluster: initial.join(","),
        initial_cluster_state: "existing".into(),
    })
}

/// Promotes a learner (hex ID) to a voting member once it has caught up.
pub async fn promote(gateway: &Gateway, member_id: &str) -> Result<EtcdMembers, AppError> {
    let status = read_status(gateway).await?;
    let member = checks::find(&status, member_id)?;
    checks::promote_check(member)?;
    let id = parse_hex_id(&member.id)?;
    gateway
        .call_shared(|mut c| async move { c.member_promote(id).await })
        .await
        .map_err(refused)?;
    Ok(read_members(gateway).await?.into())
}

/// Removes a member (hex ID), unless that would leave no quorum.
pub async fn remove_member(gateway: &Gateway, member_id: &str) -> Result<EtcdMembers, AppError> {
    let status = read_status(gateway).await?;
    let member = checks::find(&status, member_id)?;
    checks::removal_check(&status, member)?;
    let id = parse_hex_id(&member.id)?;
    gateway
        .call_shared(|mut c| async move { c.member_remove(id).await })
        .await
        .map_err(refused)?;
    Ok(read_members(gateway).await?.into())
}
