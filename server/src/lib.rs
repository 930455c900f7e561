//! Patrol's server: configuration, the etcd gateway and mirror, the REST API,
//! and the Leptos app served over axum.

pub mod api;
pub mod config;
pub mod mirror;
pub mod serve;

use std::future::Future;

use app::app::{shell, App};
use app::state::AppState;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;

use crate::config::Config;
use app::audit::log::AuditLog;
use app::auth::admin::Auth;
use app::cluster::lease::LeaseClock;
use app::cluster::probe::VersionProbe;
use app::etcd::Gateway;
use app::keyspace::hub::WatchHub;
use app::patroni::rest::PatroniRest;

/// Builds the whole router for `state`; tests can drive it without a socket.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let page = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .nest("/api/v1", api::router())
        .leptos_routes_with_context(&state, routes, context, page)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(compression())
        .with_state(state)
}

/// Gzip for pages, JSON and assets (a thousand-cluster overview shrinks
/// about tenfold), never for event streams, whose events must go out as
/// they happen.
fn compression() -> CompressionLayer<impl Predicate> {
    let predicate = DefaultPredicate::new().and(NotForContentType::const_new("text/event-stream"));
    CompressionLayer::new().compress_when(predicate)
}

/// Serves Patrol on `listener` until `shutdown` resolves.
pub async fn launch(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // One TLS provider for the whole process (etcd and Patroni REST clients).
    let _ = rustls::crypto::ring::default_provider().install_default();
    // Before anything connects: a bad --patroni-rest file or CA fails start-up.
    let patroni = config
        .patroni_rest()
        .and_then(PatroniRest::new)
        .map_err(anyhow::Error::msg)?;
    let gateway = Gateway::new(&config.etcd())?;
    let (mirror, published) = mirror::spawn(gateway.clone(), config.namespaces.clone());
    let mut leptos_options = get_configuration(None)?.leptos_options;
    leptos_options.site_root = config.site_root.to_string_lossy().as_ref().into();
    leptos_options.site_addr = listener.local_addr()?;
    let audit = match &config.audit_log {
        Some(path) => Some(AuditLog::open(path).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let state = AppState {
        leptos_options,
        overview: published.overview,
        clusters: published.clusters,
        leases: LeaseClock::new(gateway.clone()),
        versions: VersionProbe::new(),
        auth: Auth::new(config.auth()),
        watches: WatchHub::new(gateway.clone()),
        etcd: gateway,
        audit,
        patroni,
        snapshot_dir: config.snapshot_dir()?,
    };
    let shutdown = async move {
        shutdown.await;
        // Ends the mirror; its sender drops and every open event stream
        // finishes, so graceful shutdown does not wait on them forever.
        mirror.abort();
    };
    serve::serve(listener, router(state), config.limits(), shutdown).await?;
    Ok(())
}
