//! Command line, environment and configuration file. Flags follow
//! etcdctl's names and `ETCDCTL_*` variables so operators can reuse what they
//! already have; `--config` gives every flag a key in a TOML file, and
//! `--patroni-config` takes etcd's address and credentials from Patroni's own
//! YAML file.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use app::auth::admin::AuthConfig;
use app::auth::proxy::{Cidr, TrustedProxies};
use app::etcd::{EtcdConfig, EtcdUser};
use app::patroni::rest::{PatroniRestConfig, RestCredentials};
use app::store::{sqlite_url, StoreConfig};
use clap::Parser;

pub mod check;
mod file;
pub mod fleet;
mod load;
mod patroni;
mod secret;

pub use load::{load, LoadError, Loaded, Origin};
pub use secret::Secret;

/// Patrol: a live web console for Patroni clusters on etcd.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "patrol",
    version,
    about,
    max_term_width = 100,
    after_help = "Commands:\n  patrol check-config [FLAGS]  validate the configuration and show where each value comes from\n  patrol hash-password         read a password on standard input and print its argon2 hash"
)]
pub struct Config {
    /// TOML file with a key for every flag below (`dial_timeout = "2s"`);
    /// flags and environment variables override it.
    #[arg(long, env = "PATROL_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Patroni's YAML configuration (as `patronictl -c`): etcd's hosts, TLS
    /// files and login from `etcd3`, the namespace, and the REST API login.
    /// Flags, variables and --config keys for the same settings win.
    #[arg(long, env = "PATROL_PATRONI_CONFIG", value_name = "FILE")]
    pub patroni_config: Option<PathBuf>,

    /// A name for the etcd cluster of --endpoints (a-z, 0-9, -), shown in
    /// the top bar and the overview, written in audit records, and its
    /// pages' prefix /e/<name>/. Further etcd clusters are [etcd.<name>]
    /// tables of --config (see README). Default: `default`.
    #[arg(long, env = "PATROL_ETCD_NAME", value_name = "NAME", value_parser = parse_etcd_name)]
    pub etcd_name: Option<String>,

    /// etcd client URLs, comma-separated (http:// or https://).
    #[arg(long, env = "ETCDCTL_ENDPOINTS", value_delimiter = ',', default_value = "http://127.0.0.1:2379", value_parser = parse_endpoint)]
    pub endpoints: Vec<String>,

    /// CA bundle (PEM) that signed etcd's server certificates.
    #[arg(long, env = "ETCDCTL_CACERT", value_name = "FILE", value_parser = readable_file)]
    pub cacert: Option<PathBuf>,

    /// Client certificate (PEM) for etcd's mutual TLS; needs --key.
    #[arg(long, env = "ETCDCTL_CERT", value_name = "FILE", value_parser = readable_file, requires = "key")]
    pub cert: Option<PathBuf>,

    /// Private key (PEM) of --cert.
    #[arg(long, env = "ETCDCTL_KEY", value_name = "FILE", value_parser = readable_file, requires = "cert")]
    pub key: Option<PathBuf>,

    /// etcd user as user:password. The password is never logged or shown.
    #[arg(long, env = "ETCDCTL_USER", value_name = "USER:PASSWORD", value_parser = parse_user, hide_env_values = true)]
    pub user: Option<EtcdUser>,

    /// File whose first line is the etcd user as user:password (instead of --user).
    #[arg(long, env = "PATROL_USER_FILE", value_name = "FILE", value_parser = read_user_file, conflicts_with = "user")]
    pub user_file: Option<EtcdUser>,

    /// How long to wait for a connection to etcd (e.g. 2s, 500ms).
    #[arg(long, env = "ETCDCTL_DIAL_TIMEOUT", default_value = "2s", value_parser = parse_duration, allow_hyphen_values = true)]
    pub dial_timeout: Duration,

    /// How long one etcd request may take before it counts as failed.
    #[arg(long, env = "ETCDCTL_COMMAND_TIMEOUT", default_value = "5s", value_parser = parse_duration, allow_hyphen_values = true)]
    pub command_timeout: Duration,

