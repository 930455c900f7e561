//! One `members/<name>` key: the state a Patroni node publishes every loop.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A member's role as Patrol presents it: Patroni's own role, resolved
/// against the `leader` and `sync` keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Leader,
    StandbyLeader,
    SyncStandby,
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
            Role::Replica => "replica",
            Role::Other(s) => s,
        }
    }

    fn from_wire(s: &str) -> Role {
        match s {
            "leader" => Role::Leader,
            "standby_leader" => Role::StandbyLeader,
            "sync_standby" => Role::SyncStandby,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    pub replication_state: Option<String>,
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
            role: Role::Other("unknown".into()),
            state: "unknown".into(),
            timeline: None,
            host: None,
            port: None,
            api_url: None,
            version: None,
            replication_state: None,
        };
        let json = match serde_json::from_str::<Value>(value) {
            Ok(Value::Object(map)) => map,
            Ok(_) => {
                warnings.push(format!("members/{name}: value is not a JSON object"));
                return RawMember {
                    member,
                    patroni_role: None,
                };
            }
            Err(e) => {
                warnings.push(format!("members/{name}: malformed JSON ({e})"));
                return RawMember {
                    member,
                    patroni_role: None,
                };
            }
        };
        let text = |field: &str| json.get(field).and_then(Value::as_str).map(str::to_owned);
        if let Some(state) = text("state") {
            member.state = state;
        }
        member.timeline = json.get("timeline").and_then(Value::as_u64);
        member.api_url = text("api_url");
        member.version = text("version");
        member.replication_state = text("replication_state");
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
}
