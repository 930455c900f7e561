//! One cluster's page data: the parsed cluster plus what only the server
//! keeps (lag history, the leader lease's countdown).

#[cfg(feature = "ssr")]
pub mod book;
pub mod changes;
pub mod history;
#[cfg(feature = "ssr")]
pub mod lease;
#[cfg(feature = "ssr")]
pub mod probe;

use serde::{Deserialize, Serialize};

use crate::patroni::Cluster;
pub use history::{LagSample, MemberLag};

/// SSE event name carrying a JSON [`ClusterDetail`].
pub const CLUSTER_EVENT: &str = "cluster";
/// SSE event sent when the cluster has no keys left in etcd.
pub const MISSING_EVENT: &str = "missing";

/// Everything the cluster page shows (`GET /api/v1/clusters/<ns>/<scope>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterDetail {
    #[serde(flatten)]
    pub cluster: Cluster,
    /// Receive and replay lag of each replica over the last hour.
    pub lag_history: Vec<MemberLag>,
    pub leader_lease: Option<LeaderLease>,
    /// Whether etcd answers; when not, the page shows the last state seen.
    pub etcd_reachable: bool,
    /// Server's Unix time (ms) when this was put together; lag charts end here.
    pub now_ms: u64,
}

/// The etcd lease the leader key is attached to: when it runs out and no
/// keep-alive came, the leader key vanishes and Patroni elects again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderLease {
    /// Lease ID in hex, as `etcdctl` prints it.
    pub id: String,
    /// TTL granted (Patroni's `ttl`), in seconds.
    pub ttl_s: i64,
    /// Seconds left when Patrol read it; etcd counts in whole seconds.
    pub remaining_s: i64,
    /// Server's Unix time (ms) of that reading, so a browser with a skewed
    /// clock can still count down.
    pub read_at_ms: u64,
}

/// Path of a cluster's page.
pub fn page_path(namespace: &str, scope: &str, group: Option<u32>) -> String {
    let ns = namespace.trim_start_matches('/');
    match group {
        Some(g) => format!("/clusters/{ns}/{scope}?group={g}"),
        None => format!("/clusters/{ns}/{scope}"),
    }
}

/// Path of a cluster's event stream.
pub fn events_path(namespace: &str, scope: &str, group: Option<u32>) -> String {
    let ns = namespace.trim_start_matches('/');
    match group {
        Some(g) => format!("/api/v1/clusters/{ns}/{scope}/events?group={g}"),
        None => format!("/api/v1/clusters/{ns}/{scope}/events"),
    }
}
