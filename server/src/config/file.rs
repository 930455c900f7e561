//! The `--config` file: TOML with one key per flag, named after the flag
//! (`--dial-timeout` is `dial_timeout`). The keys come from clap's command,
//! so every flag has one without this file naming it.
//!
//! Errors name the file, the key and its line, never a value: a secret may
//! sit in the wrong key.

use std::path::Path;

use clap::{Arg, ArgAction, Command};
use toml::de::{DeTable, DeValue};

/// One key of the file, ready to become a flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Setting {
    /// clap's id of the flag (`dial_timeout`).
    pub id: String,
    /// The key as written.
    pub key: String,
    /// 1-based line of the key.
    pub line: usize,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Value {
    /// `read_only = true`
    Flag(bool),
    /// One string, or each item of an array for flags that repeat.
    Values(Vec<String>),
}

impl Setting {
    /// The command-line words this key stands for (`--dial-timeout=2s`).
    pub fn args(&self, long: &str) -> Vec<String> {
        match &self.value {
            Value::Flag(true) => vec![format!("--{long}")],
            Value::Flag(false) => Vec::new(),
            Value::Values(values) => values.iter().map(|v| format!("--{long}={v}")).collect(),
        }
    }
}

/// The key of `arg` in the file: its long name with `_` for `-`.
pub(super) fn key_of(arg: &Arg) -> Option<String> {
    arg.get_long().map(|l| l.replace('-', "_"))
}

/// Flags that have no key: help, version, and `--config` itself.
pub(super) fn has_key(arg: &Arg) -> bool {
    !matches!(
        arg.get_action(),
        ArgAction::Help | ArgAction::HelpLong | ArgAction::Version
    ) && arg.get_id() != "config"
        && arg.get_long().is_some()
}

/// One `[etcd.<name>]` table: a further etcd cluster and its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Table {
    pub name: String,
    /// 1-based line of the table's header.
    pub line: usize,
    pub settings: Vec<Setting>,
}

/// The file: its top-level keys, and its `[etcd.<name>]` tables in order.
#[derive(Debug, Default)]
pub(super) struct File {
    pub settings: Vec<Setting>,
    pub tables: Vec<Table>,
}

/// The keys an `[etcd.<name>]` table may hold: what differs from one etcd
/// cluster to another.
pub const TABLE_KEYS: &[&str] = &[
    "endpoints",
    "cacert",
    "cert",
    "key",
    "user",
    "user_file",
    "dial_timeout",
    "command_timeout",
    "namespace",
    "patroni_rest",
    "patroni_user",
    "patroni_user_file",
    "patroni_cacert",
];

/// Reads the file at `path` into one [`Setting`] per key. Relative paths
/// (values of flags whose value is a FILE or DIR) are taken from the
/// file's directory.
pub(super) fn read(cmd: &Command, path: &Path) -> Result<File, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    parse(cmd, &text, path.parent().unwrap_or(Path::new("."))).map_err(|(line, message)| match line
    {
        Some(n) => format!("{shown}: line {n}: {message}"),
        None => format!("{shown}: {message}"),
    })
}

type Failure = (Option<usize>, String);

fn parse(cmd: &Command, text: &str, dir: &Path) -> Result<File, Failure> {
    let line_of = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
    let table = DeTable::parse(text).map_err(|e| {
        let message = e.message().trim().replace('\n', "; ");
        (e.span().map(|s| line_of(s.start)), message)
    })?;
    let mut entries: Vec<_> = table.get_ref().iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    let mut file = File::default();
    for (key, value) in entries {
        let line = line_of(key.span().start);
        let name = key.get_ref().as_ref();
        if name == "etcd" {
            if let DeValue::Table(clusters) = value.get_ref() {
                file.tables = tables(cmd, clusters, dir, &line_of)?;
                continue;
            }
        }
        file.settings
            .push(setting(cmd, name, name, line, value.get_ref(), dir, None)?);
    }
    Ok(file)
}

/// The `[etcd.<name>]` tables, in the file's order.
fn tables(
    cmd: &Command,
    clusters: &DeTable<'_>,
    dir: &Path,
    line_of: &dyn Fn(usize) -> usize,
) -> Result<Vec<Table>, Failure> {
    let mut entries: Vec<_> = clusters.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    let mut tables = Vec::new();
    for (key, value) in entries {
        let line = line_of(key.span().start);
        let name = key.get_ref().as_ref();
        app::fleet::check_name(name).map_err(|e| (Some(line), format!("etcd.{name}: {e}")))?;
        let DeValue::Table(keys) = value.get_ref() else {
            return Err((
                Some(line),
                format!("etcd.{name}: expected a table ([etcd.{name}] with endpoints = [...])"),
            ));
        };
        let mut keys: Vec<_> = keys.iter().collect();
        keys.sort_by_key(|(key, _)| key.span().start);
        let mut settings = Vec::new();
        for (key, value) in keys {
            let at = line_of(key.span().start);
            let shown = format!("etcd.{name}.{}", key.get_ref());
            let only = Some(TABLE_KEYS);
            settings.push(setting(
                cmd,
                key.get_ref(),
                &shown,
                at,
                value.get_ref(),
                dir,
                only,
            )?);
        }
        if !settings.iter().any(|s| s.id == "endpoints") {
            return Err((Some(line), format!("etcd.{name}: no endpoints")));
        }
        tables.push(Table {
            name: name.to_owned(),
            line,
            settings,
        });
    }
    Ok(tables)
}

