//! `Breaker`: stops calling a REDCap that banned us or keeps failing, and says so in the log.
//!
//! REDCap's ban (429) lasts until an administrator lifts it, and every further request only
//! confirms it; so after a ban the server pauses calls for `ban_pause`. After
//! `FAILURES_TO_OPEN` failures in a row (timeouts, 5xx, refused connections) it pauses for
//! `FAILURE_PAUSE`, so an outage is not made worse by retries. After a pause the next call is
//! let through; its outcome closes or re-opens the breaker.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

pub const FAILURES_TO_OPEN: u32 = 5;
pub const FAILURE_PAUSE: Duration = Duration::from_secs(30);

#[derive(Debug)]
enum State {
    Closed { failures_in_a_row: u32 },
    Open { until: Instant },
}

pub struct Breaker {
    redcap: String,
    ban_pause: Duration,
    state: Mutex<State>,
}

impl Breaker {
    /// `redcap` names the server in log lines (its URL; no secrets there).
    pub fn new(redcap: impl Into<String>, ban_pause: Duration) -> Self {
        Self {
            redcap: redcap.into(),
            ban_pause,
            state: Mutex::new(State::Closed {
                failures_in_a_row: 0,
            }),
        }
    }

    /// `Err(retry_after)` while open.
    pub fn check(&self) -> Result<(), Duration> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match *state {
            State::Open { until } => {
                let now = Instant::now();
                if now < until {
                    Err(until - now)
                } else {
                    Ok(())
                }
            }
            State::Closed { .. } => Ok(()),
        }
    }

    pub fn is_open(&self) -> bool {
        self.check().is_err()
    }

    /// REDCap answered (with data or with an error that is not an outage).
    pub fn record_answer(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let State::Open { .. } = *state {
            tracing::warn!(redcap = %self.redcap, "REDCap answers again: calls resumed (breaker closed)");
        }
        *state = State::Closed {
            failures_in_a_row: 0,
        };
    }

    /// REDCap said this server's IP is banned.
    pub fn record_ban(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let until = Instant::now() + self.ban_pause;
        tracing::error!(
            redcap = %self.redcap,
            pause_seconds = self.ban_pause.as_secs(),
            "REDCap has BANNED this server's IP address (HTTP 429). Participants cannot resume until a \
             REDCap administrator lifts the ban (Control Center > API > banned IPs) — also check what \
             else on this host calls REDCap. Calls to REDCap are paused (breaker open)."
        );
        *state = State::Open { until };
    }

    /// REDCap did not answer (timeout, refused, 5xx, garbage).
    pub fn record_failure(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match *state {
            State::Closed { failures_in_a_row } => {
                let failures = failures_in_a_row + 1;
                if failures >= FAILURES_TO_OPEN {
                    tracing::error!(
                        redcap = %self.redcap,
                        failures,
                        pause_seconds = FAILURE_PAUSE.as_secs(),
                        "REDCap is not answering: calls paused (breaker open)"
                    );
                    *state = State::Open {
                        until: Instant::now() + FAILURE_PAUSE,
                    };
                } else {
                    *state = State::Closed {
                        failures_in_a_row: failures,
                    };
                }
            }
            State::Open { until } if Instant::now() >= until => {
                tracing::error!(redcap = %self.redcap, "REDCap still not answering: calls paused again");
                *state = State::Open {
                    until: Instant::now() + FAILURE_PAUSE,
                };
            }
            State::Open { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn opens_after_repeated_failures_and_closes_on_an_answer() {
        let b = Breaker::new("https://redcap.test/api/", Duration::from_secs(600));
        for _ in 0..FAILURES_TO_OPEN - 1 {
            b.record_failure();
            assert!(b.check().is_ok());
        }
        b.record_failure();
        assert_eq!(b.check().unwrap_err(), FAILURE_PAUSE);
        tokio::time::advance(FAILURE_PAUSE).await;
        assert!(b.check().is_ok(), "a probe goes through after the pause");
        b.record_failure();
        assert!(b.check().is_err(), "a failed probe re-opens");
        tokio::time::advance(FAILURE_PAUSE).await;
        b.record_answer();
        assert!(b.check().is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_ban_pauses_for_the_configured_time() {
        let b = Breaker::new("r", Duration::from_secs(600));
        b.record_ban();
        assert_eq!(b.check().unwrap_err(), Duration::from_secs(600));
        tokio::time::advance(Duration::from_secs(599)).await;
        assert!(b.is_open());
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(!b.is_open());
    }

    #[test]
    fn an_answer_resets_the_count() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let b = Breaker::new("r", Duration::from_secs(1));
            for _ in 0..FAILURES_TO_OPEN - 1 {
                b.record_failure();
            }
            b.record_answer();
            b.record_failure();
            assert!(!b.is_open());
        });
    }
}
