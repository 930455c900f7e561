//! A whole Patroni cluster, assembled from the keys under its scope.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::facts::{self, PendingSwitchover, SyncMode, TimelineSwitch};
use super::key::{ClusterKey, KeyKind};
use super::lag;
use super::member::{Member, RawMember, Role};

/// One Patroni cluster (or one Citus group of it) as etcd describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    /// Namespace with its leading slash, e.g. `/pg`.
    pub namespace: String,
    pub scope: String,
    /// Citus group, for `<scope>/<group>/...` layouts.
    pub citus_group: Option<u32>,
    /// Name held in the `leader` key; `None` when no member holds the lease.
    pub leader: Option<String>,
    /// `pause: true` in the dynamic configuration (maintenance mode).
    pub paused: bool,
    /// `synchronous_mode` is on or quorum: only the members named in the
    /// `sync` key may be promoted.
    pub synchronous_mode: bool,
    /// Which synchronous mode, `off`, `on` or `quorum`.
    pub sync_mode: SyncMode,
    /// `synchronous_node_count` from the configuration, when set.
    pub synchronous_node_count: Option<u64>,
    /// Members named in the `sync` key.
    pub sync_standbys: Vec<String>,
    /// The `sync` key's `quorum` (quorum mode): how many of the standbys a
    /// new leader must hear from.
    pub sync_quorum: Option<u64>,
    pub failsafe_mode: bool,
    /// Members named in the `failsafe` key.
    pub failsafe_members: Vec<String>,
    /// A replica further behind than this many bytes is not a failover candidate.
    pub maximum_lag_on_failover: u64,
    /// `standby_cluster` is configured: the leader follows another cluster.
    pub standby_cluster: bool,
    /// Where the standby cluster follows from (`config.standby_cluster`).
    pub standby_source: Option<super::StandbySource>,
    /// The leader's timeline, else one past the last `history` row.
    pub timeline: Option<u64>,
    /// The leader's WAL position that lags are measured from.
    pub leader_lsn: Option<u64>,
    pub history: Vec<TimelineSwitch>,
    pub scheduled_switchover: Option<PendingSwitchover>,
    /// The dynamic configuration (`config`), as Patroni wrote it.
    pub config: Value,
    /// PostgreSQL system identifier from `initialize`.
    pub system_identifier: Option<String>,
    pub members: Vec<Member>,
    /// Members whose key vanished (lease expired or removed) while Patrol
    /// watched; filled in by the server's mirror, which remembers them.
    pub gone: Vec<GoneMember>,
    /// What could not be read, in words; shown beside the cluster.
    pub warnings: Vec<String>,
}

/// A member that was in the cluster and whose key has since vanished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoneMember {
    /// The member as last seen.
    pub member: Member,
    /// Unix time (ms) Patrol saw its key go.
    pub since_ms: u64,
}

impl Cluster {
    /// `(namespace, scope, Citus group)`: the names that find this cluster.
    pub fn id(&self) -> (String, String, Option<u32>) {
        (self.namespace.clone(), self.scope.clone(), self.citus_group)
    }

    /// The member holding the leader key, if it has a member key.
    pub fn leader_member(&self) -> Option<&Member> {
        let leader = self.leader.as_deref()?;
        self.members.iter().find(|m| m.name == leader)
    }
}

#[derive(Default)]
struct Parts {
    leader: Option<String>,
    config: Option<String>,
    sync: Option<String>,
    status: Option<String>,
    legacy_optime: Option<String>,
    history: Option<String>,
    failover: Option<String>,
    failsafe: Option<String>,
    initialize: Option<String>,
    members: BTreeMap<String, String>,
    /// Member keys past [`MAX_MEMBERS`].
    members_ignored: usize,
    warnings: Vec<String>,
}

/// Largest member value Patrol reads. Patroni writes about a kilobyte; a
/// bigger one is not Patroni's, and every page and event would carry it.
pub const MAX_MEMBER_VALUE: usize = 64 << 10;
/// Largest value of any other cluster key Patrol reads (`config` and
/// `history` grow with a cluster's life, but not to this).
pub const MAX_CLUSTER_VALUE: usize = 256 << 10;

/// Most members Patrol reads of one cluster (Patroni clusters have a few;
/// thousands of member keys are not Patroni's and would make every page
/// and event of the cluster huge).
pub const MAX_MEMBERS: usize = 256;
/// Most warnings a cluster carries.
pub const MAX_WARNINGS: usize = 50;

