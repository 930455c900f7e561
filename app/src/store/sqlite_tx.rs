//! SQLite's write transaction, by hand: `BEGIN IMMEDIATE` on a pooled
//! connection, and a connection whose transaction did not commit is closed
//! instead of going back to the pool. sqlx's own transaction counts its
//! depth and, when a `COMMIT` fails (a full disk: SQLite has then already
//! rolled back), its queued `ROLLBACK` fails too and the depth stays up,
//! so the next write on that connection would fail with "non-zero
//! transaction depth" although the disk has room again.

use std::ops::{Deref, DerefMut};

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};

use super::StoreError;

/// A connection inside `BEGIN IMMEDIATE`; closed when dropped uncommitted.
pub(crate) struct SqliteTx {
    conn: PoolConnection<Sqlite>,
    committed: bool,
}

impl SqliteTx {
    /// Takes a connection and the database's write lock.
    pub(crate) async fn begin(pool: &SqlitePool) -> Result<SqliteTx, StoreError> {
        let conn = pool.acquire().await.map_err(StoreError::from_sqlx)?;
        let mut tx = SqliteTx {
            conn,
            committed: false,
        };
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *tx.conn)
            .await
            .map_err(StoreError::from_sqlx)?;
        Ok(tx)
    }

    /// Commits; on failure the connection is closed with what it held.
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        sqlx::query("COMMIT")
            .execute(&mut *self.conn)
            .await
            .map_err(StoreError::from_sqlx)?;
        self.committed = true;
        Ok(())
    }
}

impl Deref for SqliteTx {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.conn
    }
}

impl DerefMut for SqliteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        if !self.committed {
            // Closing ends the transaction (SQLite rolls it back), and the
            // pool opens a fresh connection in its place.
            self.conn.close_on_drop();
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{write_tx, StoreError, TestStore};

    async fn insert(store: &crate::store::Store, fail: bool) -> Result<(), StoreError> {
        write_tx!(store, tx => {
            sqlx::query("INSERT INTO patrol_leases (name, holder, expires_ms) VALUES ('t', 'h', 1)")
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from_sqlx)?;
            if fail {
                return Err(StoreError::Query("given up".into()));
            }
        });
        Ok(())
    }

    #[tokio::test]
    async fn a_transaction_given_up_leaves_nothing_and_the_next_one_commits() {
        let t = TestStore::new("sqlite-tx").await;
        assert!(insert(&t.store, true).await.is_err());
        for _ in 0..8 {
            // Every pooled connection is usable again.
            assert!(insert(&t.store, true).await.is_err());
        }
        insert(&t.store, false).await.expect("commit");
        let n: i64 = crate::store::with_pool!(t.store, pool => sqlx::query_scalar("SELECT COUNT(*) FROM patrol_leases").fetch_one(pool).await)
            .expect("count");
        assert_eq!(n, 1);
    }
}
