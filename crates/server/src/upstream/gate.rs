//! The gate of one REDCap server: its breaker and call budget, which every call to it passes;
//! afterwards the reply is recorded in the breaker and mapped to a contract failure.

use std::future::Future;
use std::time::Duration;

use redcap_client::RedcapError;

use super::mapping::{map_error, Health};
use crate::breaker::Breaker;
use crate::budget::CallBudget;
use crate::config::RedcapServerConfig;
use crate::error::Failure;

/// What every call to one REDCap server passes: its breaker, then its budget; afterwards the
/// reply is recorded in the breaker.
pub(super) struct Gate {
    label: String,
    budget: CallBudget,
    breaker: Breaker,
    ban_pause: Duration,
}

impl Gate {
    pub(super) fn new(config: &RedcapServerConfig) -> Self {
        Self {
            label: config.label.clone(),
            budget: CallBudget::per_minute(config.max_requests_per_minute, config.max_queue_wait),
            breaker: Breaker::new(config.label.clone(), config.ban_pause),
            ban_pause: config.ban_pause,
        }
    }

    /// The server's label (its first project's API URL), for logs.
    pub(super) fn label(&self) -> &str {
        &self.label
    }

    /// Whether calls are paused.
    pub(super) fn is_open(&self) -> bool {
        self.breaker.is_open()
    }

    /// One REDCap call for `project`: breaker, budget, the call, then its reply mapped.
    pub(super) async fn call<T>(
        &self,
        project: &str,
        request: impl Future<Output = Result<T, RedcapError>>,
    ) -> Result<T, Failure> {
        if let Err(retry_after) = self.breaker.check() {
            return Err(Failure::UpstreamUnavailable {
                cause: format!("calls to {} paused (breaker open)", self.label),
                retry_after,
            });
        }
        if let Err(retry_after) = self.budget.acquire().await {
            tracing::warn!(redcap = %self.label, "call budget exhausted: a participant was asked to retry");
            return Err(Failure::UpstreamUnavailable {
                cause: "REDCap call budget exhausted".into(),
                retry_after,
            });
        }
        match request.await {
            Ok(value) => {
                self.breaker.record_answer();
                Ok(value)
            }
            Err(error) => {
                let (health, failure) = map_error(&error, project, self.ban_pause);
                match health {
                    Health::Answered => self.breaker.record_answer(),
                    Health::Failed => self.breaker.record_failure(),
                    Health::Banned => self.breaker.record_ban(),
                }
                if let Failure::ResumeNotAvailable(_) = failure {
                    tracing::warn!(project = %project, hint = error.hint(), "{error}");
                }
                Err(failure)
            }
        }
    }
}
