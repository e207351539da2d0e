//! What `serve` says at start about REDCap: one warning per project that REDCap does not
//! answer or whose token it refuses. Serving starts anyway (participants are told to try
//! again until REDCap answers).

use crate::config::ProjectConfig;
use crate::upstream::client_for;

/// Asks each project's REDCap for its version (one call each, outside the call budget) and
/// logs one warning per project that fails, naming the cause and what to change; an info line
/// for each that answers. Never fails: it only logs.
pub async fn warn_unless_ready(projects: Vec<ProjectConfig>) {
    for project in &projects {
        let client = match client_for(project) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(project = %project.name, redcap = %project.api_url, "{e}; serving anyway");
                continue;
            }
        };
        match client.version().await {
            Ok(version) => tracing::info!(
                project = %project.name,
                redcap = %project.api_url,
                %version,
                "REDCap answers and accepts the token"
            ),
            Err(e) => tracing::warn!(
                project = %project.name,
                redcap = %project.api_url,
                hint = e.hint(),
                "REDCap is not ready for this project at start ({e}); serving anyway: participants are asked to try again until it answers. Run `redcap-resume check` for details"
            ),
        }
    }
}
