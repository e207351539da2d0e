//! One REDCap server (one origin): the call budget and breaker every call to it passes, and
//! its projects' clients.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use redcap_client::RedcapError;

use super::mapping::{map_error, Health};
use super::project::Project;
use crate::breaker::Breaker;
use crate::budget::CallBudget;
use crate::config::RedcapServerConfig;
use crate::error::Failure;

/// One REDCap server, built once from a [`RedcapServerConfig`].
pub struct RedcapServer {
    gate: Arc<Gate>,
    /// Never empty: configuration puts every server there because a project lives on it.
    projects: Vec<Arc<Project>>,
}

impl RedcapServer {
    pub(super) fn new(gate: Arc<Gate>, projects: Vec<Arc<Project>>) -> Self {
        Self { gate, projects }
    }

    /// Its first project's API URL (no secrets there), for logs.
    pub fn label(&self) -> &str {
        &self.gate.label
    }

    /// The projects on this server, in name order.
    pub fn projects(&self) -> &[Arc<Project>] {
        &self.projects
    }

    /// Whether calls to this server are paused.
    pub fn breaker_open(&self) -> bool {
        self.gate.breaker.is_open()
    }

    /// Calls are not paused, and REDCap answers its first project's token (one call, through
    /// the budget).
    pub async fn ready(&self) -> bool {
        if self.breaker_open() {
            return false;
        }
        match self.projects.first() {
            Some(project) => project.ping().await.is_ok(),
            None => true,
        }
    }
}

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
