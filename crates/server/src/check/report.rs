//! What the lines of `check`'s report are made of, shared by the report and the survey checks.

use std::sync::Arc;

use redcap_client::{ProjectStructure, RedcapError};

use crate::config::{ProjectConfig, DEFAULT_PROJECT};
use crate::error::Failure;
use crate::upstream::Project;

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

/// What was learnt about a project: the project (its client behind its server's gate) and
/// its shape.
pub(super) struct Probed {
    pub project: Arc<Project>,
    pub found: String,
    pub structure: Result<ProjectStructure, String>,
    /// Whether the record-id field is known, learnt once for all of the project's surveys.
    pub record_id_field: tokio::sync::OnceCell<Result<(), String>>,
}

impl Probed {
    /// Learns the project's record-id field, once (one call through the budget; none when
    /// it is configured).
    pub async fn learn_record_id_field(&self, configured: bool) -> Result<(), String> {
        const STEP: &str = "the project's record-id field";
        self.record_id_field
            .get_or_init(|| async {
                if configured {
                    return Ok(());
                }
                let client = self.project.client();
                match self.project.for_operator(1, client.record_id_field()).await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) => Err(explain(STEP, &e)),
                    Err(r) => Err(refused(STEP, &r)),
                }
            })
            .await
            .clone()
    }
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

/// A step the breaker or the call budget did not let through: nothing was sent.
pub(super) fn refused(step: &str, refusal: &Failure) -> String {
    format!(
        "{step}: not asked ({refusal}) — check's REDCap calls pass the call budget (max_requests_per_minute) and the breaker like the service's; try again in a minute"
    )
}
