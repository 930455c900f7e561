//! `/clusters/<namespace>/<scope>`: one cluster, live.

mod facts;
pub mod lag_chart;
mod lease;
mod live;
mod members;
mod page;
pub mod topology;

pub use page::ClusterPage;
