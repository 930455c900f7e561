//! The proof of admin a mutating handler must take, and how a request earns it.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use subtle::ConstantTimeEq;

use super::proxy::TrustedProxies;
use super::rate_limit::RateLimit;
use super::sessions::Sessions;
use super::{Access, SESSION_COOKIE};
use crate::error::AppError;
use crate::store::{Store, StoreError};

/// Admin credentials and switches, from the command line.
#[derive(Clone, Default)]
pub struct AuthConfig {
    pub admin_user: String,
    /// argon2 PHC string; `None`: no browser sign-in.
    pub password_hash: Option<String>,
    /// Bearer tokens for scripts.
    pub tokens: Vec<String>,
    /// `--read-only`: no admin actions at all.
    pub read_only: bool,
    pub session_ttl: Duration,
    /// Mark the session cookie `Secure` (Patrol behind a TLS proxy).
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For`/`-Proto` Patrol believes.
    pub trusted_proxies: TrustedProxies,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("admin_user", &self.admin_user)
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "<redacted>"),
            )
            .field("tokens", &self.tokens.len())
            .field("read_only", &self.read_only)
            .finish_non_exhaustive()
    }
}

/// Credentials, sessions and the sign-in rate limit. Cheap to clone.
#[derive(Clone)]
pub struct Auth {
    pub config: Arc<AuthConfig>,
    pub sessions: Sessions,
    pub rate_limit: RateLimit,
}

/// How an admin proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Session,
    Token,
}

/// Proof that the request comes from an admin and admin actions are on.
/// Only [`FromRequestParts`] below makes one.
#[derive(Debug, Clone)]
pub struct Admin {
    name: String,
    via: Via,
}

impl Admin {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn via(&self) -> Via {
        self.via
    }
}

impl Auth {
    /// Admins as `config` names them, with sessions kept in `store`.
    pub fn new(config: AuthConfig, store: Store) -> Auth {
        Auth {
            config: Arc::new(config),
            sessions: Sessions::new(store),
            rate_limit: RateLimit::default(),
        }
    }

    /// Who the request's credentials name, if anyone; an error when a
    /// session cookie came and the store could not be asked about it.
    pub async fn identify(&self, headers: &HeaderMap) -> Result<Option<(String, Via)>, StoreError> {
        if let Some(token) = bearer(headers) {
            // Compare with every token, without stopping early.
            let hit = self.config.tokens.iter().fold(false, |hit, t| {
                hit | bool::from(t.as_bytes().ct_eq(token.as_bytes()))
            });
            return Ok(hit.then(|| ("token".to_owned(), Via::Token)));
        }
        let Some(token) = session_cookie(headers) else {
            return Ok(None);
        };
        Ok(self.sessions.user(&token).await?.map(|u| (u, Via::Session)))
    }

    /// The client's address: the connection's, or the one a trusted proxy
    /// forwarded.
    pub fn client_addr(&self, parts: &Parts) -> Option<IpAddr> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        self.config.trusted_proxies.client(peer, &parts.headers)
    }

    /// The scheme browsers use to reach Patrol: what a trusted proxy says,
    /// else `https` with `--secure-cookies` (served over TLS by a proxy),
    /// else `http`.
    pub fn scheme(&self, parts: &Parts) -> &'static str {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let https = self
            .config
            .trusted_proxies
            .forwarded_https(peer, &parts.headers)
            .unwrap_or(self.config.secure_cookies);
        if https {
            "https"
        } else {
            "http"
        }
    }

    /// Refuses a browser's post from another site: its `Origin` names
    /// another console or scheme. Without `Origin` (scripts; browsers
    /// always send it on a POST) it passes. For sign-in, which takes a form
    /// body a foreign page could post, and whose failures slow the victim's
    /// own address down.
    pub fn refuse_cross_site(&self, parts: &Parts) -> Result<(), AppError> {
        if parts.headers.contains_key(header::ORIGIN) {
            same_origin(&parts.headers, self.scheme(parts))
        } else {
            Ok(())
        }
    }

    /// What the request may do, for the UI. A session the store cannot be
    /// asked about counts as none: the pages keep serving, read-only.
    pub async fn access(&self, headers: &HeaderMap) -> Access {
        let admin = match self.identify(headers).await {
            Ok(who) => who.map(|(name, _)| name),
            Err(e) => {
                tracing::warn!(error = %e, "cannot check a session in the store");
                None
            }
        };
        Access {
            admin,
            read_only: self.config.read_only,
            sign_in_available: self.config.password_hash.is_some()
                || !self.config.tokens.is_empty(),
        }
    }
}

/// Any state that holds the [`Auth`] (axum's `FromRef`) can check admins.
impl<S> FromRequestParts<S> for Admin
where
    Auth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Admin, AppError> {
        Auth::from_ref(state).admin(parts).await
    }
}

impl Auth {
    /// The admin the request proves, or why not (401, 403).
    pub async fn admin(&self, parts: &Parts) -> Result<Admin, AppError> {
        let who = self.identify(&parts.headers).await.map_err(|e| {
            tracing::error!(error = %e, "cannot check a session in the store");
            AppError::Unavailable(format!(
                "the store ({}) cannot be read, so the session cannot be checked: {e}",
                self.sessions.store_name()
            ))
        })?;
        let Some((name, via)) = who else {
            return Err(AppError::Unauthorized(
                "sign in as admin (POST /api/v1/session) or send Authorization: Bearer <token>"
                    .into(),
            ));
        };
        // A browser's cookie rides along on cross-site requests too; only
        // same-origin ones may act with it. Tokens are never sent implicitly.
        if via == Via::Session && !matches!(parts.method, Method::GET | Method::HEAD) {
            same_origin(&parts.headers, self.scheme(parts))?;
        }
        if self.config.read_only {
            return Err(AppError::Forbidden(
                "Patrol runs with --read-only: admin actions are off".into(),
            ));
        }
        Ok(Admin { name, via })
    }
}

/// The request's `Origin` must name this console: the scheme browsers
/// reach it by, and the host and port the request was sent to.
fn same_origin(headers: &HeaderMap, scheme: &str) -> Result<(), AppError> {
    let text = |h| headers.get(h).and_then(|v| v.to_str().ok());
    let (Some(origin), Some(host)) = (text(header::ORIGIN), text(header::HOST)) else {
        return Err(AppError::Forbidden(
            "refused: a signed-in browser request must carry an Origin header".into(),
        ));
    };
    let expected = origin_of(scheme, host);
    let given = origin
        .split_once("://")
        .and_then(|(s, h)| origin_of(&s.to_ascii_lowercase(), h));
    if given.is_some() && given == expected {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "refused: request from {} is not from this console ({scheme}://{})",
            crate::text::shorten(origin, 200),
            crate::text::shorten(host, 200)
        )))
    }
}

/// `(scheme, host, port)` with the scheme's default port filled in and the
/// host lower-cased, so `http://Host` and `http://host:80` are one origin.
fn origin_of(scheme: &str, authority: &str) -> Option<(String, String, u16)> {
    let default = match scheme {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let authority = authority.trim_end_matches('/');
    if authority.is_empty() || authority.contains(['/', '@', '?', '#']) {
        return None;
    }
    // `[::1]:8000`, `host:8000` or a bare host.
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !p.contains(']') => (h, p.parse().ok()?),
        _ => (authority, default),
    };
    Some((scheme.to_owned(), host.to_ascii_lowercase(), port))
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty()).then(|| token.to_owned())
}

