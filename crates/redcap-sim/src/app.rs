//! What every handler shares: the simulated REDCap's state and where it answers.

use url::Url;

use crate::state::State;

/// What the handlers share.
pub(crate) struct App {
    pub state: State,
    /// REDCap's base URL (where `/api/` is).
    pub base_url: Url,
    /// Where survey pages live: the base URL, or the same on [`SimConfig::survey_host`].
    pub survey_base: Url,
    /// Whether survey pages answer only on `survey_base`'s host.
    pub survey_host_only: bool,
}