/// The setting of key `name` (shown as `shown`), when it names a flag
/// (one of `only`, if given).
fn setting(
    cmd: &Command,
    name: &str,
    shown: &str,
    line: usize,
    value: &DeValue<'_>,
    dir: &Path,
    only: Option<&[&str]>,
) -> Result<Setting, Failure> {
    let fail = |message: String| (Some(line), format!("{shown}: {message}"));
    if only.is_some_and(|keys| !keys.contains(&name)) {
        return Err(fail(format!(
            "not a key of an etcd cluster's table (those are: {})",
            TABLE_KEYS.join(", ")
        )));
    }
    let Some(arg) = cmd
        .get_arguments()
        .filter(|a| has_key(a))
        .find(|a| key_of(a).as_deref() == Some(name))
    else {
        return Err((Some(line), unknown(cmd, name)));
    };
    let value = convert(arg, value, dir).map_err(fail)?;
    Ok(Setting {
        id: arg.get_id().to_string(),
        key: shown.to_owned(),
        line,
        value,
    })
}

fn unknown(cmd: &Command, name: &str) -> String {
    if name == "config" {
        return "config cannot be set inside the configuration file".into();
    }
    let underscored = name.replace('-', "_");
    let known = cmd
        .get_arguments()
        .filter(|a| has_key(a))
        .any(|a| key_of(a).as_deref() == Some(underscored.as_str()));
    if known && underscored != name {
        format!("unknown key '{name}' (did you mean '{underscored}'?)")
    } else {
        format!(
            "unknown key '{name}' (`patrol --help` lists the flags; each is a key with _ for -)"
        )
    }
}

