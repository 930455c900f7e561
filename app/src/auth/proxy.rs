//! Who the client is when Patrol sits behind a reverse proxy. The proxy's
//! `X-Forwarded-For` and `X-Forwarded-Proto` are believed only when the
//! connection comes from an address in `--trusted-proxy`; from anyone else
//! they are whatever the client chose to send.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// An address range, `192.0.2.0/24`, `2001:db8::/32` or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Cidr, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("'{s}' is not an IP address or CIDR range"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("'{s}': prefix length must be 0 to {max}"))?,
        };
        Ok(Cidr { addr, prefix })
    }
}

impl Cidr {
    /// Whether `ip` lies in the range (IPv4-mapped IPv6 counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let (net, ip, bits) = match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => (
                u128::from(u32::from(n)) << 96,
                u128::from(u32::from(i)) << 96,
                self.prefix,
            ),
            (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i), self.prefix),
            _ => return false,
        };
        let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
        net & mask == ip & mask
    }
}

/// The proxies whose forwarding headers Patrol believes.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Vec<Cidr>);

impl TrustedProxies {
    /// Whether `ip` is one of the trusted proxies.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client's address: the connection's peer, or, when the peer is a
    /// trusted proxy, the nearest address in `X-Forwarded-For` that is not
    /// one of the trusted proxies (so a client cannot choose its own by
    /// sending the header itself).
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?;
        if !self.trusts(peer) {
            return Some(peer);
        }
        let hops: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|h| h.trim().parse().ok())
            .collect();
        // Right to left: the last hop was added by the proxy we trust.
        let mut nearest = peer;
        for hop in hops.into_iter().rev() {
            nearest = hop;
            if !self.trusts(hop) {
                break;
            }
        }
        Some(nearest)
    }

    /// `Some(true)` when a trusted proxy says the browser spoke HTTPS to it,
    /// `Some(false)` for HTTP, `None` when no trusted proxy says.
    pub fn forwarded_https(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<bool> {
        if !peer.is_some_and(|p| self.trusts(p)) {
            return None;
        }
        let proto = headers.get("x-forwarded-proto")?.to_str().ok()?;
        // A chain of proxies lists one per hop; the first is the browser's.
        let first = proto.split(',').next()?.trim().to_ascii_lowercase();
        match first.as_str() {
            "https" => Some(true),
            "http" => Some(false),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::test_headers as headers;
    use crate::auth::test_ip as ip;

    #[test]
    fn ranges() {
        let net: Cidr = "10.0.0.0/8".parse().expect("cidr");
        assert!(net.contains("10.1.2.3".parse().expect("ip")));
        assert!(!net.contains("11.0.0.1".parse().expect("ip")));
        assert!(net.contains("::ffff:10.0.0.1".parse().expect("ip")));
        let one: Cidr = "2001:db8::1".parse().expect("cidr");
        assert!(one.contains("2001:db8::1".parse().expect("ip")));
        assert!(!one.contains("2001:db8::2".parse().expect("ip")));
        let all: Cidr = "0.0.0.0/0".parse().expect("cidr");
        assert!(all.contains("192.0.2.1".parse().expect("ip")));
        for bad in ["10.0.0.0/33", "nope", "10.0.0.0/x", "::/129"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxies = TrustedProxies(vec!["127.0.0.1".parse().expect("cidr")]);
        let h = headers(&[("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("203.0.113.7"));
        // Not from the proxy: the header is the client's own invention.
        assert_eq!(proxies.client(ip("198.51.100.1"), &h), ip("198.51.100.1"));
        // A client that sends its own header ahead of the proxy's cannot
        // pick its address: the proxy appended the real one last.
        let h = headers(&[("x-forwarded-for", "10.9.9.9, 203.0.113.7")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("203.0.113.7"));
        // No header from the proxy: the proxy itself.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
        assert_eq!(
            TrustedProxies::default().client(ip("127.0.0.1"), &h),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn forwarded_scheme_counts_only_from_trusted_proxies() {
        let proxies = TrustedProxies(vec!["127.0.0.0/8".parse().expect("cidr")]);
        let h = headers(&[("x-forwarded-proto", "https")]);
        assert_eq!(proxies.forwarded_https(ip("127.0.0.2"), &h), Some(true));
        assert_eq!(proxies.forwarded_https(ip("192.0.2.1"), &h), None);
        let h = headers(&[("x-forwarded-proto", "http")]);
        assert_eq!(proxies.forwarded_https(ip("127.0.0.2"), &h), Some(false));
    }
}
