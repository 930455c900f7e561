//! Lag history in the store: written by one Patrol instance (the one that
//! holds the writer's lease), read by all. Each point keeps its slot's
//! peak, so writing a sample twice, or from two instances at the turn of
//! the lease, changes nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::watch;

use super::tiers::{members_of, Point, Range, TIERS};
use super::{MemberLag, StoredLag, WINDOW_MS};
use crate::cluster::book::{ClusterBook, ClusterId};
use crate::error::AppError;
use crate::store::lease::millis;
use crate::store::{citus_group, citus_group_of, write_tx, Store, StoreError};

/// Adds `points` in one transaction, each slot keeping the larger lag.
pub async fn write(store: &Store, points: &[(ClusterId, Point)]) -> Result<(), StoreError> {
    write_tx!(store, tx => {
        for (id, p) in points {
            sqlx::query(
                "INSERT INTO patrol_lag (namespace, scope, citus_group, tier, member, t, receive, replay) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (namespace, scope, citus_group, tier, member, t) DO UPDATE SET \
                 receive = CASE WHEN patrol_lag.receive IS NULL OR excluded.receive > patrol_lag.receive \
                           THEN excluded.receive ELSE patrol_lag.receive END, \
                 replay = CASE WHEN patrol_lag.replay IS NULL OR excluded.replay > patrol_lag.replay \
                          THEN excluded.replay ELSE patrol_lag.replay END",
            )
            .bind(&id.0)
            .bind(&id.1)
            .bind(citus_group(id.2))
            .bind(p.tier)
            .bind(&p.member)
            .bind(millis(p.t))
            .bind(p.receive.map(millis))
            .bind(p.replay.map(millis))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from_sqlx)?;
        }
    });
    Ok(())
}

/// Deletes what every tier has kept long enough; returns how many points went.
pub async fn prune(store: &Store, now_ms: u64) -> Result<u64, StoreError> {
    let mut gone = 0;
    for tier in TIERS {
        gone += crate::store::with_pool!(store, pool => sqlx::query(
            "DELETE FROM patrol_lag WHERE tier = $1 AND t < $2",
        )
        .bind(tier.id)
        .bind(millis(super::tiers::horizon(tier, now_ms)))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_sqlx)?;
    }
    Ok(gone)
}

/// The history over `range` of the cluster the book knows by these names
/// (as URLs write them); 404 for a cluster the book does not know.
pub async fn of_cluster(
    clusters: &watch::Receiver<Arc<ClusterBook>>,
    (store, tag): (&Store, Option<&str>),
    namespace: &str,
    scope: &str,
    group: Option<u32>,
    range: Range,
) -> Result<StoredLag, AppError> {
    let id = clusters
        .borrow()
        .entry(namespace, scope, group)?
        .cluster
        .id();
    read(store, &crate::cluster::book::stored_id(tag, &id), range).await
}

/// One cluster's history over `range`, for the cluster page.
pub async fn read(store: &Store, id: &ClusterId, range: Range) -> Result<StoredLag, AppError> {
    let now_ms = crate::clock::now_ms();
    let tier = range.tier();
    let rows: Vec<Row> = crate::store::with_pool!(store, pool => sqlx::query_as(
        "SELECT namespace, scope, citus_group, member, t, receive, replay FROM patrol_lag \
         WHERE namespace = $1 AND scope = $2 AND citus_group = $3 AND tier = $4 AND t >= $5",
    )
    .bind(&id.0)
    .bind(&id.1)
    .bind(citus_group(id.2))
    .bind(tier.id)
    .bind(millis(super::tiers::horizon(tier, now_ms)))
    .fetch_all(pool)
    .await)
    .map_err(|e| {
        let e = StoreError::from_sqlx(e);
        tracing::warn!(error = %e, "reading lag history from the store");
        AppError::Unavailable(format!(
            "the lag history could not be read from the store: {e}"
        ))
    })?;
    let points = rows.into_iter().map(|r| point_of(r, tier.id).1).collect();
    Ok(StoredLag {
        members: members_of(points),
        now_ms,
    })
}