    /// Patroni namespace to watch; repeat or comma-separate for several.
    #[arg(long = "namespace", env = "PATROL_NAMESPACE", value_delimiter = ',', default_value = "/service,/db,/pg", value_parser = parse_namespace)]
    pub namespaces: Vec<String>,

    /// Address to serve the console on; 0.0.0.0:8000 for remote browsers.
    #[arg(long, env = "PATROL_LISTEN", default_value = "127.0.0.1:8000")]
    pub listen: SocketAddr,

    /// Serve the site (pkg/, favicon) from this directory instead of the one
    /// built into patrol: for development (cargo-leptos sets it).
    #[arg(long, env = "LEPTOS_SITE_ROOT", value_name = "DIR")]
    pub site_root: Option<PathBuf>,

    /// Admin user name for browser sign-in.
    #[arg(long, env = "PATROL_ADMIN_USER", default_value = "admin")]
    pub admin_user: String,

    /// argon2 PHC hash of the admin password (make one with `patrol hash-password`).
    /// Without it and without --admin-token-file, Patrol is read-only.
    #[arg(long, env = "PATROL_ADMIN_PASSWORD_HASH", value_name = "PHC", value_parser = parse_phc, hide_env_values = true)]
    pub admin_password_hash: Option<Secret>,

    /// File whose first line is the argon2 PHC hash of the admin password
    /// (instead of --admin-password-hash, which `ps` shows to every local user).
    #[arg(long, env = "PATROL_ADMIN_PASSWORD_HASH_FILE", value_name = "FILE", value_parser = read_phc_file, conflicts_with = "admin_password_hash")]
    pub admin_password_hash_file: Option<Secret>,

    /// File of admin tokens for scripts, one per line (at least 16 characters;
    /// blank lines and # comments ignored), sent as `Authorization: Bearer <token>`.
    #[arg(long, env = "PATROL_ADMIN_TOKEN_FILE", value_name = "FILE", value_parser = read_tokens)]
    pub admin_token_file: Option<Tokens>,

    /// Turn every admin action off, even for admins.
    #[arg(long, env = "PATROL_READ_ONLY")]
    pub read_only: bool,

    /// How long a browser sign-in lasts (e.g. 8h, 30m).
    #[arg(long, env = "PATROL_SESSION_TTL", default_value = "8h", value_parser = parse_duration)]
    pub session_ttl: Duration,

    /// Where Patrol keeps sessions and the audit log: sqlite:PATH, or
    /// postgres://user@host:port/db (with ?sslmode=verify-full&sslrootcert=FILE
    /// for TLS) for several Patrol instances sharing one store. Default:
    /// sqlite:<state dir>/patrol.db.
    #[arg(long, env = "PATROL_STORE", value_name = "URL", value_parser = parse_store, hide_env_values = true)]
    pub store: Option<StoreUrl>,

    /// File whose first line is the password of the PostgreSQL store.
    #[arg(long, env = "PATROL_STORE_PASSWORD_FILE", value_name = "FILE", value_parser = read_store_password)]
    pub store_password_file: Option<Secret>,

    /// Directory of Patrol's own files, such as the default SQLite store
    /// (created if missing). Default: $XDG_STATE_HOME/patrol, else
    /// $HOME/.local/state/patrol.
    #[arg(long, env = "PATROL_STATE_DIR", value_name = "DIR")]
    pub state_dir: Option<PathBuf>,

    /// An audit log file written by an older Patrol, imported into the
    /// store once at start: its hash chain must verify, and the store's
    /// chain continues from its last record.
    #[arg(long, env = "PATROL_AUDIT_LOG", value_name = "FILE")]
    pub audit_log: Option<PathBuf>,

    /// TOML file of Patroni REST credentials and CAs: a default, overrides
    /// per namespace or cluster (see README). Read at start-up.
    #[arg(long, env = "PATROL_PATRONI_REST", value_name = "FILE")]
    pub patroni_rest: Option<PathBuf>,

    /// Default Patroni REST login as user:password, over --patroni-rest's
    /// default. The password is never logged or shown.
    #[arg(long, env = "PATROL_PATRONI_USER", value_name = "USER:PASSWORD", value_parser = parse_patroni_user, hide_env_values = true)]
    pub patroni_user: Option<PatroniUser>,

