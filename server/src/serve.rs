//! Accepting connections with limits. A plain `axum::serve` keeps a client
//! that sends half a request header for as long as it likes, and accepts as
//! many such clients as the file limit allows. Here:
//!
//! - a request's header must arrive within [`HEADER_TIMEOUT`] of the
//!   connection opening or the last response, so an idle keep-alive
//!   connection is closed after the same time;
//! - a request body must arrive within [`BODY_TIMEOUT`] and hold at most
//!   [`MAX_BODY`] bytes;
//! - at most `max_connections` connections are open at once, and at most
//!   `max_per_address` from one address (trusted proxies excepted); past
//!   either, new connections are closed at once, so the ones open, event
//!   streams among them, keep working.
//!
//! Event streams are not cut: once a response has started, no timeout here
//! applies to it.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::server::conn::http1::Builder;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

use app::auth::proxy::TrustedProxies;

/// How long a client may take to send a request's header, and how long a
/// keep-alive connection may sit idle.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may take to send a request's body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest request body (an etcd value of 1.5 MiB, base64 in JSON, fits).
pub const MAX_BODY: usize = 8 << 20;
/// How long shutdown waits for open connections to finish.
const DRAIN: Duration = Duration::from_secs(5);

/// The connection limits.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_connections: usize,
    pub max_per_address: usize,
    /// Addresses exempt from `max_per_address` (every client behind a proxy
    /// shares its address).
    pub trusted_proxies: TrustedProxies,
}

/// Open connections, in all and per address.
#[derive(Default)]
struct Open {
    total: usize,
    per_address: HashMap<IpAddr, usize>,
}

/// Counts one connection while it lives.
struct Slot {
    open: Arc<Mutex<Open>>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.open.lock() {
            open.total = open.total.saturating_sub(1);
            if let Some(n) = open.per_address.get_mut(&self.ip) {
                *n -= 1;
                if *n == 0 {
                    open.per_address.remove(&self.ip);
                }
            }
        }
    }
}

/// Takes a slot for a connection from `ip`, or says which limit it hit.
fn take_slot(open: &Arc<Mutex<Open>>, ip: IpAddr, limits: &Limits) -> Result<Slot, &'static str> {
    let mut o = open.lock().map_err(|_| "connection count poisoned")?;
    if o.total >= limits.max_connections {
        return Err("--max-connections");
    }
    let exempt = limits.trusted_proxies.trusts(ip);
    let mine = o.per_address.get(&ip).copied().unwrap_or(0);
    if !exempt && mine >= limits.max_per_address {
        return Err("--max-connections-per-address");
    }
    o.total += 1;
    *o.per_address.entry(ip).or_default() += 1;
    Ok(Slot {
        open: open.clone(),
        ip,
    })
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets open
/// requests finish for a few seconds.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = router
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(RequestBodyTimeoutLayer::new(BODY_TIMEOUT));
    // HTTP/1 only: browsers speak HTTP/2 only over TLS, which a proxy in
    // front of Patrol ends; and detecting the protocol first would let a
    // client that sends nothing hold its connection past every timeout.
    let mut builder = Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let builder = Arc::new(builder);
    let graceful = GracefulShutdown::new();
    let open = Arc::new(Mutex::new(Open::default()));
    let mut warned = std::time::Instant::now() - Duration::from_secs(60);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait, never spin.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let slot = match take_slot(&open, peer.ip(), &limits) {
            Ok(slot) => slot,
            Err(limit) => {
                if warned.elapsed() > Duration::from_secs(10) {
                    warned = std::time::Instant::now();
                    tracing::warn!(peer = %peer.ip(), "connection refused: {limit} reached");
                }
                drop(stream);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service =
            router
                .clone()
                .map_request(move |req: axum::http::Request<hyper::body::Incoming>| {
                    let mut req = req.map(axum::body::Body::new);
                    req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                    req
                });
        let conn =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(peer = %peer, "connection ended: {e}");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::info!("connections still open after {DRAIN:?}; stopping anyway");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_capped_in_all_and_per_address() {
        let open = Arc::new(Mutex::new(Open::default()));
        let limits = Limits {
            max_connections: 3,
            max_per_address: 2,
            trusted_proxies: TrustedProxies(vec!["127.0.0.9".parse().expect("cidr")]),
        };
        let a: IpAddr = "192.0.2.1".parse().expect("ip");
        let b: IpAddr = "192.0.2.2".parse().expect("ip");
        let proxy: IpAddr = "127.0.0.9".parse().expect("ip");
        let s1 = take_slot(&open, a, &limits).expect("first");
        let _s2 = take_slot(&open, a, &limits).expect("second");
        assert_eq!(
            take_slot(&open, a, &limits).err(),
            Some("--max-connections-per-address")
        );
        let _s3 = take_slot(&open, b, &limits).expect("another address");
        assert_eq!(
            take_slot(&open, b, &limits).err(),
            Some("--max-connections")
        );
        drop(s1);
        let _s4 = take_slot(&open, proxy, &limits).expect("a slot freed");
        // A trusted proxy is exempt from the per-address cap, not the total.
        let limits = Limits {
            max_connections: 10,
            ..limits
        };
        let held: Vec<Slot> = (0..5)
            .filter_map(|_| take_slot(&open, proxy, &limits).ok())
            .collect();
        assert_eq!(held.len(), 5);
        drop(held);
        assert_eq!(open.lock().map(|o| o.total).unwrap_or(0), 3);
    }
}
