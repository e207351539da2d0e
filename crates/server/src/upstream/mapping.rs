//! What one REDCap error means: for the participant (a contract [`Failure`]) and for the
//! health of the REDCap server (what the breaker records). Pure: no state, no logging.
//!
//! The mapping reads the client's classification of an error (the variant only to tell the
//! survey settings made on REDCap's survey pages from names the operator configured):
//!
//! - **Breaker** ([`Health`]): only a *transient* failure of *REDCap's* scope counts
//!   ([`Health::Failed`]); REDCap's own lasting refusal of this server (its ban) opens it at
//!   once ([`Health::Banned`]). Every per-target or per-project answer is an answer, so a
//!   participant reloading a record REDCap refuses can neither open nor keep open the breaker.
//! - **Participant** ([`Failure`]), from whose fault it is: the participant's record
//!   (`record_not_found`, also when REDCap has nothing for it in an arm it is not in), the
//!   survey's set-up (not a survey, Save & Return Later off, instrument or event unknown:
//!   `resume_not_available` for settings made in REDCap's survey pages, `upstream_misconfigured`
//!   for names the operator configured), the server's set-up (`upstream_misconfigured`, no
//!   `Retry-After`), or REDCap (`upstream_unavailable` with `Retry-After`: 30 s for a passing
//!   outage, the ban pause for a ban).
//! - **Remembering**: a lasting error is worth remembering per target (see
//!   [`Failure::lasts`]); a transient one never is.

use std::time::Duration;

use redcap_client::{Fault, Persistence, RedcapError, Scope};

use crate::error::Failure;

/// What a participant is told to wait after an outage.
pub const OUTAGE_RETRY: Duration = Duration::from_secs(30);

/// What one REDCap reply says about the server, for its breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// REDCap answered (with data, or with an error that is not an outage of REDCap).
    Answered,
    /// A transient failure of the whole REDCap server: timeout, refused connection, 5xx,
    /// a 200 page that is not an answer, throttling, maintenance text.
    Failed,
    /// REDCap banned this server's IP address (429 with its ban wording).
    Banned,
}

/// The breaker's bookkeeping for `error`: only REDCap-scope failures count.
pub fn health(error: &RedcapError) -> Health {
    match (error.fault(), error.persistence(), error.scope()) {
        (Fault::Redcap, Persistence::Lasting, Scope::Redcap) => Health::Banned,
        (_, Persistence::Transient, Scope::Redcap) => Health::Failed,
        _ => Health::Answered,
    }
}

/// The breaker's bookkeeping and the participant's failure for `error`, from `project` on a
/// server that pauses `ban_pause` after a ban (the participant is told to wait that long).
pub fn map_error(error: &RedcapError, project: &str, ban_pause: Duration) -> (Health, Failure) {
    let health = health(error);
    let failure = match (error.fault(), error.persistence()) {
        (Fault::Redcap, Persistence::Lasting) => Failure::UpstreamUnavailable {
            cause: format!("project {project}: {error}"),
            retry_after: ban_pause,
        },
        (Fault::Redcap, Persistence::Transient) => Failure::UpstreamUnavailable {
            cause: format!("project {project}: {error}"),
            retry_after: OUTAGE_RETRY,
        },
        // A transient error of someone else's making does not exist in the client's table;
        // were one added, asking again later is the safe reading.
        (_, Persistence::Transient) => Failure::UpstreamUnavailable {
            cause: format!("project {project}: {error}"),
            retry_after: OUTAGE_RETRY,
        },
        // No such record, or nothing in REDCap for it (an arm it is not in): the participant's
        // message is the same.
        (Fault::Participant, Persistence::Lasting) => Failure::RecordNotFound,
        (Fault::SurveySetup, Persistence::Lasting) => match error {
            // Settings made on REDCap's survey pages: this survey cannot be resumed here.
            RedcapError::NotASurvey
            | RedcapError::SaveAndReturnDisabled
            | RedcapError::SurveyQueueDisabled => Failure::ResumeNotAvailable(error.to_string()),
            // Names the operator configured (instrument, event, record-id field).
            _ => misconfigured(error, project),
        },
        (Fault::ServerSetup, Persistence::Lasting) => misconfigured(error, project),
    };
    (health, failure)
}

