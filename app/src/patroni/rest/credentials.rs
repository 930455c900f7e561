//! Which credentials and CA Patrol uses for one cluster's Patroni REST API:
//! a global default, overridden per namespace, overridden per cluster.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::patroni::normalize_namespace;

/// Credentials and CA for one namespace or one cluster. Debug redacts the password.
///
/// `username` and `password` are one unit, sent as HTTP basic auth; `cacert`
/// is the PEM bundle that signed Patroni's certificates (only those CAs are
/// trusted for an `https://` API; without it, the system's roots are).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RestCredentials {
    pub username: Option<String>,
    pub password: Option<String>,
    pub cacert: Option<PathBuf>,
}

impl std::fmt::Debug for RestCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestCredentials")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("cacert", &self.cacert)
            .finish()
    }
}

/// Global default plus overrides keyed by "/<namespace>" or "/<namespace>/<scope>" (most specific wins).
///
/// Resolution per field group: the most specific level that names a
/// `username` supplies both username and password (a password never mixes
/// with another level's user); `cacert` comes from the most specific level
/// that names one. So `[clusters."/pg"]` with only a `cacert` keeps the
/// default login, and a cluster with its own login keeps its namespace's CA.
#[derive(Clone, Default, Debug)]
pub struct PatroniRestConfig {
    pub default: RestCredentials,
    pub clusters: BTreeMap<String, RestCredentials>,
}

impl PatroniRestConfig {
    /// What applies to cluster `scope` in `namespace` (e.g. "/db" and
    /// "mycluster": "/db/mycluster", then "/db", then the default).
    pub fn credentials(&self, namespace: &str, scope: &str) -> RestCredentials {
        let namespace = normalize_namespace(namespace).unwrap_or_default();
        let levels = [
            self.clusters.get(&format!("{namespace}/{scope}")),
            self.clusters.get(&namespace),
            Some(&self.default),
        ];
        let login = levels.iter().flatten().find(|l| l.username.is_some());
        RestCredentials {
            username: login.and_then(|l| l.username.clone()),
            password: login.and_then(|l| l.password.clone()),
            cacert: levels.iter().flatten().find_map(|l| l.cacert.clone()),
        }
    }

    /// Every CA file some cluster may use (`None`: the system's roots).
    pub(super) fn cacerts(&self) -> Vec<Option<PathBuf>> {
        let mut all = vec![self.default.cacert.clone()];
        all.extend(
            self.clusters
                .values()
                .filter_map(|c| c.cacert.clone().map(Some)),
        );
        all.sort();
        all.dedup();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(user: &str, password: &str) -> RestCredentials {
        RestCredentials {
            username: Some(user.into()),
            password: Some(password.into()),
            cacert: None,
        }
    }

    fn ca(path: &str) -> RestCredentials {
        RestCredentials {
            cacert: Some(path.into()),
            ..RestCredentials::default()
        }
    }

    fn config() -> PatroniRestConfig {
        PatroniRestConfig {
            default: RestCredentials {
                cacert: Some("/ca/default.pem".into()),
                ..login("patrol", "d3fault")
            },
            clusters: BTreeMap::from([
                ("/db/mycluster".to_owned(), login("admin", "cl4ster")),
                ("/db".to_owned(), ca("/ca/db.pem")),
                ("/pg".to_owned(), login("pg", "n4mespace")),
            ]),
        }
    }

    #[test]
    fn most_specific_level_wins() {
        let c = config();
        let cluster = c.credentials("/db", "mycluster");
        assert_eq!(cluster.username.as_deref(), Some("admin"));
        assert_eq!(cluster.password.as_deref(), Some("cl4ster"));
        assert_eq!(cluster.cacert, Some("/ca/db.pem".into()));

        let namespace = c.credentials("/db/", "other");
        assert_eq!(namespace.username.as_deref(), Some("patrol"));
        assert_eq!(namespace.password.as_deref(), Some("d3fault"));
        assert_eq!(namespace.cacert, Some("/ca/db.pem".into()));

        let pg = c.credentials("pg", "pg-meta");
        assert_eq!(pg.password.as_deref(), Some("n4mespace"));
        assert_eq!(pg.cacert, Some("/ca/default.pem".into()));

        assert_eq!(c.credentials("/service", "x"), c.default);
    }

    #[test]
    fn empty_config_sends_nothing() {
        let none = PatroniRestConfig::default().credentials("/db", "mycluster");
        assert_eq!(none, RestCredentials::default());
    }

    #[test]
    fn distinct_cacerts() {
        assert_eq!(
            config().cacerts(),
            [Some("/ca/db.pem".into()), Some("/ca/default.pem".into())]
        );
        assert_eq!(PatroniRestConfig::default().cacerts(), [None]);
    }

    #[test]
    fn debug_redacts_passwords() {
        let shown = format!("{:?}", config());
        assert!(
            shown.contains("admin") && shown.contains("<redacted>"),
            "{shown}"
        );
        for secret in ["d3fault", "cl4ster", "n4mespace"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
