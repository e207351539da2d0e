//! `SharedLimit`: a per-key request limit (per participant, per client IP) kept on Redis, so a
//! participant or a client cannot multiply it by the number of replicas.
//!
//! The rule is the in-process one (GCRA, as `governor`'s `Quota::per_minute`): up to N at once,
//! then one every period/N. Keys are hashed before they reach Redis (no record id or IP address
//! in its key space). Alone, each replica allows `N / replicas` per period per key.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::link::Shared;

/// One limit of N requests per period per key, shared by all replicas.
pub struct SharedLimit {
    shared: Shared,
    name: String,
    per_period: u32,
    period: Duration,
    alone: DefaultKeyedRateLimiter<String>,
}

impl SharedLimit {
    /// `name` tells limits apart in Redis (`participant`, `ip`); `per_minute` is N.
    pub fn per_minute(shared: &Shared, name: &str, per_minute: u32) -> Self {
        let share = NonZeroU32::new(shared.share(per_minute)).unwrap_or(NonZeroU32::MIN);
        Self {
            shared: shared.clone(),
            name: name.to_owned(),
            per_period: per_minute.max(1),
            period: Duration::from_secs(60),
            alone: RateLimiter::keyed(Quota::per_minute(share)),
        }
    }

    /// `Err(retry_after)` when this key used up its allowance.
    pub async fn check(&self, key: &str) -> Result<(), Duration> {
        let redis_key = self
            .shared
            .key(&["limit", &self.name, &crate::keys::hashed(key)]);
        let reply: Result<(i64, i64), _> = self
            .shared
            .run(|mut conn| async move {
                LIMIT
                    .key(&redis_key)
                    .arg(self.period.as_micros() as u64)
                    .arg(self.per_period)
                    .invoke_async(&mut conn)
                    .await
            })
            .await;
        match reply {
            Ok((1, _)) => Ok(()),
            Ok((_, us)) => Err(Duration::from_micros(us.max(0) as u64)),
            Err(_) => self
                .alone
                .check_key(&key.to_owned())
                .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now())),
        }
    }

    /// Forgets keys of the alone limiter back to a full allowance (keeps memory flat).
    pub fn forget_idle(&self) {
        self.alone.retain_recent();
        self.alone.shrink_to_fit();
    }
}

static LIMIT: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(include_str!("lua/limit.lua")));
