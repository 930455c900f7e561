//! Cluster-wide keys: `config`, `sync`, `status`, `history`, `failover`,
//! `failsafe`. Each parser takes the raw text and a warning list, and returns
//! what it could read; nothing here fails.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::json::{as_object, object, parse_json};
use super::member::lsn;

/// Patroni's default `maximum_lag_on_failover` (1 MiB).
pub const DEFAULT_MAXIMUM_LAG: u64 = 1_048_576;

/// What Patrol reads from the dynamic configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub json: Value,
    pub paused: bool,
    pub sync_mode: SyncMode,
    /// `synchronous_node_count`, when set.
    pub synchronous_node_count: Option<u64>,
    pub failsafe_mode: bool,
    pub maximum_lag_on_failover: u64,
    pub standby_cluster: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            json: Value::Null,
            paused: false,
            sync_mode: SyncMode::Off,
            synchronous_node_count: None,
            failsafe_mode: false,
            maximum_lag_on_failover: DEFAULT_MAXIMUM_LAG,
            standby_cluster: false,
        }
    }
}

/// Reads `config`. Patroni accepts `"on"`/`"true"` strings for its flags,
/// so Patrol does too.
pub fn config(text: &str, warnings: &mut Vec<String>) -> Config {
    let Some(json) = object("config", text, warnings).map(Value::Object) else {
        return Config::default();
    };
    let flag = |k: &str| truthy(json.get(k));
    let maximum_lag_on_failover = match json.get("maximum_lag_on_failover") {
        None | Some(Value::Null) => DEFAULT_MAXIMUM_LAG,
        Some(Value::Number(n)) => n.as_u64().unwrap_or(DEFAULT_MAXIMUM_LAG),
        Some(Value::String(s)) => s.trim().parse().unwrap_or_else(|_| {
            warnings.push(format!(
                "config: maximum_lag_on_failover {s:?} is not a number; assuming {DEFAULT_MAXIMUM_LAG}"
            ));
            DEFAULT_MAXIMUM_LAG
        }),
        Some(other) => {
            warnings.push(format!(
                "config: maximum_lag_on_failover {other} is not a number; assuming {DEFAULT_MAXIMUM_LAG}"
            ));
            DEFAULT_MAXIMUM_LAG
        }
    };
    Config {
        paused: flag("pause"),
        sync_mode: SyncMode::of(json.get("synchronous_mode")),
        synchronous_node_count: json.get("synchronous_node_count").and_then(number),
        failsafe_mode: flag("failsafe_mode"),
        maximum_lag_on_failover,
        standby_cluster: matches!(json.get("standby_cluster"), Some(Value::Object(o)) if !o.is_empty()),
        json,
    }
}

/// A count Patroni accepts as a number or a string of digits.
fn number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `synchronous_mode`: off, on (one or more synchronous standbys, by
/// priority) or quorum (`ANY n` of the standbys, Patroni 4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncMode {
    #[default]
    Off,
    On,
    Quorum,
}

impl SyncMode {
    fn of(v: Option<&Value>) -> SyncMode {
        match v {
            Some(Value::String(s)) if s.eq_ignore_ascii_case("quorum") => SyncMode::Quorum,
            v if truthy(v) => SyncMode::On,
            _ => SyncMode::Off,
        }
    }
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => {
            matches!(s.to_ascii_lowercase().as_str(), "on" | "true" | "yes" | "1")
        }
        _ => false,
    }
}

/// What the `sync` key says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sync {
    /// `sync_standby`: one name, or a comma-separated list (several
    /// synchronous standbys, or quorum mode's voters).
    pub standbys: Vec<String>,
    /// `quorum` (Patroni 4): how many of the standbys must be asked to be
    /// sure of seeing the last committed transaction.
    pub quorum: Option<u64>,
}

/// Reads the `sync` key.
pub fn sync(text: &str, warnings: &mut Vec<String>) -> Sync {
    let Some(v) = parse_json("sync", text, warnings) else {
        return Sync::default();
    };
    let standbys = v
        .get("sync_standby")
        .and_then(Value::as_str)
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Sync {
        standbys,
        quorum: v.get("quorum").and_then(number),
    }
}

/// The leader's last reported WAL position: `optime` in `status`, or the
/// bare number an older Patroni kept in `optime/leader`.
pub fn optime(text: &str, warnings: &mut Vec<String>) -> Option<u64> {
    match parse_json("status", text, warnings)? {
        Value::Number(n) => n.as_u64(),
        v => lsn(&as_object("status", v, warnings)?, "optime"),
    }
}

/// One row of the `history` key: a timeline switch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineSwitch {
    /// The timeline that ended.
    pub timeline: u64,
    /// Where it ended.
    pub lsn: Option<u64>,
    pub reason: Option<String>,
    /// When (ISO time); Patroni before 1.6 did not record it.
    pub time: Option<String>,
    /// Who was promoted; Patroni before 2.0 did not record it.
    pub new_leader: Option<String>,
}

