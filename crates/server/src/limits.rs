//! Per-participant and per-client-IP request limits (keyed GCRA from `governor`), in this
//! process's memory or, with `[shared]`, on Redis for every replica (the same rule).

use std::fmt::Display;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;
use redcap_resume_shared::{Shared, SharedLimit};

use crate::config::LimitsConfig;

pub struct KeyedLimit<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone> KeyedLimit<K> {
    pub fn per_minute(n: u32) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            limiter: RateLimiter::keyed(quota),
        }
    }

    /// `Err(retry_after)` when this key used up its allowance.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        self.limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets keys that are back to a full allowance (call now and then: keeps memory flat).
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// One limit: this process's, or shared by the replicas.
pub enum Limit<K: Hash + Eq + Clone> {
    Alone(KeyedLimit<K>),
    Shared(SharedLimit),
}

impl<K: Hash + Eq + Clone + Display> Limit<K> {
    /// N per minute per key: in this process's memory, or (with `shared`) on Redis under
    /// `name`, for every replica together.
    pub fn per_minute(shared: Option<&Shared>, name: &str, n: u32) -> Self {
        match shared {
            None => Limit::Alone(KeyedLimit::per_minute(n)),
            Some(shared) => Limit::Shared(SharedLimit::per_minute(shared, name, n)),
        }
    }

    /// `Err(retry_after)` when this key used up its allowance.
    pub async fn check(&self, key: &K) -> Result<(), Duration> {
        match self {
            Limit::Alone(limit) => limit.check(key),
            // Boxed: the Redis round trip's future would make every request's future larger.
            Limit::Shared(limit) => Box::pin(limit.check(&key.to_string())).await,
        }
    }

    /// Forgets keys back to a full allowance (call now and then: keeps memory flat).
    pub fn forget_idle(&self) {
        match self {
            Limit::Alone(limit) => limit.forget_idle(),
            Limit::Shared(limit) => limit.forget_idle(),
        }
    }
}

/// The limits of one server (with `[shared]`, of all replicas together).
pub struct RequestLimits {
    pub per_participant: Limit<String>,
    /// Keyed by [`RequestLimits::ip_key`]: an IPv4 address, or an IPv6 network.
    pub per_ip: Limit<IpNet>,
    /// IPv6 clients are counted per network of this prefix length (one household or host
    /// usually holds a whole /64 and can rotate through it).
    ipv6_prefix: u8,
}

impl RequestLimits {
    pub fn new(limits: &LimitsConfig, shared: Option<&Shared>) -> Self {
        Self {
            per_participant: Limit::per_minute(
                shared,
                "participant",
                limits.per_participant_per_minute,
            ),
            per_ip: Limit::per_minute(shared, "ip", limits.per_ip_per_minute),
            ipv6_prefix: limits.ipv6_prefix,
        }
    }

    /// What the per-IP limit counts `ip` under: itself (IPv4), or its IPv6 network.
    pub fn ip_key(&self, ip: IpAddr) -> IpNet {
        let prefix = match ip {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => self.ipv6_prefix.min(128),
        };
        IpNet::new(ip, prefix)
            .map(|net| net.trunc())
            .unwrap_or_else(|_| IpNet::from(ip))
    }

    /// `Err(retry_after)` when `ip`'s network used up its allowance.
    pub async fn check_ip(&self, ip: IpAddr) -> Result<(), Duration> {
        self.per_ip.check(&self.ip_key(ip)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_has_its_own_allowance() {
        let limit = KeyedLimit::<String>::per_minute(3);
        for _ in 0..3 {
            assert!(limit.check(&"a".to_owned()).is_ok());
        }
        let retry = limit.check(&"a".to_owned()).unwrap_err();
        assert!(
            retry > Duration::from_secs(10) && retry <= Duration::from_secs(20),
            "{retry:?}"
        );
        assert!(limit.check(&"b".to_owned()).is_ok());
    }

    #[test]
    fn ipv6_addresses_count_per_network() {
        let config = |prefix: u8| LimitsConfig {
            per_participant_per_minute: 1,
            redcap_calls_per_participant_per_minute: 1,
            per_ip_per_minute: 1,
            max_concurrent_requests: 1,
            request_timeout: Duration::from_secs(1),
            ipv6_prefix: prefix,
            socket: crate::config::SocketLimits::default(),
        };
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let l = RequestLimits::new(&config(64), None);
        assert_eq!(
            l.ip_key(ip("2001:db8:1:2:aaaa::1")),
            l.ip_key(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            l.ip_key(ip("2001:db8:1:2::1")),
            l.ip_key(ip("2001:db8:1:3::1"))
        );
        assert_ne!(l.ip_key(ip("198.51.100.1")), l.ip_key(ip("198.51.100.2")));
        let l = RequestLimits::new(&config(128), None);
        assert_ne!(l.ip_key(ip("2001:db8::1")), l.ip_key(ip("2001:db8::2")));
    }
}
