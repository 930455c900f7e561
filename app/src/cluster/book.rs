//! The server's book of clusters: every cluster the mirror has parsed, with
//! the memory a single read of etcd cannot give (members that vanished, lag
//! history). The mirror updates it per scope; pages and streams read it.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::history::{self, MemberLag};
use super::lease::LeaseClock;
use super::probe::VersionProbe;
use super::{ClusterDetail, LeaderLease};
use crate::error::AppError;
use crate::patroni::{normalize_namespace, Cluster, ClusterSummary, GoneMember, Member};

/// How long a vanished member stays on the page.
pub const GONE_FOR_MS: u64 = 60 * 60 * 1000;
/// Most vanished members a cluster remembers (the most recent ones).
pub const MAX_GONE: usize = 32;

/// `(namespace, scope, Citus group)`.
pub type ClusterId = (String, String, Option<u32>);

/// The id the store keeps `id`'s history under, for the etcd cluster whose
/// store tag is `tag`: its namespace as it is for the etcd cluster of the
/// command line's flags (so history from before a fleet goes on), else as
/// `@<tag>/<namespace>`, so two etcd clusters' `/pg/main` never mix.
pub fn stored_id(tag: Option<&str>, id: &ClusterId) -> ClusterId {
    match tag {
        Some(tag) => (format!("@{tag}{}", id.0), id.1.clone(), id.2),
        None => id.clone(),
    }
}

/// The cluster a stored id stands for within the etcd cluster tagged
/// `tag`; `None` when it belongs to another etcd cluster.
pub fn unstored_id(tag: Option<&str>, id: ClusterId) -> Option<ClusterId> {
    let ns = match tag {
        Some(tag) => id.0.strip_prefix('@')?.strip_prefix(tag)?.to_owned(),
        None => id.0.clone(),
    };
    ns.starts_with('/').then_some((ns, id.1, id.2))
}

/// One cluster and what the server remembers about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterEntry {
    pub cluster: Cluster,
    pub summary: ClusterSummary,
    pub lag_history: Vec<MemberLag>,
    /// Lease of the `leader` key (0: none).
    pub leader_lease: i64,
}

/// Every cluster, keyed by [`ClusterId`]. Entries are shared: an entry that
/// did not change keeps its `Arc`, so a stream can tell by pointer.
#[derive(Debug, Clone, Default)]
pub struct ClusterBook {
    pub entries: BTreeMap<ClusterId, Arc<ClusterEntry>>,
    /// Lag history from the store, for clusters not parsed yet: a cluster
    /// takes its own when it first appears, so the charts go on where they
    /// were before Patrol restarted.
    seed: BTreeMap<ClusterId, Vec<MemberLag>>,
}

impl ClusterBook {
    /// An empty book that starts each cluster's lag history from `seed`.
    pub fn seeded(seed: BTreeMap<ClusterId, Vec<MemberLag>>) -> ClusterBook {
        ClusterBook {
            entries: BTreeMap::new(),
            seed,
        }
    }

    /// Replaces every cluster of `(namespace, scope)` by `fresh` (as parsed
    /// from that scope's keys just now), carrying over vanished members and
    /// lag history. `leases` gives the leader key's lease per Citus group.
    /// Returns whether anything changed.
    pub fn replace_scope(
        &mut self,
        namespace: &str,
        scope: &str,
        fresh: Vec<Cluster>,
        leases: &BTreeMap<Option<u32>, i64>,
        now: u64,
    ) -> bool {
        let old: Vec<ClusterId> = self
            .entries
            .range((namespace.to_owned(), scope.to_owned(), None)..)
            .take_while(|((ns, s, _), _)| ns == namespace && s == scope)
            .map(|(id, _)| id.clone())
            .collect();
        let mut changed = false;
        let mut kept = Vec::new();
        for mut cluster in fresh {
            let id = (namespace.to_owned(), scope.to_owned(), cluster.citus_group);
            let prev = self.entries.get(&id);
            cluster.gone = gone_members(prev.map(|p| &p.cluster), &cluster, now);
            let leader_lease = leases.get(&cluster.citus_group).copied().unwrap_or(0);
            if let Some(p) = prev {
                if p.cluster == cluster && p.leader_lease == leader_lease {
                    kept.push(id);
                    continue;
                }
            }
            let mut lag_history = match prev {
                Some(p) => p.lag_history.clone(),
                None => self.seed.remove(&id).unwrap_or_default(),
            };
            history::record(&mut lag_history, &cluster, now);
            let entry = ClusterEntry {
                summary: ClusterSummary::of(&cluster),
                cluster,
                lag_history,
                leader_lease,
            };
            self.entries.insert(id.clone(), Arc::new(entry));
            kept.push(id);
            changed = true;
        }
        for id in old {
            if !kept.contains(&id) {
                self.entries.remove(&id);
                changed = true;
            }
        }
        changed
    }

