//! The gate of one REDCap server: its breaker and call budget, which every call to it passes;
//! afterwards the reply is recorded in the breaker and mapped to a contract failure. Both live
//! in this process's memory, or (with `[shared]`) on Redis for all replicas together.

use std::future::Future;
use std::time::Duration;

use redcap_client::RedcapError;
use redcap_resume_shared::{GateConfig, RedcapGate, Refusal, Shared};

use super::mapping::{map_error, Health};
use crate::breaker::Breaker;
use crate::budget::CallBudget;
use crate::config::RedcapServerConfig;
use crate::error::Failure;

/// What every call to one REDCap server passes: its breaker, then its budget; afterwards the
/// reply is recorded in the breaker.
pub(super) struct Gate {
    label: String,
    guard: Guard,
    ban_pause: Duration,
}

/// In this process's memory, or shared by the replicas (`[shared]`).
enum Guard {
    Alone {
        budget: CallBudget,
        breaker: Breaker,
    },
    Shared(RedcapGate),
}

impl Gate {
    pub(super) fn new(config: &RedcapServerConfig, shared: Option<&Shared>) -> Self {
        let guard = match shared {
            None => Guard::Alone {
                budget: CallBudget::per_minute(
                    config.max_requests_per_minute,
                    config.max_queue_wait,
                ),
                breaker: Breaker::new(config.label.clone(), config.ban_pause),
            },
            Some(shared) => Guard::Shared(RedcapGate::new(
                shared,
                &config.origin,
                &config.label,
                GateConfig {
                    per_window: config.max_requests_per_minute,
                    window: Duration::from_secs(60),
                    max_wait: config.max_queue_wait,
                    ban_pause: config.ban_pause,
                },
            )),
        };
        Self {
            label: config.label.clone(),
            guard,
            ban_pause: config.ban_pause,
        }
    }

    /// The server's label (its first project's API URL), for logs.
    pub(super) fn label(&self) -> &str {
        &self.label
    }

    /// Calls the budget allows now without waiting; `None` when it is shared on Redis (this
    /// replica does not know without a round trip).
    pub(super) fn budget_remaining(&self) -> Option<usize> {
        match &self.guard {
            Guard::Alone { budget, .. } => Some(budget.remaining()),
            Guard::Shared(_) => None,
        }
    }

    /// Whether calls are paused (shared: as this replica last saw it, no round trip).
    pub(super) fn is_open(&self) -> bool {
        match &self.guard {
            Guard::Alone { breaker, .. } => breaker.is_open(),
            Guard::Shared(gate) => gate.breaker_open_hint(),
        }
    }

    /// The breaker, then the budget: `Err` when the call may not go now.
    async fn admit(&self) -> Result<(), Failure> {
        let refusal = match &self.guard {
            Guard::Alone { budget, breaker } => match breaker.check() {
                Err(retry_after) => Err(Refusal::Paused { retry_after }),
                Ok(()) => budget
                    .acquire()
                    .await
                    .map_err(|retry_after| Refusal::Exhausted { retry_after }),
            },
            // Boxed, as every shared call: keeps the futures of requests small.
            Guard::Shared(gate) => Box::pin(gate.admit()).await,
        };
        match refusal {
            Ok(()) => Ok(()),
            Err(Refusal::Paused { retry_after }) => Err(Failure::UpstreamUnavailable {
                cause: format!("calls to {} paused (breaker open)", self.label),
                retry_after,
            }),
            Err(Refusal::Exhausted { retry_after }) => {
                tracing::warn!(redcap = %self.label, "call budget exhausted: a participant was asked to retry");
                Err(Failure::UpstreamUnavailable {
                    cause: "REDCap call budget exhausted".into(),
                    retry_after,
                })
            }
        }
    }

    async fn record(&self, health: Health) {
        match (&self.guard, health) {
            (Guard::Alone { breaker, .. }, Health::Answered) => breaker.record_answer(),
            (Guard::Alone { breaker, .. }, Health::Failed) => breaker.record_failure(),
            (Guard::Alone { breaker, .. }, Health::Banned) => breaker.record_ban(),
            // A task of its own: the caller may be dropped (the other half of a link-and-code
            // pair failed first) while Redis answers, and the breaker's bookkeeping, and the
            // one operator log line it decides, must not be lost with it.
            (Guard::Shared(gate), health) => {
                let gate = gate.clone();
                let _ = tokio::spawn(async move {
                    match health {
                        Health::Answered => gate.record_answer().await,
                        Health::Failed => {
                            gate.record_failure().await;
                        }
                        Health::Banned => {
                            gate.record_ban().await;
                        }
                    }
                })
                .await;
            }
        }
    }

    /// A REDCap request of the operator's tools (`check`, `serve`'s start-up probe) that makes
    /// `calls` calls: the breaker and the budget admit each of them like every other call; the
    /// outcome is recorded in the breaker, and REDCap's own error is kept for the operator's
    /// report. `Err` when the budget or the breaker refused: nothing was sent.
    pub(super) async fn call_for_operator<T>(
        &self,
        project: &str,
        calls: u32,
        request: impl Future<Output = Result<T, RedcapError>>,
    ) -> Result<Result<T, RedcapError>, Failure> {
        for _ in 0..calls {
            self.admit().await?;
        }
        let result = request.await;
        let health = match &result {
            Ok(_) => Health::Answered,
            Err(error) => map_error(error, project, self.ban_pause).0,
        };
        self.record(health).await;
        Ok(result)
    }

    /// One REDCap call for `project`: breaker, the participant's cap, budget, the call, then
    /// its reply mapped.
    pub(super) async fn call<T>(
        &self,
        project: &str,
        request: impl Future<Output = Result<T, RedcapError>>,
    ) -> Result<T, Failure> {
        if let Err(retry_after) = super::caller::charge().await {
            return Err(Failure::RateLimited {
                who: "participant's REDCap calls",
                retry_after,
            });
        }
        self.admit().await?;
        match request.await {
            Ok(value) => {
                self.record(Health::Answered).await;
                Ok(value)
            }
            Err(error) => {
                let (health, failure) = map_error(&error, project, self.ban_pause);
                self.record(health).await;
                if let Failure::ResumeNotAvailable(_) = failure {
                    tracing::warn!(project = %project, hint = error.hint(), "{error}");
                }
                Err(failure)
            }
        }
    }
}
