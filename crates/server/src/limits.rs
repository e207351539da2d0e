//! Per-participant and per-client-IP request limits (keyed GCRA from `governor`).

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

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

/// The limits of one server.
pub struct RequestLimits {
    pub per_participant: KeyedLimit<String>,
    pub per_ip: KeyedLimit<IpAddr>,
}

impl RequestLimits {
    pub fn new(per_participant_per_minute: u32, per_ip_per_minute: u32) -> Self {
        Self {
            per_participant: KeyedLimit::per_minute(per_participant_per_minute),
            per_ip: KeyedLimit::per_minute(per_ip_per_minute),
        }
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
}
