//! Moving the raft leader: `POST /api/v1/etcd/move-leader` hands
//! leadership to another healthy voting member.

use serde::{Deserialize, Serialize};

/// `POST /move-leader` `{ "to", "confirm" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveLeaderRequest {
    /// The member to lead: name or hex ID.
    pub to: String,
    /// Its name.
    pub confirm: String,
}

/// Raft leadership handed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderMoved {
    /// Old leader's member ID, hex.
    pub from: String,
    /// New leader's member ID, hex.
    pub to: String,
}

#[cfg(feature = "ssr")]
pub use ssr::move_leader;

#[cfg(feature = "ssr")]
mod ssr {
    use super::LeaderMoved;
    use crate::error::AppError;
    use crate::etcd::status::read_status;
    use crate::etcd::{checks, hex_id, parse_hex_id, Gateway};

    /// Hands raft leadership to the member with this hex ID. The request
    /// must reach the leader, so it goes through the leader's own client.
    pub async fn move_leader(gateway: &Gateway, to: &str) -> Result<LeaderMoved, AppError> {
        let status = read_status(gateway).await?;
        let target = checks::find(&status, to)?;
        checks::move_leader_check(&status, target)?;
        let leader = checks::leader(&status)?;
        let mut client = gateway.member_client(&leader.client_urls).await?;
        let target_id = parse_hex_id(&target.id)?;
        gateway.call(client.move_leader(target_id)).await?;
        Ok(LeaderMoved {
            from: leader.id.clone(),
            to: hex_id(target_id),
        })
    }
}
