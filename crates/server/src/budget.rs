//! `CallBudget`: at most N calls to one REDCap server in any 60-second window.
//!
//! REDCap counts every API request per client IP and bans the IP when it passes its limit.
//! Everything this server sends to one REDCap goes through one budget. A call that would
//! exceed it waits for a slot (at most `max_wait`), or is refused with the time after which
//! a retry can succeed. Slots are reserved in order, so the guarantee holds under any
//! concurrency: slot `i` and slot `i + N` are always at least a window apart.
//!
//! ```
//! # tokio_test_block_on(async {
//! use redcap_resume::budget::CallBudget;
//! use std::time::Duration;
//! let budget = CallBudget::new(2, Duration::from_secs(60), Duration::ZERO);
//! assert!(budget.acquire().await.is_ok());
//! assert!(budget.acquire().await.is_ok());
//! let retry_after = budget.acquire().await.unwrap_err();
//! assert!(retry_after > Duration::from_secs(59));
//! # });
//! # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(f)
//! # }
//! ```

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

pub struct CallBudget {
    per_window: usize,
    window: Duration,
    max_wait: Duration,
    /// Reserved slot times, ascending.
    slots: Mutex<VecDeque<Instant>>,
}

impl CallBudget {
    pub fn new(per_window: u32, window: Duration, max_wait: Duration) -> Self {
        let per_window = per_window.max(1) as usize;
        Self {
            per_window,
            window,
            max_wait,
            slots: Mutex::new(VecDeque::with_capacity(per_window + 1)),
        }
    }

    /// Per minute, the way the configuration states it.
    pub fn per_minute(per_minute: u32, max_wait: Duration) -> Self {
        Self::new(per_minute, Duration::from_secs(60), max_wait)
    }

    /// Waits for a slot; `Err(retry_after)` when none is free within `max_wait`.
    pub async fn acquire(&self) -> Result<(), Duration> {
        let slot = self.reserve(Instant::now())?;
        tokio::time::sleep_until(slot).await;
        Ok(())
    }

    /// How many calls could start now without waiting (slots of the last window not yet
    /// reserved), for the `redcap_resume_upstream_budget_remaining` gauge.
    pub fn remaining(&self) -> usize {
        let now = Instant::now();
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let taken = slots
            .iter()
            .filter(|&&slot| slot + self.window > now)
            .count();
        self.per_window.saturating_sub(taken)
    }

    fn reserve(&self, now: Instant) -> Result<Instant, Duration> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        // Only the last `per_window` slots matter: the next one may come no earlier than a
        // window after the oldest of them.
        let slot = if slots.len() < self.per_window {
            now
        } else {
            (slots[0] + self.window).max(now)
        };
        let wait = slot - now;
        if wait > self.max_wait {
            return Err(wait);
        }
        slots.push_back(slot);
        if slots.len() > self.per_window {
            slots.pop_front();
        }
        Ok(slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_more_than_n_in_any_window() {
        // Many concurrent callers, a budget of 5 per 10 s and up to 25 s of waiting.
        let budget = std::sync::Arc::new(CallBudget::new(
            5,
            Duration::from_secs(10),
            Duration::from_secs(25),
        ));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..40 {
            let b = budget.clone();
            tasks.push(tokio::spawn(async move {
                b.acquire().await.map(|_| Instant::now() - start)
            }));
        }
        let mut granted = Vec::new();
        let mut refused = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(at) => granted.push(at),
                Err(after) => {
                    assert!(after > Duration::from_secs(25));
                    refused += 1;
                }
            }
        }
        granted.sort();
        // 0 s, 10 s, 20 s: three windows of 5 fit in 25 s of waiting.
        assert_eq!(granted.len(), 15);
        assert_eq!(refused, 25);
        for pair in granted.windows(6) {
            assert!(pair[5] - pair[0] >= Duration::from_secs(10), "{granted:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn slots_free_up_as_time_passes() {
        let budget = CallBudget::new(2, Duration::from_secs(60), Duration::ZERO);
        budget.acquire().await.unwrap();
        tokio::time::advance(Duration::from_secs(30)).await;
        budget.acquire().await.unwrap();
        let after = budget.acquire().await.unwrap_err();
        assert_eq!(after, Duration::from_secs(30));
        tokio::time::advance(Duration::from_secs(30)).await;
        budget.acquire().await.unwrap();
        assert_eq!(budget.acquire().await.unwrap_err(), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn memory_stays_bounded() {
        let budget = CallBudget::new(3, Duration::from_secs(1), Duration::from_secs(1));
        for _ in 0..1000 {
            let _ = budget.acquire().await;
            tokio::time::advance(Duration::from_millis(100)).await;
        }
        assert!(budget.slots.lock().unwrap().len() <= 3);
    }
}