    /// Looks a cluster up by the namespace as written in URLs (with or
    /// without its leading slash).
    pub fn find(
        &self,
        namespace: &str,
        scope: &str,
        group: Option<u32>,
    ) -> Option<&Arc<ClusterEntry>> {
        let ns = normalize_namespace(namespace)?;
        self.entries.get(&(ns, scope.to_owned(), group))
    }

    /// Like [`find`](Self::find), with a 404 that names what was asked for.
    pub fn entry(
        &self,
        namespace: &str,
        scope: &str,
        group: Option<u32>,
    ) -> Result<Arc<ClusterEntry>, AppError> {
        self.find(namespace, scope, group)
            .cloned()
            .ok_or_else(|| AppError::NotFound(not_found(namespace, scope, group)))
    }
}

/// Members in `prev` (present or already gone) that `now_cluster` lacks,
/// until [`GONE_FOR_MS`] has passed.
fn gone_members(prev: Option<&Cluster>, current: &Cluster, now: u64) -> Vec<GoneMember> {
    let Some(prev) = prev else { return Vec::new() };
    let present = |name: &str| current.members.iter().any(|m| m.name == name);
    let mut gone: Vec<GoneMember> = prev
        .gone
        .iter()
        .filter(|g| !present(&g.member.name) && now.saturating_sub(g.since_ms) < GONE_FOR_MS)
        .cloned()
        .collect();
    for m in &prev.members {
        if !present(&m.name) && !gone.iter().any(|g| g.member.name == m.name) {
            gone.push(GoneMember {
                member: as_gone(m),
                since_ms: now,
            });
        }
    }
    // Newest first past the cap: a flood of vanishing keys must not grow
    // every event of this cluster.
    if gone.len() > MAX_GONE {
        gone.sort_by_key(|g| std::cmp::Reverse(g.since_ms));
        gone.truncate(MAX_GONE);
    }
    gone
}

/// What the gone row and the topology show of a vanished member: who and
/// where it was, its role, timeline and positions. Its tags (but the
/// `replicatefrom` the topology places it by), pending-restart reasons and
/// versions go, so a big member value is not carried for an hour.
fn as_gone(m: &Member) -> Member {
    let mut tags = std::collections::BTreeMap::new();
    if let Some(from) = m.tags.get("replicatefrom") {
        tags.insert("replicatefrom".to_owned(), from.clone());
    }
    Member {
        tags,
        pending_restart_reason: Vec::new(),
        scheduled_restart: None,
        version: None,
        postgres_version: None,
        ..m.clone()
    }
}

/// The page data of one cluster, with its leader lease read through the
/// shared `leases` clock if it has one.
pub async fn detail(
    entry: &ClusterEntry,
    leases: &LeaseClock,
    versions: &VersionProbe,
    etcd_reachable: bool,
) -> ClusterDetail {
    let lease = leases.read(entry.leader_lease).await;
    let versions = versions.versions(&entry.cluster);
    assemble(entry, lease, etcd_reachable, &versions)
}

/// What a 404 says.
pub fn not_found(namespace: &str, scope: &str, group: Option<u32>) -> String {
    let ns = normalize_namespace(namespace).unwrap_or_default();
    match group {
        Some(g) => format!("no cluster {scope} (Citus group {g}) under {ns}"),
        None => format!("no cluster {scope} under {ns}"),
    }
}

