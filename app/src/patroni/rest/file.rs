//! The `--patroni-rest` file (TOML): a default login and CA at the top,
//! overrides in `[clusters."/<namespace>"]` or `[clusters."/<namespace>/<scope>"]`.
//!
//! Errors name the file, the section and the problem, never a password:
//! `password` is read as any TOML value (so a wrong type cannot echo it)
//! and TOML's own error display, which quotes the offending line, is not used.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{PatroniRestConfig, RestCredentials};
use crate::patroni::normalize_namespace;

/// One level as written: the top of the file or one `[clusters."..."]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Level {
    username: Option<String>,
    password: Option<toml::Value>,
    password_file: Option<PathBuf>,
    cacert: Option<PathBuf>,
    clusters: Option<BTreeMap<String, Level>>,
}

impl PatroniRestConfig {
    /// Reads the TOML file at `path`. Relative `password_file` and `cacert`
    /// paths are taken from the file's directory; `password_file` gives its
    /// first line. The error names the file and the problem, never a password.
    pub fn from_file(path: &Path) -> Result<PatroniRestConfig, String> {
        let shown = path.display();
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let mut top: Level = toml::from_str(&text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
            let message = e.message().trim().replace('\n', "; ");
            match line {
                Some(n) => format!("{shown}: line {n}: {message}"),
                None => format!("{shown}: {message}"),
            }
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let level = |l: Level, section: &str| {
            credentials(l, dir).map_err(|e| format!("{shown}: {section}: {e}"))
        };
        let sections = top.clusters.take().unwrap_or_default();
        let mut config = PatroniRestConfig {
            default: level(top, "top level")?,
            clusters: BTreeMap::new(),
        };
        for (key, l) in sections {
            let section = format!("[clusters.\"{key}\"]");
            if l.clusters.is_some() {
                return Err(format!("{shown}: {section}: clusters cannot nest"));
            }
            let Some(name) = normalize_namespace(&key) else {
                return Err(format!(
                    "{shown}: {section}: expected \"/<namespace>\" or \"/<namespace>/<scope>\""
                ));
            };
            if config.clusters.contains_key(&name) {
                return Err(format!("{shown}: {section}: {name} is given twice"));
            }
            config.clusters.insert(name, level(l, &section)?);
        }
        Ok(config)
    }
}

fn credentials(l: Level, dir: &Path) -> Result<RestCredentials, String> {
    let password = match (l.password, l.password_file) {
        (Some(_), Some(_)) => return Err("give password or password_file, not both".into()),
        (Some(toml::Value::String(p)), None) => Some(p),
        (Some(_), None) => return Err("password must be a string".into()),
        (None, Some(file)) => Some(first_line(&dir.join(file))?),
        (None, None) => None,
    };
    match (&l.username, &password) {
        (Some(u), _) if u.is_empty() => Err("username is empty".into()),
        (Some(_), None) => Err("username needs a password or password_file".into()),
        (None, Some(_)) => Err("password needs a username".into()),
        _ => Ok(RestCredentials {
            username: l.username,
            password,
            cacert: l.cacert.map(|c| dir.join(c)),
        }),
    }
}

fn first_line(file: &Path) -> Result<String, String> {
    let shown = file.display();
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read password_file {shown}: {e}"))?;
    match text.lines().next() {
        Some(line) if !line.is_empty() => Ok(line.to_owned()),
        _ => Err(format!("password_file {shown} has an empty first line")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory of this test, removed first if a run left it.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("patrol-rest-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    fn parse(name: &str, toml: &str) -> Result<PatroniRestConfig, String> {
        let dir = scratch(name);
        let file = dir.join("rest.toml");
        std::fs::write(&file, toml).expect("write toml");
        let parsed = PatroniRestConfig::from_file(&file);
        let _ = std::fs::remove_dir_all(&dir);
        parsed
    }

    #[test]
    fn full_file() {
        let dir = scratch("full");
        std::fs::write(dir.join("pw"), "fr0m-file\nignored\n").expect("write pw");
        let file = dir.join("rest.toml");
        let toml = r#"
            # global default
            username = "patrol"
            password_file = "pw"
            cacert = "/etc/patroni/ca.pem"
            [clusters."/db/mycluster"]
            username = "admin"
            password = "s3cret"
            [clusters."pg/"]
            cacert = "pg-ca.pem"
        "#;
        std::fs::write(&file, toml).expect("write toml");
        let c = PatroniRestConfig::from_file(&file).expect("parses");
        assert_eq!(c.default.password.as_deref(), Some("fr0m-file"));
        assert_eq!(c.default.cacert, Some("/etc/patroni/ca.pem".into()));
        assert_eq!(
            c.clusters["/db/mycluster"].password.as_deref(),
            Some("s3cret")
        );
        assert_eq!(c.clusters["/pg"].cacert, Some(dir.join("pg-ca.pem")));
        assert_eq!(c.clusters["/pg"].username, None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn empty_file_is_no_credentials() {
        let c = parse("empty", "").expect("parses");
        assert_eq!(c.default, RestCredentials::default());
        assert!(c.clusters.is_empty());
    }

    #[test]
    fn errors_name_file_and_problem() {
        for (name, toml, expected) in [
            (
                "unknown",
                "usernme = \"x\"\n",
                "line 1: unknown field `usernme`",
            ),
            (
                "both",
                "username = \"u\"\npassword = \"p\"\npassword_file = \"f\"",
                "top level: give password or password_file, not both",
            ),
            (
                "nopw",
                "[clusters.\"/db\"]\nusername = \"u\"",
                "[clusters.\"/db\"]: username needs a password",
            ),
            (
                "nouser",
                "password = \"p\"",
                "top level: password needs a username",
            ),
            (
                "pwfile",
                "username = \"u\"\npassword_file = \"/nonexistent/pw\"",
                "cannot read password_file /nonexistent/pw",
            ),
            (
                "nest",
                "[clusters.\"/db\".clusters.\"/x\"]",
                "clusters cannot nest",
            ),
            ("slash", "[clusters.\"/\"]", "expected \"/<namespace>\""),
            (
                "twice",
                "[clusters.\"db\"]\n[clusters.\"/db\"]",
                "/db is given twice",
            ),
        ] {
            let err = parse(name, toml).expect_err(name);
            assert!(
                err.contains("rest.toml: ") && err.contains(expected),
                "{name}: {err}"
            );
        }
        let err = PatroniRestConfig::from_file(Path::new("/nonexistent/rest.toml"))
            .expect_err("missing file");
        assert!(
            err.starts_with("cannot read /nonexistent/rest.toml: "),
            "{err}"
        );
    }

    #[test]
    fn errors_never_echo_a_password() {
        for (name, toml) in [
            ("int", "username = \"u\"\npassword = 918273645\n"),
            ("bare", "username = \"u\"\npassword = hunter2-918273645\n"),
            ("open", "username = \"u\"\npassword = \"hunter2-918273645\n"),
            (
                "table",
                "[clusters.\"/db\"]\nusername = \"u\"\npassword = [\"918273645\"]\n",
            ),
        ] {
            let err = parse(name, toml).expect_err(name);
            assert!(err.contains("rest.toml"), "{name}: {err}");
            assert!(!err.contains("918273645"), "{name}: {err}");
        }
    }
}
