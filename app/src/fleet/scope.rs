//! The etcd clusters this Patrol serves, on the server: each with its own
//! client, mirror, watches and Patroni REST credentials, so one that is
//! slow or down never holds up another's pages.

use std::sync::Arc;

use tokio::sync::watch;

use super::{EtcdHealth, FleetOverview, SiteOverview};
use crate::cluster::book::ClusterBook;
use crate::cluster::lease::LeaseClock;
use crate::error::AppError;
use crate::etcd::Gateway;
use crate::keyspace::hub::WatchHub;
use crate::model::Overview;
use crate::patroni::rest::PatroniRest;

/// One etcd cluster and the services that reach it. Cheap to clone.
#[derive(Clone)]
pub struct Site {
    pub name: Arc<str>,
    /// Served at the unprefixed paths too (the first of the configuration).
    pub home: bool,
    /// What the store keeps its clusters' history under (see
    /// [`crate::cluster::book::stored_id`]): `None` for the etcd cluster of
    /// the command line's flags.
    pub store_tag: Option<Arc<str>>,
    /// What audit records name it as: `None` when this Patrol serves this
    /// one etcd cluster and it was not given a name.
    pub audit_name: Option<Arc<str>>,
    pub overview: watch::Receiver<Arc<Overview>>,
    pub clusters: watch::Receiver<Arc<ClusterBook>>,
    pub health: watch::Receiver<EtcdHealth>,
    pub leases: LeaseClock,
    pub etcd: Gateway,
    pub watches: WatchHub,
    pub patroni: PatroniRest,
}

/// Every etcd cluster, in configuration order; the first is the home one.
#[derive(Clone)]
pub struct Fleet {
    sites: Arc<[Site]>,
}

impl Fleet {
    /// The fleet of `sites`; the first becomes the home one.
    ///
    /// # Panics
    /// Never for a configuration Patrol loaded: it always names at least one
    /// etcd cluster. An empty list is a programming error.
    pub fn new(mut sites: Vec<Site>) -> Fleet {
        assert!(!sites.is_empty(), "a fleet of no etcd clusters");
        for (i, site) in sites.iter_mut().enumerate() {
            site.home = i == 0;
        }
        Fleet {
            sites: sites.into(),
        }
    }

    /// The etcd cluster `etcd` names, or the home one for `None`; 404 for a
    /// name this Patrol does not serve.
    pub fn get(&self, etcd: Option<&str>) -> Result<&Site, AppError> {
        let Some(name) = etcd else {
            return Ok(self.home());
        };
        self.sites.iter().find(|s| &*s.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.sites.iter().map(|s| &*s.name).collect();
            AppError::NotFound(format!(
                "no etcd cluster named {}; this Patrol serves {}",
                crate::text::shorten(name, 40),
                names.join(", ")
            ))
        })
    }

    /// The first etcd cluster of the configuration.
    pub fn home(&self) -> &Site {
        &self.sites[0]
    }

    pub fn sites(&self) -> &[Site] {
        &self.sites
    }

    /// Every etcd cluster's latest overview and health; reads nothing from
    /// etcd (the mirrors and health readings are kept in the background).
    pub fn overview(&self) -> FleetOverview {
        FleetOverview {
            sites: self.sites.iter().map(Site::overview).collect(),
        }
    }
}

impl Site {
    /// This etcd cluster's latest overview and health.
    pub fn overview(&self) -> SiteOverview {
        SiteOverview {
            name: self.name.to_string(),
            home: self.home,
            health: self.health.borrow().clone(),
            overview: Overview::clone(&self.overview.borrow()),
        }
    }
}
