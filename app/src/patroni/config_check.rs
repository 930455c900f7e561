//! Checks a proposed dynamic configuration before Patrol sends it to
//! Patroni, and turns "the whole new configuration" into the merge patch
//! Patroni's `PATCH /config` takes.
//!
//! Patroni itself accepts any JSON here; a typo in a PostgreSQL parameter
//! only shows when a member restarts and PostgreSQL refuses to start. So
//! the settings Patrol knows are typed (a wrong type is an error that stops
//! the edit) and anything it does not know is a warning.

use serde_json::{Map, Value};

/// What a setting's value must look like.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A whole number (or its string form) in `min..=max`.
    Int(i64, i64),
    /// `true`/`false`, or the strings PostgreSQL and Patroni read as such.
    Bool,
    /// `true`/`false` or `"quorum"` (`synchronous_mode`).
    SyncMode,
    /// A time: a number, or a number with `us`, `ms`, `s`, `min`, `h`, `d`.
    Duration,
    Object,
    List,
}

/// Patroni's dynamic settings at the top of `config`.
const PATRONI: &[(&str, Kind)] = &[
    ("loop_wait", Kind::Int(1, 86_400)),
    ("ttl", Kind::Int(20, 86_400)),
    ("retry_timeout", Kind::Int(3, 86_400)),
    ("maximum_lag_on_failover", Kind::Int(0, i64::MAX)),
    ("maximum_lag_on_syncnode", Kind::Int(-1, i64::MAX)),
    ("max_timelines_history", Kind::Int(0, i64::MAX)),
    ("primary_start_timeout", Kind::Int(0, i64::MAX)),
    ("primary_stop_timeout", Kind::Int(0, i64::MAX)),
    ("master_start_timeout", Kind::Int(0, i64::MAX)),
    ("master_stop_timeout", Kind::Int(0, i64::MAX)),
    ("synchronous_mode", Kind::SyncMode),
    ("synchronous_mode_strict", Kind::Bool),
    ("synchronous_node_count", Kind::Int(1, 1_000)),
    ("failsafe_mode", Kind::Bool),
    ("check_timeline", Kind::Bool),
    ("pause", Kind::Bool),
    ("member_slots_ttl", Kind::Duration),
    ("postgresql", Kind::Object),
    ("standby_cluster", Kind::Object),
    ("slots", Kind::Object),
    ("permanent_slots", Kind::Object),
    ("permanent_replication_slots", Kind::Object),
    ("ignore_slots", Kind::List),
];

/// Patroni's settings under `config.postgresql`.
const POSTGRESQL: &[(&str, Kind)] = &[
    ("use_pg_rewind", Kind::Bool),
    ("use_slots", Kind::Bool),
    ("parameters", Kind::Object),
    ("pg_hba", Kind::List),
    ("pg_ident", Kind::List),
    ("recovery_conf", Kind::Object),
    ("remove_data_directory_on_rewind_failure", Kind::Bool),
    ("remove_data_directory_on_diverged_timelines", Kind::Bool),
];

/// PostgreSQL 15's parameters as `pg_settings` describes them: name,
/// type, unit, context, min, max, enum values. Made with
/// `psql -AtF $'\t' -c "select name, vartype, coalesce(unit,''), context,
/// coalesce(min_val,''), coalesce(max_val,''),
/// coalesce(array_to_string(enumvals, ','),'') from pg_settings
/// where name not like '%.%' order by name"`.
const PG_SETTINGS: &str = include_str!("pg15_parameters.tsv");

/// One PostgreSQL parameter, from [`PG_SETTINGS`].
struct Parameter<'a> {
    vartype: &'a str,
    unit: &'a str,
    context: &'a str,
    min: &'a str,
    max: &'a str,
    enumvals: &'a str,
}

fn parameter(name: &str) -> Option<Parameter<'static>> {
    PG_SETTINGS.lines().find_map(|line| {
        let mut f = line.split('\t');
        (f.next()? == name).then_some(())?;
        Some(Parameter {
            vartype: f.next()?,
            unit: f.next()?,
            context: f.next()?,
            min: f.next()?,
            max: f.next()?,
            enumvals: f.next().unwrap_or_default(),
        })
    })
}

const MEMORY_UNITS: &[&str] = &["B", "kB", "MB", "GB", "TB"];
const TIME_UNITS: &[&str] = &["us", "ms", "s", "min", "h", "d"];

