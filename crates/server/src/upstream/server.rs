//! One REDCap server (one origin): the gate every call to it passes, and its projects.

use std::sync::Arc;

use super::gate::Gate;
use super::project::Project;

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
        self.gate.label()
    }

    /// The projects on this server, in name order.
    pub fn projects(&self) -> &[Arc<Project>] {
        &self.projects
    }

    /// Whether calls to this server are paused.
    pub fn breaker_open(&self) -> bool {
        self.gate.is_open()
    }

    /// Calls this server's budget allows now without waiting (`None` with `[shared]`).
    pub fn budget_remaining(&self) -> Option<usize> {
        self.gate.budget_remaining()
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