    /// File whose first line is the Patroni REST login as user:password
    /// (instead of --patroni-user).
    #[arg(long, env = "PATROL_PATRONI_USER_FILE", value_name = "FILE", value_parser = read_patroni_user_file, conflicts_with = "patroni_user")]
    pub patroni_user_file: Option<PatroniUser>,

    /// Default CA bundle (PEM) for https:// Patroni REST APIs, over --patroni-rest's default.
    #[arg(long, env = "PATROL_PATRONI_CACERT", value_name = "FILE", value_parser = readable_file)]
    pub patroni_cacert: Option<PathBuf>,

    /// Keep a copy of every etcd snapshot downloaded through Patrol here,
    /// with a `.json` record of each (created if missing).
    #[arg(long, env = "PATROL_SNAPSHOT_DIR", value_name = "DIR")]
    pub snapshot_dir: Option<PathBuf>,

    /// Let admins write and delete Patroni's own keys (leader, members/,
    /// config, ...) in the keyspace browser; off, those are write-protected.
    #[arg(long, env = "PATROL_ALLOW_PATRONI_KEY_WRITES")]
    pub allow_patroni_key_writes: bool,

    /// Mark the session cookie Secure; use when Patrol is served over TLS (behind a proxy).
    #[arg(long, env = "PATROL_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Reverse proxy (address or CIDR range) whose X-Forwarded-For and
    /// X-Forwarded-Proto Patrol believes; repeat or comma-separate. From
    /// anyone else those headers are ignored.
    #[arg(long = "trusted-proxy", env = "PATROL_TRUSTED_PROXY", value_name = "CIDR", value_delimiter = ',', value_parser = parse_cidr)]
    pub trusted_proxies: Vec<Cidr>,

    /// Most connections open at once; past it new ones are closed at once.
    #[arg(long, env = "PATROL_MAX_CONNECTIONS", default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,

    /// Most connections open at once from one address (--trusted-proxy
    /// addresses excepted). Each open page holds one or two.
    #[arg(long, env = "PATROL_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections_per_address: u32,

    /// The REST login and CA `--patroni-config` found, under --patroni-rest's
    /// default and the --patroni-user/--patroni-cacert flags.
    #[arg(skip)]
    pub patroni_config_rest: RestCredentials,

    /// The `[etcd.<name>]` tables of --config: further etcd clusters.
    #[arg(skip)]
    pub etcd_tables: Vec<fleet::EtcdTable>,

    /// --endpoints was given (flag, variable, --config key or
    /// --patroni-config), not left at its default.
    #[arg(skip)]
    pub endpoints_given: bool,
}

/// Admin tokens read from --admin-token-file; `Debug` shows only how many.
#[derive(Clone)]
pub struct Tokens(pub Vec<String>);

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} redacted)", self.0.len())
    }
}

/// --store's URL; `Debug` leaves out a password written in it.
#[derive(Clone)]
pub struct StoreUrl(pub String);

impl std::fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoreUrl({})", StoreConfig::new(self.0.clone()).shown())
    }
}

/// --patroni-user's user and password; `Debug` redacts the password.
#[derive(Clone)]
pub struct PatroniUser {
    pub name: String,
    pub password: String,
}

impl std::fmt::Debug for PatroniUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PatroniUser({}, password redacted)", self.name)
    }
}

impl Config {
    /// Patroni REST credentials: --patroni-rest's file, its default
    /// overridden by --patroni-user and --patroni-cacert; what
    /// --patroni-config found fills only what those leave unset.
    pub fn patroni_rest(&self) -> Result<PatroniRestConfig, String> {
        let mut rest = match &self.patroni_rest {
            Some(path) => PatroniRestConfig::from_file(path)?,
            None => PatroniRestConfig::default(),
        };
        let found = &self.patroni_config_rest;
        if rest.default.username.is_none() && found.username.is_some() {
            rest.default.username = found.username.clone();
            rest.default.password = found.password.clone();
        }
        if rest.default.cacert.is_none() {
            rest.default.cacert = found.cacert.clone();
        }
        if let Some(user) = self
            .patroni_user
            .as_ref()
            .or(self.patroni_user_file.as_ref())
        {
            rest.default.username = Some(user.name.clone());
            rest.default.password = Some(user.password.clone());
        }
        if let Some(ca) = &self.patroni_cacert {
            rest.default.cacert = Some(ca.clone());
        }
        Ok(rest)
    }

