//! One module per page.

pub mod keys;
pub mod overview;
pub mod unavailable;