impl Parameter<'_> {
    /// Whether PostgreSQL would take `value`; else what it wants, in words.
    fn accepts(&self, value: &Value) -> Result<(), String> {
        let text = match value {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return Err("a single value".into()),
        };
        let units: &[&str] = match self.unit {
            "" => &[],
            "B" | "kB" | "MB" | "8kB" => MEMORY_UNITS,
            _ => TIME_UNITS,
        };
        let in_range = |n: f64| {
            let bound = |b: &str, d: f64| b.parse::<f64>().unwrap_or(d);
            n >= bound(self.min, f64::MIN) && n <= bound(self.max, f64::MAX)
        };
        let number = |integer: bool| match text.parse::<f64>() {
            Ok(n) if integer && n.fract() != 0.0 => Err("a whole number".to_owned()),
            Ok(n) if in_range(n) => Ok(()),
            Ok(_) => Err(format!("within {}..{}", self.min, self.max)),
            Err(_) if !units.is_empty() && with_unit(&text, units) => Ok(()),
            Err(_) if units.is_empty() => Err(format!(
                "a {}",
                if integer { "whole number" } else { "number" }
            )),
            Err(_) => Err(format!("a number with a unit ({})", units.join(", "))),
        };
        match self.vartype {
            "bool" if is_bool(&text) => Ok(()),
            "bool" => Err("true or false".into()),
            "integer" => number(true),
            "real" => number(false),
            "enum" => {
                let lower = text.to_ascii_lowercase();
                // PostgreSQL also takes on/off words for several enums.
                if self.enumvals.split(',').any(|v| v == lower) || is_bool(&lower) {
                    Ok(())
                } else {
                    Err(format!("one of {}", self.enumvals.replace(',', ", ")))
                }
            }
            _ => Ok(()),
        }
    }
}

/// Parameters each member sets for itself in `patroni.yml`; Patroni
/// ignores them in the dynamic configuration.
const LOCAL_ONLY: &[&str] = &[
    "listen_addresses",
    "port",
    "cluster_name",
    "data_directory",
    "hba_file",
    "ident_file",
    "config_file",
];

/// What Patrol found in a proposed configuration.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Findings {
    /// Wrong types and impossible values: the edit stops here.
    pub errors: Vec<String>,
    /// Unknown settings and risky values: shown, the edit may go on.
    pub warnings: Vec<String>,
}

/// Checks `config` (the whole proposed dynamic configuration).
pub fn check(config: &Value) -> Findings {
    let mut f = Findings::default();
    let Value::Object(top) = config else {
        f.errors
            .push("the configuration must be a JSON object".into());
        return f;
    };
    check_table(top, PATRONI, "", &mut f);
    if let Some(Value::Object(pg)) = top.get("postgresql") {
        check_table(pg, POSTGRESQL, "postgresql.", &mut f);
        if let Some(Value::Object(params)) = pg.get("parameters") {
            check_parameters(params, &mut f);
        }
    }
    timeouts(top, &mut f);
    f
}

fn check_table(map: &Map<String, Value>, table: &[(&str, Kind)], at: &str, f: &mut Findings) {
    for (name, value) in map {
        match table.iter().find(|(n, _)| n == name) {
            Some((_, kind)) => typed(&format!("{at}{name}"), value, *kind, f),
            None => f.warnings.push(format!(
                "{at}{name} is not a setting Patrol knows: check the spelling, Patroni ignores what it does not know"
            )),
        }
    }
}

fn check_parameters(params: &Map<String, Value>, f: &mut Findings) {
    for (name, value) in params {
        let at = format!("postgresql.parameters.{name}");
        if LOCAL_ONLY.contains(&name.as_str()) {
            f.warnings.push(format!(
                "{at}: each member sets this in its own patroni.yml; Patroni ignores it here"
            ));
        } else if let Some(p) = parameter(name) {
            if p.context == "internal" {
                f.warnings.push(format!(
                    "{at}: PostgreSQL fixes this when it is built or initialised; setting it changes nothing"
                ));
            } else if let Err(wanted) = p.accepts(value) {
                f.errors.push(format!("{at}: {value} is not {wanted}"));
            }
        } else if !name.contains('.') {
            // Dotted names belong to extensions, which PostgreSQL accepts.
            f.warnings.push(format!(
                "{at} is not a parameter Patrol knows: check the spelling, PostgreSQL refuses an unknown parameter when it starts"
            ));
        }
    }
}

/// Whether a change of `name` takes effect only after a restart.
pub fn needs_restart(name: &str) -> bool {
    parameter(name).is_some_and(|p| p.context == "postmaster")
}

