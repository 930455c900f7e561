//! Connecting to the store: a SQLite file (created, mode 0600, in WAL mode
//! with full syncs) or a PostgreSQL server (TLS through rustls, a password
//! from a file).

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::{cert_files, primary, Backend, Store, StoreError};

/// How long a writer waits for SQLite's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a request waits for a free connection (or a new one) before
/// the store counts as unreachable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the store is: `sqlite:PATH` or `postgres://user@host:port/db?...`,
/// and PostgreSQL's password (`--store-password-file`). `Debug` shows
/// neither the password nor one written in the URL.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreConfig {
    pub url: String,
    pub password: Option<String>,
}

impl std::fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreConfig")
            .field("url", &redact(&self.url))
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl StoreConfig {
    pub fn new(url: impl Into<String>) -> StoreConfig {
        StoreConfig {
            url: url.into(),
            password: None,
        }
    }

    /// The URL without a password in it, for logs and messages.
    pub fn shown(&self) -> String {
        redact(&self.url)
    }

    /// The SQLite file, for a `sqlite:` URL.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.url.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        Some(PathBuf::from(rest))
    }

    /// Whether the URL names PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres://") || self.url.starts_with("postgresql://")
    }

    /// A URL Patrol can use, or why not.
    pub fn check(&self) -> Result<(), String> {
        if let Some(path) = self.sqlite_path() {
            if path.as_os_str().is_empty() || self.url.contains('?') {
                return Err("expected sqlite:PATH (a file; no ?options)".into());
            }
            return Ok(());
        }
        if self.is_postgres() {
            for url in primary::split_hosts(&self.url)? {
                PgConnectOptions::from_str(&url)
                    .map_err(|e| format!("not a PostgreSQL URL Patrol can use: {e}"))?;
            }
            return Ok(());
        }
        Err("expected sqlite:PATH or postgres://user@host:port/database".into())
    }
}

/// `sqlite:PATH` for a file.
pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite:{}", path.display())
}

/// `url` with the password of its user info (`user:pw@`) taken out.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}{}", &rest[authority_end..])
        }
        None => url.to_owned(),
    }
}

/// Connects (one connection at least, so an unreachable store fails here).
pub(super) async fn connect(config: &StoreConfig) -> Result<Store, StoreError> {
    config.check().map_err(StoreError::Config)?;
    let name: Arc<str> = config.shown().into();
    let backend = match config.sqlite_path() {
        Some(path) => Backend::Sqlite(sqlite(&path).await?),
        None => Backend::Postgres(postgres(config).await?),
    };
    Ok(Store { backend, name })
}

async fn sqlite(path: &Path) -> Result<sqlx::SqlitePool, StoreError> {
    let shown = path.display();
    let cannot = |e: std::io::Error| StoreError::Unreachable(format!("{shown}: {e}"));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(cannot)?;
    }
    // Opened for writing here rather than by SQLite: a new file is 0600
    // from the start (SQLite gives its -wal and -shm files the database's
    // mode), and a file that may not be written is named as such, where
    // SQLite would only say it cannot open it.
    if let Err(e) = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
    {
        let fault = if read_only(&e) {
            StoreError::ReadOnly
        } else {
            StoreError::Unreachable
        };
        return Err(fault(format!("{shown}: {e}")));
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .journal_mode(SqliteJournalMode::Wal)
        // Every commit reaches the disk before it returns: an audit record
        // is never lost to a crash once the action was allowed to run.
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .max_connections(4)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(|e| StoreError::from_sqlx(e).naming(&shown.to_string()))
}

/// One host: a pool on it. Several (`host1:port1,host2:port2`, a Patroni
/// cluster's members): a pool on the one that is the primary, which only
/// takes connections that can write and follows the primary when it moves.
async fn postgres(config: &StoreConfig) -> Result<sqlx::PgPool, StoreError> {
    let urls = primary::split_hosts(&config.url).map_err(StoreError::Config)?;
    // Every host's URL has the same query: one check names a missing file.
    if let Some(url) = urls.first() {
        cert_files::check(url)?;
    }
    let mut hosts = Vec::with_capacity(urls.len());
    for url in &urls {
        let mut options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(e.to_string()))?
            .application_name("patrol");
        if let Some(password) = &config.password {
            options = options.password(password);
        }
        hosts.push((redact(url), options));
    }
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(ACQUIRE_TIMEOUT);
    let failed = |e| StoreError::from_sqlx(e).naming(&config.shown());
    if hosts.len() == 1 {
        let (_, options) = hosts.remove(0);
        return pool.connect_with(options).await.map_err(failed);
    }
    let at = primary::find(&hosts).await?;
    let pool = pool
        .after_connect(|conn, _| Box::pin(primary::refuse_replica(conn)))
        .connect_with(hosts[at].1.clone())
        .await
        .map_err(failed)?;
    tracing::info!(primary = %hosts[at].0, "the store's primary");
    primary::follow(pool.clone(), hosts, at);
    Ok(pool)
}

/// Whether opening a file for writing failed because it may not be written.
fn read_only(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        let c = StoreConfig {
            url: "postgres://patrol:s3cret@db.example:5432/patrol?sslmode=verify-full".into(),
            password: Some("filepw".into()),
        };
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("filepw"),
            "{shown}"
        );
        assert_eq!(
            c.shown(),
            "postgres://patrol@db.example:5432/patrol?sslmode=verify-full"
        );
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
    }

    #[test]
    fn urls_are_checked() {
        assert_eq!(
            StoreConfig::new("sqlite:/var/lib/patrol/patrol.db").sqlite_path(),
            Some(PathBuf::from("/var/lib/patrol/patrol.db"))
        );
        assert_eq!(
            StoreConfig::new("sqlite:///tmp/p.db").sqlite_path(),
            Some(PathBuf::from("/tmp/p.db"))
        );
        assert!(StoreConfig::new("sqlite:").check().is_err());
        assert!(StoreConfig::new("sqlite:/x.db?mode=ro").check().is_err());
        assert!(StoreConfig::new("mysql://h/db").check().is_err());
        assert!(StoreConfig::new("postgres://patrol@127.0.0.1:5432/p")
            .check()
            .is_ok());
        assert!(
            StoreConfig::new("postgres://patrol@127.0.0.1:5432,127.0.0.1:5433/p")
                .check()
                .is_ok()
        );
        assert!(StoreConfig::new("postgres://patrol@127.0.0.1:5432,:x/p")
            .check()
            .is_err());
    }
}
