//! Topology changes in the store: written by the instance that holds the
//! history writer's lease, read by all, kept [`KEEP_MS`].

use std::sync::Arc;

use tokio::sync::watch;

use super::{Change, ChangeKind, StoredChanges, KEEP_MS};
use crate::cluster::book::{ClusterBook, ClusterId};
use crate::error::AppError;
use crate::store::lease::millis;
use crate::store::{citus_group, write_tx, Store, StoreError};

/// Most changes one request gives back.
pub const MAX_LIMIT: u32 = 1000;

/// Adds `changes` in one transaction; one already there stays as it is.
pub async fn write(store: &Store, changes: &[(ClusterId, Change)]) -> Result<(), StoreError> {
    write_tx!(store, tx => {
        for (id, c) in changes {
            sqlx::query(
                "INSERT INTO patrol_changes \
                 (namespace, scope, citus_group, t, kind, member, from_value, to_value) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (namespace, scope, citus_group, t, kind, member) DO NOTHING",
            )
            .bind(&id.0)
            .bind(&id.1)
            .bind(citus_group(id.2))
            .bind(millis(c.t))
            .bind(c.kind.as_str())
            .bind(c.member.as_deref().unwrap_or(""))
            .bind(c.from.as_deref())
            .bind(c.to.as_deref())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from_sqlx)?;
        }
    });
    Ok(())
}

/// Deletes changes older than [`KEEP_MS`]; returns how many went.
pub async fn prune(store: &Store, now_ms: u64) -> Result<u64, StoreError> {
    crate::store::with_pool!(store, pool => sqlx::query("DELETE FROM patrol_changes WHERE t < $1")
        .bind(millis(now_ms.saturating_sub(KEEP_MS)))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    .map_err(StoreError::from_sqlx)
}

/// A `patrol_changes` row as [`read`] selects it.
type Row = (i64, String, String, Option<String>, Option<String>);

/// Up to `limit` of the cluster's changes at or after `since_ms`, newest
/// first.
pub async fn read(
    store: &Store,
    id: &ClusterId,
    since_ms: u64,
    limit: u32,
) -> Result<StoredChanges, AppError> {
    let now_ms = crate::clock::now_ms();
    let rows: Vec<Row> = crate::store::with_pool!(store, pool => sqlx::query_as(
        "SELECT t, kind, member, from_value, to_value FROM patrol_changes \
         WHERE namespace = $1 AND scope = $2 AND citus_group = $3 AND t >= $4 \
         ORDER BY t DESC, kind, member LIMIT $5",
    )
    .bind(&id.0)
    .bind(&id.1)
    .bind(citus_group(id.2))
    .bind(millis(since_ms))
    .bind(i64::from(limit.min(MAX_LIMIT)))
    .fetch_all(pool)
    .await)
    .map_err(|e| {
        let e = StoreError::from_sqlx(e);
        tracing::warn!(error = %e, "reading topology changes from the store");
        AppError::Unavailable(format!("the changes could not be read from the store: {e}"))
    })?;
    let changes = rows
        .into_iter()
        .filter_map(|(t, kind, member, from, to)| {
            // A kind a newer Patrol wrote is left out rather than misread.
            Some(Change {
                t: u64::try_from(t).unwrap_or(0),
                kind: ChangeKind::parse(&kind)?,
                member: (!member.is_empty()).then_some(member),
                from,
                to,
            })
        })
        .collect();
    Ok(StoredChanges { changes, now_ms })
}

/// The changes of the cluster the book knows by these names (as URLs
/// write them); 404 for a cluster the book does not know.
pub async fn of_cluster(
    clusters: &watch::Receiver<Arc<ClusterBook>>,
    (store, tag): (&Store, Option<&str>),
    (namespace, scope, group): (&str, &str, Option<u32>),
    since_ms: u64,
    limit: u32,
) -> Result<StoredChanges, AppError> {
    let id = clusters
        .borrow()
        .entry(namespace, scope, group)?
        .cluster
        .id();
    let id = crate::cluster::book::stored_id(tag, &id);
    read(store, &id, since_ms, limit).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TestStore;

    fn id() -> ClusterId {
        ("/pg".into(), "a".into(), Some(2))
    }

    fn change(t: u64, kind: ChangeKind, member: Option<&str>) -> (ClusterId, Change) {
        let c = Change {
            t,
            kind,
            member: member.map(str::to_owned),
            from: Some("x".into()),
            to: None,
        };
        (id(), c)
    }

    #[tokio::test]
    async fn newest_first_once_each_and_old_ones_go() {
        let t = TestStore::new("changes").await;
        let now = crate::clock::now_ms();
        let batch = [
            change(now - 2_000, ChangeKind::LeaderChanged, None),
            change(now - 1_000, ChangeKind::RoleChanged, Some("a1")),
            change(now - KEEP_MS - 1, ChangeKind::Paused, None),
        ];
        write(&t.store, &batch).await.expect("write");
        // Written again, as by a second instance: still one row each.
        write(&t.store, &batch[..2]).await.expect("write again");

        let got = read(&t.store, &id(), 0, 10).await.expect("read");
        let seen: Vec<(u64, ChangeKind, Option<&str>)> = got
            .changes
            .iter()
            .map(|c| (c.t, c.kind, c.member.as_deref()))
            .collect();
        assert_eq!(
            seen,
            vec![
                (now - 1_000, ChangeKind::RoleChanged, Some("a1")),
                (now - 2_000, ChangeKind::LeaderChanged, None),
                (now - KEEP_MS - 1, ChangeKind::Paused, None),
            ]
        );
        assert_eq!(got.changes[0].from.as_deref(), Some("x"));
        let newest = read(&t.store, &id(), now - 1_500, 10).await.expect("read");
        assert_eq!(newest.changes.len(), 1, "since cuts the older ones");
        let one = read(&t.store, &id(), 0, 1).await.expect("read");
        assert_eq!(one.changes.len(), 1, "limit");
        let other = ("/pg".into(), "a".into(), None);
        assert!(read(&t.store, &other, 0, 10)
            .await
            .expect("read")
            .changes
            .is_empty());

        assert_eq!(prune(&t.store, now).await.expect("prune"), 1);
        assert_eq!(
            read(&t.store, &id(), 0, 10)
                .await
                .expect("read")
                .changes
                .len(),
            2
        );
    }
}
