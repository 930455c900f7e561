//! Signing the admin in and out, shared by the REST route
//! (`/api/v1/session`) and the sign-in page's server functions, so both
//! check the same password, count the same failures and set the same cookie.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};

use super::admin::{session_cookie, Auth};
use super::rate_limit::Admission;
use super::{password, Access, SESSION_COOKIE};
use crate::error::AppError;

/// Why a sign-in was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No admin password is configured: Patrol is read-only.
    NotConfigured,
    /// Too many attempts from this address are waiting their turn; try
    /// again after this long.
    Throttled(Duration),
    /// Wrong user name or password (counted against the address).
    Wrong,
    /// The store could not keep the session.
    Unavailable(String),
}

impl Refusal {
    /// Whole seconds to wait, at least one, for a throttled sign-in.
    pub fn wait_secs(wait: Duration) -> u64 {
        wait.as_secs().max(1)
    }

    /// The HTTP status that says it: 403, 429, 401 or 503.
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::NotConfigured => StatusCode::FORBIDDEN,
            Refusal::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            Refusal::Wrong => StatusCode::UNAUTHORIZED,
            Refusal::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> AppError {
        match r {
            Refusal::NotConfigured => AppError::Forbidden(
                "no admin password is configured (--admin-password-hash): Patrol is read-only"
                    .into(),
            ),
            Refusal::Throttled(wait) => AppError::Forbidden(format!(
                "too many sign-ins from this address are waiting; try again in {} s",
                Refusal::wait_secs(wait)
            )),
            Refusal::Wrong => AppError::Unauthorized("wrong user name or password".into()),
            Refusal::Unavailable(e) => AppError::Unavailable(e),
        }
    }
}

/// A successful sign-in: the `Set-Cookie` value and what the browser may now do.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub cookie: String,
    pub access: Access,
}

impl Auth {
    /// Checks `user` and `password` from `source` and opens a session.
    /// Earlier failures from `source` make the attempt wait its turn (see
    /// [`super::rate_limit`]) rather than refuse it, so a correct password
    /// still signs in. The password is never logged.
    pub async fn sign_in(
        &self,
        source: Option<IpAddr>,
        user: &str,
        password: &str,
    ) -> Result<SignedIn, Refusal> {
        self.check_credentials(source, user, password).await?;
        self.open_session(source).await
    }

    /// The first half of [`sign_in`](Self::sign_in): the rate limit's turn
    /// and the password check, without a session.
    pub async fn check_credentials(
        &self,
        source: Option<IpAddr>,
        user: &str,
        password: &str,
    ) -> Result<(), Refusal> {
        let config = &self.config;
        let Some(hash) = &config.password_hash else {
            return Err(Refusal::NotConfigured);
        };
        match self.rate_limit.admit(source, now()) {
            Admission::Refused(wait) => return Err(Refusal::Throttled(wait)),
            Admission::After(wait) if !wait.is_zero() => {
                tracing::info!(source = ?source, "sign-in waits {wait:?} after earlier failures");
                tokio::time::sleep(wait).await;
            }
            Admission::After(_) => {}
        }
        // Verify even for a wrong user name, so timing does not tell names
        // apart; off the async threads, since argon2 takes a while.
        let (hash, given) = (hash.clone(), password.to_owned());
        let password_ok = tokio::task::spawn_blocking(move || password::verify(&given, &hash))
            .await
            .unwrap_or(false);
        if !(password_ok && user == config.admin_user) {
            self.rate_limit.failed(source, now());
            tracing::warn!(source = ?source, "failed admin sign-in");
            return Err(Refusal::Wrong);
        }
        self.rate_limit.succeeded(source);
        Ok(())
    }
}

