//! What `serve` says at start about REDCap: one warning per project that REDCap does not
//! answer or whose token it refuses. Serving starts anyway (participants are told to try
//! again until REDCap answers).

use std::sync::Arc;

use crate::app::AppState;

/// Asks each project's REDCap for its version (one call each, through its server's breaker and
/// call budget like every other call) and logs one warning per project that fails, naming the
/// cause and what to change; an info line for each that answers. Never fails: it only logs.
pub async fn warn_unless_ready(state: Arc<AppState>) {
    for server in state.redcap.servers() {
        for project in server.projects() {
            let redcap = server.label();
            match project.for_operator(1, project.client().version()).await {
                Ok(Ok(version)) => tracing::info!(
                    project = %project.name,
                    %redcap,
                    %version,
                    "REDCap answers and accepts the token"
                ),
                Ok(Err(e)) => tracing::warn!(
                    project = %project.name,
                    %redcap,
                    hint = e.hint(),
                    "REDCap is not ready for this project at start ({e}); serving anyway: participants are asked to try again until it answers. Run `redcap-resume check` for details"
                ),
                Err(refused) => tracing::warn!(
                    project = %project.name,
                    %redcap,
                    "REDCap not asked at start ({refused}); serving anyway"
                ),
            }
        }
    }
}
