//! Slowing down password guessing without locking the admin out.
//!
//! A hard lockout after a few failures lets anyone keep the admin out with
//! a handful of wrong passwords a minute, and behind a proxy every browser
//! shares one address. So a sign-in is never refused for earlier failures:
//! it is made to wait. Each source address (the client's own, or the one a
//! trusted proxy forwarded) is a lane: after [`FREE_FAILURES`] failures in
//! [`WINDOW`], its attempts are taken one at a time, spaced by a delay that
//! doubles with every further failure up to [`MAX_SPACING`]. A guesser gets
//! a few tries a minute, and the admin on another address never waits on
//! them; the admin on the same address waits seconds, then signs in.
//! Failures on the account from every address add a delay of their own
//! (up to [`MAX_ACCOUNT_DELAY`]) against guessing spread over many addresses.
//! Only a lane whose queue is longer than [`MAX_QUEUE`] refuses (429).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Failures per lane within [`WINDOW`] that cost nothing.
pub const FREE_FAILURES: usize = 5;
/// How long a failure counts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// The longest spacing between two attempts of one lane.
pub const MAX_SPACING: Duration = Duration::from_secs(10);
/// An attempt that would wait longer than this for its turn is refused.
pub const MAX_QUEUE: Duration = Duration::from_secs(30);
/// Failures on the account, from anywhere within [`WINDOW`], per second of
/// delay added to every attempt.
pub const ACCOUNT_FAILURES_PER_SECOND: usize = 20;
/// The most the account-wide delay adds.
pub const MAX_ACCOUNT_DELAY: Duration = Duration::from_secs(5);
/// Lanes remembered at most (the idle ones go first); bounds the memory a
/// flood of addresses can take.
const MAX_LANES: usize = 10_000;

#[derive(Default)]
struct Lane {
    failures: VecDeque<Instant>,
    /// When the next attempt of this lane may be checked.
    next_turn: Option<Instant>,
}

#[derive(Default)]
struct State {
    lanes: HashMap<Option<IpAddr>, Lane>,
    account: VecDeque<Instant>,
}

/// The sign-in rate limit. Cheap to clone.
#[derive(Clone, Default)]
pub struct RateLimit {
    state: Arc<Mutex<State>>,
}

/// What an attempt must do before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Wait this long (zero: go on at once), then check.
    After(Duration),
    /// The lane's queue is full; try again after this long.
    Refused(Duration),
}

impl RateLimit {
    /// Takes a turn for an attempt from `source` at `now`.
    pub fn admit(&self, source: Option<IpAddr>, now: Instant) -> Admission {
        let Ok(mut state) = self.state.lock() else {
            return Admission::Refused(MAX_SPACING);
        };
        prune(&mut state, now);
        let account = account_delay(state.account.len());
        let lane = state.lanes.entry(source).or_default();
        let spacing = spacing(lane.failures.len());
        if spacing.is_zero() {
            return Admission::After(account);
        }
        let turn = lane.next_turn.map_or(now, |t| t.max(now));
        let wait = turn - now;
        if wait > MAX_QUEUE {
            return Admission::Refused(wait - MAX_QUEUE);
        }
        lane.next_turn = Some(turn + spacing);
        Admission::After(wait.max(account))
    }

    /// Records a failed attempt from `source` at `now`.
    pub fn failed(&self, source: Option<IpAddr>, now: Instant) {
        if let Ok(mut state) = self.state.lock() {
            state
                .lanes
                .entry(source)
                .or_default()
                .failures
                .push_back(now);
            state.account.push_back(now);
        }
    }

    /// Forgets `source`'s failures after a successful sign-in from it.
    pub fn succeeded(&self, source: Option<IpAddr>) {
        if let Ok(mut state) = self.state.lock() {
            state.lanes.remove(&source);
        }
    }
}

/// Spacing between attempts of a lane with `failures` recent failures.
fn spacing(failures: usize) -> Duration {
    match failures.checked_sub(FREE_FAILURES) {
        None => Duration::ZERO,
        Some(over) => {
            let secs = 1u64.checked_shl(over.min(16) as u32).unwrap_or(u64::MAX);
            Duration::from_secs(secs).min(MAX_SPACING)
        }
    }
}

fn account_delay(failures: usize) -> Duration {
    let secs = failures as f64 / ACCOUNT_FAILURES_PER_SECOND as f64;
    if failures < ACCOUNT_FAILURES_PER_SECOND {
        Duration::ZERO
    } else {
        Duration::from_secs_f64(secs).min(MAX_ACCOUNT_DELAY)
    }
}

