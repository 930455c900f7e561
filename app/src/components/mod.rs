//! Pieces shared by several pages.

pub mod dialog;
pub mod diff;
pub mod layout;
pub mod loaded;
pub mod shell;
pub mod sign_in_out;
pub mod stream;
pub mod ticker;
pub mod time;
pub mod title;
