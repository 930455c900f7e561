//! One `members/<name>` key: the state a Patroni node publishes every loop.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A member's role as Patrol presents it: Patroni's own role, resolved
/// against the `leader` and `sync` keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Leader,
    StandbyLeader,
    SyncStandby,
    /// A standby among quorum mode's voters (`synchronous_mode: quorum`).
    QuorumStandby,
    Replica,
    /// Whatever else the member key says (e.g. `primary` without holding the
    /// leader key, or a role a future Patroni adds), kept verbatim.
    Other(String),
}

impl Role {
    pub fn as_str(&self) -> &str {
        match self {
            Role::Leader => "leader",
            Role::StandbyLeader => "standby_leader",
            Role::SyncStandby => "sync_standby",
            Role::QuorumStandby => "quorum_standby",
            Role::Replica => "replica",
            Role::Other(s) => s,
        }
    }

    fn from_wire(s: &str) -> Role {
        match s {
            "leader" => Role::Leader,
            "standby_leader" => Role::StandbyLeader,
            "sync_standby" => Role::SyncStandby,
            "quorum_standby" => Role::QuorumStandby,
            "replica" => Role::Replica,
            other => Role::Other(other.to_owned()),
        }
    }
}

impl Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Role::from_wire(&s))
    }
}

/// A cluster member as read from its key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub role: Role,
    /// Patroni's `state` (`running`, `streaming`, `starting`, ...), or `unknown`.
    pub state: String,
    pub timeline: Option<u64>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub api_url: Option<String>,
    /// Patroni version the member runs.
    pub version: Option<String>,
    /// `streaming` or `in archive recovery` on a replica.
    pub replication_state: Option<String>,
    /// WAL position Patroni reports (`xlog_location`): the write position on
    /// a primary, the furthest of received and replayed on a replica.
    pub wal_lsn: Option<u64>,
    pub receive_lsn: Option<u64>,
    pub replay_lsn: Option<u64>,
    /// Bytes the replica has yet to receive from the leader's position.
    pub receive_lag_bytes: Option<u64>,
    /// Bytes the replica has yet to replay.
    pub replay_lag_bytes: Option<u64>,
    /// Whether the replica is within `maximum_lag_on_failover`; `None` for
    /// the leader and when the lag cannot be computed.
    pub lag_ok: Option<bool>,
    /// Patroni tags (`nofailover`, `noloadbalance`, `clonefrom`, `nosync`,
    /// `replicatefrom`, `failover_priority`, and any custom ones), verbatim.
    pub tags: BTreeMap<String, Value>,
    pub pending_restart: bool,
    /// Parameters waiting for a restart, as `name: old → new`.
    pub pending_restart_reason: Vec<String>,
    /// When a restart is scheduled (ISO time, as Patroni wrote it).
    pub scheduled_restart: Option<String>,
    /// The conditions Patroni stored with the scheduled restart, in words
    /// (`only if a restart is pending`, `only as replica`, ...).
    #[serde(default)]
    pub scheduled_restart_conditions: Vec<String>,
    /// PostgreSQL's version, from the member's REST API (etcd does not have
    /// it); filled in by the server, `None` until the member has answered.
    #[serde(default)]
    pub postgres_version: Option<String>,
}

impl Default for Role {
    fn default() -> Self {
        Role::Other("unknown".into())
    }
}

impl Member {
    /// The member this one streams from when cascading (`replicatefrom` tag).
    pub fn replicatefrom(&self) -> Option<&str> {
        self.tags.get("replicatefrom").and_then(Value::as_str)
    }

    /// Whether a boolean tag such as `nofailover` is set (Patroni accepts
    /// `true` and the strings `"true"`/`"on"`/`"yes"`).
    pub fn tag_set(&self, tag: &str) -> bool {
        match self.tags.get(tag) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => {
                matches!(s.to_ascii_lowercase().as_str(), "true" | "on" | "yes" | "1")
            }
            Some(Value::Number(n)) => n.as_i64() == Some(1),
            _ => false,
        }
    }

    /// Whether PostgreSQL is up on this member.
    pub fn is_running(&self) -> bool {
        matches!(self.state.as_str(), "running" | "streaming")
    }

    /// Whether this replica streams WAL. Patroni 3+ writes `state: running`
    /// and says how in `replication_state` (`streaming` or `in archive
    /// recovery`), which then decides; without it, only an older `state:
    /// streaming` counts.
    pub fn is_streaming(&self) -> bool {
        match self.replication_state.as_deref() {
            Some(r) => r == "streaming",
            None => self.state == "streaming",
        }
    }

    /// The state as `patronictl list` shows it: a member other than the
    /// leader shows its `replication_state` when it has one, everyone else
    /// shows `state`.
    pub fn shown_state(&self) -> &str {
        shown_state(&self.role, &self.state, self.replication_state.as_deref())
    }

    /// The position this member has reached, as Patroni compares it for failover.
    pub fn position(&self) -> Option<u64> {
        match (self.wal_lsn, self.receive_lsn, self.replay_lsn) {
            (Some(w), _, _) => Some(w),
            (None, r, p) => r.max(p),
        }
    }
}