    /// `--snapshot-dir`, created if missing and made absolute; an unusable
    /// directory stops start-up rather than the first snapshot's copy.
    pub fn snapshot_dir(&self) -> anyhow::Result<Option<std::sync::Arc<std::path::Path>>> {
        let Some(dir) = &self.snapshot_dir else {
            return Ok(None);
        };
        let fail = |e: std::io::Error| anyhow::anyhow!("--snapshot-dir {}: {e}", dir.display());
        std::fs::create_dir_all(dir).map_err(fail)?;
        let dir = std::fs::canonicalize(dir).map_err(fail)?;
        let probe = dir.join(".patrol-write-test");
        std::fs::write(&probe, b"").map_err(fail)?;
        let _ = std::fs::remove_file(&probe);
        Ok(Some(dir.into()))
    }

    /// The store: `--store`, else a SQLite file in the state directory,
    /// with `--store-password-file`'s password.
    pub fn store(&self) -> anyhow::Result<StoreConfig> {
        let url = match &self.store {
            Some(url) => url.0.clone(),
            None => sqlite_url(&self.state_dir()?.join("patrol.db")),
        };
        Ok(StoreConfig {
            url,
            password: self
                .store_password_file
                .as_ref()
                .map(|s| s.expose().to_owned()),
        })
    }

    /// `--state-dir`, else `$XDG_STATE_HOME/patrol`, else
    /// `$HOME/.local/state/patrol`.
    pub fn state_dir(&self) -> anyhow::Result<PathBuf> {
        if let Some(dir) = &self.state_dir {
            return Ok(dir.clone());
        }
        let var = |name| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        if let Some(xdg) = var("XDG_STATE_HOME") {
            return Ok(xdg.join("patrol"));
        }
        match var("HOME") {
            Some(home) => Ok(home.join(".local/state/patrol")),
            None => anyhow::bail!("no --state-dir, and neither XDG_STATE_HOME nor HOME is set: give Patrol --state-dir or --store"),
        }
    }

    /// The admin part of the configuration.
    pub fn auth(&self) -> AuthConfig {
        AuthConfig {
            admin_user: self.admin_user.clone(),
            password_hash: self
                .admin_password_hash
                .as_ref()
                .or(self.admin_password_hash_file.as_ref())
                .map(|h| h.expose().to_owned()),
            tokens: self
                .admin_token_file
                .clone()
                .map(|t| t.0)
                .unwrap_or_default(),
            read_only: self.read_only,
            session_ttl: self.session_ttl,
            secure_cookies: self.secure_cookies,
            trusted_proxies: TrustedProxies(self.trusted_proxies.clone()),
        }
    }

    /// The connection limits.
    pub fn limits(&self) -> crate::serve::Limits {
        crate::serve::Limits {
            max_connections: self.max_connections as usize,
            max_per_address: self.max_connections_per_address as usize,
            trusted_proxies: TrustedProxies(self.trusted_proxies.clone()),
        }
    }

    /// The etcd part of the configuration.
    pub fn etcd(&self) -> EtcdConfig {
        EtcdConfig {
            endpoints: self.endpoints.clone(),
            cacert: self.cacert.clone(),
            cert: self.cert.clone(),
            key: self.key.clone(),
            user: self.user.clone().or_else(|| self.user_file.clone()),
            dial_timeout: self.dial_timeout,
            command_timeout: self.command_timeout,
        }
    }

    /// The configuration from the command line, the environment, `--config`
    /// and `--patroni-config`, or exits: 0 for --help/--version, 2 with one
    /// line naming the flag or the file, key and line for anything invalid.
    pub fn from_args() -> Loaded {
        match load(std::env::args_os()) {
            Ok(loaded) => loaded,
            Err(LoadError::Exit(e)) => e.exit(),
            Err(LoadError::Invalid(message)) => {
                eprintln!("error: {message}");
                std::process::exit(2);
            }
        }
    }
}

