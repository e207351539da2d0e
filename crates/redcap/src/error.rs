//! The error type: what went wrong talking to REDCap, and whose business it is.

/// Everything that can go wrong talking to REDCap, classified by what it means rather than by
/// REDCap's wording (which differs between versions).
///
/// Messages (`Display`) are for logs and operators, not for participants; none of them contains
/// the token, a return code or a survey link. [`RedcapError::fault`] tells whose business an error
/// is, [`RedcapError::hint`] what an operator should change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RedcapError {
    /// 403 `You do not have permissions to use the API`: the token is unknown, belongs to
    /// another project, or its user lost API rights. REDCap answers the same in every case.
    #[error("REDCap refused the API token (unknown token, or its user has no API rights)")]
    InvalidToken,
    /// 403 `… you do not have "Manage Survey Participants" privileges …`: the API user lacks the
    /// Survey Distribution Tools right, needed by `surveyLink`, `surveyReturnCode`, `surveyQueueLink`.
    #[error(
        "the API user lacks the Survey Distribution Tools (\"Manage Survey Participants\") right"
    )]
    MissingSurveyRights,
    /// 403 about API Export privileges: needed for the record export behind
    /// [`Client::response_status`](crate::Client::response_status).
    #[error("the API user lacks API Export rights")]
    MissingExportRights,
    /// `The record "X" does not exist` (or an empty record export).
    #[error("the record does not exist in the project")]
    RecordNotFound,
    /// `The parameter 'X' is missing`, for a parameter other than `event`. The name is reduced
    /// to `[a-z0-9_[]]`.
    #[error("REDCap says the parameter `{0}` is missing")]
    MissingParameter(String),
    /// `Invalid instrument`: no instrument has that unique name.
    #[error("REDCap does not know the instrument")]
    InvalidInstrument,
    /// `The instrument "X" has not been enabled as a survey`.
    #[error("the instrument is not enabled as a survey")]
    NotASurvey,
    /// `The 'Save & Return Later' feature has not been enabled for this survey`.
    #[error("Save & Return Later is not enabled for the survey")]
    SaveAndReturnDisabled,
    /// `The parameter 'event' is missing`: the project is longitudinal and no event was given
    /// (also: a status query matched rows of several events).
    #[error("the project is longitudinal and no event was given")]
    EventMissing,
    /// `Invalid event`: no event has that unique name.
    #[error("REDCap does not know the event")]
    InvalidEvent,
    /// `The instrument "X" has not been designated for the event "Y"`.
    #[error("the instrument is not designated for the event")]
    InstrumentNotInEvent,
    /// 429 `Your IP address (…) has been banned due to suspected abuse.` REDCap keeps refusing
    /// this IP address until an administrator lifts the ban.
    #[error(
        "REDCap has banned this client's IP address (only a REDCap administrator can lift it)"
    )]
    Banned,
    /// 429 without ban wording (a proxy or a future REDCap throttling without banning).
    #[error("REDCap is rate limiting this client (HTTP 429)")]
    RateLimited,
    /// A 3xx answer. Redirects are not followed (the token must not travel elsewhere); the API
    /// URL should be the final one. `location` is the target without its query.
    #[error("REDCap answered with a redirect (HTTP {status}{}); redirects are not followed",
        location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default())]
    Redirected {
        /// The HTTP status.
        status: u16,
        /// Where it points, without query or fragment, when it said.
        location: Option<String>,
    },
    /// REDCap could not be reached (connection refused or reset, DNS, TLS), dropped the
    /// connection, or answered 5xx.
    #[error("REDCap is unavailable{}: {detail}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Unavailable {
        /// The HTTP status for a 5xx answer; `None` when there was no answer.
        status: Option<u16>,
        /// A short, sanitized description for the log.
        detail: String,
    },
    /// No answer within the configured timeout.
    #[error("REDCap did not answer within the timeout")]
    Timeout,
    /// An answer this client does not recognise.
    #[error("unexpected REDCap answer (HTTP {status}): {excerpt}")]
    Unexpected {
        /// The HTTP status.
        status: u16,
        /// A short, sanitized excerpt of the message or body, for the log.
        excerpt: String,
    },
    /// A success answer that failed validation (a survey link on another origin, a code that
    /// does not look like a code, a body that is not the expected JSON…).
    #[error("REDCap's answer failed validation: {0}")]
    InvalidAnswer(String),
}

