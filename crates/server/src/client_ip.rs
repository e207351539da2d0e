//! Which client is asking: the peer address, or `X-Forwarded-For` when the peer is a trusted
//! proxy (then the right-most address that is not itself a trusted proxy).

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

pub fn client_ip(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer_ip = peer.ip().to_canonical();
    if !is_trusted(&peer_ip, trusted) {
        return peer_ip;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().parse::<IpAddr>().map(|ip| ip.to_canonical()))
        .collect::<Vec<_>>();
    let mut client = peer_ip;
    for hop in forwarded.into_iter().rev() {
        match hop {
            Ok(ip) if is_trusted(&ip, trusted) => client = ip,
            Ok(ip) => return ip,
            // A hop we cannot read: stop believing the chain there.
            Err(_) => return client,
        }
    }
    client
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
    }
}