/// The largest value Patrol reads for a key of `kind`.
pub fn value_limit(kind: &KeyKind) -> usize {
    match kind {
        KeyKind::Member(_) => MAX_MEMBER_VALUE,
        _ => MAX_CLUSTER_VALUE,
    }
}

/// Builds every cluster found among `kvs`, the keys under `namespace`.
/// Keys outside Patroni's layout are skipped; values that are not UTF-8,
/// not the JSON Patroni writes, or over [`value_limit`] become warnings on
/// their cluster.
pub fn clusters_in_namespace<'a>(
    namespace: &str,
    kvs: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
) -> Vec<Cluster> {
    let mut parts: BTreeMap<(String, Option<u32>), Parts> = BTreeMap::new();
    for (key, value) in kvs {
        let Ok(key) = std::str::from_utf8(key) else {
            continue;
        };
        let Some(ck) = ClusterKey::parse(namespace, key) else {
            continue;
        };
        let entry = parts.entry((ck.scope, ck.group)).or_default();
        let limit = value_limit(&ck.kind);
        if value.len() > limit {
            entry.warnings.push(format!(
                "{key}: value is larger than {} (Patrol's limit for this key); ignored",
                super::lag::human_bytes(limit as u64)
            ));
            continue;
        }
        let Ok(value) = std::str::from_utf8(value) else {
            entry.warnings.push(format!("{key}: value is not UTF-8"));
            continue;
        };
        let value = value.to_owned();
        match ck.kind {
            KeyKind::Leader => {
                entry.leader = Some(value.trim().to_owned()).filter(|l| !l.is_empty())
            }
            KeyKind::Config => entry.config = Some(value),
            KeyKind::Sync => entry.sync = Some(value),
            KeyKind::Status => entry.status = Some(value),
            KeyKind::LegacyOptime => entry.legacy_optime = Some(value),
            KeyKind::History => entry.history = Some(value),
            KeyKind::Failover => entry.failover = Some(value),
            KeyKind::Failsafe => entry.failsafe = Some(value),
            KeyKind::Initialize => entry.initialize = Some(value.trim().to_owned()),
            KeyKind::Member(name) if entry.members.len() < MAX_MEMBERS => {
                entry.members.insert(name, value);
            }
            KeyKind::Member(_) => entry.members_ignored += 1,
        }
    }
    parts
        .into_iter()
        .map(|((scope, citus_group), p)| p.into_cluster(namespace, scope, citus_group))
        .collect()
}

impl Parts {
    fn into_cluster(mut self, namespace: &str, scope: String, citus_group: Option<u32>) -> Cluster {
        let w = &mut self.warnings;
        let config = self
            .config
            .as_deref()
            .map(|c| facts::config(c, w))
            .unwrap_or_default();
        let sync = self
            .sync
            .as_deref()
            .map(|s| facts::sync(s, w))
            .unwrap_or_default();
        let optime = match (&self.status, &self.legacy_optime) {
            (Some(s), _) => facts::optime(s, w),
            (None, Some(o)) => facts::optime(o, w),
            (None, None) => None,
        };
        let history = self
            .history
            .as_deref()
            .map(|h| facts::history(h, w))
            .unwrap_or_default();
        let scheduled_switchover = self.failover.as_deref().and_then(|f| facts::failover(f, w));
        let failsafe_members = self
            .failsafe
            .as_deref()
            .map(|f| facts::failsafe(f, w))
            .unwrap_or_default();
        let mut members = Vec::with_capacity(self.members.len());
        for (name, value) in &self.members {
            let raw = RawMember::parse(name, value, w);
            let holds_leader = self.leader.as_deref() == Some(name.as_str());
            let role = resolve_role(
                raw.patroni_role.as_deref(),
                holds_leader,
                sync.standbys.contains(name).then_some(config.sync_mode),
            );
            match (&role, &self.leader) {
                (Role::Other(r), Some(leader)) if r == "primary" || r == "master" => {
                    w.push(format!(
                        "{name} reports role {r} but the leader key names {leader}"
                    ));
                }
                // Without a leader key a primary is expected to look like this.
                (Role::Other(r), None) if r == "primary" || r == "master" => {}
                (Role::Other(r), _) if raw.patroni_role.is_some() && r != "standby_leader" => {
                    w.push(format!(
                        "members/{name}: unknown role {r:?}, shown as Patroni wrote it"
                    ));
                }
                _ => {}
            }
            members.push(Member { role, ..raw.member });
        }
        if let Some(leader) = &self.leader {
            if !self.members.contains_key(leader) {
                w.push(format!(
                    "leader key names {leader}, which has no member key"
                ));
            }
        }
        let leader_member = self
            .leader
            .as_deref()
            .and_then(|l| members.iter().find(|m| m.name == l));
        let leader_lsn = optime.or_else(|| leader_member.and_then(|m| m.wal_lsn));
        let timeline = leader_member
            .and_then(|m| m.timeline)
            .or_else(|| history.last().map(|h| h.timeline + 1));
        lag::measure(
            &mut members,
            self.leader.as_deref(),
            leader_lsn,
            config.maximum_lag_on_failover,
        );
        Cluster {
            namespace: namespace.to_owned(),
            scope,
            citus_group,
            leader: self.leader,
            paused: config.paused,
            synchronous_mode: config.sync_mode != SyncMode::Off,
            sync_mode: config.sync_mode,
            synchronous_node_count: config.synchronous_node_count,
            sync_standbys: sync.standbys,
            sync_quorum: sync.quorum,
            failsafe_mode: config.failsafe_mode,
            failsafe_members,
            maximum_lag_on_failover: config.maximum_lag_on_failover,
            standby_cluster: config.standby_cluster,
            standby_source: super::StandbySource::of(&config.json),
            timeline,
            leader_lsn,
            history,
            scheduled_switchover,
            config: config.json,
            system_identifier: self.initialize.filter(|s| !s.is_empty()),
            members,
            gone: Vec::new(),
            warnings: bounded(self.warnings, self.members_ignored),
        }
    }
}

