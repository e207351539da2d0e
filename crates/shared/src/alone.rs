//! What a replica keeps while it goes on alone: its share of the call budget and its own breaker.
//!
//! The budget is the in-process one of the server (`at most n calls in any window`, slots
//! reserved in order) with one addition, `not_before`: after losing Redis, the calls other
//! replicas were granted through Redis in the last window are unknown, so no slot is given
//! before that window has passed (see `gate`).

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// Slots reserved alone, ascending; at most `per_window` kept (the ones that matter).
#[derive(Debug)]
pub(crate) struct SlotLog {
    per_window: usize,
    window: Duration,
    slots: VecDeque<Instant>,
}

impl SlotLog {
    pub fn new(per_window: u32, window: Duration) -> Self {
        Self {
            per_window: per_window.max(1) as usize,
            window,
            slots: VecDeque::new(),
        }
    }

    /// The slot for a call asked at `now`, or `Err(wait)` when it is more than `max_wait` away.
    pub fn reserve(
        &mut self,
        now: Instant,
        not_before: Option<Instant>,
        max_wait: Duration,
    ) -> Result<Instant, Duration> {
        let mut slot = now.max(not_before.unwrap_or(now));
        if self.slots.len() >= self.per_window {
            slot = slot.max(self.slots[self.slots.len() - self.per_window] + self.window);
        }
        let wait = slot - now;
        if wait > max_wait {
            return Err(wait);
        }
        self.slots.push_back(slot);
        while self.slots.len() > self.per_window {
            self.slots.pop_front();
        }
        Ok(slot)
    }

    /// The slots of the last window as ages at `now` (µs before now; negative: still ahead),
    /// then forgets them: they are handed over to the shared record.
    pub fn hand_over(&mut self, now: Instant) -> Vec<i64> {
        let ages = self
            .slots
            .iter()
            .filter(|&&slot| slot + self.window > now)
            .map(|&slot| {
                if slot >= now {
                    -((slot - now).as_micros() as i64)
                } else {
                    (now - slot).as_micros() as i64
                }
            })
            .collect();
        self.slots.clear();
        ages
    }
}

/// The breaker of a replica alone: the same rules as the shared one.
#[derive(Debug, Default)]
pub(crate) struct LocalBreaker {
    open: Option<(Instant, bool)>,
    failures_in_a_row: u32,
}

impl LocalBreaker {
    /// `Err(retry_after)` while open.
    pub fn check(&self, now: Instant) -> Result<(), Duration> {
        match self.open {
            Some((until, _)) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// Returns true when this changed the breaker (the caller logs it).
    pub fn ban(&mut self, now: Instant, pause: Duration) -> bool {
        let already = matches!(self.open, Some((until, true)) if until > now);
        self.open = Some((now + pause, true));
        !already
    }

    /// Returns true when this opened the breaker.
    pub fn failure(&mut self, now: Instant, to_open: u32, pause: Duration) -> bool {
        self.failures_in_a_row += 1;
        if self.failures_in_a_row >= to_open && self.check(now).is_ok() {
            self.open = Some((now + pause, false));
            return true;
        }
        false
    }

    pub fn answer(&mut self) {
        self.failures_in_a_row = 0;
        if matches!(self.open, Some((_, false))) {
            self.open = None;
        }
    }

    /// What is left of a ban seen alone (handed over to the shared breaker), then forgets it.
    pub fn hand_over(&mut self, now: Instant) -> Option<Duration> {
        let left = match self.open {
            Some((until, true)) if until > now => Some(until - now),
            _ => None,
        };
        *self = Self::default();
        left
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_more_than_n_in_any_window_and_nothing_before_not_before() {
        let window = Duration::from_secs(10);
        let mut log = SlotLog::new(3, window);
        let start = Instant::now();
        let not_before = Some(start + Duration::from_secs(5));
        let mut granted = Vec::new();
        for i in 0..40 {
            let now = start + Duration::from_millis(500 * i);
            if let Ok(slot) = log.reserve(now, not_before, Duration::from_secs(2)) {
                assert!(slot >= start + Duration::from_secs(5));
                granted.push(slot);
            }
        }
        assert!(granted.len() >= 3, "{granted:?}");
        for pair in granted.windows(4) {
            assert!(pair[3] - pair[0] >= window, "{granted:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn hands_over_the_last_window_as_ages() {
        let mut log = SlotLog::new(5, Duration::from_secs(10));
        let t0 = Instant::now();
        log.reserve(t0, None, Duration::ZERO).unwrap();
        let later = t0 + Duration::from_secs(4);
        log.reserve(later, None, Duration::ZERO).unwrap();
        let ages = log.hand_over(t0 + Duration::from_secs(12));
        assert_eq!(
            ages,
            vec![8_000_000],
            "the slot older than a window is dropped"
        );
        assert!(log.hand_over(later).is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn breaker_alone_opens_after_failures_and_keeps_a_ban_to_hand_over() {
        let now = Instant::now();
        let mut b = LocalBreaker::default();
        for _ in 0..4 {
            assert!(!b.failure(now, 5, Duration::from_secs(30)));
        }
        assert!(b.failure(now, 5, Duration::from_secs(30)));
        assert_eq!(b.check(now), Err(Duration::from_secs(30)));
        b.answer();
        assert!(b.check(now).is_ok());
        assert!(b.ban(now, Duration::from_secs(600)));
        assert!(!b.ban(now, Duration::from_secs(600)), "logged once");
        assert_eq!(
            b.hand_over(now + Duration::from_secs(100)),
            Some(Duration::from_secs(500))
        );
        assert!(b.check(now).is_ok());
    }
}
