//! The keyspace browser: pure logic (key paths, value rendering, diffs),
//! the API's types, and on the server the bounded reads and shared watches
//! and the guarded writes of single keys.

#[cfg(feature = "ssr")]
pub mod delete;
pub mod diff;
#[cfg(feature = "ssr")]
pub mod hub;
#[cfg(feature = "ssr")]
pub mod listing;
pub mod model;
pub mod path;
#[cfg(feature = "ssr")]
pub mod preview;
pub mod protect;
#[cfg(feature = "ssr")]
pub mod put;
#[cfg(feature = "ssr")]
pub mod service;
pub mod value;
pub mod write;
