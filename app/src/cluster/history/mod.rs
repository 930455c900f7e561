//! Lag history: a bounded ring of samples per replica, kept by the server
//! from the mirror so a trend shows without a metrics system, and the
//! store's longer, coarser record of it ([`tiers`]).

#[cfg(feature = "ssr")]
pub mod fresh;
#[cfg(feature = "ssr")]
pub mod stored;
pub mod tiers;
#[cfg(feature = "ssr")]
pub mod writer;

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::patroni::Cluster;

/// How far back the history in memory reaches: the finest stored tier's.
pub const WINDOW_MS: u64 = tiers::TIERS[0].keep_ms;
/// Samples closer together than this share a slot (the largest lag wins),
/// so one member holds at most `WINDOW_MS / SLOT_MS` = 720 samples.
pub const SLOT_MS: u64 = tiers::TIERS[0].slot_ms;

/// Lag of one replica at one time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LagSample {
    /// Unix time, ms.
    pub t: u64,
    pub receive: Option<u64>,
    pub replay: Option<u64>,
}

/// One replica's samples, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberLag {
    pub name: String,
    pub samples: VecDeque<LagSample>,
    /// The most recent lag exactly as measured (a sample holds its slot's peak).
    #[serde(default)]
    pub latest: Option<LagSample>,
}

/// A stretch of lag history the store kept, ending at the server's `now_ms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredLag {
    pub members: Vec<MemberLag>,
    pub now_ms: u64,
}

/// Adds the cluster's current lags at `now` to `history`, dropping samples
/// older than [`WINDOW_MS`]. Members no longer in the cluster keep their
/// samples until those age out.
pub fn record(history: &mut Vec<MemberLag>, cluster: &Cluster, now: u64) {
    for m in &cluster.members {
        if m.receive_lag_bytes.is_none() && m.replay_lag_bytes.is_none() {
            continue;
        }
        let sample = LagSample {
            t: now,
            receive: m.receive_lag_bytes,
            replay: m.replay_lag_bytes,
        };
        let idx = match history.iter().position(|h| h.name == m.name) {
            Some(i) => i,
            None => {
                history.push(MemberLag {
                    name: m.name.clone(),
                    samples: VecDeque::new(),
                    latest: None,
                });
                history.len() - 1
            }
        };
        history[idx].latest = Some(sample);
        let samples = &mut history[idx].samples;
        match samples.back_mut() {
            Some(last) if last.t / SLOT_MS == now / SLOT_MS => {
                last.receive = last.receive.max(sample.receive);
                last.replay = last.replay.max(sample.replay);
            }
            _ => samples.push_back(sample),
        }
    }
    let horizon = now.saturating_sub(WINDOW_MS);
    for h in history.iter_mut() {
        while h.samples.front().is_some_and(|s| s.t < horizon) {
            h.samples.pop_front();
        }
    }
    history.retain(|h| !h.samples.is_empty());
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::patroni::{Member, Role};

    /// Cluster `a` of `/pg`: leader `a1` and replica `a2`, `lag` bytes
    /// behind on receive and twice that on replay.
    pub(crate) fn cluster(lag: u64) -> Cluster {
        let kvs: Vec<(&[u8], &[u8])> = vec![(b"/pg/a/leader", b"a1")];
        let mut c = crate::patroni::clusters_in_namespace("/pg", kvs).remove(0);
        c.members = vec![
            Member {
                name: "a1".into(),
                role: Role::Leader,
                ..Member::default()
            },
            Member {
                name: "a2".into(),
                role: Role::Replica,
                receive_lag_bytes: Some(lag),
                replay_lag_bytes: Some(lag * 2),
                ..Member::default()
            },
        ];
        c
    }

    #[test]
    fn one_sample_per_slot_keeps_the_peak() {
        let mut h = Vec::new();
        record(&mut h, &cluster(10), 1_000);
        record(&mut h, &cluster(50), 2_000);
        record(&mut h, &cluster(20), 3_000);
        assert_eq!(h.len(), 1, "the leader has no lag and no history");
        assert_eq!(h[0].samples.len(), 1);
        assert_eq!(h[0].samples[0].receive, Some(50));
        assert_eq!(h[0].samples[0].replay, Some(100));
        assert_eq!(h[0].latest.map(|s| s.receive), Some(Some(20)));
        record(&mut h, &cluster(0), 6_000);
        assert_eq!(h[0].samples.len(), 2);
    }

    #[test]
    fn bounded_to_the_window() {
        let mut h = Vec::new();
        let mut now = 0;
        for i in 0..2_000 {
            now = i * SLOT_MS;
            record(&mut h, &cluster(i), now);
        }
        let samples = &h[0].samples;
        assert_eq!(samples.len() as u64, WINDOW_MS / SLOT_MS + 1);
        assert!(samples.front().is_some_and(|s| s.t >= now - WINDOW_MS));
        // A replica that left ages out with its samples.
        let mut gone = cluster(0);
        gone.members.truncate(1);
        record(&mut h, &gone, now + WINDOW_MS + 1);
        assert!(h.is_empty());
    }
}
