//! Pieces shared by several pages.

pub mod dialog;
pub mod shell;
pub mod time;
pub mod title;
