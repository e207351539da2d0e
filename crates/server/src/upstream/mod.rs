//! Talking to REDCap without ever getting the institution banned.
//!
//! [`Redcap`] is every configured REDCap server, built once: each [`RedcapServer`] (one
//! origin: REDCap counts per client IP, so projects on one server share a call budget and a
//! breaker) and its [`Project`]s (one token each, with caches). [`mapping`] says what a
//! REDCap error means; [`client_for`] is the one place a REDCap client is made, for the server
//! and for `check` alike.

use std::sync::Arc;

use redcap_client::{Client, ClientConfig, RecordId, SurveyTarget};
use redcap_resume_shared::Shared;

use crate::config::{Config, ProjectConfig, ProjectId, SurveyConfig};

mod answers;
mod caller;
mod gate;
pub mod mapping;
mod project;
mod purge;
mod server;
mod wire;

pub use caller::CallerCap;
pub use project::{Project, Resumable};
pub use server::RedcapServer;

/// Every configured REDCap server and project.
pub struct Redcap {
    servers: Vec<RedcapServer>,
    /// Indexed by [`ProjectId`].
    projects: Vec<Arc<Project>>,
    /// The cap on REDCap calls one participant can cause per minute.
    callers: CallerCap,
}

impl Redcap {
    /// One gate per server, one client and cache set per project, each in this process's
    /// memory or, with `shared`, on Redis for every replica.
    pub fn build(config: &Config, shared: Option<&Shared>) -> Result<Redcap, String> {
        let mut servers = Vec::with_capacity(config.servers.len());
        let mut projects: Vec<(ProjectId, Arc<Project>)> = Vec::new();
        for server in &config.servers {
            let gate = Arc::new(gate::Gate::new(server, shared));
            let mut own = Vec::with_capacity(server.projects.len());
            for &id in &server.projects {
                let project_config = config.project(id);
                let client = client_for(project_config)
                    .map_err(|e| format!("project {}: {e}", project_config.name))?
                    .observed(crate::metrics::upstream_observer(&server.label));
                let project = Arc::new(Project::new(project_config, client, gate.clone(), shared));
                projects.push((id, project.clone()));
                own.push(project);
            }
            servers.push(RedcapServer::new(gate, own));
        }
        // Configuration puts every project on exactly one server.
        projects.sort_by_key(|(id, _)| *id);
        Ok(Redcap {
            servers,
            projects: projects.into_iter().map(|(_, p)| p).collect(),
            callers: CallerCap::per_minute(
                config.limits.redcap_calls_per_participant_per_minute,
                shared,
            ),
        })
    }

    /// The per-participant cap: run a participant's work in [`CallerCap::on_behalf_of`].
    pub fn callers(&self) -> &CallerCap {
        &self.callers
    }

    /// The REDCap servers, each once.
    pub fn servers(&self) -> &[RedcapServer] {
        &self.servers
    }

    /// Every project, in [`ProjectId`] order (the configuration's `projects` order).
    pub fn projects(&self) -> &[Arc<Project>] {
        &self.projects
    }

    /// The project a [`ProjectId`] of the configuration this was built from names.
    pub fn project(&self, id: ProjectId) -> &Arc<Project> {
        &self.projects[id.index()]
    }

    /// Whether every server is ready (each asked, even after one is not).
    pub async fn ready(&self) -> bool {
        let mut ready = true;
        for server in &self.servers {
            ready &= server.ready().await;
        }
        ready
    }
}

/// The REDCap client of one project: its API URL, token, timeout, survey base URL,
/// record-id field (learnt from REDCap when not configured) and extra certificate authorities.
pub fn client_for(project: &ProjectConfig) -> Result<Client, String> {
    Client::new(ClientConfig {
        timeout: project.timeout,
        survey_base_url: project.survey_base_url.clone(),
        record_id_field: project.record_id_field.clone(),
        ca_file: project.ca_file.clone(),
        ..ClientConfig::new(project.api_url.clone(), project.token.clone())
    })
    .map_err(|e| format!("cannot build the REDCap client: {e}"))
}

/// The response a survey's configuration and a record name in REDCap.
pub fn target(record: &RecordId, survey: &SurveyConfig) -> SurveyTarget {
    SurveyTarget {
        record: record.clone(),
        instrument: survey.instrument.clone(),
        event: survey.event.clone(),
        repeat_instance: survey.repeat_instance,
    }
}