/// The warnings a cluster shows: at most [`MAX_WARNINGS`], the last saying
/// how many more there were, after one for member keys left unread.
fn bounded(mut warnings: Vec<String>, members_ignored: usize) -> Vec<String> {
    if members_ignored > 0 {
        warnings.insert(
            0,
            format!("{members_ignored} more member keys ignored: Patrol reads at most {MAX_MEMBERS} members a cluster"),
        );
    }
    if warnings.len() > MAX_WARNINGS {
        let more = warnings.len() - (MAX_WARNINGS - 1);
        warnings.truncate(MAX_WARNINGS - 1);
        warnings.push(format!("… and {more} more warnings"));
    }
    warnings
}

/// `in_sync`: the `sync` key names the member, in this mode.
fn resolve_role(patroni: Option<&str>, holds_leader: bool, in_sync: Option<SyncMode>) -> Role {
    match (patroni, holds_leader) {
        (Some("standby_leader"), true) => Role::StandbyLeader,
        (Some("primary" | "master"), true) => Role::Leader,
        (Some("replica"), _) if in_sync == Some(SyncMode::Quorum) => Role::QuorumStandby,
        (Some("replica"), _) if in_sync.is_some() => Role::SyncStandby,
        (Some("replica"), _) => Role::Replica,
        (Some(other), _) => Role::Other(other.to_owned()),
        (None, _) => Role::Other("unknown".into()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Reads an `etcdctl get --prefix` dump: alternating key and value lines.
    pub(crate) fn dump(text: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
        let lines: Vec<&str> = text.lines().collect();
        lines
            .chunks(2)
            .map(|kv| {
                (
                    kv[0].as_bytes().to_vec(),
                    kv.get(1).unwrap_or(&"").as_bytes().to_vec(),
                )
            })
            .collect()
    }

    /// The one cluster a dump holds under `ns`.
    pub(crate) fn only(ns: &str, text: &str) -> Cluster {
        let mut clusters = parse(ns, &dump(text));
        assert_eq!(clusters.len(), 1, "{clusters:?}");
        clusters.remove(0)
    }

    pub(crate) fn parse(ns: &str, kvs: &[(Vec<u8>, Vec<u8>)]) -> Vec<Cluster> {
        clusters_in_namespace(ns, kvs.iter().map(|(k, v)| (k.as_slice(), v.as_slice())))
    }

    #[test]
    fn oversized_values_are_warned_about_not_read() {
        let member = |extra: usize| {
            format!(
                r#"{{"conn_url":"postgres://h:1/p","state":"running","role":"replica","x":"{}"}}"#,
                "x".repeat(extra)
            )
        };
        let kvs = vec![
            (b"/pg/a/members/a1".to_vec(), member(10).into_bytes()),
            (
                b"/pg/a/members/a2".to_vec(),
                member(MAX_MEMBER_VALUE).into_bytes(),
            ),
            (b"/pg/a/config".to_vec(), vec![b' '; MAX_CLUSTER_VALUE + 1]),
        ];
        let c = &parse("/pg", &kvs)[0];
        let names: Vec<&str> = c.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a1"]);
        assert_eq!(c.config, Value::Null);
        assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
        assert!(c.warnings[0].contains("/pg/a/members/a2: value is larger than 64.0 KiB"));
        assert!(c.warnings[1].contains("/pg/a/config: value is larger than 256.0 KiB"));
    }

    #[test]
    fn members_and_warnings_are_bounded() {
        let m = r#"{"conn_url":"postgres://h:1/p","state":"running","role":"replica"}"#;
        // In etcd's order: the malformed `bad…` keys before the `m…` ones.
        let mut kvs: Vec<(Vec<u8>, Vec<u8>)> = (0..200)
            .map(|i| {
                (
                    format!("/pg/a/members/bad{i:03}").into_bytes(),
                    b"{".to_vec(),
                )
            })
            .collect();
        kvs.extend((0..1000).map(|i| {
            (
                format!("/pg/a/members/m{i:04}").into_bytes(),
                m.as_bytes().to_vec(),
            )
        }));
        let c = &parse("/pg", &kvs)[0];
        assert_eq!(c.members.len(), MAX_MEMBERS);
        assert_eq!(c.warnings.len(), MAX_WARNINGS);
        assert!(
            c.warnings[0].contains("more member keys ignored"),
            "{}",
            c.warnings[0]
        );
        assert!(
            c.warnings[MAX_WARNINGS - 1].starts_with("… and "),
            "{:?}",
            c.warnings.last()
        );
    }

    #[test]
    fn pg_meta_from_patroni_4_1() {
        let c = &only(
            "/pg",
            include_str!("../../tests/samples/patroni-4.1.5-pg-meta.txt"),
        );
        assert_eq!((c.namespace.as_str(), c.scope.as_str()), ("/pg", "pg-meta"));
        assert_eq!(c.leader.as_deref(), Some("pg-meta-1"));
        assert!(!c.paused);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let roles: Vec<_> = c
            .members
            .iter()
            .map(|m| (m.name.as_str(), m.role.as_str(), m.port))
            .collect();
        assert_eq!(
            roles,
            [
                ("pg-meta-1", "leader", Some(54321)),
                ("pg-meta-2", "replica", Some(54322)),
                ("pg-meta-3", "replica", Some(54323))
            ]
        );
    }

    #[test]
    fn sync_standby_from_the_sync_key() {
        let kvs = dump(include_str!(
            "../../tests/samples/patroni-4.1.5-mycluster.txt"
        ));
        let c = &parse("/db", &kvs)[0];
        assert_eq!(c.leader.as_deref(), Some("mycluster-1"));
        assert_eq!(c.members[1].role, Role::SyncStandby);
        // The same keys under another namespace are not this cluster.
        assert!(parse("/pg", &kvs).is_empty());
    }

    #[test]
    fn pigsty_production_layout() {
        let kvs = dump(include_str!(
            "../../tests/samples/patroni-4.0.1-pigsty-pg-meta.txt"
        ));
        let c = &parse("/pg", &kvs)[0];
        assert_eq!(c.members.len(), 2);
        assert_eq!(c.members[0].host.as_deref(), Some("10.10.10.10"));
        assert_eq!(c.members[0].role, Role::Leader);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn paused_config_and_lost_leader() {
        let kvs = vec![
            (b"/service/a/config".to_vec(), br#"{"pause":true}"#.to_vec()),
            (
                b"/service/a/members/a1".to_vec(),
                br#"{"role":"primary","state":"running","conn_url":"postgres://h:1/p"}"#.to_vec(),
            ),
        ];
        let c = &parse("/service", &kvs)[0];
        assert!(c.paused);
        assert_eq!(c.leader, None);
        // Without the leader key a "primary" is not shown as the leader.
        assert_eq!(c.members[0].role, Role::Other("primary".into()));
    }

    #[test]
    fn citus_groups_are_separate_clusters() {
        let kvs = vec![
            (b"/service/citus/0/leader".to_vec(), b"c0".to_vec()),
            (b"/service/citus/1/leader".to_vec(), b"w1".to_vec()),
        ];
        let groups: Vec<_> = parse("/service", &kvs)
            .iter()
            .map(|c| (c.citus_group, c.leader.clone()))
            .collect();
        assert_eq!(
            groups,
            [(Some(0), Some("c0".into())), (Some(1), Some("w1".into()))]
        );
    }

    #[test]
    fn garbage_never_panics_and_is_reported() {
        let kvs = vec![
            (b"/pg/x/leader".to_vec(), b"ghost".to_vec()),
            (b"/pg/x/config".to_vec(), b"{".to_vec()),
            (b"/pg/x/sync".to_vec(), vec![0xff, 0xfe]),
            (
                vec![b'/', b'p', b'g', b'/', 0xff, b'/', b'l'],
                b"z".to_vec(),
            ),
            (b"/pg/x/members/m".to_vec(), b"\x00\x01".to_vec()),
        ];
        let c = &parse("/pg", &kvs)[0];
        assert_eq!(c.members.len(), 1);
        assert!(c.warnings.len() >= 3, "{:?}", c.warnings);
        assert!(c.warnings.iter().any(|w| w.contains("ghost")));
    }

    #[test]
    fn unknown_roles_and_missing_fields_are_warned_about() {
        let kvs = vec![
            (b"/pg/x/leader".to_vec(), b"a".to_vec()),
            (
                b"/pg/x/members/a".to_vec(),
                br#"{"conn_url":"postgres://h:1/p","state":"running","role":"primary"}"#.to_vec(),
            ),
            (
                b"/pg/x/members/b".to_vec(),
                br#"{"conn_url":"postgres://h:2/p","state":"running","role":"demoted"}"#.to_vec(),
            ),
            (
                b"/pg/x/members/c".to_vec(),
                br#"{"conn_url":"postgres://h:3/p"}"#.to_vec(),
            ),
        ];
        let c = &parse("/pg", &kvs)[0];
        assert_eq!(c.members[1].role, Role::Other("demoted".into()));
        let w = c.warnings.join("\n");
        assert!(w.contains("members/b: unknown role \"demoted\""), "{w}");
        assert!(w.contains("members/c: no state"), "{w}");
        assert!(w.contains("members/c: no role"), "{w}");
        assert!(!w.contains("members/a"), "{w}");
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A cheap deterministic fuzz: every value shape from a byte generator.
        let mut seed: u64 = 0x9e3779b97f4a7c15;
        for _ in 0..2000 {
            let mut v = Vec::new();
            for _ in 0..(seed % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let alphabet = b"{}[]\":,0123456789.-eE truefalsnul\\\xff/";
                v.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            for item in [
                "leader",
                "config",
                "sync",
                "members/m",
                "1/members/m",
                "status",
                "optime/leader",
                "history",
                "failover",
                "failsafe",
                "initialize",
            ] {
                let kvs = vec![(format!("/pg/s/{item}").into_bytes(), v.clone())];
                let clusters = parse("/pg", &kvs);
                assert_eq!(clusters.len(), 1, "{item} = {v:?}");
                assert_eq!(clusters[0].scope, "s");
            }
        }
    }

    #[test]
    fn patroni_3_sample() {
        // Patroni 3 still writes role "master", and no receive_lsn/replay_lsn
        // on replicas: lag falls back to xlog_location.
        let c = &only(
            "/p3sample",
            include_str!("../../tests/samples/patroni-3.3.11-p3demo.txt"),
        );
        assert_eq!(c.scope, "p3demo");
        assert_eq!(c.leader.as_deref(), Some("p3demo-2"));
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert!(c.synchronous_mode);
        assert_eq!(c.sync_standbys, ["p3demo-1"]);
        assert_eq!(c.scheduled_switchover, None);
        assert_eq!(c.members.len(), 2);
        let roles: Vec<_> = c
            .members
            .iter()
            .map(|m| (m.name.as_str(), m.role.as_str(), m.version.as_deref()))
            .collect();
        assert_eq!(
            roles,
            [
                ("p3demo-1", "sync_standby", Some("3.3.11")),
                ("p3demo-2", "leader", Some("3.3.11"))
            ]
        );
        assert_eq!(
            c.history,
            [TimelineSwitch {
                timeline: 1,
                lsn: Some(50332080),
                reason: Some("no recovery target specified".into()),
                time: Some("2026-11-23T12:35:22.460545+00:00".into()),
                new_leader: Some("p3demo-2".into()),
            }]
        );
        assert_eq!(c.timeline, Some(2));
        assert_eq!(c.timeline, c.leader_member().and_then(|m| m.timeline));
        assert_eq!(c.system_identifier.as_deref(), Some("7711344382063843037"));
        assert_eq!(c.leader_lsn, Some(50332456));
        let replica = &c.members[0];
        assert_eq!(replica.replication_state.as_deref(), Some("streaming"));
        assert_eq!((replica.receive_lsn, replica.replay_lsn), (None, None));
        assert_eq!(
            (replica.receive_lag_bytes, replica.replay_lag_bytes),
            (Some(0), Some(0))
        );
        assert_eq!(replica.lag_ok, Some(true));
    }
}
