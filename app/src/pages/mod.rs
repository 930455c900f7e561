//! One module per page.

pub mod overview;
pub mod unavailable;
