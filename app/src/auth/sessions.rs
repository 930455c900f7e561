//! Browser sessions (random tokens held in memory; a restart signs everyone
//! out) and the sign-in rate limit.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Failed sign-ins allowed per source address within [`FAILURE_WINDOW`].
pub const MAX_FAILURES: usize = 5;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

struct Session {
    user: String,
    expires: Instant,
}

#[derive(Default)]
struct Inner {
    sessions: HashMap<String, Session>,
    failures: HashMap<Option<IpAddr>, Vec<Instant>>,
}

/// Shared session store. Cheap to clone.
#[derive(Clone, Default)]
pub struct Sessions {
    inner: Arc<Mutex<Inner>>,
}

impl Sessions {
    /// Opens a session for `user` lasting `ttl`; returns its token.
    pub fn open(&self, user: &str, ttl: Duration) -> Result<String, String> {
        let mut raw = [0u8; 32];
        getrandom::getrandom(&mut raw).map_err(|e| format!("no randomness for a session: {e}"))?;
        let token: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        let mut inner = self
            .inner
            .lock()
            .map_err(|_| "session store poisoned".to_owned())?;
        let now = Instant::now();
        inner.sessions.retain(|_, s| s.expires > now);
        inner.sessions.insert(
            token.clone(),
            Session {
                user: user.to_owned(),
                expires: now + ttl,
            },
        );
        Ok(token)
    }

    /// The user of a live session.
    pub fn user(&self, token: &str) -> Option<String> {
        let inner = self.inner.lock().ok()?;
        inner
            .sessions
            .get(token)
            .filter(|s| s.expires > Instant::now())
            .map(|s| s.user.clone())
    }

    /// Ends a session (sign-out).
    pub fn close(&self, token: &str) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.sessions.remove(token);
        }
    }

    /// How long `source` must wait before trying again, if it failed
    /// [`MAX_FAILURES`] times within [`FAILURE_WINDOW`].
    pub fn blocked_for(&self, source: Option<IpAddr>) -> Option<Duration> {
        let mut inner = self.inner.lock().ok()?;
        let now = Instant::now();
        let list = inner.failures.entry(source).or_default();
        list.retain(|t| now.duration_since(*t) < FAILURE_WINDOW);
        (list.len() >= MAX_FAILURES).then(|| FAILURE_WINDOW - now.duration_since(list[0]))
    }

    /// Records a failed sign-in from `source`.
    pub fn failed(&self, source: Option<IpAddr>) {
        if let Ok(mut inner) = self.inner.lock() {
            inner
                .failures
                .entry(source)
                .or_default()
                .push(Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_open_expire_and_close() {
        let s = Sessions::default();
        let a = s.open("admin", Duration::from_secs(60)).expect("open");
        assert_eq!(a.len(), 64);
        assert_eq!(s.user(&a).as_deref(), Some("admin"));
        assert_eq!(s.user("forged"), None);
        s.close(&a);
        assert_eq!(s.user(&a), None);
        let short = s.open("admin", Duration::ZERO).expect("open");
        assert_eq!(s.user(&short), None, "expired");
    }

    #[test]
    fn five_failures_block_that_address_only() {
        let s = Sessions::default();
        let ip: Option<IpAddr> = "127.0.0.2".parse().ok();
        for _ in 0..MAX_FAILURES {
            assert_eq!(s.blocked_for(ip), None);
            s.failed(ip);
        }
        assert!(s.blocked_for(ip).is_some_and(|d| d <= FAILURE_WINDOW));
        assert_eq!(s.blocked_for("127.0.0.3".parse().ok()), None);
    }
}