/// Puts an entry, its lease reading and the members' PostgreSQL versions together.
pub fn assemble(
    entry: &ClusterEntry,
    lease: Option<LeaderLease>,
    etcd_reachable: bool,
    versions: &BTreeMap<String, String>,
) -> ClusterDetail {
    let mut cluster = entry.cluster.clone();
    for m in &mut cluster.members {
        m.postgres_version = versions.get(&m.name).cloned();
    }
    ClusterDetail {
        cluster,
        lag_history: entry.lag_history.clone(),
        leader_lease: lease,
        etcd_reachable,
        now_ms: crate::clock::now_ms(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patroni::clusters_in_namespace;

    fn parse(keys: &[(&str, &str)]) -> Vec<Cluster> {
        let kvs: Vec<_> = keys
            .iter()
            .map(|(k, v)| (k.as_bytes(), v.as_bytes()))
            .collect();
        clusters_in_namespace("/pg", kvs)
    }

    /// How many members cluster `/pg/a` counts as gone.
    fn gone(book: &ClusterBook) -> usize {
        book.find("pg", "a", None)
            .expect("cluster a")
            .cluster
            .gone
            .len()
    }

    const M: &str = r#"{"conn_url":"postgres://h:1/p","state":"running","role":"replica"}"#;

    #[test]
    fn a_new_cluster_starts_from_its_stored_history() {
        let stored = MemberLag {
            name: "a2".into(),
            samples: [crate::cluster::LagSample {
                t: 1_000,
                receive: Some(5),
                replay: Some(6),
            }]
            .into_iter()
            .collect(),
            latest: None,
        };
        let id: ClusterId = ("/pg".into(), "a".into(), None);
        let mut book = ClusterBook::seeded([(id, vec![stored.clone()])].into_iter().collect());
        let keys = [("/pg/a/leader", "a1"), ("/pg/a/members/a1", M)];
        book.replace_scope("/pg", "a", parse(&keys), &BTreeMap::new(), 2_000);
        let entry = book.find("pg", "a", None).expect("cluster a");
        assert_eq!(
            entry.lag_history,
            vec![stored],
            "seeded, then nothing measured"
        );
        book.replace_scope(
            "/pg",
            "b",
            parse(&[("/pg/b/leader", "b1")]),
            &BTreeMap::new(),
            2_000,
        );
        assert!(book
            .find("pg", "b", None)
            .expect("cluster b")
            .lag_history
            .is_empty());
    }

    #[test]
    fn a_gone_member_keeps_only_what_its_row_shows() {
        let mut book = ClusterBook::default();
        let none = BTreeMap::new();
        let big = format!(
            r#"{{"conn_url":"postgres://h:1/p","state":"running","role":"replica","tags":{{"replicatefrom":"a1","junk":"{}"}}}}"#,
            "x".repeat(60_000)
        );
        let both = parse(&[("/pg/a/members/a1", M), ("/pg/a/members/a2", &big)]);
        assert!(both[0].members[1].tags.contains_key("junk"));
        book.replace_scope("/pg", "a", both, &none, 1_000);
        book.replace_scope("/pg", "a", parse(&[("/pg/a/members/a1", M)]), &none, 2_000);
        let entry = book.find("pg", "a", None).expect("cluster a");
        let gone = &entry.cluster.gone[0].member;
        assert_eq!(gone.name, "a2");
        assert_eq!(gone.host.as_deref(), Some("h"));
        assert_eq!(gone.replicatefrom(), Some("a1"));
        assert!(!gone.tags.contains_key("junk"));
        let event = serde_json::to_string(&entry.cluster).expect("json");
        assert!(event.len() < 2_000, "{}", event.len());
    }

    #[test]
    fn at_most_max_gone_members_are_remembered() {
        let mut book = ClusterBook::default();
        let none = BTreeMap::new();
        let names: Vec<String> = (0..100).map(|i| format!("/pg/a/members/m{i}")).collect();
        let all: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), M)).collect();
        book.replace_scope("/pg", "a", parse(&all), &none, 1_000);
        book.replace_scope("/pg", "a", parse(&all[..1]), &none, 2_000);
        let entry = book.find("pg", "a", None).expect("cluster a");
        assert_eq!(entry.cluster.gone.len(), MAX_GONE);
    }

    #[test]
    fn vanished_members_are_remembered_then_forgotten() {
        let mut book = ClusterBook::default();
        let none = BTreeMap::new();
        let both = parse(&[("/pg/a/members/a1", M), ("/pg/a/members/a2", M)]);
        assert!(book.replace_scope("/pg", "a", both.clone(), &none, 1_000));
        assert!(
            !book.replace_scope("/pg", "a", both.clone(), &none, 2_000),
            "no change"
        );
        let one = parse(&[("/pg/a/members/a1", M)]);
        assert!(book.replace_scope("/pg", "a", one.clone(), &none, 3_000));
        assert_eq!(gone(&book), 1);
        let entry = book.find("pg", "a", None).expect("cluster a");
        assert_eq!(entry.cluster.gone[0].member.name, "a2");
        assert_eq!(entry.cluster.gone[0].since_ms, 3_000);
        assert_eq!(entry.summary.gone, 1);
        // Still gone later, with the time it went.
        book.replace_scope("/pg", "a", one.clone(), &none, 4_000);
        let entry = book.find("/pg", "a", None).expect("cluster a");
        assert_eq!(entry.cluster.gone[0].since_ms, 3_000);
        // Back: no longer gone.
        book.replace_scope("/pg", "a", both, &none, 5_000);
        assert_eq!(gone(&book), 0);
        // Gone for longer than GONE_FOR_MS: dropped.
        book.replace_scope("/pg", "a", one.clone(), &none, 6_000);
        book.replace_scope("/pg", "a", one, &none, 6_000 + GONE_FOR_MS);
        assert_eq!(gone(&book), 0);
        // All keys gone: the cluster goes.
        assert!(book.replace_scope("/pg", "a", Vec::new(), &none, 7_000));
        assert!(book.find("pg", "a", None).is_none());
    }
}
