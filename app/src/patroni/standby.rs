//! A standby cluster's source: the `standby_cluster` section of the dynamic
//! configuration, which tells the cluster's `standby_leader` where to take
//! WAL from (Patroni's `standby_cluster.host`, `port`, `primary_slot_name`,
//! `restore_command`). Patroni keeps no password there; Patrol reads only
//! these four keys, so nothing else in the section reaches a page.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where a standby cluster follows from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandbySource {
    /// One host, or several comma-separated (Patroni passes them to libpq).
    pub host: Option<String>,
    /// As written: Patroni accepts a number or a string.
    pub port: Option<String>,
    pub primary_slot_name: Option<String>,
    pub restore_command: Option<String>,
}

impl StandbySource {
    /// Reads `config.standby_cluster`; `None` when it is absent, null or
    /// empty (not a standby cluster).
    pub fn of(config: &Value) -> Option<StandbySource> {
        let section = config.get("standby_cluster")?.as_object()?;
        if section.is_empty() {
            return None;
        }
        let text = |k: &str| match section.get(k) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        Some(StandbySource {
            host: text("host"),
            port: text("port"),
            primary_slot_name: text("primary_slot_name"),
            restore_command: text("restore_command"),
        })
    }

    /// `host:port` (either part may be missing), or `None` when neither is
    /// set (a source by `restore_command` only).
    pub fn address(&self) -> Option<String> {
        match (&self.host, &self.port) {
            (None, None) => None,
            (Some(h), None) => Some(h.clone()),
            (None, Some(p)) => Some(format!(":{p}")),
            (Some(h), Some(p)) => Some(format!("{h}:{p}")),
        }
    }

    /// The source in one line, as the overview shows it: the address, then
    /// the slot and whether WAL is also restored by command.
    pub fn text(&self) -> String {
        let mut parts = vec![self.address().unwrap_or_else(|| "archive only".to_owned())];
        if let Some(slot) = &self.primary_slot_name {
            parts.push(format!("slot {slot}"));
        }
        if self.restore_command.is_some() {
            parts.push("restore_command".to_owned());
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_source_is_read_from_the_config_section() {
        let c = json!({"standby_cluster": {"host": "10.0.0.5", "port": 5433,
            "primary_slot_name": "dr", "restore_command": "cp /arch/%f %p",
            "create_replica_methods": ["basebackup"]}});
        let s = StandbySource::of(&c).expect("a standby cluster");
        assert_eq!(s.host.as_deref(), Some("10.0.0.5"));
        assert_eq!(s.port.as_deref(), Some("5433"));
        assert_eq!(s.text(), "10.0.0.5:5433, slot dr, restore_command");
        let archive = json!({"standby_cluster": {"restore_command": "cp %f %p"}});
        let s = StandbySource::of(&archive).expect("archive only");
        assert_eq!(
            (s.address(), s.text()),
            (None, "archive only, restore_command".to_owned())
        );
        let port_only = json!({"standby_cluster": {"port": "5433"}});
        assert_eq!(
            StandbySource::of(&port_only)
                .and_then(|s| s.address())
                .as_deref(),
            Some(":5433")
        );
    }

    #[test]
    fn no_section_null_or_empty_is_no_standby() {
        for c in [
            json!({}),
            json!({"standby_cluster": null}),
            json!({"standby_cluster": {}}),
            json!({"standby_cluster": "x"}),
            Value::Null,
        ] {
            assert_eq!(StandbySource::of(&c), None, "{c}");
        }
    }
}
