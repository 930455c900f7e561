//! Types that cross from the server to the browser.

use serde::{Deserialize, Serialize};

pub use crate::patroni::{Cluster, ClusterSummary, Health, Member, Role};

/// Patrol's view of its etcd connection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EtcdConnection {
    /// Endpoints Patrol was configured with.
    pub endpoints: Vec<String>,
    /// Whether the last exchange with etcd succeeded and the watch is live.
    pub reachable: bool,
    /// etcd's cluster ID in hex, as `etcdctl` prints it (never a JSON number:
    /// IDs exceed 2^53).
    pub cluster_id: Option<String>,
    /// Revision the mirror has applied.
    pub revision: i64,
    /// Why etcd is unreachable, in words.
    pub error: Option<String>,
    /// Unix time (ms) the mirror last heard from etcd; shows how stale the
    /// data is while etcd is unreachable.
    pub last_contact_ms: Option<u64>,
}

/// Everything the overview and the shell show: the etcd connection and the
/// clusters found under the configured namespaces, worst health first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub etcd: EtcdConnection,
    pub namespaces: Vec<String>,
    pub clusters: Vec<ClusterSummary>,
}
