//! Who may change things. Everyone gets the read-only view; an admin signs
//! in (browser session) or sends a token (scripts). Mutations take an
//! [`admin::Admin`], which only this module can make, so a handler that
//! forgets the check does not compile.

pub mod access;
#[cfg(feature = "ssr")]
pub mod admin;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod proxy;
#[cfg(feature = "ssr")]
pub mod rate_limit;
#[cfg(feature = "ssr")]
pub mod sessions;
#[cfg(feature = "ssr")]
pub mod sign_in;

use serde::{Deserialize, Serialize};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "patrol_session";

/// What the current request may do (`GET /api/v1/session`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    /// The signed-in admin's name, if any.
    pub admin: Option<String>,
    /// `--read-only`: admin actions are off even for admins.
    pub read_only: bool,
    /// Whether admin credentials are configured at all.
    pub sign_in_available: bool,
}

/// Headers from `(name, value)` pairs, for the auth tests.
#[cfg(all(test, feature = "ssr"))]
pub(crate) fn test_headers(pairs: &[(&'static str, &str)]) -> axum::http::HeaderMap {
    let mut h = axum::http::HeaderMap::new();
    for (k, v) in pairs {
        h.append(*k, v.parse().expect("header value"));
    }
    h
}

/// An address for tests; `None` for text that is not one.
#[cfg(test)]
pub(crate) fn test_ip(s: &str) -> Option<std::net::IpAddr> {
    s.parse().ok()
}