fn convert(arg: &Arg, value: &DeValue<'_>, dir: &Path) -> Result<Value, String> {
    let is_flag = matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::SetFalse);
    if is_flag {
        return match value.as_bool() {
            Some(b) => Ok(Value::Flag(
                b == matches!(arg.get_action(), ArgAction::SetTrue),
            )),
            None => Err(format!("expected true or false, not {}", value.type_str())),
        };
    }
    let repeats = matches!(arg.get_action(), ArgAction::Append);
    let items = match value {
        DeValue::Array(items) if repeats => items.iter().map(|i| i.get_ref()).collect(),
        DeValue::Array(_) => return Err("takes one value, not an array".into()),
        single => vec![single],
    };
    let is_path = arg
        .get_value_names()
        .and_then(|names| names.first())
        .is_some_and(|n| n == "FILE" || n == "DIR");
    let mut values = Vec::new();
    for item in items {
        let text = match item {
            DeValue::String(s) => s.to_string(),
            DeValue::Integer(i) if i.radix() == 10 => i.as_str().to_owned(),
            other => {
                let expected = if repeats { "strings" } else { "a string" };
                return Err(format!("expected {expected}, not {}", other.type_str()));
            }
        };
        values.push(if is_path && !text.is_empty() {
            dir.join(text).to_string_lossy().into_owned()
        } else {
            text
        });
    }
    Ok(Value::Values(values))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use clap::CommandFactory;

    fn parse_ok(text: &str) -> Vec<Setting> {
        parse(&Config::command(), text, Path::new("/etc/patrol"))
            .expect("parses")
            .settings
    }

    fn parse_err(text: &str) -> (Option<usize>, String) {
        parse(&Config::command(), text, Path::new("/etc/patrol")).expect_err("refused")
    }

    #[test]
    fn every_flag_has_a_key_that_maps_back_to_it() {
        let mut cmd = Config::command();
        cmd.build(); // adds --help and --version, as at run time
        let mut keys = std::collections::BTreeSet::new();
        let mut covered = 0;
        for arg in cmd.get_arguments().filter(|a| has_key(a)) {
            let key = key_of(arg).expect("a long name");
            assert!(keys.insert(key.clone()), "two flags share the key {key}");
            let sample = if matches!(arg.get_action(), ArgAction::SetTrue) {
                "true".to_owned()
            } else {
                "\"x\"".to_owned()
            };
            let settings = parse(
                &cmd,
                &format!("# comment\n{key} = {sample}\n"),
                Path::new("/"),
            )
            .expect("parses")
            .settings;
            assert_eq!(settings.len(), 1, "{key}");
            assert_eq!(settings[0].id, arg.get_id().as_str(), "{key}");
            assert_eq!(settings[0].line, 2, "{key}");
            covered += 1;
        }
        // Every flag but help, version and --config itself.
        let all = cmd.get_arguments().count();
        assert_eq!(covered + 3, all, "some flag has no key");
    }

    #[test]
    fn values_become_flags() {
        let settings = parse_ok(
            "endpoints = [\"http://a:1\", \"http://b:2\"]\nnamespace = \"/pg,/db\"\n\
             read_only = true\nsecure_cookies = false\ncacert = \"ca.pem\"\n\
             snapshot_dir = \"/var/lib/patrol/snapshots\"\nadmin_user = \"dba\"\n",
        );
        let args: Vec<Vec<String>> = settings
            .iter()
            .map(|s| s.args(&s.id.replace('_', "-")))
            .collect();
        assert_eq!(
            args[0],
            ["--endpoints=http://a:1", "--endpoints=http://b:2"]
        );
        assert_eq!(settings[1].id, "namespaces");
        assert_eq!(settings[1].value, Value::Values(vec!["/pg,/db".into()]));
        assert_eq!(args[2], ["--read-only"]);
        assert!(args[3].is_empty());
        // Relative paths from the file's directory, absolute ones kept.
        assert_eq!(
            settings[4].value,
            Value::Values(vec!["/etc/patrol/ca.pem".into()])
        );
        assert_eq!(
            settings[5].value,
            Value::Values(vec!["/var/lib/patrol/snapshots".into()])
        );
        assert_eq!(settings[6].value, Value::Values(vec!["dba".into()]));
    }

    #[test]
    fn errors_name_the_key_and_its_line() {
        for (text, line, needle) in [
            (
                "listen = \"127.0.0.1:8000\"\n\nlisten_address = \"x\"\n",
                3,
                "unknown key 'listen_address'",
            ),
            ("dial-timeout = \"2s\"\n", 1, "did you mean 'dial_timeout'"),
            (
                "\nread_only = \"yes\"\n",
                2,
                "read_only: expected true or false, not string",
            ),
            ("listen = [\"a\", \"b\"]\n", 1, "listen: takes one value"),
            (
                "dial_timeout = 2.5\n",
                1,
                "dial_timeout: expected a string, not float",
            ),
            (
                "endpoints = [\"http://a:1\", true]\n",
                1,
                "endpoints: expected strings",
            ),
            ("config = \"/etc/other.toml\"\n", 1, "config cannot be set"),
            ("etcd = \"x\"\n", 1, "unknown key 'etcd'"),
            (
                "[etcd.prod]\nlisten = \"x\"\n",
                2,
                "etcd.prod.listen: not a key of an etcd",
            ),
            ("[etcd.Prod]\nendpoints = \"x\"\n", 1, "etcd.Prod: "),
            (
                "[etcd.prod]\nnamespace = \"/pg\"\n",
                1,
                "etcd.prod: no endpoints",
            ),
            ("[etcd]\nprod = 1\n", 2, "etcd.prod: expected a table"),
            ("listen = \"a\"\nlisten = \"b\"\n", 2, "duplicate key"),
            ("user = \"root:pw\n", 1, ""),
        ] {
            let (got, message) = parse_err(text);
            assert_eq!(got, Some(line), "{text:?}: {message}");
            assert!(message.contains(needle), "{text:?}: {message}");
        }
    }

    #[test]
    fn etcd_tables_become_clusters_in_order() {
        let file = parse(
            &Config::command(),
            "namespace = \"/pg\"\n[etcd.staging]\nendpoints = [\"http://s:1\"]\ncacert = \"ca.pem\"\n\n\
             [etcd.prod-eu]\nendpoints = \"http://p:1\"\nnamespace = [\"/db\"]\n",
            Path::new("/etc/patrol"),
        )
        .expect("parses");
        assert_eq!(file.settings.len(), 1);
        let names: Vec<_> = file
            .tables
            .iter()
            .map(|t| (t.name.as_str(), t.line))
            .collect();
        assert_eq!(names, [("staging", 2), ("prod-eu", 6)]);
        let staging = &file.tables[0].settings;
        assert_eq!(staging[0].key, "etcd.staging.endpoints");
        assert_eq!(staging[0].line, 3);
        assert_eq!(
            staging[1].value,
            Value::Values(vec!["/etc/patrol/ca.pem".into()])
        );
        assert_eq!(file.tables[1].settings[1].id, "namespaces");
    }

    #[test]
    fn errors_never_quote_a_value() {
        for text in [
            "user = [\"root:TopSecret42\"]\n",
            "admin_password_hash = [\"TopSecret42\"]\n",
            "read_only = \"TopSecret42\"\n",
            "patroni_user = { name = \"TopSecret42\" }\n",
        ] {
            let (_, message) = parse_err(text);
            assert!(!message.contains("TopSecret42"), "{message}");
        }
    }
}
