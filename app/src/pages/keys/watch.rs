//! Keeps an open directory or key view current: the browser follows
//! `/api/v1/kv/watch` for the view's prefix and the view reloads (debounced)
//! on each change, and whenever the watch (re)starts, so nothing written
//! between the page's read and the watch's start is missed.

use leptos::prelude::*;

use crate::components::stream::{self, Listener, StreamState};
use crate::keyspace::model::sse;
use crate::keyspace::path::b64_encode;

/// Changes closer together than this cause one reload.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(150);

/// Follows `prefix`; returns a counter that moves when the view should
/// reload, and the watch's state. The stream closes with the view.
pub fn follow(prefix: Vec<u8>) -> (ReadSignal<u64>, RwSignal<StreamState>) {
    let (tick, set_tick) = signal(0u64);
    let state = RwSignal::new(StreamState::Static);
    let url = crate::fleet::api_at(
        crate::fleet::current_etcd().as_deref(),
        &format!(
            "/api/v1/kv/watch?prefix_base64={}",
            crate::keyspace::path::query_escape(&b64_encode(&prefix))
        ),
    );
    let reload = debounced(set_tick);
    let listeners: Vec<Listener> = [sse::READY, sse::PUT, sse::DELETE]
        .into_iter()
        .map(|name| (name, Box::new(reload.clone()) as Box<dyn FnMut(String)>))
        .collect();
    stream::open(&url, state, listeners);
    (tick, state)
}

/// Moves `tick` once per burst of calls [`DEBOUNCE`] apart.
fn debounced(set_tick: WriteSignal<u64>) -> impl FnMut(String) + Clone + 'static {
    #[cfg(feature = "hydrate")]
    {
        use std::cell::Cell;
        use std::rc::Rc;
        let pending = Rc::new(Cell::new(false));
        move |_| {
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
        }
    }
    #[cfg(not(feature = "hydrate"))]
    move |_| set_tick.update(|t| *t += 1)
}
