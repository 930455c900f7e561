//! Browser sessions, kept in the store so that a sign-in on one Patrol is
//! valid on every Patrol sharing it, and a sign-out or an expiry ends it
//! everywhere. The store holds the SHA-256 of each token, never the token.

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::store::{with_pool, Store, StoreError};

/// Sessions in the store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Sessions {
    store: Store,
}

/// What the store keeps for a token: its SHA-256, hex.
fn key_of(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Sessions {
    pub fn new(store: Store) -> Sessions {
        Sessions { store }
    }

    /// Opens a session for `user` lasting `ttl`; returns its token. Expired
    /// sessions are deleted on the way.
    pub async fn open(&self, user: &str, ttl: Duration) -> Result<String, StoreError> {
        let mut raw = [0u8; 32];
        getrandom::getrandom(&mut raw)
            .map_err(|e| StoreError::Query(format!("no randomness for a session: {e}")))?;
        let token = hex::encode(raw);
        let now = now_ms();
        let expires = now.saturating_add(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX));
        with_pool!(self.store, pool => {
            sqlx::query("DELETE FROM patrol_sessions WHERE expires_ms <= $1")
                .bind(now)
                .execute(pool)
                .await
                .map_err(StoreError::from_sqlx)?;
            sqlx::query("INSERT INTO patrol_sessions (token_hash, username, expires_ms) VALUES ($1, $2, $3)")
                .bind(key_of(&token))
                .bind(user)
                .bind(expires)
                .execute(pool)
                .await
                .map_err(StoreError::from_sqlx)?;
        });
        Ok(token)
    }

    /// The user of a live session.
    pub async fn user(&self, token: &str) -> Result<Option<String>, StoreError> {
        with_pool!(self.store, pool => sqlx::query_scalar(
            "SELECT username FROM patrol_sessions WHERE token_hash = $1 AND expires_ms > $2",
        )
        .bind(key_of(token))
        .bind(now_ms())
        .fetch_optional(pool)
        .await
        .map_err(StoreError::from_sqlx))
    }

    /// The store's name, for messages.
    pub fn store_name(&self) -> &str {
        self.store.name()
    }

    /// Ends a session (sign-out), on every Patrol sharing the store.
    pub async fn close(&self, token: &str) -> Result<(), StoreError> {
        with_pool!(self.store, pool => sqlx::query("DELETE FROM patrol_sessions WHERE token_hash = $1")
            .bind(key_of(token))
            .execute(pool)
            .await
            .map(|_| ())
            .map_err(StoreError::from_sqlx))?;
        Ok(())
    }
}

fn now_ms() -> i64 {
    i64::try_from(crate::clock::now_ms()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TestStore;

    #[tokio::test]
    async fn sessions_open_expire_and_close() {
        let t = TestStore::new("sessions").await;
        let s = Sessions::new(t.store.clone());
        let a = s
            .open("admin", Duration::from_secs(60))
            .await
            .expect("open");
        assert_eq!(a.len(), 64);
        assert_eq!(s.user(&a).await.expect("read").as_deref(), Some("admin"));
        assert_eq!(s.user("forged").await.expect("read"), None);
        s.close(&a).await.expect("close");
        assert_eq!(s.user(&a).await.expect("read"), None);
        let short = s.open("admin", Duration::ZERO).await.expect("open");
        assert_eq!(s.user(&short).await.expect("read"), None, "expired");
    }

    #[tokio::test]
    async fn the_store_never_holds_a_token() {
        let t = TestStore::new("session-hash").await;
        let s = Sessions::new(t.store.clone());
        let token = s
            .open("admin", Duration::from_secs(60))
            .await
            .expect("open");
        // A second handle on the same store (another Patrol) sees it.
        let other = Sessions::new(t.store.clone());
        assert_eq!(
            other.user(&token).await.expect("read").as_deref(),
            Some("admin")
        );
        let kept: Vec<String> = with_pool!(t.store, pool =>
            sqlx::query_scalar("SELECT token_hash FROM patrol_sessions").fetch_all(pool).await)
        .expect("rows");
        assert_eq!(kept, [key_of(&token)]);
        assert!(!kept.contains(&token));
        // An expired row goes with the next sign-in.
        s.open("admin", Duration::ZERO).await.expect("open");
        s.open("admin", Duration::from_secs(60))
            .await
            .expect("open");
        let rows: i64 = with_pool!(t.store, pool =>
            sqlx::query_scalar("SELECT COUNT(*) FROM patrol_sessions").fetch_one(pool).await)
        .expect("count");
        assert_eq!(rows, 2, "the zero-length session was purged");
    }
}
