//! Putting the layers together. For each setting the first of these wins:
//! a flag, its environment variable, its key in the `--config` file, what
//! `--patroni-config` says (etcd and Patroni REST settings only), the default.
//!
//! The file's keys become flags placed before the real ones, but only for
//! settings that no flag or variable gives (nor anything that conflicts with
//! them, so `PATROL_ADMIN_PASSWORD_HASH` beats the file's
//! `admin_password_hash_file`). clap then parses and validates everything in
//! one pass; an error about a flag that came from the file is told as the
//! file's key and line.

use std::error::Error as _;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, Command, CommandFactory, FromArgMatches};

use super::file::{self, Setting};
use super::fleet::EtcdTable;
use super::{command_line_error, patroni, Config};

/// The configuration, and where each setting came from.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    /// Every setting that has a value, in `--help`'s order.
    pub origins: Vec<Origin>,
    /// What Patrol leaves unused from the `--patroni-config` file.
    pub warnings: Vec<String>,
}

/// One setting as `patrol check-config` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The config file's key (`dial_timeout`).
    pub key: String,
    /// The value as given; `(hidden)` for secrets.
    pub value: String,
    /// `command line`, `environment NAME`, `FILE line N`, `--patroni-config FILE (etcd3.hosts)` or `default`.
    pub source: String,
}

/// Why there is no configuration.
#[derive(Debug)]
pub enum LoadError {
    /// --help or --version: print it and exit 0.
    Exit(clap::Error),
    /// One line naming the flag, or the file, key and line; exit 2.
    Invalid(String),
}

/// Reads the configuration from `args` (the program name first), the
/// process environment, and the files they name.
pub fn load<I, T>(args: I) -> Result<Loaded, LoadError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let mut cmd = Config::command();
    cmd.build();
    let words: Vec<String> = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let given = |arg: &Arg| on_command_line(&words, arg) || in_environment(arg);

    let path = config_path(&words).map(|p| std::path::absolute(&p).unwrap_or(p));
    let parsed = match &path {
        Some(p) => file::read(&cmd, p).map_err(LoadError::Invalid)?,
        None => file::File::default(),
    };
    let settings = parsed.settings;
    let mut argv = vec![args.first().cloned().unwrap_or_else(|| "patrol".into())];
    let mut injected = Vec::new();
    for setting in &settings {
        let Some(arg) = find(&cmd, &setting.id) else {
            continue;
        };
        let overridden = given(arg)
            || cmd
                .get_arguments()
                .any(|a| conflict(&cmd, a, arg) && given(a));
        if !overridden {
            argv.extend(
                setting
                    .args(arg.get_long().unwrap_or_default())
                    .into_iter()
                    .map(OsString::from),
            );
            injected.push(setting);
        }
    }
    argv.extend(args.iter().skip(1).cloned());

    let matches = cmd
        .clone()
        .try_get_matches_from(argv)
        .map_err(|e| explain(e, &cmd, &injected, path.as_deref()))?;
    let mut config = Config::from_arg_matches(&matches)
        .map_err(|e| LoadError::Invalid(command_line_error(&e)))?;
    let mut origins = origins(&cmd, &matches, &injected, path.as_deref());
    let warnings = match config.patroni_config.clone() {
        Some(file) => patroni::apply(&mut config, &matches, &file, &mut origins)
            .map_err(LoadError::Invalid)?,
        None => Vec::new(),
    };
    config.endpoints_given = config.patroni_config.is_some()
        || matches.value_source("endpoints") != Some(ValueSource::DefaultValue);
    for table in &parsed.tables {
        config.etcd_tables.push(etcd_table(table, path.as_deref())?);
        origins.extend(table_origins(&cmd, table, path.as_deref()));
    }
    Ok(Loaded {
        config,
        origins,
        warnings,
    })
}

/// An `[etcd.<name>]` table as the flags it stands for, parsed and
/// checked as flags are but without environment variables (those are the
/// flags' etcd cluster's).
fn etcd_table(table: &file::Table, path: Option<&Path>) -> Result<EtcdTable, LoadError> {
    let mut cmd = Config::command().mut_args(|a| a.env(None));
    cmd.build();
    let mut argv = vec![OsString::from("patrol")];
    for setting in &table.settings {
        if let Some(arg) = find(&cmd, &setting.id) {
            let long = arg.get_long().unwrap_or_default();
            argv.extend(setting.args(long).into_iter().map(OsString::from));
        }
    }
    let injected: Vec<&Setting> = table.settings.iter().collect();
    let matches = cmd
        .clone()
        .try_get_matches_from(argv)
        .map_err(|e| explain(e, &cmd, &injected, path))?;
    let config = Config::from_arg_matches(&matches)
        .map_err(|e| LoadError::Invalid(command_line_error(&e)))?;
    Ok(EtcdTable {
        name: table.name.clone(),
        keys: table
            .settings
            .iter()
            .map(|s| s.key.rsplit('.').next().unwrap_or_default().to_owned())
            .collect(),
        config: Box::new(config),
    })
}