/// The last hour of every cluster, finest tier, to seed the mirror's
/// history at start so the live charts go on where they were.
pub async fn recent(
    store: &Store,
    now_ms: u64,
) -> Result<BTreeMap<ClusterId, Vec<MemberLag>>, StoreError> {
    let rows: Vec<Row> = crate::store::with_pool!(store, pool => sqlx::query_as(
        "SELECT namespace, scope, citus_group, member, t, receive, replay FROM patrol_lag \
         WHERE tier = 0 AND t >= $1",
    )
    .bind(millis(now_ms.saturating_sub(WINDOW_MS)))
    .fetch_all(pool)
    .await)
    .map_err(StoreError::from_sqlx)?;
    let mut by_cluster: BTreeMap<ClusterId, Vec<Point>> = BTreeMap::new();
    for r in rows {
        let (id, p) = point_of(r, 0);
        by_cluster.entry(id).or_default().push(p);
    }
    Ok(by_cluster
        .into_iter()
        .map(|(id, points)| (id, members_of(points)))
        .collect())
}

/// A `patrol_lag` row as the reads select it.
type Row = (String, String, i64, String, i64, Option<i64>, Option<i64>);

/// The point a row holds, and its cluster.
fn point_of(row: Row, tier: i64) -> (ClusterId, Point) {
    let (namespace, scope, citus_group, member, t, receive, replay) = row;
    let unsigned = |v: i64| u64::try_from(v).unwrap_or(0);
    let id = (namespace, scope, citus_group_of(citus_group));
    let point = Point {
        member,
        tier,
        t: unsigned(t),
        receive: receive.map(unsigned),
        replay: replay.map(unsigned),
    };
    (id, point)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::history::tiers::points_of;
    use crate::cluster::history::LagSample;
    use crate::store::TestStore;

    fn id() -> ClusterId {
        ("/pg".into(), "a".into(), None)
    }

    fn sample(t: u64, receive: Option<u64>, replay: Option<u64>) -> Vec<(ClusterId, Point)> {
        points_of("a2", LagSample { t, receive, replay })
            .into_iter()
            .map(|p| (id(), p))
            .collect()
    }

    #[tokio::test]
    async fn slots_keep_their_peak_and_old_points_go() {
        let t = TestStore::new("lag").await;
        let now = crate::clock::now_ms();
        let minute = now - now % 60_000;
        write(&t.store, &sample(minute + 1_000, Some(50), None))
            .await
            .expect("write");
        write(&t.store, &sample(minute + 2_000, Some(10), Some(7)))
            .await
            .expect("write");
        // The same sample again, as from a second instance: no change.
        write(&t.store, &sample(minute + 2_000, Some(10), Some(7)))
            .await
            .expect("write");

        let day = read(&t.store, &id(), Range::Day).await.expect("read");
        assert_eq!(day.members.len(), 1);
        let points: Vec<LagSample> = day.members[0].samples.iter().copied().collect();
        assert_eq!(
            points,
            vec![LagSample {
                t: minute,
                receive: Some(50),
                replay: Some(7)
            }],
            "one 1 min slot holding both peaks"
        );
        let recent = recent(&t.store, now).await.expect("recent");
        let hour = &recent[&id()][0];
        assert_eq!(hour.name, "a2");
        assert_eq!(hour.samples.len(), 1, "both samples share one 5 s slot");
        assert_eq!(
            read(&t.store, &("/pg".into(), "b".into(), None), Range::Week)
                .await
                .expect("read")
                .members,
            Vec::new()
        );

        // A week and a day later, only the 10 min point is left... and then none.
        let later = now + 24 * 60 * 60 * 1000 + 1;
        assert_eq!(prune(&t.store, later).await.expect("prune"), 2);
        assert_eq!(
            prune(&t.store, later + 7 * 24 * 60 * 60 * 1000)
                .await
                .expect("prune"),
            1
        );
    }
}
