//! Keeps an open cluster page current: the browser follows the cluster's
//! event stream, each `cluster` event replacing what the page shows.

use leptos::prelude::*;

use crate::cluster::{ClusterDetail, CLUSTER_EVENT, MISSING_EVENT};
use crate::components::stream::{self, Listener, StreamState};

/// What the stream delivered: the newest detail, or why the cluster is missing.
#[derive(Clone, Copy)]
pub struct Pushed {
    pub detail: RwSignal<Option<ClusterDetail>>,
    pub missing: RwSignal<Option<String>>,
    pub state: RwSignal<StreamState>,
}

/// Opens the stream at `url` for as long as the calling view lives.
pub fn follow(url: String) -> Pushed {
    let pushed = Pushed {
        detail: RwSignal::new(None),
        missing: RwSignal::new(None),
        state: RwSignal::new(StreamState::Static),
    };
    let on_cluster = move |text: String| match serde_json::from_str::<ClusterDetail>(&text) {
        Ok(detail) => {
            pushed.missing.set(None);
            pushed.detail.set(Some(detail));
        }
        Err(e) => leptos::logging::warn!("unreadable cluster event: {e}"),
    };
    let on_missing = move |why: String| pushed.missing.set(Some(why));
    let listeners: Vec<Listener> = vec![
        (CLUSTER_EVENT, Box::new(on_cluster)),
        (MISSING_EVENT, Box::new(on_missing)),
    ];
    stream::open(&url, pushed.state, listeners);
    pushed
}
