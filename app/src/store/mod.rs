//! Patrol's durable state — sessions, the audit log, and what later parts
//! add — in one store with two back ends: an embedded SQLite file (the
//! default: nothing to set up) or PostgreSQL, which several Patrol
//! instances share.
//!
//! The SQL is written once for both back ends wherever it can be (`$1`
//! placeholders, `INSERT ... ON CONFLICT ... DO UPDATE`, `RETURNING`);
//! [`with_pool!`] and [`write_tx!`] run one text on whichever pool the
//! store has. Migrations (see [`migrate`]) run at [`Store::open`].

mod cert_files;
mod error;
pub mod lease;
pub mod migrate;
mod open;
pub mod primary;
pub(crate) mod sqlite_tx;

use std::sync::Arc;

pub use error::{classify, Kind, StoreError};
pub use open::{sqlite_url, StoreConfig};

/// The pool of one back end.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// The store: a pool of connections to one database. Cheap to clone;
/// connections come back by themselves after the database returns.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// The store's URL without its password, for messages.
    name: Arc<str>,
}

impl Store {
    /// Connects to the store `config` names and brings its schema up to
    /// date. Fails if it cannot be reached, or was migrated by a newer
    /// Patrol ([`StoreError::SchemaNewer`]).
    pub async fn open(config: &StoreConfig) -> Result<Store, StoreError> {
        let store = open::connect(config).await?;
        migrate::run(&store)
            .await
            .map_err(|e| e.naming(&store.name))?;
        Ok(store)
    }

    /// The pool, for [`with_pool!`] and [`write_tx!`].
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Which back end this is.
    pub fn kind(&self) -> Kind {
        match self.backend {
            Backend::Sqlite(_) => Kind::Sqlite,
            Backend::Postgres(_) => Kind::Postgres,
        }
    }

    /// The store's URL without any password (`sqlite:/var/lib/patrol/patrol.db`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Closes every connection (tests; Patrol itself just exits).
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(p) => p.close().await,
            Backend::Postgres(p) => p.close().await,
        }
    }
}

/// Evaluates `$body` with `$pool` bound to the store's pool, whichever back
/// end it is: one SQL text, compiled once per back end.
///
/// ```ignore
/// let n: i64 = with_pool!(store, pool => sqlx::query_scalar("SELECT COUNT(*) FROM t")
///     .fetch_one(pool).await.map_err(StoreError::from_sqlx)?);
/// ```
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store.backend() {
            $crate::store::Backend::Sqlite($pool) => $body,
            $crate::store::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Evaluates `$body` inside a write transaction bound to `$tx` (use
/// `&mut *$tx` as the executor), and commits; a `?` in `$body` rolls back.
/// SQLite's transaction is `BEGIN IMMEDIATE`, which takes the database's
/// write lock at once (waiting up to the busy timeout), so two writers
/// never deadlock upgrading a read lock.
macro_rules! write_tx {
    ($store:expr, $tx:ident => $body:expr) => {
        match $store.backend() {
            $crate::store::Backend::Sqlite(pool) => {
                let mut $tx = $crate::store::sqlite_tx::SqliteTx::begin(pool).await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::store::Backend::Postgres(pool) => {
                let mut $tx = pool
                    .begin()
                    .await
                    .map_err($crate::store::StoreError::from_sqlx)?;
                let out = $body;
                $tx.commit()
                    .await
                    .map_err($crate::store::StoreError::from_sqlx)?;
                out
            }
        }
    };
}
pub(crate) use write_tx;

/// A Citus group as the store's tables hold it: -1 outside Citus.
pub fn citus_group(g: Option<u32>) -> i64 {
    g.map_or(-1, i64::from)
}

/// The Citus group a stored `citus_group` names.
pub fn citus_group_of(stored: i64) -> Option<u32> {
    u32::try_from(stored).ok()
}

/// A SQLite store in a fresh temporary directory, for unit tests; the
/// directory goes when the value drops.
#[cfg(test)]
pub(crate) struct TestStore {
    pub store: Store,
    dir: std::path::PathBuf,
}

#[cfg(test)]
impl TestStore {
    pub async fn new(name: &str) -> TestStore {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "patrol-store-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let config = StoreConfig::new(sqlite_url(&dir.join("patrol.db")));
        let store = Store::open(&config).await.expect("open a test store");
        TestStore { store, dir }
    }

    pub fn path(&self) -> std::path::PathBuf {
        self.dir.join("patrol.db")
    }
}

#[cfg(test)]
impl Drop for TestStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
