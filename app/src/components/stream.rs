//! The browser's event streams to Patrol (the overview, a cluster, a
//! keyspace watch): one way to open them, one state, one badge.

use leptos::prelude::*;

/// Where one of the browser's event streams stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Only the browser moves it past `Static`.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub enum StreamState {
    /// Server-rendered page, not hydrated yet.
    Static,
    Connecting,
    /// Events arrive.
    Live,
    /// The browser lost Patrol and is retrying.
    Reconnecting,
}

impl StreamState {
    /// Word for `data-state` and the badge.
    pub fn word(self) -> &'static str {
        match self {
            StreamState::Static | StreamState::Connecting => "connecting",
            StreamState::Live => "live",
            StreamState::Reconnecting => "reconnecting",
        }
    }
}

/// Small badge telling whether the view is live.
#[component]
pub fn WatchBadge(#[prop(into)] state: Signal<StreamState>) -> impl IntoView {
    view! {
        <span class="watch" data-testid="kv-live" data-state=move || state.get().word()>
            <span class="dot" aria-hidden="true"></span>
            {move || state.get().word()}
        </span>
    }
}

/// What to do with one named event's data.
pub type Listener = (&'static str, Box<dyn FnMut(String)>);

/// Opens the event stream at `url` for as long as the calling view lives:
/// each named event's data goes to its listener and marks `state` live; an
/// error marks it reconnecting (the browser's `EventSource` retries by
/// itself). Before hydration (on the server) it does nothing.
pub fn open(url: &str, state: RwSignal<StreamState>, listeners: Vec<Listener>) {
    #[cfg(feature = "hydrate")]
    browser::open(url, state, listeners);
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, state, listeners);
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use send_wrapper::SendWrapper;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    use super::{Listener, StreamState};

    pub fn open(url: &str, state: RwSignal<StreamState>, listeners: Vec<Listener>) {
        state.set(StreamState::Connecting);
        let Ok(source) = EventSource::new(url) else {
            state.set(StreamState::Reconnecting);
            return;
        };
        let mut held = Vec::with_capacity(listeners.len());
        for (name, mut listener) in listeners {
            let on = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                listener(ev.data().as_string().unwrap_or_default());
                state.set(StreamState::Live);
            });
            if source
                .add_event_listener_with_callback(name, on.as_ref().unchecked_ref())
                .is_err()
            {
                state.set(StreamState::Reconnecting);
            }
            held.push(on);
        }
        let on_error = Closure::<dyn FnMut()>::new(move || state.set(StreamState::Reconnecting));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // The closures and the stream live exactly as long as the view.
        let held = SendWrapper::new((source, held, on_error));
        on_cleanup(move || {
            let (source, ..) = held.take();
            source.close();
        });
    }
}