/// What `check-config` shows of a table: each key, secrets hidden.
fn table_origins(cmd: &Command, table: &file::Table, path: Option<&Path>) -> Vec<Origin> {
    let file = path.map(|p| p.display().to_string()).unwrap_or_default();
    table
        .settings
        .iter()
        .map(|s| {
            let secret = find(cmd, &s.id).is_some_and(Arg::is_hide_env_values_set);
            let value = match &s.value {
                _ if secret => "(hidden)".to_owned(),
                file::Value::Flag(b) => b.to_string(),
                file::Value::Values(v) => v.join(","),
            };
            Origin {
                key: s.key.clone(),
                value,
                source: format!("{file} line {}", s.line),
            }
        })
        .collect()
}

/// `--config FILE`, `--config=FILE`, or else `PATROL_CONFIG`.
fn config_path(words: &[String]) -> Option<PathBuf> {
    let mut words = words.iter().take_while(|w| *w != "--");
    while let Some(word) = words.next() {
        if word == "--config" {
            return words.next().map(PathBuf::from);
        }
        if let Some(value) = word.strip_prefix("--config=") {
            return Some(PathBuf::from(value));
        }
    }
    std::env::var_os("PATROL_CONFIG")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

fn find<'a>(cmd: &'a Command, id: &str) -> Option<&'a Arg> {
    cmd.get_arguments().find(|a| a.get_id() == id)
}

/// Whether `words` name `arg` as a flag (`--name`, `--name=value`, `-n`).
fn on_command_line(words: &[String], arg: &Arg) -> bool {
    words.iter().take_while(|w| *w != "--").any(|word| {
        arg.get_long().is_some_and(|long| {
            word.strip_prefix("--")
                .is_some_and(|w| w == long || w.starts_with(&format!("{long}=")))
        }) || arg.get_short().is_some_and(|c| {
            word.strip_prefix('-')
                .is_some_and(|w| w.starts_with(c) && !w.starts_with('-'))
        })
    })
}

fn in_environment(arg: &Arg) -> bool {
    arg.get_env()
        .is_some_and(|name| std::env::var_os(name).is_some())
}

/// Whether `a` and `b` cannot be given together, whichever declared it.
fn conflict(cmd: &Command, a: &Arg, b: &Arg) -> bool {
    let names = |x: &Arg, y: &Arg| {
        cmd.get_arg_conflicts_with(x)
            .iter()
            .any(|c| c.get_id() == y.get_id())
    };
    names(a, b) || names(b, a)
}

/// A clap error, told as the file's key and line when the flag came from it.
fn explain(e: clap::Error, cmd: &Command, injected: &[&Setting], path: Option<&Path>) -> LoadError {
    if !e.use_stderr() {
        return LoadError::Exit(e);
    }
    let named = [ContextKind::InvalidArg, ContextKind::PriorArg]
        .into_iter()
        .filter_map(|kind| match e.get(kind) {
            Some(ContextValue::String(s)) => Some(s.clone()),
            Some(ContextValue::Strings(v)) => v.first().cloned(),
            _ => None,
        });
    for shown in named {
        let long = shown
            .trim_start_matches('-')
            .split([' ', '='])
            .next()
            .unwrap_or_default()
            .to_owned();
        let Some(setting) = injected
            .iter()
            .find(|s| find(cmd, &s.id).and_then(Arg::get_long) == Some(long.as_str()))
        else {
            continue;
        };
        let secret = find(cmd, &setting.id).is_some_and(Arg::is_hide_env_values_set);
        let reason = match (e.kind(), e.source()) {
            (ErrorKind::ValueValidation, Some(source)) => source.to_string(),
            _ if secret => "invalid value".to_owned(),
            _ => command_line_error(&e),
        };
        let file = path.map(|p| p.display().to_string()).unwrap_or_default();
        return LoadError::Invalid(format!(
            "{file}: line {}: {}: {reason}",
            setting.line, setting.key
        ));
    }
    LoadError::Invalid(command_line_error(&e))
}

fn origins(
    cmd: &Command,
    matches: &ArgMatches,
    injected: &[&Setting],
    path: Option<&Path>,
) -> Vec<Origin> {
    cmd.get_arguments()
        .filter(|a| file::has_key(a) || a.get_id() == "config")
        .filter_map(|arg| {
            let id = arg.get_id().as_str();
            let source = match (
                injected.iter().find(|s| s.id == id),
                matches.value_source(id)?,
            ) {
                (Some(s), ValueSource::CommandLine) => {
                    format!(
                        "{} line {}",
                        path.map(|p| p.display().to_string()).unwrap_or_default(),
                        s.line
                    )
                }
                (_, ValueSource::CommandLine) => "command line".to_owned(),
                (_, ValueSource::EnvVariable) => format!(
                    "environment {}",
                    arg.get_env()
                        .map(|e| e.to_string_lossy())
                        .unwrap_or_default()
                ),
                _ => "default".to_owned(),
            };
            let value = if arg.is_hide_env_values_set() {
                "(hidden)".to_owned()
            } else {
                matches
                    .get_raw(id)
                    .map(|v| v.map(|s| s.to_string_lossy()).collect::<Vec<_>>().join(","))
                    .unwrap_or_default()
            };
            if matches!(arg.get_action(), clap::ArgAction::SetTrue) && value == "false" {
                return None;
            }
            Some(Origin {
                key: file::key_of(arg).unwrap_or_else(|| id.to_owned()),
                value,
                source,
            })
        })
        .collect()
}
