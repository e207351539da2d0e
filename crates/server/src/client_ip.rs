//! Which client is asking: the peer address, or `X-Forwarded-For` when the peer is a trusted
//! proxy (then the right-most address that is not itself a trusted proxy).
//!
//! A hop may carry a port, as some proxies write it: `198.51.100.7:5555`, `[2001:db8::1]:443`
//! or `[2001:db8::1]`. Forwarded headers with no trusted proxy configured are ignored, and
//! the first such request logs a warning (the operator probably forgot `trusted_proxies`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};

use axum::http::HeaderMap;
use ipnet::IpNet;

pub fn client_ip(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer_ip = peer.ip().to_canonical();
    if trusted.is_empty() {
        warn_once_if_forwarded(headers);
    }
    if !is_trusted(&peer_ip, trusted) {
        return peer_ip;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| parse_hop(s).map(|ip| ip.to_canonical()))
        .collect::<Vec<_>>();
    let mut client = peer_ip;
    for hop in forwarded.into_iter().rev() {
        match hop {
            Ok(ip) if is_trusted(&ip, trusted) => client = ip,
            Ok(ip) => return ip,
            // A hop we cannot read: stop believing the chain there.
            Err(()) => return client,
        }
    }
    client
}

/// One `X-Forwarded-For` hop: an address, optionally with a port (`[v6]:port`, `v4:port`).
fn parse_hop(text: &str) -> Result<IpAddr, ()> {
    let text = text.trim();
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(ip);
    }
    let is_port = |p: &str| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']').ok_or(())?;
        let port_ok = after.is_empty() || after.strip_prefix(':').is_some_and(is_port);
        return match (inside.parse::<Ipv6Addr>(), port_ok) {
            (Ok(ip), true) => Ok(IpAddr::V6(ip)),
            _ => Err(()),
        };
    }
    let (host, port) = text.rsplit_once(':').ok_or(())?;
    match (host.parse::<Ipv4Addr>(), is_port(port)) {
        (Ok(ip), true) => Ok(IpAddr::V4(ip)),
        _ => Err(()),
    }
}

/// Logs once per process that forwarded headers arrive while no proxy is trusted.
fn warn_once_if_forwarded(headers: &HeaderMap) {
    static WARNED: AtomicBool = AtomicBool::new(false);
    let forwarded = headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded");
    if forwarded && !WARNED.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            "requests carry X-Forwarded-For or Forwarded but [auth] trusted_proxies is empty: \
             every client behind the proxy shares the proxy's per-IP limit; list the proxy's \
             address in trusted_proxies (this warning is logged once)"
        );
    }
}

/// Whether the directly connected peer is one of the trusted proxies.
pub fn peer_is_trusted(peer: SocketAddr, trusted: &[IpNet]) -> bool {
    is_trusted(&peer.ip().to_canonical(), trusted)
}

fn is_trusted(ip: &IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(ip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn h(xff: &'static str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert("x-forwarded-for", HeaderValue::from_static(xff));
        m
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec![
            "10.0.0.0/8".parse().unwrap(),
            "127.0.0.1/32".parse().unwrap(),
        ];
        let proxy: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let stranger: SocketAddr = "203.0.113.9:4000".parse().unwrap();
        assert_eq!(
            client_ip(stranger, &h("1.2.3.4"), &trusted),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_ip(proxy, &h("198.51.100.7"), &trusted),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // The client prepends a fake address; the proxy appends the real one.
        assert_eq!(
            client_ip(proxy, &h("6.6.6.6, 198.51.100.7"), &trusted),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_ip(proxy, &h("198.51.100.7, 10.1.2.3"), &trusted),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_ip(proxy, &h("garbage"), &trusted),
            "127.0.0.1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_ip(proxy, &HeaderMap::new(), &trusted),
            "127.0.0.1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_ip(proxy, &h("1.2.3.4"), &[]),
            "127.0.0.1".parse::<IpAddr>().unwrap()
        );
        for (hop, ip) in [
            ("198.51.100.7:5555", "198.51.100.7"),
            ("[2001:db8::1]:443", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
            ("6.6.6.6, 198.51.100.7:80", "198.51.100.7"),
            ("[::ffff:198.51.100.7]:1", "198.51.100.7"),
        ] {
            let got = client_ip(proxy, &h(hop), &trusted);
            assert_eq!(got, ip.parse::<IpAddr>().unwrap(), "{hop}");
        }
        for unreadable in [
            "198.51.100.7:",
            "198.51.100.7:http",
            "[2001:db8::1",
            "[1.2.3.4]:80",
            "2001:db8::1]:80",
            "host:80",
        ] {
            assert_eq!(
                client_ip(proxy, &h(unreadable), &trusted),
                proxy.ip(),
                "{unreadable}"
            );
        }
    }
}