/// One line for a command-line error, never quoting a secret flag's value
/// (someone may have passed the password itself).
fn command_line_error(e: &clap::Error) -> String {
    if names_secret(e, "--admin-password-hash") {
        return "invalid value for '--admin-password-hash': not an argon2 PHC string; make one with `patrol hash-password`".into();
    }
    if names_secret(e, "--patroni-user") {
        return "invalid value for '--patroni-user <USER:PASSWORD>': expected user:password".into();
    }
    // clap's first paragraph, on one line: "the following required
    // arguments were not provided: --key <FILE>".
    let text = e.render().to_string();
    let line = text
        .trim_start()
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    match line.strip_prefix("error: ") {
        Some(rest) => rest.to_owned(),
        None if line.is_empty() => "invalid arguments".to_owned(),
        None => line,
    }
}

fn parse_endpoint(s: &str) -> Result<String, String> {
    let s = s.trim();
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"))
        .ok_or("expected a URL starting with http:// or https://")?;
    let authority = rest.trim_end_matches('/');
    let (host, port) = authority
        .rsplit_once(':')
        .ok_or("expected host:port after the scheme")?;
    if host.is_empty() || authority.contains('/') {
        return Err("expected scheme://host:port".into());
    }
    port.parse::<u16>()
        .map_err(|_| format!("'{port}' is not a port number"))?;
    Ok(s.trim_end_matches('/').to_owned())
}

/// Whether a command-line error is about `flag`, whose value must not be shown.
fn names_secret(e: &clap::Error, flag: &str) -> bool {
    use clap::error::{ContextKind, ContextValue};
    matches!(e.get(ContextKind::InvalidArg), Some(ContextValue::String(arg))
        if arg == flag || arg.starts_with(&format!("{flag} ")) || arg.starts_with(&format!("{flag}=")))
}

fn parse_phc(s: &str) -> Result<Secret, String> {
    app::auth::password::check_phc(s.trim())?;
    Ok(Secret::new(s.trim()))
}

fn read_phc_file(path: &str) -> Result<Secret, String> {
    let line = secret::first_line(path)?;
    parse_phc(&line).map_err(|_| {
        format!("{path}: its first line is not an argon2 PHC string; make one with `patrol hash-password`")
    })
}

fn parse_store(s: &str) -> Result<StoreUrl, String> {
    let s = s.trim();
    StoreConfig::new(s).check()?;
    Ok(StoreUrl(s.to_owned()))
}

fn read_store_password(path: &str) -> Result<Secret, String> {
    Ok(Secret::new(secret::first_line(path)?))
}

fn read_user_file(path: &str) -> Result<EtcdUser, String> {
    parse_user(&secret::first_line(path)?)
        .map_err(|_| format!("{path}: its first line is not user:password"))
}

fn read_patroni_user_file(path: &str) -> Result<PatroniUser, String> {
    parse_patroni_user(&secret::first_line(path)?)
        .map_err(|_| format!("{path}: its first line is not user:password"))
}

fn read_tokens(path: &str) -> Result<Tokens, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let tokens: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    if let Some(n) = tokens.iter().position(|t| t.len() < 16) {
        return Err(format!(
            "{path}: token {} is shorter than 16 characters",
            n + 1
        ));
    }
    if tokens.is_empty() {
        return Err(format!("{path}: no tokens"));
    }
    Ok(Tokens(tokens))
}

fn readable_file(s: &str) -> Result<PathBuf, String> {
    std::fs::File::open(s).map_err(|e| format!("cannot read {s}: {e}"))?;
    Ok(PathBuf::from(s))
}

fn parse_user(s: &str) -> Result<EtcdUser, String> {
    match s.split_once(':') {
        Some((name, password)) if !name.is_empty() => Ok(EtcdUser {
            name: name.to_owned(),
            password: password.to_owned(),
        }),
        _ => Err("expected user:password".into()),
    }
}

fn parse_patroni_user(s: &str) -> Result<PatroniUser, String> {
    match s.split_once(':') {
        Some((name, password)) if !name.is_empty() && !password.is_empty() => Ok(PatroniUser {
            name: name.to_owned(),
            password: password.to_owned(),
        }),
        _ => Err("expected user:password".into()),
    }
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| format!("{e} (use e.g. 2s or 500ms)"))?;
    if d.is_zero() {
        return Err("must be longer than zero".into());
    }
    Ok(d)
}

