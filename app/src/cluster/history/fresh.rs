//! Which lag samples the history writer has not stored yet.

use std::collections::HashMap;

use super::tiers::{points_of, Point};
use crate::cluster::book::{ClusterBook, ClusterId};

/// `(cluster, member)` → time of the last sample stored.
pub type Written = HashMap<(ClusterId, String), u64>;

/// The points of every sample measured since the last call that stored
/// one for the same member, and notes them in `written`. Members whose
/// cluster is gone from the book are forgotten.
pub fn fresh_points(book: &ClusterBook, written: &mut Written) -> Vec<(ClusterId, Point)> {
    let mut out = Vec::new();
    for (id, entry) in &book.entries {
        for lag in &entry.lag_history {
            let Some(sample) = lag.latest else { continue };
            let key = (id.clone(), lag.name.clone());
            if written.get(&key).is_some_and(|&t| t >= sample.t) {
                continue;
            }
            written.insert(key, sample.t);
            out.extend(
                points_of(&lag.name, sample)
                    .into_iter()
                    .map(|p| (id.clone(), p)),
            );
        }
    }
    written.retain(|(id, _), _| book.entries.contains_key(id));
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn book_at(lag: u64, now: u64, book: &mut ClusterBook) {
        let c = super::super::tests::cluster(lag);
        book.replace_scope("/pg", "a", vec![c], &BTreeMap::new(), now);
    }

    #[test]
    fn each_sample_is_stored_once_in_every_tier() {
        let mut book = ClusterBook::default();
        let mut written = Written::new();
        book_at(10, 61_000, &mut book);
        let first = fresh_points(&book, &mut written);
        assert_eq!(first.len(), 3, "one point per tier, for the replica only");
        assert!(first.iter().all(|(id, p)| id.1 == "a"
            && p.member == "a2"
            && p.receive == Some(10)
            && p.replay == Some(20)));
        assert!(fresh_points(&book, &mut written).is_empty(), "nothing new");
        book_at(20, 66_000, &mut book);
        let second = fresh_points(&book, &mut written);
        let slots: Vec<(i64, u64)> = second.iter().map(|(_, p)| (p.tier, p.t)).collect();
        assert_eq!(slots, vec![(0, 65_000), (1, 60_000), (2, 0)]);
        book.replace_scope("/pg", "a", Vec::new(), &BTreeMap::new(), 70_000);
        assert!(fresh_points(&book, &mut written).is_empty());
        assert!(written.is_empty(), "a cluster that left is forgotten");
    }
}
