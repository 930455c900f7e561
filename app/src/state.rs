//! Server-side services, shared by server functions (Leptos context) and
//! axum handlers (`State`).

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use tokio::sync::watch;

use crate::action::services::Services;
use crate::auth::admin::Auth;
use crate::cluster::book::ClusterBook;
use crate::cluster::lease::LeaseClock;
use crate::cluster::probe::VersionProbe;
use crate::etcd::Gateway;
use crate::keyspace::hub::WatchHub;
use crate::model::Overview;

/// The services a request may use. Cheap to clone.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    /// The latest overview the etcd mirror published; every viewer reads
    /// this, so viewers cost etcd nothing.
    pub overview: watch::Receiver<Arc<Overview>>,
    /// Every cluster in full, as the mirror last built it.
    pub clusters: watch::Receiver<Arc<ClusterBook>>,
    /// Leader lease readings, shared by every cluster page.
    pub leases: LeaseClock,
    /// PostgreSQL versions from the members' REST APIs.
    pub versions: VersionProbe,
    /// The one etcd client, for reads the mirror does not hold (the
    /// keyspace browser's bounded ranges).
    pub etcd: Gateway,
    /// Admin credentials and sessions.
    pub auth: Auth,
    /// Prefix watches shared by every viewer of the keyspace.
    pub watches: WatchHub,
    /// The audit log of admin actions, in the store; an admin action that
    /// cannot be recorded there does not run.
    pub audit: crate::audit::log::AuditLog,
    /// The store (SQLite or PostgreSQL, `--store`) of sessions, the audit
    /// log, lag history and what else must outlive a restart or be shared
    /// between instances.
    pub store: crate::store::Store,
    /// Patroni REST client for admin actions, with the configured
    /// credentials and CAs; credentials never reach the browser.
    pub patroni: crate::patroni::rest::PatroniRest,
    /// Where a copy of each snapshot downloaded goes (`--snapshot-dir`).
    pub snapshot_dir: Option<std::sync::Arc<std::path::Path>>,
    /// `--allow-patroni-key-writes`: the keyspace browser may write
    /// Patroni's own keys too (off: they are write-protected).
    pub allow_patroni_key_writes: bool,
    /// Every etcd cluster this Patrol serves. The fields above that reach
    /// etcd or Patroni (overview, clusters, leases, etcd, watches, patroni)
    /// are those of one of them: the home one, or the one
    /// [`AppState::scoped`] picked.
    pub fleet: crate::fleet::scope::Fleet,
    /// The name of the etcd cluster the fields above are about.
    pub etcd_name: Arc<str>,
    /// What the store keeps that etcd cluster's history under.
    pub store_tag: Option<Arc<str>>,
}

/// The actions' services, for `State<Services>` handlers.
impl FromRef<AppState> for Services {
    fn from_ref(state: &AppState) -> Services {
        Services {
            etcd: state.etcd.clone(),
            patroni: state.patroni.clone(),
            audit: state.audit.clone(),
        }
    }
}

impl AppState {
    /// The state of etcd cluster `etcd` (the home one for `None`): every
    /// service that reaches etcd or Patroni is that cluster's, and audit
    /// records name it. 404 for a name this Patrol does not serve.
    pub fn scoped(&self, etcd: Option<&str>) -> Result<AppState, crate::error::AppError> {
        let site = self.fleet.get(etcd)?;
        Ok(AppState {
            overview: site.overview.clone(),
            clusters: site.clusters.clone(),
            leases: site.leases.clone(),
            etcd: site.etcd.clone(),
            watches: site.watches.clone(),
            patroni: site.patroni.clone(),
            audit: self.audit.for_etcd(site.audit_name.clone()),
            etcd_name: site.name.clone(),
            store_tag: site.store_tag.clone(),
            ..self.clone()
        })
    }

    /// The state in a server function's context, scoped to etcd cluster
    /// `etcd` (the name the page's URL carries; `None` on the home
    /// cluster's unprefixed pages).
    pub fn in_context(etcd: Option<&str>) -> Result<AppState, crate::error::AppError> {
        leptos::prelude::expect_context::<AppState>().scoped(etcd)
    }

    /// The current overview (cheap: an `Arc` clone).
    pub fn overview(&self) -> Arc<Overview> {
        self.overview.borrow().clone()
    }
}