fn parse_etcd_name(s: &str) -> Result<String, String> {
    app::fleet::check_name(s).map(|()| s.to_owned())
}

fn parse_cidr(s: &str) -> Result<Cidr, String> {
    s.parse()
}

fn parse_namespace(s: &str) -> Result<String, String> {
    app::patroni::normalize_namespace(s).ok_or_else(|| "namespace must not be empty".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        Config::try_parse_from(std::iter::once("patrol").chain(args.iter().copied()))
    }

    #[test]
    fn defaults() {
        let c = parse(&[]).expect("defaults parse");
        assert_eq!(c.endpoints, ["http://127.0.0.1:2379"]);
        assert_eq!(c.namespaces, ["/service", "/db", "/pg"]);
        assert_eq!(c.listen.to_string(), "127.0.0.1:8000");
        assert_eq!(c.dial_timeout, Duration::from_secs(2));
    }

    #[test]
    fn lists_and_normalization() {
        let c = parse(&[
            "--endpoints",
            "http://a:1,https://b:2/",
            "--namespace",
            "pg/",
            "--namespace",
            "db",
        ])
        .expect("parse");
        assert_eq!(c.endpoints, ["http://a:1", "https://b:2"]);
        assert_eq!(c.namespaces, ["/pg", "/db"]);
    }

    #[test]
    fn bad_values_name_the_flag() {
        for (args, flag) in [
            (&["--endpoints", "127.0.0.1:2379"][..], "--endpoints"),
            (&["--dial-timeout", "soon"][..], "--dial-timeout"),
            (&["--listen", "nowhere"][..], "--listen"),
            (&["--user", "nopassword"][..], "--user"),
            (&["--cacert", "/nonexistent/ca.pem"][..], "--cacert"),
            (&["--namespace", "/"][..], "--namespace"),
            (&["--trusted-proxy", "10.0.0.0/40"][..], "--trusted-proxy"),
        ] {
            let err = parse(args).expect_err("must be refused").to_string();
            assert!(err.contains(flag), "{err}");
        }
    }

    #[test]
    fn patroni_flags_override_the_file_default() {
        let c = parse(&[
            "--patroni-user",
            "patrol:s3cret:x",
            "--patroni-cacert",
            "Cargo.toml",
        ])
        .expect("parse");
        let rest = c.patroni_rest().expect("no file needed");
        assert_eq!(rest.default.username.as_deref(), Some("patrol"));
        assert_eq!(rest.default.password.as_deref(), Some("s3cret:x"));
        assert_eq!(rest.default.cacert, Some(PathBuf::from("Cargo.toml")));
        assert!(!format!("{c:?}").contains("s3cret"), "{c:?}");

        let c = parse(&["--patroni-rest", "/nonexistent/rest.toml"]).expect("parse");
        let err = c.patroni_rest().expect_err("missing file");
        assert!(err.contains("/nonexistent/rest.toml"), "{err}");
    }

    #[test]
    fn bad_patroni_user_is_never_echoed() {
        for bad in ["s3cret", "patrol:", ":s3cret"] {
            let err = parse(&["--patroni-user", bad]).expect_err("must be refused");
            assert!(names_secret(&err, "--patroni-user"), "{bad}: {err}");
        }
    }

    #[test]
    fn the_store_defaults_to_sqlite_in_the_state_dir() {
        let c = parse(&["--state-dir", "/var/lib/patrol"]).expect("parse");
        assert_eq!(
            c.store().expect("store").url,
            "sqlite:/var/lib/patrol/patrol.db"
        );
        let c = parse(&["--store", "postgres://patrol:pw@db:5432/patrol"]).expect("parse");
        assert!(!format!("{c:?}").contains("pw@"), "{c:?}");
        let err = parse(&["--store", "mysql://db/patrol"]).expect_err("refused");
        assert!(err.to_string().contains("--store"), "{err}");
    }

    #[test]
    fn password_is_redacted() {
        let c = parse(&["--user", "root:s3cret"]).expect("parse");
        let shown = format!("{c:?}");
        assert!(
            shown.contains("root") && !shown.contains("s3cret"),
            "{shown}"
        );
    }
}
