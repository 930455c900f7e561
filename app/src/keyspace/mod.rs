//! The keyspace browser: pure logic (key paths, value rendering, diffs),
//! the API's types, and on the server the bounded reads and shared watches.

pub mod diff;
#[cfg(feature = "ssr")]
pub mod hub;
#[cfg(feature = "ssr")]
pub mod listing;
pub mod model;
pub mod path;
#[cfg(feature = "ssr")]
pub mod service;
pub mod value;
