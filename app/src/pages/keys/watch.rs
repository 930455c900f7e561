//! Keeps an open directory or key view current: the browser follows
//! `/api/v1/kv/watch` for the view's prefix and the view reloads (debounced)
//! on each change, and whenever the watch (re)starts, so nothing written
//! between the page's read and the watch's start is missed.

use leptos::prelude::*;

/// The view's link to the server's watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Only the browser moves it past `Static`.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub enum WatchState {
    /// Server-rendered, not hydrated yet.
    Static,
    Connecting,
    /// The etcd watch is in place; changes arrive.
    Live,
    Reconnecting,
}

impl WatchState {
    /// Word for `data-state` and the badge.
    pub fn word(self) -> &'static str {
        match self {
            WatchState::Static | WatchState::Connecting => "connecting",
            WatchState::Live => "live",
            WatchState::Reconnecting => "reconnecting",
        }
    }
}

/// Follows `prefix`; returns a counter that moves when the view should
/// reload, and the watch's state. The stream closes with the view.
pub fn follow(prefix: Vec<u8>) -> (ReadSignal<u64>, ReadSignal<WatchState>) {
    let (tick, set_tick) = signal(0u64);
    let (state, set_state) = signal(WatchState::Static);
    #[cfg(feature = "hydrate")]
    browser::open(prefix, set_tick, set_state);
    #[cfg(not(feature = "hydrate"))]
    let _ = (prefix, set_tick, set_state);
    (tick, state)
}

/// Small badge telling whether the view is live.
#[component]
pub fn WatchBadge(state: ReadSignal<WatchState>) -> impl IntoView {
    view! {
        <span class="watch" data-testid="kv-live" data-state=move || state.get().word()>
            <span class="dot" aria-hidden="true"></span>
            {move || state.get().word()}
        </span>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::Cell;
    use std::rc::Rc;
    use std::time::Duration;

    use leptos::prelude::*;
    use send_wrapper::SendWrapper;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::EventSource;

    use super::WatchState;
    use crate::keyspace::model::sse;
    use crate::keyspace::path::b64_encode;

    /// Changes closer together than this cause one reload.
    const DEBOUNCE: Duration = Duration::from_millis(150);

    pub fn open(prefix: Vec<u8>, set_tick: WriteSignal<u64>, set_state: WriteSignal<WatchState>) {
        let url = format!(
            "/api/v1/kv/watch?prefix_base64={}",
            super::super::dir::query_escape(&b64_encode(&prefix))
        );
        set_state.set(WatchState::Connecting);
        let Ok(source) = EventSource::new(&url) else {
            set_state.set(WatchState::Reconnecting);
            return;
        };
        let pending = Rc::new(Cell::new(false));
        let reload = move || {
            if pending.replace(true) {
                return;
            }
            let pending = pending.clone();
            set_timeout(
                move || {
                    pending.set(false);
                    set_tick.update(|t| *t += 1);
                },
                DEBOUNCE,
            );
        };
        let on_ready = {
            let reload = reload.clone();
            Closure::<dyn FnMut()>::new(move || {
                set_state.set(WatchState::Live);
                reload();
            })
        };
        let on_change = Closure::<dyn FnMut()>::new(reload);
        let on_error = Closure::<dyn FnMut()>::new(move || set_state.set(WatchState::Reconnecting));
        let listen = |name: &str, f: &Closure<dyn FnMut()>| {
            let _ = source.add_event_listener_with_callback(name, f.as_ref().unchecked_ref());
        };
        listen(sse::READY, &on_ready);
        listen(sse::PUT, &on_change);
        listen(sse::DELETE, &on_change);
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // The closures and the stream live exactly as long as the view.
        let held = SendWrapper::new((source, on_ready, on_change, on_error));
        on_cleanup(move || {
            let (source, ..) = held.take();
            source.close();
        });
    }
}
