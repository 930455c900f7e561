//! Server-side services, shared by server functions (Leptos context) and
//! axum handlers (`State`).

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use tokio::sync::watch;

use crate::model::Overview;

/// The services a request may use. Cheap to clone.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    /// The latest overview the etcd mirror published; every viewer reads
    /// this, so viewers cost etcd nothing.
    pub overview: watch::Receiver<Arc<Overview>>,
}

impl AppState {
    /// The current overview (cheap: an `Arc` clone).
    pub fn overview(&self) -> Arc<Overview> {
        self.overview.borrow().clone()
    }
}
