//! Where a key sits in Patroni's layout: `<namespace>/<scope>[/<citus group>]/<item>`.

/// The item a Patroni key stores, relative to its cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    Config,
    Leader,
    Member(String),
    Status,
    History,
    Sync,
    Failover,
    Failsafe,
    Initialize,
    /// `optime/leader`, written by Patroni before `status` existed.
    LegacyOptime,
}

/// A key of a Patroni cluster: which cluster, and which item of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterKey {
    pub scope: String,
    /// Citus group number for `<scope>/<group>/...` layouts.
    pub group: Option<u32>,
    pub kind: KeyKind,
}

/// Normalizes a namespace as Patroni does: one leading `/`, no trailing `/`.
/// Returns `None` for an empty namespace.
pub fn normalize_namespace(raw: &str) -> Option<String> {
    let trimmed = raw.trim().trim_matches('/');
    if trimmed.is_empty() {
        None
    } else {
        Some(format!("/{trimmed}"))
    }
}

impl ClusterKey {
    /// Classifies `key` under `namespace` (normalized, e.g. `/pg`).
    /// Keys that are not part of Patroni's layout give `None`.
    pub fn parse(namespace: &str, key: &str) -> Option<ClusterKey> {
        let rest = key.strip_prefix(namespace)?.strip_prefix('/')?;
        let (scope, rest) = rest.split_once('/')?;
        if scope.is_empty() {
            return None;
        }
        if let Some(kind) = KeyKind::parse(rest) {
            return Some(ClusterKey {
                scope: scope.to_owned(),
                group: None,
                kind,
            });
        }
        let (group, rest) = rest.split_once('/')?;
        let group = group.parse::<u32>().ok()?;
        let kind = KeyKind::parse(rest)?;
        Some(ClusterKey {
            scope: scope.to_owned(),
            group: Some(group),
            kind,
        })
    }
}

impl KeyKind {
    fn parse(item: &str) -> Option<KeyKind> {
        Some(match item {
            "config" => KeyKind::Config,
            "leader" => KeyKind::Leader,
            "status" => KeyKind::Status,
            "history" => KeyKind::History,
            "sync" => KeyKind::Sync,
            "failover" => KeyKind::Failover,
            "failsafe" => KeyKind::Failsafe,
            "initialize" => KeyKind::Initialize,
            "optime/leader" => KeyKind::LegacyOptime,
            other => {
                let name = other.strip_prefix("members/")?;
                if name.is_empty() || name.contains('/') {
                    return None;
                }
                KeyKind::Member(name.to_owned())
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_normalized() {
        assert_eq!(normalize_namespace("pg").as_deref(), Some("/pg"));
        assert_eq!(
            normalize_namespace("/service/").as_deref(),
            Some("/service")
        );
        assert_eq!(normalize_namespace(" / "), None);
    }

    #[test]
    fn plain_layout() {
        let k = ClusterKey::parse("/pg", "/pg/pg-meta/members/pg-meta-1").expect("member key");
        assert_eq!(k.scope, "pg-meta");
        assert_eq!(k.group, None);
        assert_eq!(k.kind, KeyKind::Member("pg-meta-1".into()));
        assert_eq!(
            ClusterKey::parse("/pg", "/pg/pg-meta/leader").map(|k| k.kind),
            Some(KeyKind::Leader)
        );
    }

    #[test]
    fn citus_layout() {
        let k = ClusterKey::parse("/service", "/service/demo/1/leader").expect("citus key");
        assert_eq!(
            (k.scope.as_str(), k.group, k.kind),
            ("demo", Some(1), KeyKind::Leader)
        );
    }

    #[test]
    fn foreign_keys_are_ignored() {
        for key in [
            "/pg",
            "/pg/",
            "/pg/pg-meta",
            "/pg/pg-meta/unknown",
            "/pg/pg-meta/members/",
            "/pg/pg-meta/members/a/b",
            "/pgx/pg-meta/leader",
            "/db/mycluster/leader",
            "/pg/pg-meta/x1/leader",
        ] {
            assert_eq!(ClusterKey::parse("/pg", key), None, "{key}");
        }
    }
}