/// Reads `history`: `[[timeline, lsn, reason, time?, new_leader?], ...]`.
/// Rows that cannot be read are skipped with a warning.
pub fn history(text: &str, warnings: &mut Vec<String>) -> Vec<TimelineSwitch> {
    let rows = match parse_json("history", text, warnings) {
        Some(Value::Array(rows)) => rows,
        Some(_) => {
            warnings.push("history: not a JSON array".into());
            return Vec::new();
        }
        None => return Vec::new(),
    };
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let Some(fields) = row.as_array() else {
            warnings.push(format!("history: row {i} is not an array"));
            continue;
        };
        let Some(timeline) = fields.first().and_then(Value::as_u64) else {
            warnings.push(format!("history: row {i} has no timeline"));
            continue;
        };
        let text = |n: usize| fields.get(n).and_then(Value::as_str).map(str::to_owned);
        let lsn = match fields.get(1) {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => super::member::parse_lsn(s),
            _ => None,
        };
        out.push(TimelineSwitch {
            timeline,
            lsn,
            reason: text(2),
            time: text(3),
            new_leader: text(4),
        });
    }
    out
}

/// A switchover or failover Patroni has been asked for but not yet done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSwitchover {
    /// The leader it moves away from, if named.
    pub from: Option<String>,
    /// The candidate, if named.
    pub to: Option<String>,
    /// ISO time it is due; `None` means as soon as possible.
    pub scheduled_at: Option<String>,
}

/// Reads `failover`; `{}` (what Patroni leaves behind) means none.
pub fn failover(text: &str, warnings: &mut Vec<String>) -> Option<PendingSwitchover> {
    if text.trim().is_empty() {
        return None;
    }
    let map = object("failover", text, warnings)?;
    let text = |k: &str| {
        map.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let pending = PendingSwitchover {
        from: text("leader"),
        to: text("member"),
        scheduled_at: text("scheduled_at"),
    };
    (pending.from.is_some() || pending.to.is_some() || pending.scheduled_at.is_some())
        .then_some(pending)
}

/// Member names in the `failsafe` key (`{name: api_url}`).
pub fn failsafe(text: &str, warnings: &mut Vec<String>) -> Vec<String> {
    object("failsafe", text, warnings)
        .map(|map| map.keys().cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_flags_and_defaults() {
        let mut w = Vec::new();
        let c = config(
            r#"{"pause":"on","synchronous_mode":true,"failsafe_mode":false,"maximum_lag_on_failover":"2048","standby_cluster":{"host":"x"}}"#,
            &mut w,
        );
        assert!(w.is_empty(), "{w:?}");
        assert!(c.paused && c.sync_mode == SyncMode::On && !c.failsafe_mode && c.standby_cluster);
        assert_eq!(c.maximum_lag_on_failover, 2048);
        let c = config("{}", &mut w);
        assert_eq!(c.maximum_lag_on_failover, DEFAULT_MAXIMUM_LAG);
        assert!(!c.paused);
        let c = config(r#"{"maximum_lag_on_failover":[1]}"#, &mut w);
        assert_eq!(c.maximum_lag_on_failover, DEFAULT_MAXIMUM_LAG);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn history_of_every_vintage() {
        let mut w = Vec::new();
        let rows = history(
            r#"[[1,25165984,"no recovery target specified"],[2,"0/3000060","no recovery target specified","2026-11-22T11:42:18+00:00"],[3,67109256,"no recovery target specified","2026-11-22T11:42:18+00:00","pg-meta-2"],"junk",[null]]"#,
            &mut w,
        );
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].time, None);
        assert_eq!(rows[1].lsn, Some(0x3000060));
        assert_eq!(rows[1].new_leader, None);
        assert_eq!(rows[2].new_leader.as_deref(), Some("pg-meta-2"));
        assert_eq!(w.len(), 2, "{w:?}");
    }

    #[test]
    fn failover_key_shapes() {
        let mut w = Vec::new();
        assert_eq!(failover("{}", &mut w), None);
        let p = failover(
            r#"{"leader":"a","member":"b","scheduled_at":"2026-11-23T12:00:00+00:00"}"#,
            &mut w,
        )
        .expect("pending");
        assert_eq!(p.to.as_deref(), Some("b"));
        assert!(p.scheduled_at.is_some());
        assert_eq!(failover("[", &mut w), None);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn optime_in_both_layouts() {
        let mut w = Vec::new();
        assert_eq!(
            optime(r#"{"optime":67417048,"slots":{}}"#, &mut w),
            Some(67417048)
        );
        assert_eq!(optime("67417048", &mut w), Some(67417048));
        assert_eq!(optime(r#"{"slots":{}}"#, &mut w), None);
        assert!(w.is_empty());
    }

    #[test]
    fn quorum_mode_and_its_sync_key() {
        let mut w = Vec::new();
        let c = config(
            r#"{"synchronous_mode":"quorum","synchronous_node_count":"2"}"#,
            &mut w,
        );
        assert_eq!(c.sync_mode, SyncMode::Quorum);
        assert_eq!(c.synchronous_node_count, Some(2));
        for (text, mode) in [
            (r#"{"synchronous_mode":"QUORUM"}"#, SyncMode::Quorum),
            (r#"{"synchronous_mode":"on"}"#, SyncMode::On),
            (r#"{"synchronous_mode":false}"#, SyncMode::Off),
            (r#"{}"#, SyncMode::Off),
        ] {
            assert_eq!(config(text, &mut w).sync_mode, mode, "{text}");
        }
        let s = sync(
            r#"{"leader":"q1","sync_standby":"q2, q3","quorum":1}"#,
            &mut w,
        );
        assert_eq!(s.standbys, ["q2", "q3"]);
        assert_eq!(s.quorum, Some(1));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(sync("{", &mut w), Sync::default());
        assert_eq!(w.len(), 1, "{w:?}");
    }
}
