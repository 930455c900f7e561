//! Keeps an open cluster page current: the browser follows the cluster's
//! event stream, each `cluster` event replacing what the page shows.

use leptos::prelude::*;

use crate::cluster::ClusterDetail;
use crate::pages::keys::WatchState;

/// What the stream delivered: the newest detail, or why the cluster is missing.
#[derive(Clone, Copy)]
pub struct Pushed {
    pub detail: RwSignal<Option<ClusterDetail>>,
    pub missing: RwSignal<Option<String>>,
    pub state: RwSignal<WatchState>,
}

/// Opens the stream at `url` for as long as the calling view lives.
pub fn follow(url: String) -> Pushed {
    let pushed = Pushed {
        detail: RwSignal::new(None),
        missing: RwSignal::new(None),
        state: RwSignal::new(WatchState::Static),
    };
    #[cfg(feature = "hydrate")]
    browser::open(&url, pushed);
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
    pushed
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use send_wrapper::SendWrapper;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    use super::Pushed;
    use crate::cluster::{ClusterDetail, CLUSTER_EVENT, MISSING_EVENT};
    use crate::pages::keys::WatchState;

    pub fn open(url: &str, pushed: Pushed) {
        pushed.state.set(WatchState::Connecting);
        let Ok(source) = EventSource::new(url) else {
            pushed.state.set(WatchState::Reconnecting);
            return;
        };
        let on_cluster = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let Some(text) = ev.data().as_string() else {
                return;
            };
            match serde_json::from_str::<ClusterDetail>(&text) {
                Ok(detail) => {
                    pushed.missing.set(None);
                    pushed.detail.set(Some(detail));
                    pushed.state.set(WatchState::Live);
                }
                Err(e) => leptos::logging::warn!("unreadable cluster event: {e}"),
            }
        });
        let on_missing = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            pushed
                .missing
                .set(Some(ev.data().as_string().unwrap_or_default()));
            pushed.state.set(WatchState::Live);
        });
        let on_error =
            Closure::<dyn FnMut()>::new(move || pushed.state.set(WatchState::Reconnecting));
        let _ = source
            .add_event_listener_with_callback(CLUSTER_EVENT, on_cluster.as_ref().unchecked_ref());
        let _ = source
            .add_event_listener_with_callback(MISSING_EVENT, on_missing.as_ref().unchecked_ref());
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // The closures and the stream live exactly as long as the page.
        let held = SendWrapper::new((source, on_cluster, on_missing, on_error));
        on_cleanup(move || {
            let (source, ..) = held.take();
            source.close();
        });
    }
}
