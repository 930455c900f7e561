//! One module per page.

pub mod audit;
pub mod cluster;
pub mod keys;
pub mod overview;
pub mod unavailable;
