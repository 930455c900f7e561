//! Which keys the keyspace browser will not write: Patroni's own. A key
//! is Patroni's when it sits in Patroni's layout under a configured
//! namespace (`<namespace>/<scope>[/<citus group>]/<item>`), recognised by
//! the same parser that builds the cluster pages. Writing one by hand
//! fights Patroni (it rewrites most of them every loop) or breaks it (two
//! leaders, a cluster bootstrapped again); each has a right way instead.

use serde::{Deserialize, Serialize};

use crate::patroni::{ClusterKey, KeyKind};

/// Why a key is write-protected, and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protection {
    /// The cluster it belongs to: `pg/pg-meta` (`#1` for a Citus group).
    pub cluster: String,
    /// Patroni's name for the item: `leader`, `members/<name>`, `config`...
    pub item: String,
    /// What the key is and why writing it by hand is harmful.
    pub why: String,
    /// The right way to get the change made.
    pub instead: String,
}

impl Protection {
    /// One message for a refusal: what, why, instead, and how to lift it.
    pub fn refusal(&self, key: &str) -> String {
        format!(
            "{key} is Patroni's {} key of cluster {}, write-protected: {} {} \
             (Patrol started with --allow-patroni-key-writes would write it anyway)",
            self.item, self.cluster, self.why, self.instead
        )
    }
}

/// The protection of `key` when it is one of Patroni's own keys in one of
/// `namespaces` (normalised, e.g. `/pg`); `None` for any other key.
/// Patroni's keys are text, so a key that is not UTF-8 is never one.
pub fn protection(namespaces: &[String], key: &[u8]) -> Option<Protection> {
    let key = std::str::from_utf8(key).ok()?;
    namespaces.iter().find_map(|ns| {
        let parsed = ClusterKey::parse(ns, key)?;
        let cluster = match parsed.group {
            Some(g) => format!("{}/{}#{g}", ns.trim_start_matches('/'), parsed.scope),
            None => format!("{}/{}", ns.trim_start_matches('/'), parsed.scope),
        };
        let (item, why, instead) = explain(&parsed.kind);
        Some(Protection {
            cluster,
            item,
            why: why.to_owned(),
            instead: instead.to_owned(),
        })
    })
}

/// `(item, why, instead)` for each kind of Patroni key.
fn explain(kind: &KeyKind) -> (String, &'static str, &'static str) {
    let (item, why, instead) = match kind {
        KeyKind::Config => (
            "config",
            "the cluster's dynamic configuration, which Patroni validates and applies when it changes through Patroni.",
            "Edit the configuration on the cluster page (or with patronictl edit-config), so that Patroni checks it.",
        ),
        KeyKind::Leader => (
            "leader",
            "the leader lock, held under the leader's lease; writing or deleting it can leave the cluster with no primary or two.",
            "Use switchover or failover on the cluster page.",
        ),
        KeyKind::Member(_) => (
            "members/",
            "a member's own record, which its Patroni rewrites every loop under its lease.",
            "Restart, reinitialise or reload the member from the cluster page; Patroni writes these itself.",
        ),
        KeyKind::Status => (
            "status",
            "the leader's last WAL position and replication slots, rewritten by the leader every loop.",
            "Nothing to edit by hand: Patroni keeps it current.",
        ),
        KeyKind::History => (
            "history",
            "the timeline history Patroni appends at each promotion; failover decisions read it.",
            "Nothing to edit by hand: Patroni appends to it.",
        ),
        KeyKind::Sync => (
            "sync",
            "the synchronous standbys (or quorum) the leader chose; changing it can acknowledge commits no standby holds.",
            "Set synchronous_mode and synchronous_node_count in the configuration on the cluster page.",
        ),
        KeyKind::Failover => (
            "failover",
            "a switchover or failover request that the leader acts on.",
            "Use switchover or failover on the cluster page; cancel a scheduled one with \"Flush scheduled…\".",
        ),
        KeyKind::Failsafe => (
            "failsafe",
            "the members the leader saw when failsafe mode last mattered; Patroni writes it.",
            "Nothing to edit by hand: set failsafe_mode in the configuration on the cluster page.",
        ),
        KeyKind::Initialize => (
            "initialize",
            "the cluster's system identifier, written once at bootstrap; without it a member may bootstrap a new cluster over the data.",
            "Leave it: patronictl remove deletes it when the whole cluster is removed.",
        ),
        KeyKind::LegacyOptime => (
            "optime/leader",
            "the leader's WAL position as older Patroni versions keep it, rewritten by the leader.",
            "Nothing to edit by hand: Patroni keeps it current.",
        ),
    };
    let item = match kind {
        KeyKind::Member(name) => format!("members/{name}"),
        _ => item.to_owned(),
    };
    (item, why, instead)
}