/// `patronictl list`'s State column: `replication_state` for any member
/// but the leader (a standby leader replicates too), if set, else `state`.
pub fn shown_state<'a>(role: &Role, state: &'a str, replication_state: Option<&'a str>) -> &'a str {
    match replication_state {
        Some(r) if *role != Role::Leader && !r.is_empty() => r,
        _ => state,
    }
}

/// What a member key says, before the cluster-level keys resolve its role.
pub(super) struct RawMember {
    pub member: Member,
    /// Patroni's role string (`primary`, `master`, `replica`, `standby_leader`).
    pub patroni_role: Option<String>,
}

impl RawMember {
    /// Parses a member value. Never fails: a malformed value yields a member
    /// with unknown fields and a warning.
    pub fn parse(name: &str, value: &str, warnings: &mut Vec<String>) -> RawMember {
        let mut member = Member {
            name: name.to_owned(),
            state: "unknown".into(),
            ..Member::default()
        };
        let Some(json) = super::json::object(&format!("members/{name}"), value, warnings) else {
            return RawMember {
                member,
                patroni_role: None,
            };
        };
        let text = |field: &str| json.get(field).and_then(Value::as_str).map(str::to_owned);
        match text("state") {
            Some(state) => member.state = state,
            None => warnings.push(format!("members/{name}: no state")),
        }
        if text("role").is_none() {
            warnings.push(format!("members/{name}: no role"));
        }
        member.timeline = json.get("timeline").and_then(Value::as_u64);
        member.api_url = text("api_url");
        member.version = text("version");
        member.replication_state = text("replication_state");
        member.wal_lsn = lsn(&json, "xlog_location");
        member.receive_lsn = lsn(&json, "receive_lsn");
        member.replay_lsn = lsn(&json, "replay_lsn");
        match json.get("tags") {
            Some(Value::Object(tags)) => {
                member.tags = tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
            }
            Some(Value::Null) | None => {}
            Some(_) => warnings.push(format!("members/{name}: tags is not an object")),
        }
        member.pending_restart = json.get("pending_restart").and_then(Value::as_bool) == Some(true);
        if let Some(Value::Object(reasons)) = json.get("pending_restart_reason") {
            member.pending_restart_reason =
                reasons.iter().map(|(k, v)| restart_reason(k, v)).collect();
        }
        if let Some(Value::Object(s)) = json.get("scheduled_restart") {
            let at = s.get("schedule").and_then(Value::as_str);
            member.scheduled_restart = Some(at.unwrap_or("scheduled").to_owned());
            member.scheduled_restart_conditions = s
                .iter()
                .filter_map(|(k, v)| restart_condition(k, v))
                .collect();
        }
        match text("conn_url").as_deref().map(host_port) {
            Some(Some((host, port))) => {
                member.host = Some(host);
                member.port = port;
            }
            Some(None) => warnings.push(format!("members/{name}: unreadable conn_url")),
            None => warnings.push(format!("members/{name}: no conn_url")),
        }
        RawMember {
            member,
            patroni_role: text("role"),
        }
    }
}

/// A WAL position: Patroni writes LSNs as integers; older or foreign
/// writers may use PostgreSQL's `16/B374D848` text form.
pub(super) fn lsn(json: &serde_json::Map<String, Value>, field: &str) -> Option<u64> {
    match json.get(field)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => parse_lsn(s),
        _ => None,
    }
}

/// Parses PostgreSQL's `XXXXXXXX/XXXXXXXX` LSN text.
pub fn parse_lsn(text: &str) -> Option<u64> {
    let (hi, lo) = text.trim().split_once('/')?;
    let hi = u32::from_str_radix(hi, 16).ok()?;
    let lo = u32::from_str_radix(lo, 16).ok()?;
    Some((u64::from(hi) << 32) | u64::from(lo))
}

/// One pending-restart parameter as `name: old → new`.
fn restart_reason(param: &str, diff: &Value) -> String {
    let side = |k: &str| match diff.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "?".into(),
        Some(v) => v.to_string(),
    };
    if diff.is_object() {
        format!("{param}: {} → {}", side("old_value"), side("new_value"))
    } else {
        format!("{param}: {diff}")
    }
}