fn typed(at: &str, value: &Value, kind: Kind, f: &mut Findings) {
    if value.is_null() {
        return; // removes the setting
    }
    let text = match value {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let ok = match (kind, &text) {
        (Kind::Object, _) => value.is_object(),
        (Kind::List, _) => value.is_array(),
        (_, None) => false,
        (Kind::Int(min, max), Some(t)) => match t.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => true,
            Ok(n) => {
                let range = if max == i64::MAX {
                    format!("at least {min}")
                } else {
                    format!("from {min} to {max}")
                };
                f.errors
                    .push(format!("{at}: {n} is out of range ({range})"));
                return;
            }
            Err(_) => false,
        },
        (Kind::Bool, Some(t)) => is_bool(t),
        (Kind::SyncMode, Some(t)) => is_bool(t) || t == "quorum",
        (Kind::Duration, Some(t)) => with_unit(t, TIME_UNITS),
    };
    if !ok {
        f.errors
            .push(format!("{at}: {value} is not {}", expected(kind)));
    }
}

fn expected(kind: Kind) -> String {
    match kind {
        Kind::Int(..) => "a whole number".into(),
        Kind::Bool => "true or false".into(),
        Kind::SyncMode => "true, false or \"quorum\"".into(),
        Kind::Duration => "a time such as 30s".into(),
        Kind::Object => "an object".into(),
        Kind::List => "a list".into(),
    }
}

fn is_bool(t: &str) -> bool {
    matches!(
        t.to_ascii_lowercase().as_str(),
        "true" | "false" | "on" | "off" | "yes" | "no" | "1" | "0"
    )
}

fn with_unit(t: &str, units: &[&str]) -> bool {
    let digits = t.trim_start_matches('-');
    let end = digits
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(digits.len());
    let (number, unit) = digits.split_at(end);
    !number.is_empty() && (unit.trim().is_empty() || units.contains(&unit.trim()))
}

/// Patroni's own rule for its timing: a leader must be able to retry its
/// lease update twice within the TTL.
fn timeouts(top: &Map<String, Value>, f: &mut Findings) {
    let get = |name: &str, default: i64| {
        top.get(name)
            .and_then(|v| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok()))
            .unwrap_or(default)
    };
    let (ttl, loop_wait, retry) = (
        get("ttl", 30),
        get("loop_wait", 10),
        get("retry_timeout", 10),
    );
    if loop_wait + 2 * retry > ttl {
        f.warnings.push(format!(
            "loop_wait {loop_wait} + 2 × retry_timeout {retry} exceeds ttl {ttl}: Patroni will lower them, and a leader may lose its lock on a slow etcd"
        ));
    }
}

/// The merge patch (RFC 7386, as Patroni's `PATCH /config` applies it)
/// that turns `current` into `proposed`: removed keys are `null`, objects
/// are patched key by key, anything else is replaced.
pub fn merge_patch(current: &Value, proposed: &Value) -> Value {
    match (current, proposed) {
        (Value::Object(old), Value::Object(new)) => {
            let mut patch = Map::new();
            for (k, v) in new {
                match old.get(k) {
                    Some(o) if same(o, v) => {}
                    Some(o) if o.is_object() && v.is_object() => {
                        patch.insert(k.clone(), merge_patch(o, v));
                    }
                    _ => {
                        patch.insert(k.clone(), v.clone());
                    }
                }
            }
            for k in old.keys().filter(|k| !new.contains_key(*k)) {
                patch.insert(k.clone(), Value::Null);
            }
            Value::Object(patch)
        }
        _ => proposed.clone(),
    }
}

/// `value` without its `null`s: in a proposal they mean "remove", which is
/// what leaving the key out means too.
pub fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Whether two values are the same as Patroni compares them when it
/// patches: scalars by their text (`100` and `"100"` are equal).
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w))
        }
        (Value::Object(_) | Value::Array(_), _) | (_, Value::Object(_) | Value::Array(_)) => false,
        _ => scalar(a) == scalar(b),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The PostgreSQL parameters `patch` changes that take effect only after