/// The session cookie's value.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::test_headers as headers;

    #[tokio::test]
    async fn tokens_and_sessions_identify_admins() {
        let t = crate::store::TestStore::new("identify").await;
        let auth = Auth::new(
            AuthConfig {
                admin_user: "admin".into(),
                tokens: vec![
                    "t0ken-aaaaaaaaaaaaaaaa".into(),
                    "t0ken-bbbbbbbbbbbbbbbb".into(),
                ],
                ..AuthConfig::default()
            },
            t.store.clone(),
        );
        let id = |h: HeaderMap| {
            let auth = auth.clone();
            async move { auth.identify(&h).await.expect("the store answers") }
        };
        let h = headers(&[("authorization", "Bearer t0ken-bbbbbbbbbbbbbbbb")]);
        assert_eq!(id(h).await, Some(("token".into(), Via::Token)));
        let h = headers(&[("authorization", "Bearer t0ken-b")]);
        assert_eq!(id(h).await, None);
        let s = auth
            .sessions
            .open("admin", Duration::from_secs(9))
            .await
            .expect("session");
        let h = headers(&[("cookie", &format!("x=1; {SESSION_COOKIE}={s}"))]);
        assert_eq!(id(h).await, Some(("admin".into(), Via::Session)));
        assert_eq!(id(HeaderMap::new()).await, None);
    }

    #[test]
    fn origin_must_match_scheme_host_and_port() {
        // (Origin, Host, the scheme Patrol is reached by, same origin?)
        let cases = [
            ("http://127.0.0.1:8000", "127.0.0.1:8000", "http", true),
            // The same host and port over the other scheme is another origin.
            ("https://127.0.0.1:8000", "127.0.0.1:8000", "http", false),
            ("https://127.0.0.1:8000", "127.0.0.1:8000", "https", true),
            ("https://evil.example", "127.0.0.1:8000", "https", false),
            ("http://127.0.0.1:8001", "127.0.0.1:8000", "http", false),
            // Default ports and case do not make another origin.
            (
                "https://Console.Example",
                "console.example:443",
                "https",
                true,
            ),
            ("http://[::1]:8000", "[::1]:8000", "http", true),
            ("null", "127.0.0.1:8000", "http", false),
            ("http://a@127.0.0.1:8000", "127.0.0.1:8000", "http", false),
            ("file://", "127.0.0.1:8000", "http", false),
            ("http://127.0.0.1:8000/x", "127.0.0.1:8000", "http", false),
        ];
        for (origin, host, scheme, same) in cases {
            let h = headers(&[("origin", origin), ("host", host)]);
            assert_eq!(
                same_origin(&h, scheme).is_ok(),
                same,
                "{origin} at {scheme}://{host}"
            );
        }
        assert!(same_origin(&headers(&[("host", "127.0.0.1:8000")]), "http").is_err());
    }
}