/// One condition of a scheduled restart in words; `None` for what is not a
/// condition (the time itself, the postmaster start Patroni compares).
fn restart_condition(key: &str, value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Some(match key {
        "schedule" | "postmaster_start_time" => return None,
        "restart_pending" if value.as_bool() == Some(false) => return None,
        "restart_pending" => "only if a restart is pending".to_owned(),
        "role" => format!("only as {text}"),
        "postgres_version" => format!("only if PostgreSQL is older than {text}"),
        "timeout" => format!("timeout {text} s"),
        other => format!("{other}: {text}"),
    })
}

/// Host and port of a libpq URL such as `postgres://10.0.0.1:5432/postgres`
/// or `postgresql://user@[::1]:5433/db`.
fn host_port(url: &str) -> Option<(String, Option<u16>)> {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))?;
    let authority = rest.split(['/', '?']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok()?),
        None => None,
    };
    Some((host.to_owned(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_forms() {
        assert_eq!(
            host_port("postgres://127.0.0.1:54321/postgres"),
            Some(("127.0.0.1".into(), Some(54321)))
        );
        assert_eq!(
            host_port("postgresql://u@[::1]:5433/db"),
            Some(("::1".into(), Some(5433)))
        );
        assert_eq!(
            host_port("postgres://db1/postgres"),
            Some(("db1".into(), None))
        );
        assert_eq!(host_port("postgres://db1:notaport/x"), None);
        assert_eq!(host_port("http://db1:5432"), None);
        assert_eq!(host_port("postgres:///x"), None);
    }

    #[test]
    fn full_member() {
        let mut w = Vec::new();
        let raw = RawMember::parse(
            "pg-meta-2",
            r#"{"conn_url":"postgres://127.0.0.1:54322/postgres","api_url":"http://127.0.0.1:8009/patroni","state":"running","role":"replica","version":"4.1.5","xlog_location":67417048,"replay_lsn":67417048,"receive_lsn":67417048,"replication_state":"streaming","timeline":1}"#,
            &mut w,
        );
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(raw.patroni_role.as_deref(), Some("replica"));
        let m = raw.member;
        assert_eq!(m.host.as_deref(), Some("127.0.0.1"));
        assert_eq!(m.port, Some(54322));
        assert_eq!(m.timeline, Some(1));
        assert_eq!(m.state, "running");
        assert_eq!(m.replication_state.as_deref(), Some("streaming"));
        assert_eq!(m.api_url.as_deref(), Some("http://127.0.0.1:8009/patroni"));
    }

    #[test]
    fn tags_restart_and_lsn_forms() {
        let mut w = Vec::new();
        let raw = RawMember::parse(
            "r",
            r#"{"conn_url":"postgres://h:1/p","state":"running","role":"replica","receive_lsn":"0/5000060","replay_lsn":83886176,"tags":{"nofailover":true,"replicatefrom":"a","failover_priority":2},"pending_restart":true,"pending_restart_reason":{"max_connections":{"old_value":"50","new_value":"60"}},"scheduled_restart":{"schedule":"2026-11-23T10:00:00+00:00"}}"#,
            &mut w,
        );
        assert!(w.is_empty(), "{w:?}");
        let m = raw.member;
        assert_eq!(m.receive_lsn, Some(0x5000060));
        assert_eq!(m.replay_lsn, Some(83886176));
        assert_eq!(m.position(), Some(0x5000060));
        assert!(m.tag_set("nofailover"));
        assert!(!m.tag_set("nosync"));
        assert_eq!(m.replicatefrom(), Some("a"));
        assert!(m.pending_restart);
        assert_eq!(m.pending_restart_reason, ["max_connections: 50 → 60"]);
        assert_eq!(
            m.scheduled_restart.as_deref(),
            Some("2026-11-23T10:00:00+00:00")
        );
        assert!(m.scheduled_restart_conditions.is_empty());
        assert_eq!(parse_lsn("16/B374D848"), Some(0x16_B374_D848));
        assert_eq!(parse_lsn("nonsense"), None);
    }

    #[test]
    fn malformed_values_warn_and_keep_the_member() {
        for value in ["{not json", "[1,2]", "\"x\"", "", "{\"timeline\":\"one\"}"] {
            let mut w = Vec::new();
            let raw = RawMember::parse("m", value, &mut w);
            assert_eq!(raw.member.name, "m");
            assert_eq!(raw.member.timeline, None);
            assert!(!w.is_empty(), "no warning for {value:?}");
        }
    }

    #[test]
    fn roles_round_trip_as_strings() {
        for role in [
            Role::Leader,
            Role::SyncStandby,
            Role::QuorumStandby,
            Role::Other("demoted".into()),
        ] {
            let json = serde_json::to_string(&role).expect("serialize");
            assert_eq!(
                serde_json::from_str::<Role>(&json).expect("deserialize"),
                role
            );
        }
        assert_eq!(
            serde_json::to_string(&Role::StandbyLeader).ok().as_deref(),
            Some("\"standby_leader\"")
        );
    }

    /// The member values of an `etcdctl get --prefix` dump, by name.
    fn sample_members(dump: &str) -> Vec<(String, String)> {
        let lines: Vec<&str> = dump.lines().collect();
        lines
            .chunks(2)
            .filter_map(|kv| {
                let name = kv[0].rsplit_once("/members/")?.1;
                Some((name.to_owned(), kv.get(1)?.to_string()))
            })
            .collect()
    }

    const SAMPLES: [&str; 4] = [
        include_str!("../../tests/samples/patroni-4.1.5-pg-meta.txt"),
        include_str!("../../tests/samples/patroni-4.1.5-mycluster.txt"),
        include_str!("../../tests/samples/patroni-4.0.1-pigsty-pg-meta.txt"),
        include_str!("../../tests/samples/patroni-3.3.11-p3demo.txt"),
    ];

    #[test]
    fn real_replicas_show_streaming_as_patronictl_does() {
        let mut replicas = 0;
        for dump in SAMPLES {
            let members = sample_members(dump);
            assert!(!members.is_empty());
            for (name, value) in members {
                let mut w = Vec::new();
                let raw = RawMember::parse(&name, &value, &mut w);
                assert!(w.is_empty(), "{name}: {w:?}");
                let mut m = raw.member;
                // Patroni 3+ writes `running` for every member that is up.
                assert_eq!(m.state, "running", "{name}");
                assert!(m.is_running(), "{name}");
                if raw.patroni_role.as_deref() == Some("replica") {
                    replicas += 1;
                    m.role = Role::Replica;
                    assert_eq!(m.replication_state.as_deref(), Some("streaming"));
                    assert_eq!(m.shown_state(), "streaming", "{name}");
                    assert!(m.is_streaming(), "{name}");
                } else {
                    m.role = Role::Leader;
                    assert_eq!(m.replication_state, None, "{name}");
                    assert_eq!(m.shown_state(), "running", "{name}");
                    assert!(!m.is_streaming(), "{name}");
                }
            }
        }
        assert_eq!(replicas, 5, "replicas across the samples");
    }

    #[test]
    fn a_replica_in_archive_recovery_is_running_but_not_streaming() {
        let (name, value) = sample_members(SAMPLES[0]).remove(1);
        let value = value.replace(
            r#""replication_state":"streaming""#,
            r#""replication_state":"in archive recovery""#,
        );
        let mut m = RawMember::parse(&name, &value, &mut Vec::new()).member;
        m.role = Role::Replica;
        assert_eq!(m.state, "running");
        assert!(m.is_running());
        assert!(!m.is_streaming());
        assert_eq!(m.shown_state(), "in archive recovery");
        // The same on a sync standby and a standby leader (which replicates
        // from outside the cluster); only the leader shows `state`.
        for role in [Role::SyncStandby, Role::StandbyLeader] {
            assert_eq!(
                shown_state(&role, "running", Some("in archive recovery")),
                "in archive recovery"
            );
        }
        assert_eq!(
            shown_state(&Role::Leader, "running", Some("streaming")),
            "running"
        );
        assert_eq!(shown_state(&Role::Replica, "starting", None), "starting");
        assert_eq!(shown_state(&Role::Replica, "running", Some("")), "running");
    }

    #[test]
    fn an_older_patroni_says_streaming_in_state() {
        let value = r#"{"conn_url":"postgres://h:1/p","state":"streaming","role":"replica"}"#;
        let mut m = RawMember::parse("old", value, &mut Vec::new()).member;
        m.role = Role::Replica;
        assert!(m.is_running());
        assert!(m.is_streaming());
        assert_eq!(m.shown_state(), "streaming");
        let plain = r#"{"conn_url":"postgres://h:1/p","state":"running","role":"replica"}"#;
        let m = RawMember::parse("old", plain, &mut Vec::new()).member;
        assert!(
            !m.is_streaming(),
            "running without replication_state says nothing of streaming"
        );
    }

    #[test]
    fn scheduled_restart_conditions_in_words() {
        let value = r#"{"conn_url":"postgres://h:1/p","state":"running","role":"replica","scheduled_restart":{"schedule":"2030-01-01T10:00:00+00:00","restart_pending":true,"role":"replica","postgres_version":"15.9","timeout":30,"postmaster_start_time":"2029-12-31 10:00:00+00"}}"#;
        let m = RawMember::parse("r", value, &mut Vec::new()).member;
        assert_eq!(
            m.scheduled_restart.as_deref(),
            Some("2030-01-01T10:00:00+00:00")
        );
        assert_eq!(
            m.scheduled_restart_conditions,
            [
                "only if PostgreSQL is older than 15.9",
                "only if a restart is pending",
                "only as replica",
                "timeout 30 s",
            ]
        );
    }
}
