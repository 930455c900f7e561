//! Pieces shared by several pages.

pub mod shell;
pub mod time;
