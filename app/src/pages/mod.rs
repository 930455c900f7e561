//! One module per page.

pub mod audit;
pub mod cluster;
pub mod cluster_card;
pub mod etcd;
pub mod fleet;
pub mod keys;
pub mod overview;
pub mod sign_in;
pub mod unavailable;
