//! Patrol's server: configuration, the etcd gateway and mirror, the REST API,
//! and the Leptos app served over axum.

pub mod api;
pub mod config;
pub mod mirror;
pub mod scope;
pub mod security;
pub mod serve;
pub mod site;

use std::future::Future;
use std::net::SocketAddr;

use app::app::{shell, App};
use app::state::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::middleware;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;

use crate::config::Config;
use crate::site::Site;
use app::audit::log::{AuditLog, Imported};
use app::auth::admin::Auth;
use app::cluster::book::{unstored_id, ClusterId};
use app::cluster::history;
use app::cluster::lease::LeaseClock;
use app::cluster::probe::VersionProbe;
use app::cluster::MemberLag;
use app::etcd::Gateway;
use app::fleet::scope::{Fleet, Site as FleetSite};
use app::keyspace::hub::WatchHub;
use app::patroni::rest::PatroniRest;
use app::store::Store;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Builds the whole router for `state`, serving `site`; tests can drive it
/// without a socket.
pub fn router(state: AppState, site: Site) -> Router {
    let routes = generate_route_list(App);
    // Each request's state is its etcd cluster's (see `scope`, which has
    // refused names this Patrol does not serve).
    let context = {
        let state = state.clone();
        move || {
            let requested = use_context::<axum::http::request::Parts>()
                .map(|parts| app::fleet::request::Requested::of(&parts))
                .unwrap_or_default();
            match state.scoped(requested.name()) {
                Ok(scoped) => provide_context(scoped),
                Err(e) => {
                    tracing::error!(error = %e, "a request's etcd cluster passed routing unchecked")
                }
            }
            security::provide_nonce();
        }
    };
    let page = {
        let options = state.leptos_options.clone();
        let links = site.links();
        move || shell(options.clone(), links.clone())
    };
    // The site's files, else the not-found page.
    let fallback = {
        let render = leptos_axum::render_app_to_stream_with_context(context.clone(), page.clone());
        move |request: Request<Body>| {
            let (site, render) = (site.clone(), render.clone());
            async move {
                let (parts, body) = request.into_parts();
                if let Some(file) = site.serve(&parts).await {
                    return file;
                }
                let mut response = render(Request::from_parts(parts, body)).await;
                if response.status() == StatusCode::OK {
                    *response.status_mut() = StatusCode::NOT_FOUND;
                }
                response
            }
        }
    };
    let routed = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .nest("/api/v1", api::router())
        .leptos_routes_with_context(&state, routes, context, page)
        .fallback(fallback)
        .layer(compression())
        .with_state(state.clone());
    // Before routing, so that `/api/v1/e/<name>/…` is routed as `/api/v1/…`;
    // inside the security headers, so that its own refusals carry them.
    let scoped = tower::ServiceBuilder::new()
        .layer(middleware::from_fn(security::headers))
        .layer(middleware::from_fn_with_state(state, scope::route))
        .service(routed);
    Router::new().fallback_service(scoped)
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
    let (state, site, mirror) = build(&config, listener.local_addr()?).await?;
    let shutdown = async move {
        shutdown.await;
        // Ends the mirror; its sender drops and every open event stream
        // finishes, so graceful shutdown does not wait on them forever.
        mirror.abort();
    };
    serve::serve(listener, router(state, site), config.limits(), shutdown).await?;
    Ok(())
}

