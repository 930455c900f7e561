//! One module per page.

pub mod cluster;
pub mod keys;
pub mod overview;
pub mod unavailable;
