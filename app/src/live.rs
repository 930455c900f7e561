//! The live fleet overview every page shares: rendered on the server from
//! the mirrors, then kept current in the browser by one server-sent-event
//! stream for every etcd cluster together.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::components::stream::{self, Listener, StreamState};
use crate::error::AppError;
use crate::fleet::{FleetOverview, SiteOverview, EVENTS_URL, SITE_EVENT};
use crate::model::Overview;

/// SSE event name of `/api/v1/clusters/events`, carrying a JSON [`Overview`].
pub const OVERVIEW_EVENT: &str = "overview";

/// Shared in context by [`provide_live`].
#[derive(Clone, Copy)]
pub struct Live {
    initial: Resource<Result<FleetOverview, AppError>>,
    /// Each etcd cluster's overview as the stream last pushed it.
    pushed: RwSignal<BTreeMap<String, SiteOverview>>,
    pub stream: RwSignal<StreamState>,
}

impl Live {
    /// The newest fleet overview: each etcd cluster as the stream pushed
    /// it, else as rendered on the server. Read it inside
    /// `<Suspense>`/`<Transition>`.
    pub fn fleet(&self) -> Option<Result<FleetOverview, AppError>> {
        let pushed = self.pushed.get();
        self.initial.get().map(|initial| {
            initial.map(|mut fleet| {
                for site in &mut fleet.sites {
                    if let Some(newer) = pushed.get(&site.name) {
                        *site = newer.clone();
                    }
                }
                fleet
            })
        })
    }

    /// The fleet overview as the page loaded with it, not changed by the
    /// stream: for what is drawn once (the fleet's filters), whatever
    /// the stream brings later. Read it inside `<Suspense>`/`<Transition>`.
    pub fn first(&self) -> Option<Result<FleetOverview, AppError>> {
        self.initial.get()
    }

    /// The newest overview of etcd cluster `etcd` (the home one for `None`).
    pub fn overview(&self, etcd: Option<&str>) -> Option<Result<Overview, AppError>> {
        self.fleet().map(|fleet| {
            let fleet = fleet?;
            fleet.site(etcd).map(|s| s.overview.clone()).ok_or_else(|| {
                AppError::NotFound(format!(
                    "no etcd cluster named {}",
                    crate::text::shorten(etcd.unwrap_or_default(), 40)
                ))
            })
        })
    }
}

/// Returns every etcd cluster's current overview from the server's mirrors.
#[server(endpoint = "fleet", client = crate::fleet::client::ScopedClient)]
pub async fn get_fleet() -> Result<FleetOverview, AppError> {
    let state = expect_context::<crate::state::AppState>();
    Ok(state.fleet.overview())
}

/// Creates the shared live overview and opens its stream once hydrated.
pub fn provide_live() -> Live {
    let live = Live {
        initial: Resource::new(|| (), |_| get_fleet()),
        pushed: RwSignal::new(BTreeMap::new()),
        stream: RwSignal::new(StreamState::Static),
    };
    Effect::new(move |_| {
        let on_site = move |text: String| match serde_json::from_str::<SiteOverview>(&text) {
            Ok(site) => live.pushed.update(|p| {
                p.insert(site.name.clone(), site);
            }),
            Err(e) => leptos::logging::warn!("unreadable fleet event: {e}"),
        };
        let listeners: Vec<Listener> = vec![(SITE_EVENT, Box::new(on_site))];
        stream::open(EVENTS_URL, live.stream, listeners);
    });
    provide_context(live);
    live
}

/// The live overview from context.
pub fn use_live() -> Live {
    expect_context::<Live>()
}
