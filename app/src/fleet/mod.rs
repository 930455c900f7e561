//! Several etcd clusters in one Patrol. Each has a short name; its pages
//! live under `/e/<name>/…` and its API under `/api/v1/e/<name>/…`. The
//! first one (the home cluster) is also served at the paths without the
//! prefix, so the links and scripts of a single-etcd Patrol keep working.

pub mod client;
#[cfg(feature = "ssr")]
pub mod health;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod scope;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::model::Overview;

/// Longest etcd cluster name.
pub const MAX_NAME: usize = 32;
/// URL of the fleet's event stream: one `site` event per etcd cluster
/// whose overview changed.
pub const EVENTS_URL: &str = "/api/v1/fleet/events";
/// SSE event name carrying a JSON [`SiteOverview`].
pub const SITE_EVENT: &str = "site";

/// Why `name` cannot name an etcd cluster, if it cannot: 1 to 32 of
/// `a-z`, `0-9` and `-`, starting with a letter or digit, so it sits in a
/// URL as it is.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "an etcd cluster's name is 1 to {MAX_NAME} of a-z, 0-9 and -, not starting with -"
        ))
    }
}

/// The etcd cluster a page path names (`/e/<name>/…`), if any.
pub fn scope_of_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/e/")?;
    let name = rest.split('/').next().unwrap_or(rest);
    check_name(name).ok().map(|()| name)
}

/// `path` (starting with `/`) within etcd cluster `etcd`: `/e/<etcd>path`,
/// or `path` itself for the home cluster's unprefixed pages.
pub fn at(etcd: Option<&str>, path: &str) -> String {
    match etcd {
        Some(name) => format!("/e/{name}{path}"),
        None => path.to_owned(),
    }
}

/// An API path (`/api/v1/…`) within etcd cluster `etcd`.
pub fn api_at(etcd: Option<&str>, path: &str) -> String {
    match (etcd, path.strip_prefix("/api/v1")) {
        (Some(name), Some(rest)) => format!("/api/v1/e/{name}{rest}"),
        _ => path.to_owned(),
    }
}

/// An etcd cluster's health in brief, as the fleet overview shows it:
/// read in the background every few seconds, never while a page waits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EtcdHealth {
    /// Voting members and how many of them answered healthy.
    pub voting: usize,
    pub healthy_voting: usize,
    /// The cluster has a quorum (more than half its voting members healthy).
    pub quorum: bool,
    /// The quorum in words ("3 voting members, can lose 1").
    pub words: String,
    /// Active alarms, as `NOSPACE on 8e9e05c52164694d`.
    pub alarms: Vec<String>,
    /// Unix time (ms) of the last reading that succeeded.
    pub read_at_ms: Option<u64>,
    /// Why the last reading failed.
    pub error: Option<String>,
}

/// One etcd cluster of the fleet: its name, health and Patroni clusters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteOverview {
    pub name: String,
    /// Served at the unprefixed paths too.
    pub home: bool,
    pub health: EtcdHealth,
    pub overview: Overview,
}

/// Every etcd cluster of this Patrol, in configuration order
/// (`GET /api/v1/fleet`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetOverview {
    pub sites: Vec<SiteOverview>,
}

impl FleetOverview {
    /// The etcd cluster `etcd` names, or the home one for `None`.
    pub fn site(&self, etcd: Option<&str>) -> Option<&SiteOverview> {
        match etcd {
            Some(name) => self.sites.iter().find(|s| s.name == name),
            None => self.sites.iter().find(|s| s.home),
        }
    }

    /// Whether this Patrol serves more than one etcd cluster.
    pub fn is_fleet(&self) -> bool {
        self.sites.len() > 1
    }
}

/// The etcd cluster the current page is about, from the router's location
/// (`None`: the home cluster's unprefixed pages). Use inside the `<Router>`.
pub fn use_etcd() -> leptos::prelude::Memo<Option<String>> {
    use leptos::prelude::Get;
    let location = leptos_router::hooks::use_location();
    leptos::prelude::Memo::new(move |_| scope_of_path(&location.pathname.get()).map(str::to_owned))
}

/// `rel` of a link from a page of etcd cluster `from` to one of `to`:
/// `external` (a full page load) when they differ, so that the browser's
/// address always names the etcd cluster server functions are sent for.
pub fn rel_between(from: Option<&str>, to: Option<&str>) -> Option<&'static str> {
    (from != to).then_some("external")
}

/// The etcd cluster of the current page, read once (for links built while
/// rendering). Use inside the `<Router>`.
pub fn current_etcd() -> Option<String> {
    use leptos::prelude::GetUntracked;
    let path = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    scope_of_path(&path).map(str::to_owned)
}

/// `path` without its `/e/<name>` prefix.
pub fn unscoped(path: &str) -> &str {
    match scope_of_path(path) {
        Some(name) => &path[3 + name.len()..],
        None => path,
    }
}

/// An API path within the etcd cluster of the browser's address, for
/// requests the browser sends later (a page changes its etcd cluster only
/// by a full page load, so the address always names it).
pub fn api_here(path: &str) -> String {
    #[cfg(feature = "hydrate")]
    let page = leptos::prelude::window()
        .location()
        .pathname()
        .unwrap_or_default();
    #[cfg(not(feature = "hydrate"))]
    let page = String::new();
    api_at(scope_of_path(&page), path)
}