/// The state and site [`launch`] serves at `addr`, and the mirror task that
/// keeps the state's copy of etcd current (abort it to stop). Tests build
/// [`router`] from these and drive it without a socket. Fails when the
/// store cannot be opened or `--audit-log`'s file cannot be imported.
pub async fn build(
    config: &Config,
    addr: SocketAddr,
) -> anyhow::Result<(AppState, Site, JoinHandle<()>)> {
    // Before anything connects: a bad --patroni-rest file or CA, or a
    // name used twice, fails start-up.
    let configs = config.sites().map_err(anyhow::Error::msg)?;
    // Every etcd cluster's TLS files and Patroni REST settings are read
    // before the store opens, so a bad one leaves nothing behind.
    let mut clients = Vec::new();
    for c in configs {
        let part = format!("etcd.{}", c.name);
        let patroni = PatroniRest::new(c.patroni_rest.clone()).map_err(|e| match c.from_flags {
            true => anyhow::anyhow!("{e}"),
            false => anyhow::anyhow!("{part}: {e}"),
        })?;
        let gateway = Gateway::new(&c.etcd).map_err(|e| match c.from_flags {
            true => e,
            false => e.within(&part),
        })?;
        clients.push((c, patroni, gateway));
    }
    let store = open_store(config).await?;
    let audit = AuditLog::new(store.clone());
    if let Some(path) = &config.audit_log {
        import_audit_log(&audit, path).await?;
    }
    let seed = stored_lag(&store).await;
    let holder = history::writer::holder_name();
    let named = clients.len() > 1 || config.etcd_name.is_some();
    let mut sites = Vec::new();
    let mut tasks = Vec::new();
    for (c, patroni, gateway) in clients {
        let name: Arc<str> = c.name.into();
        let store_tag = (!c.from_flags).then(|| name.clone());
        let seed = seed
            .iter()
            .filter_map(|(id, lag)| {
                Some((unstored_id(store_tag.as_deref(), id.clone())?, lag.clone()))
            })
            .collect();
        let (mirror, published) = mirror::spawn(gateway.clone(), c.namespaces, seed);
        // Not aborted with the mirror: it sees the mirror end and gives its
        // lease back, so another instance need not wait it out.
        history::writer::spawn(
            store.clone(),
            published.clusters.clone(),
            holder.clone(),
            store_tag.clone(),
        );
        let (reader, health) = app::fleet::health::spawn(gateway.clone());
        tasks.extend([mirror, reader]);
        sites.push(FleetSite {
            audit_name: named.then(|| name.clone()),
            name,
            home: false,
            store_tag,
            overview: published.overview,
            clusters: published.clusters,
            health,
            leases: LeaseClock::new(gateway.clone()),
            watches: WatchHub::new(gateway.clone()),
            etcd: gateway,
            patroni,
        });
    }
    let fleet = Fleet::new(sites);
    let home = fleet.home().clone();
    let site = Site::new(config.site_root.clone());
    site.report();
    let mut leptos_options = get_configuration(None)?.leptos_options;
    // Fixed here, not taken from LEPTOS_* variables: the pages must name the
    // files this site has.
    leptos_options.output_name = site.output_name().into();
    leptos_options.site_pkg_dir = "pkg".into();
    leptos_options.hash_files = false;
    if let Some(dir) = &config.site_root {
        leptos_options.site_root = dir.to_string_lossy().as_ref().into();
    }
    leptos_options.site_addr = addr;
    let state = AppState {
        leptos_options,
        overview: home.overview,
        clusters: home.clusters,
        leases: home.leases,
        versions: VersionProbe::new(),
        auth: Auth::new(config.auth(), store.clone()),
        watches: home.watches,
        etcd: home.etcd,
        audit,
        store,
        patroni: home.patroni,
        snapshot_dir: config.snapshot_dir()?,
        allow_patroni_key_writes: config.allow_patroni_key_writes,
        fleet,
        etcd_name: home.name,
        store_tag: home.store_tag,
    };
    // The home etcd cluster's, audit name and all.
    let state = state.scoped(None).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((state, site, supervise(tasks)))
}

/// One task that owns `tasks`: aborting it aborts them all.
fn supervise(tasks: Vec<JoinHandle<()>>) -> JoinHandle<()> {
    struct AbortOnDrop(JoinHandle<()>);
    impl Drop for AbortOnDrop {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    tokio::spawn(async move {
        let _owned: Vec<AbortOnDrop> = tasks.into_iter().map(AbortOnDrop).collect();
        std::future::pending::<()>().await
    })
}

/// The store `config` names, migrated; an error that says which store and why.
async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let wanted = config.store()?;
    let store = Store::open(&wanted).await.map_err(|e| {
        if e.names_store() {
            anyhow::anyhow!("{e}")
        } else {
            anyhow::anyhow!("store {}: {e}", wanted.shown())
        }
    })?;
    tracing::info!(store = store.name(), "store open");
    Ok(store)
}

/// The last hour of lag history in the store, or none (with a warning) when
/// it cannot be read: the charts then start empty, as before a first run.
async fn stored_lag(store: &Store) -> BTreeMap<ClusterId, Vec<MemberLag>> {
    match history::stored::recent(store, app::clock::now_ms()).await {
        Ok(seed) => seed,
        Err(e) => {
            tracing::warn!(error = %e, "stored lag history not read; the charts start empty");
            BTreeMap::new()
        }
    }
}

/// Imports `--audit-log`'s file into the store, once.
async fn import_audit_log(audit: &AuditLog, path: &std::path::Path) -> anyhow::Result<()> {
    let shown = path.display();
    match audit.import(path).await? {
        Imported::Empty => tracing::info!(path = %shown, "no audit log records to import"),
        Imported::Already { records } => {
            tracing::info!(path = %shown, records, "audit log file imported before; nothing to do")
        }
        Imported::Records { first, last } => {
            tracing::info!(path = %shown, first, last, "audit log file imported into the store; its chain continues there")
        }
    }
    Ok(())
}
