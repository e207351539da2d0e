//! What the lines of `check`'s report are made of, shared by the report and the survey checks.

use redcap_client::{Client, ProjectStructure, RedcapError};

use crate::config::{ProjectConfig, DEFAULT_PROJECT};

/// How one line of the report came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    Ok,
    /// Could not be checked fully; not known to be broken.
    Warn,
    Fail,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Warn => "warn",
            Verdict::Fail => "FAIL",
        }
    }
}

/// One line of the report.
pub(super) struct Line {
    pub verdict: Verdict,
    pub subject: String,
    pub text: String,
}

/// What was learnt about a project: its client, its shape, and where its survey links live.
pub(super) struct Probed {
    pub client: Client,
    pub found: String,
    pub structure: Result<ProjectStructure, String>,
}

/// The key that sets the survey base URL of `project`.
pub(super) fn survey_base_url_key(project: &ProjectConfig) -> String {
    if project.name == DEFAULT_PROJECT {
        "[redcap] survey_base_url".into()
    } else {
        format!("[projects.{}] survey_base_url", project.name)
    }
}

pub(super) fn explain(step: &str, e: &RedcapError) -> String {
    format!("{step}: {e} — {}", e.hint())
}