impl Auth {
    /// Opens the admin's session once the credentials passed.
    async fn open_session(&self, source: Option<IpAddr>) -> Result<SignedIn, Refusal> {
        let config = &self.config;
        let token = self
            .sessions
            .open(&config.admin_user, config.session_ttl)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "cannot keep a session in the store");
                Refusal::Unavailable(format!(
                    "the store ({}) cannot keep the session: {e}",
                    self.sessions.store_name()
                ))
            })?;
        tracing::info!(source = ?source, user = %config.admin_user, "admin signed in");
        let cookie = format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
            config.session_ttl.as_secs(),
            if config.secure_cookies {
                "; Secure"
            } else {
                ""
            }
        );
        let access = Access {
            admin: Some(config.admin_user.clone()),
            read_only: config.read_only,
            sign_in_available: true,
        };
        Ok(SignedIn { cookie, access })
    }

    /// Ends the session the request's cookie names, if any, on every
    /// Patrol sharing the store. Returns the `Set-Cookie` value that clears
    /// the cookie and what an anonymous browser may do; an error (and the
    /// cookie kept) when the store could not end the session, which would
    /// otherwise stay valid.
    pub async fn sign_out(&self, headers: &HeaderMap) -> Result<(String, Access), AppError> {
        if let Some(token) = session_cookie(headers) {
            self.sessions.close(&token).await.map_err(|e| {
                tracing::error!(error = %e, "cannot end a session in the store");
                AppError::Unavailable(format!(
                    "the store ({}) cannot end the session, so it is still valid: {e}",
                    self.sessions.store_name()
                ))
            })?;
        }
        let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        Ok((clear, self.access(&HeaderMap::new()).await))
    }
}

/// Now, on tokio's clock (which tests can pause and advance).
fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::admin::AuthConfig;
    use crate::store::TestStore;

    fn auth(secure_cookies: bool, t: &TestStore) -> Auth {
        Auth::new(
            AuthConfig {
                admin_user: "admin".into(),
                password_hash: password::hash("pw").ok(),
                session_ttl: Duration::from_secs(60),
                secure_cookies,
                ..AuthConfig::default()
            },
            t.store.clone(),
        )
    }

    // The waiting is timed on tokio's paused clock, which jumps ahead
    // whenever the runtime idles; the store's SQLite worker is a thread of
    // its own, so the clock is paused only after the store is open and the
    // timed part stops short of the session (see the next test for that).
    #[tokio::test]
    async fn wrong_passwords_slow_down_but_never_lock_out_the_right_one() {
        let t = TestStore::new("sign-in").await;
        let a = auth(true, &t);
        tokio::time::pause();
        let ip: Option<IpAddr> = "127.0.0.9".parse().ok();
        assert_eq!(
            a.check_credentials(ip, "admin", "nope").await.err(),
            Some(Refusal::Wrong)
        );
        assert_eq!(
            a.check_credentials(ip, "root", "pw").await.err(),
            Some(Refusal::Wrong)
        );
        for _ in 0..10 {
            let _ = a.check_credentials(ip, "admin", "nope").await;
        }
        // Twelve failures: the right password waits its turn, then passes.
        let before = tokio::time::Instant::now();
        a.check_credentials(ip, "admin", "pw")
            .await
            .expect("signed in");
        assert!(before.elapsed() >= std::time::Duration::from_secs(1));
        // Another address was never slowed.
        let other: Option<IpAddr> = "127.0.0.10".parse().ok();
        let before = tokio::time::Instant::now();
        a.check_credentials(other, "admin", "pw")
            .await
            .expect("signed in");
        assert!(before.elapsed() < std::time::Duration::from_millis(100));
        tokio::time::resume();
        let ok = a.sign_in(ip, "admin", "pw").await.expect("signed in");
        assert!(ok
            .cookie
            .contains("HttpOnly; SameSite=Strict; Max-Age=60; Secure"));
        assert_eq!(ok.access.admin.as_deref(), Some("admin"));
        assert!(!ok.cookie.contains("pw;"));
    }

    #[tokio::test]
    async fn sign_out_ends_the_session() {
        let t = TestStore::new("sign-out").await;
        let a = auth(false, &t);
        let ok = a.sign_in(None, "admin", "pw").await.expect("signed in");
        assert!(!ok.cookie.contains("Secure"));
        let pair = ok.cookie.split(';').next().unwrap_or_default().to_owned();
        let mut h = HeaderMap::new();
        h.insert("cookie", pair.parse().expect("header"));
        assert!(a.identify(&h).await.expect("store").is_some());
        let (clear, access) = a.sign_out(&h).await.expect("signed out");
        assert!(clear.contains("Max-Age=0"));
        assert_eq!(access.admin, None);
        assert!(a.identify(&h).await.expect("store").is_none());
    }
}
