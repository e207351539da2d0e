//! REDCap's per-IP rate limiter: count every request per client IP over the last minute; past
//! the threshold the IP is banned until an administrator lifts the ban.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// The window REDCap counts over.
const WINDOW: Duration = Duration::from_secs(60);

/// Sliding-window counter with a permanent ban list.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    /// Requests allowed per IP per minute; 0 disables the limiter.
    per_minute: u32,
    hits: HashMap<IpAddr, VecDeque<Instant>>,
    banned: HashSet<IpAddr>,
}

impl RateLimiter {
    pub(crate) fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            hits: HashMap::new(),
            banned: HashSet::new(),
        }
    }

    pub(crate) fn set_per_minute(&mut self, per_minute: u32) {
        self.per_minute = per_minute;
    }

    /// Counts one request; `false` when the IP is (now) banned.
    pub(crate) fn allow(&mut self, ip: IpAddr, now: Instant) -> bool {
        if self.banned.contains(&ip) {
            return false;
        }
        if self.per_minute == 0 {
            return true;
        }
        let hits = self.hits.entry(ip).or_default();
        while hits
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            hits.pop_front();
        }
        hits.push_back(now);
        if hits.len() > self.per_minute as usize {
            self.hits.remove(&ip);
            self.banned.insert(ip);
            tracing::warn!(%ip, "redcap-sim: IP banned by the rate limiter");
            return false;
        }
        true
    }

    pub(crate) fn is_banned(&self, ip: IpAddr) -> bool {
        self.banned.contains(&ip)
    }

    /// Lifts every ban and forgets the counts.
    pub(crate) fn unban_all(&mut self) {
        self.banned.clear();
        self.hits.clear();
    }
}

/// REDCap's answer to a banned IP (HTTP 429, plain text).
pub(crate) fn ban_message(ip: IpAddr) -> String {
    format!("Your IP address ({ip}) has been banned due to suspected abuse.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bans_past_the_threshold_and_stays_banned() {
        let ip: IpAddr = "10.0.0.7".parse().unwrap();
        let other: IpAddr = "10.0.0.8".parse().unwrap();
        let mut rl = RateLimiter::new(3);
        let t0 = Instant::now();
        assert!((0..3).all(|_| rl.allow(ip, t0)));
        assert!(!rl.allow(ip, t0));
        assert!(
            !rl.allow(ip, t0 + Duration::from_secs(3600)),
            "bans do not expire"
        );
        assert!(rl.allow(other, t0), "other IPs are unaffected");
        rl.unban_all();
        assert!(rl.allow(ip, t0));
    }

    #[test]
    fn window_slides() {
        let ip: IpAddr = "10.0.0.7".parse().unwrap();
        let mut rl = RateLimiter::new(2);
        let t0 = Instant::now();
        assert!(rl.allow(ip, t0));
        assert!(rl.allow(ip, t0 + Duration::from_secs(30)));
        assert!(rl.allow(ip, t0 + Duration::from_secs(61)));
        assert!(!rl.allow(ip, t0 + Duration::from_secs(62)));
    }

    #[test]
    fn message_names_the_ip() {
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(
            ban_message(ip),
            "Your IP address (127.0.0.1) has been banned due to suspected abuse."
        );
    }
}