/// The protection of `key` in the namespaces Patrol watches: a 403 that
/// explains it, unless `--allow-patroni-key-writes` lifts it (then the
/// protection, for the audit log).
#[cfg(feature = "ssr")]
pub fn guard(
    state: &crate::state::AppState,
    key: &[u8],
) -> Result<Option<Protection>, crate::error::AppError> {
    let namespaces = state.overview().namespaces.clone();
    match protection(&namespaces, key) {
        Some(p) if !state.allow_patroni_key_writes => Err(crate::error::AppError::Forbidden(
            p.refusal(&super::path::display_key(key)),
        )),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn namespaces() -> Vec<String> {
        vec!["/service".into(), "/db".into(), "/pg".into()]
    }

    #[test]
    fn every_patroni_item_is_protected() {
        for (key, item) in [
            ("/db/mycluster/leader", "leader"),
            ("/pg/pg-meta/config", "config"),
            ("/pg/pg-meta/members/pg-meta-1", "members/pg-meta-1"),
            ("/pg/pg-meta/status", "status"),
            ("/db/mycluster/sync", "sync"),
            ("/pg/pg-meta/failover", "failover"),
            ("/pg/pg-meta/history", "history"),
            ("/pg/pg-meta/initialize", "initialize"),
            ("/pg/pg-meta/failsafe", "failsafe"),
            ("/pg/pg-meta/optime/leader", "optime/leader"),
            ("/service/demo/1/leader", "leader"),
        ] {
            let p = protection(&namespaces(), key.as_bytes())
                .unwrap_or_else(|| panic!("{key} must be protected"));
            assert_eq!(p.item, item, "{key}");
            assert!(!p.why.is_empty() && !p.instead.is_empty(), "{key}");
        }
        let citus = protection(&namespaces(), b"/service/demo/1/leader").map(|p| p.cluster);
        assert_eq!(citus.as_deref(), Some("service/demo#1"));
    }

    #[test]
    fn the_refusal_points_to_the_right_action() {
        let config = protection(&namespaces(), b"/pg/pg-meta/config").expect("protected");
        let text = config.refusal("/pg/pg-meta/config");
        assert!(text.contains("configuration on the cluster page"), "{text}");
        assert!(text.contains("--allow-patroni-key-writes"), "{text}");
        let leader = protection(&namespaces(), b"/db/mycluster/leader").expect("protected");
        assert!(leader.instead.contains("switchover"), "{leader:?}");
        assert_eq!(leader.cluster, "db/mycluster");
        let member = protection(&namespaces(), b"/pg/pg-meta/members/x").expect("protected");
        assert!(member.instead.contains("Patroni writes these itself"));
    }

    #[test]
    fn other_keys_are_writable() {
        for key in [
            &b"/patrol-test/writes/x"[..],
            b"/pg/pg-meta/notes",
            b"/pg/pg-meta",
            b"/pg/pg-meta/members/",
            b"/pg/pg-meta/members/a/b",
            b"/other/mycluster/leader",
            b"/pgx/pg-meta/leader",
            b"/pg/pg-meta/leader/x",
            b"/pg/\xff/leader",
            b"",
        ] {
            assert_eq!(protection(&namespaces(), key), None, "{key:?}");
        }
        // Only the namespaces Patrol watches count.
        assert_eq!(protection(&["/pg".into()], b"/db/mycluster/leader"), None);
    }
}
