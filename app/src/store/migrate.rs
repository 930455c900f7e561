//! Versioned migrations, applied at start. `patrol_schema` holds one row,
//! the version the store is at; this binary knows [`MIGRATIONS`] up to
//! [`known`]. A store at a higher version was migrated by a newer Patrol
//! and is refused rather than misread.
//!
//! To add a migration: write `migrations/NNNN_what.sql` in SQL that both
//! SQLite and PostgreSQL accept (`BIGINT`, `TEXT`, `INTEGER PRIMARY KEY`,
//! no `SERIAL`), and append it to [`MIGRATIONS`] with the next version.
//! Never edit one that has shipped.

use super::{write_tx, Backend, Store, StoreError};

/// One step of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    /// Statements separated by `;`, run in one transaction.
    pub sql: &'static str,
}

/// Every migration this binary knows, in order, versions 1, 2, 3, ...
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "sessions and the audit log",
        sql: include_str!("migrations/0001_core.sql"),
    },
    Migration {
        version: 2,
        name: "lag history and leases",
        sql: include_str!("migrations/0002_lag_history.sql"),
    },
    Migration {
        version: 3,
        name: "topology changes",
        sql: include_str!("migrations/0003_changes.sql"),
    },
];

/// An arbitrary constant: the PostgreSQL advisory lock that makes two
/// Patrol instances starting at once migrate one after the other.
const MIGRATION_LOCK: i64 = 0x7061_7472_6f6c_0001;

/// The newest version this binary knows.
pub fn known() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The version the store is at; `None` for a store Patrol never touched.
pub async fn version(store: &Store) -> Result<Option<i64>, StoreError> {
    let exists: i64 = match store.backend() {
        Backend::Sqlite(pool) => sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'patrol_schema'",
        )
        .fetch_one(pool)
        .await,
        Backend::Postgres(pool) => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_name = 'patrol_schema' AND table_schema = current_schema()",
            )
            .fetch_one(pool)
            .await
        }
    }
    .map_err(StoreError::from_sqlx)?;
    if exists == 0 {
        return Ok(None);
    }
    super::with_pool!(store, pool => sqlx::query_scalar("SELECT version FROM patrol_schema WHERE id = 1")
        .fetch_optional(pool)
        .await
        .map_err(StoreError::from_sqlx))
}

/// Brings the store to [`known`]; returns how many migrations ran. A store
/// already there is only read, so a read-only store still opens.
pub async fn run(store: &Store) -> Result<usize, StoreError> {
    let known = known();
    match version(store).await? {
        Some(found) if found == known => return Ok(0),
        Some(found) if found > known => return Err(StoreError::SchemaNewer { found, known }),
        _ => {}
    }
    let applied = write_tx!(store, tx => {
        if let Backend::Postgres(_) = store.backend() {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from_sqlx)?;
        }
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS patrol_schema (\
                 id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);\
             INSERT INTO patrol_schema (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
        )
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from_sqlx)?;
        // Read again under the lock: another instance may have migrated.
        let found: i64 = sqlx::query_scalar("SELECT version FROM patrol_schema WHERE id = 1")
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from_sqlx)?;
        if found > known {
            return Err(StoreError::SchemaNewer { found, known });
        }
        let mut applied = 0;
        for m in MIGRATIONS.iter().filter(|m| m.version > found) {
            sqlx::raw_sql(m.sql)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::Query(format!("migration {} ({}): {e}", m.version, m.name)))?;
            applied += 1;
        }
        sqlx::query("UPDATE patrol_schema SET version = $1 WHERE id = 1")
            .bind(known)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from_sqlx)?;
        applied
    });
    tracing::info!(
        store = store.name(),
        applied,
        version = known,
        "store migrated"
    );
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{with_pool, Store, StoreConfig, TestStore};

    #[test]
    fn versions_count_up_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "{}", m.name);
        }
    }

    #[tokio::test]
    async fn sqlite_migrates_from_empty_once_and_refuses_a_newer_schema() {
        let t = TestStore::new("migrate").await;
        assert_eq!(version(&t.store).await.expect("version"), Some(known()));
        assert_eq!(run(&t.store).await.expect("again"), 0, "nothing left to do");
        let head: (i64, String) = with_pool!(t.store, pool =>
            sqlx::query_as("SELECT seq, hash FROM patrol_audit_head").fetch_one(pool).await)
        .expect("the audit head row");
        assert_eq!(head, (0, crate::audit::GENESIS_HASH.to_owned()));

        with_pool!(t.store, pool => sqlx::query("UPDATE patrol_schema SET version = $1")
            .bind(known() + 1).execute(pool).await.map(|_| ()))
        .expect("pretend a newer Patrol migrated");
        t.store.close().await;
        let config = StoreConfig::new(crate::store::sqlite_url(&t.path()));
        let err = Store::open(&config).await.expect_err("newer schema");
        assert!(
            matches!(err, StoreError::SchemaNewer { found, known: k } if found == k + 1),
            "{err}"
        );
        let words = err.to_string();
        assert!(
            words.contains(&format!("version {}", known() + 1))
                && words.contains(&format!("({})", known())),
            "{words}"
        );
    }
}
