//! The live overview every page shares: rendered on the server from the
//! mirror, then kept current in the browser by a server-sent-event stream.

use leptos::prelude::*;

use crate::components::stream::{self, Listener, StreamState};
use crate::error::AppError;
use crate::model::Overview;

/// URL of the overview event stream.
pub const EVENTS_URL: &str = "/api/v1/clusters/events";
/// SSE event name carrying a JSON [`Overview`].
pub const OVERVIEW_EVENT: &str = "overview";

/// Shared in context by [`provide_live`].
#[derive(Clone, Copy)]
pub struct Live {
    initial: Resource<Result<Overview, AppError>>,
    pushed: RwSignal<Option<Overview>>,
    pub stream: RwSignal<StreamState>,
}

impl Live {
    /// The newest overview: pushed by the stream, else the server-rendered one.
    /// Read it inside `<Suspense>`/`<Transition>`.
    pub fn overview(&self) -> Option<Result<Overview, AppError>> {
        match self.pushed.get() {
            Some(o) => Some(Ok(o)),
            None => self.initial.get(),
        }
    }
}

/// Returns the current overview from the server's mirror.
#[server(endpoint = "overview", client = crate::fleet::client::ScopedClient)]
pub async fn get_overview() -> Result<Overview, AppError> {
    let state = expect_context::<crate::state::AppState>();
    Ok(Overview::clone(&state.overview()))
}

/// Creates the shared live overview and opens its stream once hydrated.
pub fn provide_live() -> Live {
    let live = Live {
        initial: Resource::new(|| (), |_| get_overview()),
        pushed: RwSignal::new(None),
        stream: RwSignal::new(StreamState::Static),
    };
    Effect::new(move |_| {
        let on_overview = move |text: String| match serde_json::from_str::<Overview>(&text) {
            Ok(overview) => live.pushed.set(Some(overview)),
            Err(e) => leptos::logging::warn!("unreadable overview event: {e}"),
        };
        let listeners: Vec<Listener> = vec![(OVERVIEW_EVENT, Box::new(on_overview))];
        stream::open(EVENTS_URL, live.stream, listeners);
    });
    provide_context(live);
    live
}

/// The live overview from context.
pub fn use_live() -> Live {
    expect_context::<Live>()
}