fn misconfigured(error: &RedcapError, project: &str) -> Failure {
    Failure::UpstreamMisconfigured(format!("project {project}: {error} — {}", error.hint()))
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
                RedcapError::SurveyQueueDisabled,
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
            (
                RedcapError::ClassicProject,
                Health::Answered,
                ErrorCode::UpstreamMisconfigured,
            ),
            (
                RedcapError::ParameterValueNotValid("content".into()),
                Health::Answered,
                ErrorCode::UpstreamMisconfigured,
            ),
        ];
        for (error, health, code) in cases {
            let (h, failure) = map_error(&error, "default", pause);
            assert_eq!((h, failure.code()), (health, code), "{error:?}");
        }
    }

    /// One of each meaning the client knows.
    fn every_error() -> Vec<RedcapError> {
        use RedcapError::*;
        vec![
            InvalidToken,
            MissingSurveyRights,
            MissingExportRights,
            RecordNotFound,
            NotAvailableForRecord,
            MissingParameter("content".into()),
            ParameterValueNotValid("content".into()),
            ClassicProject,
            InvalidInstrument,
            UnknownField,
            NotASurvey,
            SaveAndReturnDisabled,
            SurveyQueueDisabled,
            EventMissing,
            InvalidEvent,
            InstrumentNotInEvent,
            Banned,
            RateLimited,
            Redirected {
                status: 302,
                location: None,
            },
            NotRedcap {
                status: 403,
                excerpt: "403 Forbidden".into(),
            },
            Unavailable {
                status: Some(503),
                detail: "x".into(),
            },
            Timeout,
            Unexpected {
                status: 400,
                excerpt: "offline".into(),
            },
            InvalidAnswer("CRITICAL ERROR".into()),
            LinkOnOtherHost {
                base: "https://s.example/surveys/".into(),
            },
        ]
    }

    /// Issue 15 item 1: only a failure of the whole REDCap server reaches the breaker; no
    /// per-target or per-project answer can open it or keep it open.
    #[test]
    fn only_redcap_wide_failures_reach_the_breaker() {
        for error in every_error() {
            let (health, failure) = map_error(&error, "p", Duration::from_secs(600));
            if health != Health::Answered {
                assert_eq!(error.scope(), Scope::Redcap, "{error:?}");
                assert_eq!(error.fault(), Fault::Redcap, "{error:?}");
            }
            if error.scope() != Scope::Redcap {
                assert_eq!(health, Health::Answered, "{error:?}");
            }
            // Retry-After (a retryable code) exactly for what passes or is REDCap's ban.
            assert_eq!(
                failure.code().is_retryable(),
                error.fault() == Fault::Redcap,
                "{error:?}"
            );
            // Remembered per target exactly when it lasts and is not REDCap's own state.
            assert_eq!(
                failure.lasts(),
                error.persistence() == Persistence::Lasting && error.fault() != Fault::Redcap,
                "{error:?}"
            );
        }
    }

    #[test]
    fn field_answers_by_meaning() {
        let pause = Duration::from_secs(600);
        let cases = [
            (
                RedcapError::NotAvailableForRecord,
                Health::Answered,
                ErrorCode::RecordNotFound,
            ),
            (
                RedcapError::InvalidAnswer("db offline".into()),
                Health::Failed,
                ErrorCode::UpstreamUnavailable,
            ),
            (
                RedcapError::Unexpected {
                    status: 400,
                    excerpt: "maintenance".into(),
                },
                Health::Failed,
                ErrorCode::UpstreamUnavailable,
            ),
            (
                RedcapError::NotRedcap {
                    status: 403,
                    excerpt: "403 Forbidden".into(),
                },
                Health::Answered,
                ErrorCode::UpstreamMisconfigured,
            ),
            (
                RedcapError::LinkOnOtherHost {
                    base: "https://s/".into(),
                },
                Health::Answered,
                ErrorCode::UpstreamMisconfigured,
            ),
            (
                RedcapError::UnknownField,
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