/// Whose business an error is; a server maps these to its own error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The request named something that does not exist: [`RedcapError::RecordNotFound`].
    Caller,
    /// REDCap or this client must be configured differently (token, rights, instrument, event,
    /// survey settings, API URL). Retrying does not help.
    Config,
    /// Transient: REDCap is down, slow, or throttling. Retrying later may help — for
    /// [`RedcapError::Banned`] only after an administrator lifts the ban.
    Transient,
    /// REDCap answered something unexpected or invalid.
    Upstream,
}

impl RedcapError {
    /// Whose business this error is.
    pub fn fault(&self) -> Fault {
        use RedcapError::*;
        match self {
            RecordNotFound => Fault::Caller,
            InvalidToken
            | MissingSurveyRights
            | MissingExportRights
            | InvalidInstrument
            | NotASurvey
            | SaveAndReturnDisabled
            | EventMissing
            | InvalidEvent
            | InstrumentNotInEvent
            | Redirected { .. } => Fault::Config,
            Banned | RateLimited | Unavailable { .. } | Timeout => Fault::Transient,
            MissingParameter(_) | Unexpected { .. } | InvalidAnswer(_) => Fault::Upstream,
        }
    }

    /// Whether the same request may succeed if sent again later without any change by a human.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::RateLimited | Self::Unavailable { .. } | Self::Timeout
        )
    }

    /// What an operator should do about it, in REDCap's own vocabulary (for `check`-style
    /// commands and logs; not for participants).
    pub fn hint(&self) -> &'static str {
        use RedcapError::*;
        match self {
            InvalidToken => "check the API token: it must be this project's token of a user with API rights (REDCap gives the same answer for an unknown token)",
            MissingSurveyRights => "give the API user the 'Survey Distribution Tools' right (User Rights; REDCap calls it 'Manage Survey Participants')",
            MissingExportRights => "give the API user 'API Export' rights and a Data Export right (User Rights); the survey status needs them",
            RecordNotFound => "the record id does not exist in this project",
            MissingParameter(_) => "REDCap expects a parameter this client does not send: check that this REDCap version is supported",
            InvalidInstrument => "check the instrument's unique name (Online Designer: lowercase with underscores, not the label)",
            NotASurvey => "enable the instrument as a survey (Online Designer → 'Enable' in the Survey column)",
            SaveAndReturnDisabled => "enable 'Save & Return Later' in the instrument's Survey Settings",
            EventMissing => "the project is longitudinal: configure the event's unique name (Project Setup → Define My Events)",
            InvalidEvent => "check the event's unique name (Project Setup → Define My Events)",
            InstrumentNotInEvent => "designate the instrument for the event (Project Setup → Designate Instruments for My Events) or configure another event",
            Banned => "REDCap banned this server's IP address for too many API requests: ask a REDCap administrator to lift the ban, and lower the request budget",
            RateLimited => "REDCap (or a proxy in front of it) is throttling requests: lower the request budget and retry later",
            Redirected { .. } => "the API URL redirects: configure the final URL (https, ending in /api/)",
            Unavailable { .. } => "REDCap could not be reached or answered with a server error: check the URL, network, TLS and REDCap's health; retry later",
            Timeout => "REDCap did not answer in time: retry later, or raise the timeout",
            Unexpected { status: 403, .. } => "HTTP 403 without REDCap's wording: a firewall or proxy in front of REDCap may refuse API calls from this server",
            Unexpected { status: 404 | 405, .. } => "no REDCap API answers at this URL: the API URL should end in /api/",
            Unexpected { .. } => "REDCap answered something this client does not recognise: see the excerpt in the log",
            InvalidAnswer(_) => "REDCap's answer failed validation: check that the API URL uses the same scheme, host and port as REDCap's own base URL setting",
        }
    }
}
