//! Leases in the store: a named job that one Patrol instance of several
//! does at a time. The holder renews its lease well before it runs out;
//! when the holder stops, the lease runs out and another instance takes it.
//! Expiry times are each instance's own clock, so the instances' clocks
//! must agree to well within the lease's length (NTP does).

use std::time::Duration;

use super::{with_pool, Store, StoreError};

/// Takes or renews the lease `name` for `holder` until `now_ms + ttl`.
/// True when `holder` holds it now; false while another holder's lease
/// has not run out.
pub async fn hold(
    store: &Store,
    name: &str,
    holder: &str,
    ttl: Duration,
    now_ms: u64,
) -> Result<bool, StoreError> {
    let expires = millis(now_ms.saturating_add(ttl.as_millis() as u64));
    // One statement: the row lock (PostgreSQL) or the write lock (SQLite)
    // makes two instances taking an expired lease at once see one winner.
    let done = with_pool!(store, pool => sqlx::query(
        "INSERT INTO patrol_leases (name, holder, expires_ms) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_ms = excluded.expires_ms \
         WHERE patrol_leases.holder = excluded.holder OR patrol_leases.expires_ms < $4",
    )
    .bind(name)
    .bind(holder)
    .bind(expires)
    .bind(millis(now_ms))
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)?;
    Ok(done == 1)
}

/// Gives the lease up, if `holder` holds it, so another instance need not
/// wait for it to run out.
pub async fn release(store: &Store, name: &str, holder: &str) -> Result<(), StoreError> {
    with_pool!(store, pool => sqlx::query("DELETE FROM patrol_leases WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .execute(pool)
        .await
        .map(|_| ()))
    .map_err(StoreError::from_sqlx)
}

/// Who holds `name` at `now_ms`, if anyone.
pub async fn holder(store: &Store, name: &str, now_ms: u64) -> Result<Option<String>, StoreError> {
    with_pool!(store, pool => sqlx::query_scalar(
        "SELECT holder FROM patrol_leases WHERE name = $1 AND expires_ms >= $2",
    )
    .bind(name)
    .bind(millis(now_ms))
    .fetch_optional(pool)
    .await)
    .map_err(StoreError::from_sqlx)
}

/// Unix ms as the store's BIGINT (times past the year 292 million clamp).
pub fn millis(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TestStore;

    const TTL: Duration = Duration::from_secs(6);

    #[tokio::test]
    async fn one_holder_at_a_time_until_it_runs_out_or_is_given_up() {
        let t = TestStore::new("lease").await;
        let s = &t.store;
        assert!(hold(s, "job", "a", TTL, 1_000).await.expect("take"));
        assert!(!hold(s, "job", "b", TTL, 2_000).await.expect("refused"));
        assert!(hold(s, "job", "a", TTL, 3_000).await.expect("renew"));
        assert_eq!(
            holder(s, "job", 8_999).await.expect("read").as_deref(),
            Some("a")
        );
        // a's renewal at 3 s runs out at 9 s.
        assert!(!hold(s, "job", "b", TTL, 9_000).await.expect("not yet"));
        assert!(hold(s, "job", "b", TTL, 9_001).await.expect("taken over"));
        assert!(!hold(s, "job", "a", TTL, 9_002).await.expect("a lost it"));
        assert!(hold(s, "other", "a", TTL, 9_002)
            .await
            .expect("another name"));
        release(s, "job", "a")
            .await
            .expect("a cannot give up b's lease");
        assert_eq!(
            holder(s, "job", 9_003).await.expect("read").as_deref(),
            Some("b")
        );
        release(s, "job", "b").await.expect("given up");
        assert_eq!(holder(s, "job", 9_004).await.expect("read"), None);
        assert!(hold(s, "job", "a", TTL, 9_005).await.expect("free again"));
    }
}