/// a restart.
pub fn restart_parameters(patch: &Value) -> Vec<String> {
    let params = patch
        .get("postgresql")
        .and_then(|p| p.get("parameters"))
        .and_then(Value::as_object);
    params
        .into_iter()
        .flat_map(|p| p.keys())
        .filter(|k| needs_restart(k))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The `config` value of a sample key dump (its second line).
    fn sample_config(dump: &str) -> Value {
        let line = dump.lines().nth(1).expect("the dump has a config value");
        serde_json::from_str(line).expect("sample config is JSON")
    }

    #[test]
    fn real_configs_pass_without_errors() {
        for dump in [
            include_str!("../../tests/samples/patroni-3.3.11-p3demo.txt"),
            include_str!("../../tests/samples/patroni-4.1.5-mycluster.txt"),
            include_str!("../../tests/samples/patroni-4.1.5-pg-meta.txt"),
        ] {
            assert_eq!(check(&sample_config(dump)), Findings::default());
        }
        // A production configuration carries its installer's own keys,
        // which Patroni ignores: those, and nothing else, are warned.
        let f = check(&sample_config(include_str!(
            "../../tests/samples/patroni-4.0.1-pigsty-pg-meta.txt"
        )));
        assert_eq!(f.errors, Vec::<String>::new());
        let warned: Vec<&str> = f
            .warnings
            .iter()
            .filter_map(|w| w.split(' ').next())
            .collect();
        assert_eq!(
            warned,
            vec!["pg_cluster", "pg_group", "pg_shard", "pg_version"]
        );
    }

    #[test]
    fn wrong_types_are_errors_and_unknown_names_warnings() {
        let f = check(&json!({
            "ttl": "thirty",
            "loop_wait": 0,
            "synchronous_mode": "quorum",
            "synchronous_mode_strict": "maybe",
            "maximum_lag_on_failover": 1048576,
            "maximim_lag_on_failover": 5,
            "postgresql": {
                "use_pg_rewind": true,
                "parameters": {
                    "max_connections": "lots",
                    "shared_buffers": "128MB",
                    "work_mem": "4XB",
                    "wal_level": "LOGICAL",
                    "checkpoint_timeout": "5min",
                    "max_conections": 100,
                    "pg_stat_statements.track": "all",
                    "port": 5433
                }
            }
        }));
        assert_eq!(
            f.errors,
            vec![
                "loop_wait: 0 is out of range (from 1 to 86400)",
                "synchronous_mode_strict: \"maybe\" is not true or false",
                "ttl: \"thirty\" is not a whole number",
                "postgresql.parameters.max_connections: \"lots\" is not a whole number",
                "postgresql.parameters.work_mem: \"4XB\" is not a number with a unit (B, kB, MB, GB, TB)",
            ]
        );
        let warned: Vec<&str> = f
            .warnings
            .iter()
            .map(|w| w.split([' ', ':']).next().unwrap_or_default())
            .collect();
        assert_eq!(
            warned,
            vec![
                "maximim_lag_on_failover",
                "postgresql.parameters.max_conections",
                "postgresql.parameters.port",
            ]
        );
    }

    #[test]
    fn timings_that_break_patronis_rule_are_warned() {
        let f = check(&json!({"ttl": 20, "loop_wait": 10, "retry_timeout": 10}));
        assert!(f.errors.is_empty());
        assert_eq!(f.warnings.len(), 1, "{:?}", f.warnings);
        assert!(f.warnings[0].contains("exceeds ttl 20"));
        assert!(
            check(&json!({"ttl": 30, "loop_wait": 10, "retry_timeout": 10}))
                .warnings
                .is_empty()
        );
    }

    #[test]
    fn not_an_object_is_an_error() {
        assert_eq!(check(&json!([1])).errors.len(), 1);
        assert_eq!(
            check(&json!({"postgresql": 3})).errors,
            vec!["postgresql: 3 is not an object"]
        );
    }

    #[test]
    fn the_patch_carries_changes_and_removals_only() {
        let current = json!({
            "ttl": 30,
            "pause": true,
            "maximum_lag_on_failover": 1048576,
            "postgresql": {"use_pg_rewind": true, "parameters": {"max_connections": 100, "work_mem": "4MB"}}
        });
        let proposed = json!({
            "ttl": "30",
            "maximum_lag_on_failover": 2097152,
            "postgresql": {"use_pg_rewind": true, "parameters": {"max_connections": 200, "work_mem": "4MB"}}
        });
        let patch = merge_patch(&current, &proposed);
        assert_eq!(
            patch,
            json!({
                "pause": null,
                "maximum_lag_on_failover": 2097152,
                "postgresql": {"parameters": {"max_connections": 200}}
            })
        );
        assert_eq!(restart_parameters(&patch), vec!["max_connections"]);
        assert_eq!(merge_patch(&current, &current), json!({}));
        let with_null = strip_nulls(json!({"ttl": 30, "pause": null, "postgresql": {"x": null}}));
        assert_eq!(with_null, json!({"ttl": 30, "postgresql": {}}));
    }

    #[test]
    fn values_compare_as_patroni_compares_them() {
        assert!(same(&json!(100), &json!("100")));
        assert!(same(&json!({"a": [1, "x"]}), &json!({"a": ["1", "x"]})));
        assert!(!same(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!same(&json!([1]), &json!("[1]")));
        assert!(!same(&json!(true), &json!("on")));
    }
}
