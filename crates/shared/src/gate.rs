//! `RedcapGate`: the call budget and the breaker of one REDCap server, shared by all replicas.
//!
//! REDCap counts API requests per client IP and bans the IP past its limit; replicas behind one
//! egress IP are one client to it. Every call asks [`RedcapGate::admit`] first: one Lua script
//! on Redis's clock checks the breaker, then reserves a slot so that slot `i` and slot `i + N`
//! are at least a window apart (the invariant of the in-process budget, exact, for all replicas
//! together). The caller then tells the gate what REDCap answered.
//!
//! **Alone** (Redis unreachable): each replica uses `N / replicas` slots per window and its own
//! breaker. Slots granted through Redis just before it failed are unknown to the replica, so it
//! gives no slot until one window (plus the longest wait a slot may have been reserved ahead)
//! after it noticed; a replica that starts alone starts at once. **Rejoining**, the replica
//! hands its slots and any ban it saw over to Redis and sets a fence: no replica gets a slot
//! before the other replicas had time to hand theirs over; if Redis lost its record meanwhile
//! (restart), not before a window after this replica lost it. (A replica cut off from Redis,
//! but not from REDCap, for longer than a window while the others still reach Redis adds its
//! share on top: the split that sharing cannot see.)

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use redis::aio::ConnectionManager;
use tokio::time::Instant;

use crate::alone::{LocalBreaker, SlotLog};
use crate::link::{lock, Rejoin, Rejoining, Shared};

/// Outages in a row that open the breaker (as the in-process breaker).
pub const FAILURES_TO_OPEN: u32 = 5;
/// How long the breaker stays open after outages (as the in-process breaker).
pub const FAILURE_PAUSE: Duration = Duration::from_secs(30);

/// The budget and breaker settings of one REDCap server.
#[derive(Debug, Clone, Copy)]
pub struct GateConfig {
    /// Calls REDCap may receive in any `window`, from all replicas together.
    pub per_window: u32,
    /// 60 s in production (REDCap's limit is per minute).
    pub window: Duration,
    /// The longest a call waits for its slot before it is refused.
    pub max_wait: Duration,
    /// How long calls pause after REDCap banned the IP.
    pub ban_pause: Duration,
}

/// Why a call may not go to REDCap now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("calls to REDCap are paused (breaker open)")]
    Paused { retry_after: Duration },
    #[error("the REDCap call budget is used up")]
    Exhausted { retry_after: Duration },
}

/// One REDCap server's budget and breaker (cheap to clone).
#[derive(Clone)]
pub struct RedcapGate(Arc<Inner>);

struct Inner {
    shared: Shared,
    /// The REDCap server in log lines (its URL; no secret there).
    label: String,
    keys: Keys,
    config: GateConfig,
    alone: Mutex<Alone>,
    /// The shared failure count may be above zero: the next answer resets it.
    maybe_failing: AtomicBool,
    open_hint: AtomicBool,
}

struct Keys {
    slots: String,
    open: String,
    failures: String,
    fence: String,
}

struct Alone {
    slots: SlotLog,
    breaker: LocalBreaker,
}

impl RedcapGate {
    /// The gate of the REDCap server at `origin` (scheme://host:port; the budget is per server,
    /// not per project), named `label` in log lines.
    pub fn new(shared: &Shared, origin: &str, label: &str, config: GateConfig) -> Self {
        let key = |part: &str| shared.key(&["redcap", origin, part]);
        let inner = Arc::new(Inner {
            keys: Keys {
                slots: key("slots"),
                open: key("open"),
                failures: key("failures"),
                fence: key("fence"),
            },
            alone: Mutex::new(Alone {
                slots: SlotLog::new(shared.share(config.per_window), config.window),
                breaker: LocalBreaker::default(),
            }),
            shared: shared.clone(),
            label: label.to_owned(),
            config,
            maybe_failing: AtomicBool::new(false),
            open_hint: AtomicBool::new(false),
        });
        let weak: Weak<dyn Rejoin> = Arc::downgrade(&inner) as Weak<dyn Rejoin>;
        shared.on_rejoin(weak);
        Self(inner)
    }

    /// Waits for this call's slot; `Err` when the breaker is open or no slot is free within
    /// `max_wait` (with the time after which a retry can succeed).
    pub async fn admit(&self) -> Result<(), Refusal> {
        let inner = &self.0;
        let c = inner.config;
        let reply: Result<(i64, i64, i64), _> = inner
            .shared
            .run(|mut conn| async move {
                ADMIT
                    .key(&inner.keys.slots)
                    .key(&inner.keys.open)
                    .key(&inner.keys.failures)
                    .key(&inner.keys.fence)
                    .arg(c.per_window.max(1))
                    .arg(micros(c.window))
                    .arg(micros(c.max_wait))
                    .invoke_async(&mut conn)
                    .await
            })
            .await;
        let wait = match reply {
            Ok((status, us, failures)) => {
                if failures > 0 {
                    inner.maybe_failing.store(true, Ordering::Relaxed);
                }
                let after = Duration::from_micros(us.max(0) as u64);
                inner.open_hint.store(status == 2, Ordering::Relaxed);
                match status {
                    1 => after,
                    2 => return Err(Refusal::Paused { retry_after: after }),
                    _ => return Err(Refusal::Exhausted { retry_after: after }),
                }
            }
            Err(_) => inner.admit_alone()?,
        };
        tokio::time::sleep(wait).await;
        Ok(())
    }

