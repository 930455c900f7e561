//! Changing etcd's membership: add a learner, promote it, remove a member.
//! Only learners are added, so a new member never counts towards the
//! quorum before it has caught up. Callers prove admin rights first.

use serde::{Deserialize, Serialize};

/// `POST /members` `{ "name", "peer_urls", "confirm" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddLearnerRequest {
    /// The name the new member will be started with.
    pub name: String,
    pub peer_urls: Vec<String>,
    /// The same name again.
    pub confirm: String,
}

/// `POST /members/{id}/promote` `{ "confirm" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromoteRequest {
    /// The member's name (its hex ID while it has none).
    pub confirm: String,
}

/// `DELETE /members/{id}` `{ "confirm", "override"? }`, in the body or the
/// query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveRequest {
    #[serde(default)]
    pub confirm: Option<String>,
    /// Remove even though the cluster could not lose another member then.
    #[serde(rename = "override", default)]
    pub force: bool,
}

/// A member added to the membership; the operator starts it next with
/// these settings (as `etcdctl member add` prints them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberAdded {
    /// New member's ID, hex.
    pub id: String,
    pub name: String,
    pub is_learner: bool,
    /// `ETCD_INITIAL_CLUSTER` for the new member.
    pub initial_cluster: String,
    /// `ETCD_INITIAL_CLUSTER_STATE`: always `existing`.
    pub initial_cluster_state: String,
    /// The `ETCD_*=` lines to start it with.
    #[serde(default)]
    pub env: Vec<String>,
}

#[cfg(feature = "ssr")]
pub use ssr::{add_learner, promote, remove_member};

#[cfg(feature = "ssr")]
mod ssr {
    use etcd_client::MemberAddOptions;

    use super::MemberAdded;
    use crate::error::AppError;
    use crate::etcd::status::{read_members, read_status};
    use crate::etcd::{checks, hex_id, parse_hex_id, EtcdMembers, Gateway};

    /// Adds a learner with these peer URLs. `name` is what the operator
    /// will start it with; the answer carries the settings to start it
    /// with.
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
            .await?;
        let id = added.member().map(|m| m.id()).ok_or_else(|| {
            AppError::Internal("etcd added a member but did not say which".into())
        })?;
        let mut initial = Vec::new();
        for m in added.member_list() {
            let member_name = if m.id() == id { name } else { m.name() };
            for url in m.peer_urls() {
                initial.push(format!("{member_name}={url}"));
            }
        }
        let initial_cluster = initial.join(",");
        let env = vec![
            format!("ETCD_NAME={name}"),
            format!("ETCD_INITIAL_CLUSTER={initial_cluster}"),
            format!("ETCD_INITIAL_ADVERTISE_PEER_URLS={}", peer_urls.join(",")),
            "ETCD_INITIAL_CLUSTER_STATE=existing".to_owned(),
        ];
        Ok(MemberAdded {
            id: hex_id(id),
            name: name.to_owned(),
            is_learner: true,
            initial_cluster,
            initial_cluster_state: "existing".into(),
            env,
        })
    }

    /// Promotes a learner (hex ID) to a voting member once it has caught
    /// up.
    pub async fn promote(gateway: &Gateway, member_id: &str) -> Result<EtcdMembers, AppError> {
        let status = read_status(gateway).await?;
        let member = checks::find(&status, member_id)?;
        checks::promote_check(member)?;
        let id = parse_hex_id(&member.id)?;
        gateway
            .call_shared(|mut c| async move { c.member_promote(id).await })
            .await?;
        Ok(read_members(gateway).await?.into())
    }

    /// Removes a member (hex ID), unless that would leave no quorum.
    pub async fn remove_member(
        gateway: &Gateway,
        member_id: &str,
    ) -> Result<EtcdMembers, AppError> {
        let status = read_status(gateway).await?;
        let member = checks::find(&status, member_id)?;
        checks::removal_check(&status, member)?;
        let id = parse_hex_id(&member.id)?;
        gateway
            .call_shared(|mut c| async move { c.member_remove(id).await })
            .await?;
        Ok(read_members(gateway).await?.into())
    }
}
