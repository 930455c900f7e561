//! Browser sessions: random tokens held in memory; a restart signs everyone
//! out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Session {
    user: String,
    expires: Instant,
}

#[derive(Default)]
struct Inner {
    sessions: HashMap<String, Session>,
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
}