    /// REDCap answered (with data, or with an error that is not an outage).
    pub async fn record_answer(&self) {
        let inner = &self.0;
        if !inner.shared.is_shared() {
            lock(&inner.alone).breaker.answer();
            return;
        }
        if !inner.maybe_failing.swap(false, Ordering::Relaxed) {
            return;
        }
        if let Ok((1, _)) = inner.outcome("answer", FAILURE_PAUSE).await {
            inner.open_hint.store(false, Ordering::Relaxed);
            tracing::warn!(redcap = %inner.label, "REDCap answers again: calls resumed (breaker closed)");
        }
    }

    /// REDCap said the IP is banned: every replica pauses for `ban_pause`; the operator's log
    /// line is written by the one replica that opened the breaker (true: this one).
    pub async fn record_ban(&self) -> bool {
        let inner = &self.0;
        inner.open_hint.store(true, Ordering::Relaxed);
        let changed = match inner.outcome("ban", inner.config.ban_pause).await {
            Ok((changed, _)) => changed == 1,
            Err(_) => lock(&inner.alone)
                .breaker
                .ban(Instant::now(), inner.config.ban_pause),
        };
        if changed {
            tracing::error!(
                redcap = %inner.label,
                pause_seconds = inner.config.ban_pause.as_secs(),
                "REDCap has BANNED this server's IP address (HTTP 429). Participants cannot resume until a \
                 REDCap administrator lifts the ban (Control Center > API > banned IPs) — also check what \
                 else on this host calls REDCap. Calls to REDCap are paused on every replica (breaker open)."
            );
        }
        changed
    }

    /// REDCap did not answer (timeout, refused, 5xx, garbage). True when this call opened the
    /// breaker (this replica wrote the log line).
    pub async fn record_failure(&self) -> bool {
        let inner = &self.0;
        inner.maybe_failing.store(true, Ordering::Relaxed);
        let opened = match inner.outcome("failure", FAILURE_PAUSE).await {
            Ok((opened, _)) => opened == 1,
            Err(_) => {
                lock(&inner.alone)
                    .breaker
                    .failure(Instant::now(), FAILURES_TO_OPEN, FAILURE_PAUSE)
            }
        };
        if opened {
            inner.open_hint.store(true, Ordering::Relaxed);
            tracing::error!(
                redcap = %inner.label,
                pause_seconds = FAILURE_PAUSE.as_secs(),
                "REDCap is not answering: calls paused on every replica (breaker open)"
            );
        }
        opened
    }

    /// Whether the breaker was open when this replica last looked (for metrics; no round trip).
    pub fn breaker_open_hint(&self) -> bool {
        let inner = &self.0;
        if inner.shared.is_shared() {
            inner.open_hint.load(Ordering::Relaxed)
        } else {
            lock(&inner.alone).breaker.check(Instant::now()).is_err()
        }
    }
}

impl Inner {
    fn admit_alone(&self) -> Result<Duration, Refusal> {
        let now = Instant::now();
        let c = self.config;
        let mut alone = lock(&self.alone);
        if let Err(retry_after) = alone.breaker.check(now) {
            return Err(Refusal::Paused { retry_after });
        }
        let not_before = self.shared.lost_at().map(|at| at + c.max_wait + c.window);
        alone
            .slots
            .reserve(now, not_before, c.max_wait)
            .map(|slot| slot - now)
            .map_err(|retry_after| Refusal::Exhausted { retry_after })
    }

    async fn outcome(&self, kind: &str, pause: Duration) -> Result<(i64, i64), crate::Unreachable> {
        self.shared
            .run(|mut conn| async move {
                OUTCOME
                    .key(&self.keys.open)
                    .key(&self.keys.failures)
                    .arg(kind)
                    .arg(pause.as_millis().max(1) as u64)
                    .arg(FAILURES_TO_OPEN)
                    .invoke_async(&mut conn)
                    .await
            })
            .await
    }
}

impl Rejoin for Inner {
    fn rejoin<'a>(
        &'a self,
        conn: &'a mut ConnectionManager,
        how: Rejoining,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = redis::RedisResult<()>> + Send + 'a>>
    {
        Box::pin(async move {
            let now = Instant::now();
            let c = self.config;
            let (ages, ban_left) = {
                let mut alone = lock(&self.alone);
                (alone.slots.hand_over(now), alone.breaker.hand_over(now))
            };
            // Replicas that used slots alone rejoin within a probe interval of each other:
            // until all have handed theirs over, no replica gets a slot.
            let grace = 2 * self.shared.probe_interval() + c.max_wait;
            let forgotten = how.state_lost && how.lost_at.is_some();
            let fence = if forgotten {
                // Redis forgot the slots granted before it failed (restart): wait them out.
                let unknown_until = how.lost_at.map(|at| at + c.max_wait + c.window);
                unknown_until
                    .map(|until| until.saturating_duration_since(now))
                    .unwrap_or_default()
                    .max(grace)
            } else if !ages.is_empty() {
                grace
            } else {
                Duration::ZERO
            };
            let mut script = REJOIN.prepare_invoke();
            script
                .key(&self.keys.slots)
                .key(&self.keys.fence)
                .key(&self.keys.open)
                .arg(c.per_window.max(1))
                .arg(micros(c.window))
                .arg(micros(fence))
                .arg(ban_left.map_or(0, |left| left.as_millis().max(1) as u64));
            for age in &ages {
                script.arg(*age);
            }
            let _: i64 = script.invoke_async(conn).await?;
            Ok(())
        })
    }
}

fn micros(d: Duration) -> u64 {
    d.as_micros().min(u64::MAX as u128) as u64
}

static ADMIT: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(include_str!("lua/admit.lua")));
static OUTCOME: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(include_str!("lua/outcome.lua")));
static REJOIN: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(include_str!("lua/rejoin.lua")));
