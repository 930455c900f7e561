//! Patrol's web application: pages, components, shared types and server
//! functions. Server-only code sits behind the `ssr` feature; the browser
//! entry point behind `hydrate`.

#![recursion_limit = "256"]

pub mod action;
pub mod app;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod cluster;
pub mod components;
pub mod error;
pub mod etcd;
pub mod fleet;
pub mod keyspace;
pub mod live;
pub mod model;
pub mod pages;
pub mod patroni;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;
pub mod text;

/// Browser entry point: attaches the server-rendered page to the app.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
