//! What one REDCap error means: for the participant (a contract [`Failure`]) and for the
//! health of the REDCap server (what the breaker records). Pure: no state, no logging.
//!
//! Three kinds are named: a ban (the breaker pauses for the ban pause and the participant
//! is told to wait that long), a survey that cannot be resumed here (not a survey, Save &
//! Return Later off), and an answer that failed validation (the operator must look). Every
//! other error is decided by the client's properties of its meaning: the participant's
//! (record not found), a passing fault of REDCap (try again later, counted by the breaker), or
//! a set-up to fix (misconfigured, with the client's hint in the log).

use std::time::Duration;

use redcap_client::{Fault, Persistence, RedcapError};

use crate::error::Failure;

/// What a participant is told to wait after an outage.
pub const OUTAGE_RETRY: Duration = Duration::from_secs(30);

/// What one REDCap reply says about the server, for its breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// REDCap answered (with data, or with an error that is not an outage).
    Answered,
    /// REDCap did not answer usefully: timeout, refused connection, 5xx, garbage, throttling.
    Failed,
    /// REDCap banned this server's IP address (429 with its ban wording).
    Banned,
}

/// The breaker's bookkeeping and the participant's failure for `error`, from `project` on a
/// server that pauses `ban_pause` after a ban (the participant is told to wait that long).
pub fn map_error(error: &RedcapError, project: &str, ban_pause: Duration) -> (Health, Failure) {
    let outage = |cause: String| Failure::UpstreamUnavailable {
        cause,
        retry_after: OUTAGE_RETRY,
    };
    match error {
        RedcapError::Banned => (
            Health::Banned,
            Failure::UpstreamUnavailable {
                cause: "REDCap banned this server's IP".into(),
                retry_after: ban_pause,
            },
        ),
        // The survey's own set-up in REDCap: this survey cannot be resumed here.
        RedcapError::NotASurvey | RedcapError::SaveAndReturnDisabled => (
            Health::Answered,
            Failure::ResumeNotAvailable(error.to_string()),
        ),
        // An answer that failed validation: the operator must look (not "try again later").
        RedcapError::InvalidAnswer(_) => (
            Health::Failed,
            Failure::UpstreamMisconfigured(format!(
                "project {project}: REDCap's answer was refused: {error}"
            )),
        ),
        // Otherwise the error's own properties decide.
        _ => match (error.fault(), error.persistence()) {
            // No such record, or nothing in REDCap for it (an arm it is not in).
            (Fault::Participant, _) => (Health::Answered, Failure::RecordNotFound),
            (Fault::Redcap, Persistence::Transient) => (
                Health::Failed,
                outage(format!("project {project}: {error}")),
            ),
            _ => (
                Health::Answered,
                Failure::UpstreamMisconfigured(format!(
                    "project {project}: {error} — {}",
                    error.hint()
                )),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redcap_resume_contract::ErrorCode;

    #[test]
    fn the_table() {
        let pause = Duration::from_secs(600);
        let cases = [
            (
                RedcapError::Banned,
                Health::Banned,
                ErrorCode::UpstreamUnavailable,
            ),
            (
                RedcapError::Timeout,
                Health::Failed,
                ErrorCode::UpstreamUnavailable,
            ),
            (
                RedcapError::RateLimited,
                Health::Failed,
                ErrorCode::UpstreamUnavailable,
            ),
            (
                RedcapError::RecordNotFound,
                Health::Answered,
                ErrorCode::RecordNotFound,
            ),
            (
                RedcapError::NotASurvey,
                Health::Answered,
                ErrorCode::ResumeNotAvailable,
            ),
            (
                RedcapError::SaveAndReturnDisabled,
                Health::Answered,
                ErrorCode::ResumeNotAvailable,
            ),
            (
                RedcapError::InvalidToken,
                Health::Answered,
                ErrorCode::UpstreamMisconfigured,
            ),
            (
                RedcapError::MissingSurveyRights,
                Health::Answered,
                ErrorCode::UpstreamMisconfigured,
            ),
            (
                RedcapError::InvalidEvent,
                Health::Answered,
                ErrorCode::UpstreamMisconfigured,
            ),
        ];
        for (error, health, code) in cases {
            let (h, failure) = map_error(&error, "default", pause);
            assert_eq!((h, failure.code()), (health, code), "{error:?}");
        }
    }

    #[test]
    fn a_ban_asks_to_wait_the_ban_pause_and_an_outage_thirty_seconds() {
        let pause = Duration::from_secs(900);
        let (_, ban) = map_error(&RedcapError::Banned, "p", pause);
        let (_, outage) = map_error(&RedcapError::Timeout, "p", pause);
        assert!(
            matches!(ban, Failure::UpstreamUnavailable { retry_after, .. } if retry_after == pause)
        );
        assert!(
            matches!(outage, Failure::UpstreamUnavailable { retry_after, .. } if retry_after == OUTAGE_RETRY)
        );
    }
}
