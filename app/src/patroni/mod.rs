//! Patroni's etcd layout, parsed into Patrol's cluster model.
//!
//! Pure functions over `(key, value)` pairs: no Leptos, no network, so the
//! parsing is unit-tested against real key dumps and arbitrary bytes.

pub(crate) mod cluster;
pub mod config_check;
pub mod facts;
mod json;
mod key;
pub mod lag;
mod member;
#[cfg(feature = "ssr")]
pub mod rest;
pub mod scheduled;
pub mod standby;
pub mod summary;
pub mod topology;

pub use cluster::{
    clusters_in_namespace, value_limit, Cluster, GoneMember, MAX_CLUSTER_VALUE, MAX_MEMBER_VALUE,
};
pub use facts::{PendingSwitchover, SyncMode, TimelineSwitch};
pub use key::{normalize_namespace, ClusterKey, KeyKind};
pub use member::{parse_lsn, Member, Role};
pub use scheduled::{Scheduled, ScheduledKind};
pub use standby::StandbySource;
pub use summary::{ClusterSummary, Health, MemberBrief};