fn prune(state: &mut State, now: Instant) {
    let fresh = |t: &Instant| now.saturating_duration_since(*t) < WINDOW;
    while state.account.front().is_some_and(|t| !fresh(t)) {
        state.account.pop_front();
    }
    for lane in state.lanes.values_mut() {
        while lane.failures.front().is_some_and(|t| !fresh(t)) {
            lane.failures.pop_front();
        }
    }
    state
        .lanes
        .retain(|_, l| !l.failures.is_empty() || l.next_turn.is_some_and(|t| t > now));
    if state.lanes.len() > MAX_LANES {
        // A flood of addresses: keep the lanes with the latest failures.
        let mut latest: Vec<(Option<IpAddr>, Instant)> = state
            .lanes
            .iter()
            .map(|(k, l)| (*k, l.failures.back().copied().unwrap_or(now)))
            .collect();
        latest.sort_by_key(|(_, t)| std::cmp::Reverse(*t));
        for (k, _) in latest.into_iter().skip(MAX_LANES) {
            state.lanes.remove(&k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::test_ip as ip;

    #[test]
    fn failures_slow_a_lane_down_without_refusing_it() {
        let limit = RateLimit::default();
        let (a, now) = (ip("192.0.2.1"), Instant::now());
        for _ in 0..FREE_FAILURES {
            assert_eq!(limit.admit(a, now), Admission::After(Duration::ZERO));
            limit.failed(a, now);
        }
        // The sixth attempt goes at once but takes a turn of 1 s; the next
        // waits for it, and each failure doubles the spacing.
        assert_eq!(limit.admit(a, now), Admission::After(Duration::ZERO));
        assert_eq!(
            limit.admit(a, now),
            Admission::After(Duration::from_secs(1))
        );
        limit.failed(a, now);
        assert_eq!(
            limit.admit(a, now),
            Admission::After(Duration::from_secs(2))
        );
        // Another address is not slowed by this one.
        assert_eq!(
            limit.admit(ip("192.0.2.2"), now),
            Admission::After(Duration::ZERO)
        );
    }

    /// A limiter whose lane for 192.0.2.1 has failed `failures` times now.
    fn failed_lane(failures: usize) -> (RateLimit, Option<IpAddr>, Instant) {
        let limit = RateLimit::default();
        let (a, now) = (ip("192.0.2.1"), Instant::now());
        for _ in 0..failures {
            limit.failed(a, now);
        }
        (limit, a, now)
    }

    #[test]
    fn a_flooded_lane_refuses_only_past_its_queue() {
        let (limit, a, now) = failed_lane(FREE_FAILURES + 10);
        let mut waits = Vec::new();
        while let Admission::After(w) = limit.admit(a, now) {
            waits.push(w);
        }
        // Spaced by MAX_SPACING, up to MAX_QUEUE ahead.
        assert_eq!(waits.len(), 4, "{waits:?}");
        assert_eq!(waits.last(), Some(&MAX_QUEUE));
        // Later the queue has moved on and the lane is admitted again.
        let later = now + MAX_QUEUE;
        assert!(matches!(limit.admit(a, later), Admission::After(_)));
    }

    #[test]
    fn failures_expire_and_success_clears_the_lane() {
        let (limit, a, now) = failed_lane(FREE_FAILURES + 3);
        let later = now + WINDOW + Duration::from_secs(1);
        assert_eq!(limit.admit(a, later), Admission::After(Duration::ZERO));
        for _ in 0..FREE_FAILURES + 3 {
            limit.failed(a, later);
        }
        limit.succeeded(a);
        assert_eq!(limit.admit(a, later), Admission::After(Duration::ZERO));
    }

    #[test]
    fn failures_from_many_addresses_add_an_account_delay() {
        let limit = RateLimit::default();
        let now = Instant::now();
        for i in 0..100u8 {
            limit.failed(ip(&format!("198.51.100.{i}")), now);
        }
        assert_eq!(
            limit.admit(ip("203.0.113.9"), now),
            Admission::After(MAX_ACCOUNT_DELAY)
        );
    }

    #[test]
    fn lanes_are_bounded() {
        let limit = RateLimit::default();
        let now = Instant::now();
        for i in 0..(MAX_LANES as u32 + 500) {
            limit.failed(Some(IpAddr::from(i.to_be_bytes())), now);
        }
        limit.admit(None, now);
        let lanes = limit.state.lock().map(|s| s.lanes.len()).unwrap_or(0);
        assert!(lanes <= MAX_LANES + 1, "{lanes}");
    }
}
