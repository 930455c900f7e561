//! How long lag history is kept, and how coarse it gets with age: 5 s
//! points for an hour, 1 min points for a day, 10 min points for a week.
//! Each tier holds, per slot, the peak lag seen in it, so a spike stays
//! visible however far the chart zooms out.

use serde::{Deserialize, Serialize};

use super::{LagSample, MemberLag};

/// One resolution of the stored history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tier {
    /// The tier's number in the store (0 is the finest).
    pub id: i64,
    /// Width of one point.
    pub slot_ms: u64,
    /// How far back the tier reaches.
    pub keep_ms: u64,
}

const MINUTE_MS: u64 = 60 * 1000;
const HOUR_MS: u64 = 60 * MINUTE_MS;
const DAY_MS: u64 = 24 * HOUR_MS;

/// Finest first.
pub const TIERS: [Tier; 3] = [
    Tier {
        id: 0,
        slot_ms: 5_000,
        keep_ms: HOUR_MS,
    },
    Tier {
        id: 1,
        slot_ms: MINUTE_MS,
        keep_ms: DAY_MS,
    },
    Tier {
        id: 2,
        slot_ms: 10 * MINUTE_MS,
        keep_ms: 7 * DAY_MS,
    },
];

/// How far back a lag chart looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Range {
    /// The last hour, at 5 s: what the live page shows.
    #[default]
    Hour,
    /// The last 24 hours, at 1 min.
    Day,
    /// The last 7 days, at 10 min.
    Week,
}

impl Range {
    /// Every range, shortest first.
    pub const ALL: [Range; 3] = [Range::Hour, Range::Day, Range::Week];

    /// The tier that serves this range.
    pub fn tier(self) -> Tier {
        match self {
            Range::Hour => TIERS[0],
            Range::Day => TIERS[1],
            Range::Week => TIERS[2],
        }
    }

    /// The window the chart spans.
    pub fn window_ms(self) -> u64 {
        self.tier().keep_ms
    }

    /// As written in URLs: `1h`, `24h`, `7d`.
    pub fn as_str(self) -> &'static str {
        match self {
            Range::Hour => "1h",
            Range::Day => "24h",
            Range::Week => "7d",
        }
    }

    /// Parses [`as_str`](Self::as_str)'s forms.
    pub fn parse(text: &str) -> Option<Range> {
        Range::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// The start of the slot of `tier` that `t` falls in.
pub fn slot_start(tier: Tier, t: u64) -> u64 {
    t - t % tier.slot_ms
}

/// The oldest slot start `tier` still keeps at `now`; older points go.
pub fn horizon(tier: Tier, now: u64) -> u64 {
    now.saturating_sub(tier.keep_ms)
}

/// One stored point: a member's peak lag in one slot of one tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub member: String,
    pub tier: i64,
    /// Slot start, Unix ms.
    pub t: u64,
    pub receive: Option<u64>,
    pub replay: Option<u64>,
}

/// The points one measured sample adds: its slot in every tier.
pub fn points_of(member: &str, sample: LagSample) -> Vec<Point> {
    TIERS
        .iter()
        .map(|tier| Point {
            member: member.to_owned(),
            tier: tier.id,
            t: slot_start(*tier, sample.t),
            receive: sample.receive,
            replay: sample.replay,
        })
        .collect()
}

/// Stored points (any order) as a chart's members, each oldest first.
pub fn members_of(points: Vec<Point>) -> Vec<MemberLag> {
    let mut out: Vec<MemberLag> = Vec::new();
    let mut points = points;
    points.sort_by(|a, b| a.member.cmp(&b.member).then(a.t.cmp(&b.t)));
    for p in points {
        let sample = LagSample {
            t: p.t,
            receive: p.receive,
            replay: p.replay,
        };
        match out.last_mut() {
            Some(m) if m.name == p.member => m.samples.push_back(sample),
            _ => out.push(MemberLag {
                name: p.member,
                samples: std::iter::once(sample).collect(),
                latest: None,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_cover_an_hour_a_day_and_a_week_ever_coarser() {
        assert_eq!(TIERS[0].keep_ms / TIERS[0].slot_ms, 720);
        assert_eq!(TIERS[1].keep_ms / TIERS[1].slot_ms, 1440);
        assert_eq!(TIERS[2].keep_ms / TIERS[2].slot_ms, 1008);
        for pair in TIERS.windows(2) {
            assert!(pair[0].slot_ms < pair[1].slot_ms);
            assert!(pair[0].keep_ms < pair[1].keep_ms);
            assert_eq!(pair[1].slot_ms % pair[0].slot_ms, 0, "slots nest");
        }
        for (i, r) in Range::ALL.into_iter().enumerate() {
            assert_eq!(r.tier(), TIERS[i]);
            assert_eq!(Range::parse(r.as_str()), Some(r));
        }
        assert_eq!(Range::parse("2h"), None);
    }

    #[test]
    fn one_sample_lands_in_the_slot_of_each_tier() {
        let t = 7 * DAY_MS + 3 * HOUR_MS + 17 * MINUTE_MS + 12_345;
        let points = points_of(
            "b",
            LagSample {
                t,
                receive: Some(4),
                replay: None,
            },
        );
        let starts: Vec<u64> = points.iter().map(|p| p.t).collect();
        assert_eq!(
            starts,
            vec![t - 2_345, t - 12_345, t - 7 * MINUTE_MS - 12_345]
        );
        assert!(points
            .iter()
            .all(|p| p.receive == Some(4) && p.replay.is_none()));
        assert_eq!(horizon(TIERS[0], t), t - HOUR_MS);
        assert_eq!(horizon(TIERS[2], 1_000), 0);
    }

    #[test]
    fn points_group_into_members_oldest_first() {
        let p = |m: &str, t: u64| Point {
            member: m.into(),
            tier: 1,
            t,
            receive: Some(t),
            replay: None,
        };
        let members = members_of(vec![p("b", 2), p("a", 9), p("b", 1), p("a", 3)]);
        let shape: Vec<(String, Vec<u64>)> = members
            .iter()
            .map(|m| (m.name.clone(), m.samples.iter().map(|s| s.t).collect()))
            .collect();
        assert_eq!(
            shape,
            vec![("a".into(), vec![3, 9]), ("b".into(), vec![1, 2])]
        );
    }
}
