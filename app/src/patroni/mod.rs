//! Patroni's etcd layout, parsed into Patrol's cluster model.
//!
//! Pure functions over `(key, value)` pairs: no Leptos, no network, so the
//! parsing is unit-tested against real key dumps and arbitrary bytes.

mod cluster;
mod key;
mod member;

pub use cluster::{clusters_in_namespace, Cluster};
pub use key::{normalize_namespace, ClusterKey, KeyKind};
pub use member::{Member, Role};
