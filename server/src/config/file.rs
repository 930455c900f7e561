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

/// Reads the file at `path` into one [`Setting`] per key. Relative paths
/// (values of flags whose value is a FILE or DIR) are taken from the
/// file's directory.
pub(super) fn read(cmd: &Command, path: &Path) -> Result<Vec<Setting>, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    parse(cmd, &text, path.parent().unwrap_or(Path::new("."))).map_err(|(line, message)| match line
    {
        Some(n) => format!("{shown}: line {n}: {message}"),
        None => format!("{shown}: {message}"),
    })
}

type Failure = (Option<usize>, String);

fn parse(cmd: &Command, text: &str, dir: &Path) -> Result<Vec<Setting>, Failure> {
    let line_of = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
    let table = DeTable::parse(text).map_err(|e| {
        let message = e.message().trim().replace('\n', "; ");
        (e.span().map(|s| line_of(s.start)), message)
    })?;
    let mut entries: Vec<_> = table.get_ref().iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    let mut settings = Vec::new();
    for (key, value) in entries {
        let line = line_of(key.span().start);
        let name = key.get_ref().as_ref();
        let fail = |message: String| (Some(line), format!("{name}: {message}"));
        let Some(arg) = cmd
            .get_arguments()
            .filter(|a| has_key(a))
            .find(|a| key_of(a).as_deref() == Some(name))
        else {
            return Err((Some(line), unknown(cmd, name)));
        };
        let value = convert(arg, value.get_ref(), dir).map_err(fail)?;
        settings.push(Setting {
            id: arg.get_id().to_string(),
            key: name.to_owned(),
            line,
            value,
        });
    }
    Ok(settings)
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
        parse(&Config::command(), text, Path::new("/etc/patrol")).expect("parses")
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
            .expect("parses");
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
            ("[etcd]\nendpoints = \"x\"\n", 1, "unknown key 'etcd'"),
            ("listen = \"a\"\nlisten = \"b\"\n", 2, "duplicate key"),
            ("user = \"root:pw\n", 1, ""),
        ] {
            let (got, message) = parse_err(text);
            assert_eq!(got, Some(line), "{text:?}: {message}");
            assert!(message.contains(needle), "{text:?}: {message}");
        }
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
