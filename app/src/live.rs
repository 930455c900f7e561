//! The live overview every page shares: rendered on the server from the
//! mirror, then kept current in the browser by a server-sent-event stream.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Overview;

/// URL of the overview event stream.
pub const EVENTS_URL: &str = "/api/v1/clusters/events";
/// SSE event name carrying a JSON [`Overview`].
pub const OVERVIEW_EVENT: &str = "overview";

/// State of the browser's event stream to Patrol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamState {
    /// Server-rendered page, not yet hydrated.
    Static,
    Connecting,
    Open,
    /// The browser lost Patrol itself and is retrying.
    Reconnecting,
}

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
#[server(endpoint = "overview")]
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
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| browser::subscribe(live));
    provide_context(live);
    live
}

/// The live overview from context.
pub fn use_live() -> Live {
    expect_context::<Live>()
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    use super::{Live, StreamState, EVENTS_URL, OVERVIEW_EVENT};
    use crate::model::Overview;

    /// Opens the event stream. The browser's EventSource reconnects by
    /// itself; the closures live as long as the page, which is as long as
    /// the app shell that owns them, so they are deliberately leaked.
    pub fn subscribe(live: Live) {
        live.stream.set(StreamState::Connecting);
        let Ok(source) = EventSource::new(EVENTS_URL) else {
            live.stream.set(StreamState::Reconnecting);
            return;
        };
        let on_overview = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let Some(text) = ev.data().as_string() else {
                return;
            };
            match serde_json::from_str::<Overview>(&text) {
                Ok(overview) => {
                    live.pushed.set(Some(overview));
                    live.stream.set(StreamState::Open);
                }
                Err(e) => leptos::logging::warn!("unreadable overview event: {e}"),
            }
        });
        let on_error =
            Closure::<dyn FnMut()>::new(move || live.stream.set(StreamState::Reconnecting));
        if source
            .add_event_listener_with_callback(OVERVIEW_EVENT, on_overview.as_ref().unchecked_ref())
            .is_err()
        {
            live.stream.set(StreamState::Reconnecting);
        }
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_overview.forget();
        on_error.forget();
    }
}
