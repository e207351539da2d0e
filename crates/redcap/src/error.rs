//! The error type: what an answer of REDCap (or its absence) means, and the three properties
//! every meaning carries — whose fault, lasting or transient, and how far it reaches.
//!
//! | meaning | fault | lasting? | scope |
//! |---|---|---|---|
//! | [`RecordNotFound`](RedcapError::RecordNotFound) | participant | lasting | target |
//! | [`NotAvailableForRecord`](RedcapError::NotAvailableForRecord) | participant | lasting | target |
//! | [`InvalidInstrument`](RedcapError::InvalidInstrument), [`UnknownField`](RedcapError::UnknownField), [`NotASurvey`](RedcapError::NotASurvey), [`SaveAndReturnDisabled`](RedcapError::SaveAndReturnDisabled), [`EventMissing`](RedcapError::EventMissing), [`InvalidEvent`](RedcapError::InvalidEvent), [`InstrumentNotInEvent`](RedcapError::InstrumentNotInEvent) | survey setup | lasting | target |
//! | [`SurveyQueueDisabled`](RedcapError::SurveyQueueDisabled), [`ClassicProject`](RedcapError::ClassicProject) | survey setup | lasting | project |
//! | [`InvalidToken`](RedcapError::InvalidToken), [`MissingSurveyRights`](RedcapError::MissingSurveyRights), [`MissingExportRights`](RedcapError::MissingExportRights), [`LinkOnOtherHost`](RedcapError::LinkOnOtherHost) | server setup | lasting | project |
//! | [`MissingParameter`](RedcapError::MissingParameter), [`ParameterValueNotValid`](RedcapError::ParameterValueNotValid), [`Redirected`](RedcapError::Redirected), [`NotRedcap`](RedcapError::NotRedcap) | server setup | lasting | REDCap |
//! | [`Banned`](RedcapError::Banned) | REDCap | lasting (until an administrator lifts it) | REDCap |
//! | [`RateLimited`](RedcapError::RateLimited), [`Unavailable`](RedcapError::Unavailable), [`Timeout`](RedcapError::Timeout), [`Unexpected`](RedcapError::Unexpected), [`InvalidAnswer`](RedcapError::InvalidAnswer) | REDCap | transient | REDCap |

/// Everything that can go wrong talking to REDCap, classified by what it means rather than by
/// REDCap's wording (which differs between versions).
///
/// Messages (`Display`) are for logs and operators, not for participants; none of them contains
/// the token, a return code or a survey link. Three properties say what to do about an error:
/// [`RedcapError::fault`] (whose business it is), [`RedcapError::persistence`] (will the same
/// call fail again) and [`RedcapError::scope`] (what else fails with it); [`RedcapError::hint`]
/// tells an operator what to change.
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
    /// 403 `You do not have API Export privileges`: needed for the record export behind
    /// [`Client::response_status`](crate::Client::response_status) and for the metadata. Also
    /// the record export's 403 `The API request cannot complete because currently you have "No
    /// Access" data export rights. …` (API Export without a Data Export right), and its 400
    /// for de-identified rights that remove every field asked for.
    #[error("the API user lacks API Export rights")]
    MissingExportRights,
    /// `The record "X" does not exist` (or an empty record export).
    #[error("the record does not exist in the project")]
    RecordNotFound,
    /// 400 `An unknown error occurred`: REDCap produced no link or code for this record and
    /// survey — for example an event of an arm the record is not in. Retrying does not help;
    /// it is about this participant and survey, not an outage.
    #[error(
        "REDCap has no link or code for this record and survey (\"An unknown error occurred\")"
    )]
    NotAvailableForRecord,
    /// `The parameter 'X' is missing`, for a parameter other than `event`. The name is one of
    /// REDCap's parameter names, else `unknown`.
    #[error("REDCap says the parameter `{0}` is missing")]
    MissingParameter(String),
    /// `Invalid instrument`: no instrument has that unique name.
    #[error("REDCap does not know the instrument")]
    InvalidInstrument,
    /// `The following values in the parameter "fields" are not valid`: a field asked for does
    /// not exist (the instrument's `{instrument}_complete`, or a configured record-id field).
    #[error("REDCap does not know a field that was asked for (instrument or record-id field)")]
    UnknownField,
    /// `The instrument "X" has not been enabled as a survey`.
    #[error("the instrument is not enabled as a survey")]
    NotASurvey,
    /// `The 'Save & Return Later' feature has not been enabled for this survey`.
    #[error("Save & Return Later is not enabled for the survey")]
    SaveAndReturnDisabled,
    /// `The Survey Queue has not been enabled in this project. …` (`surveyQueueLink`).
    #[error("the project's Survey Queue is not enabled")]
    SurveyQueueDisabled,
    /// 400 `You cannot export arms|events|form/event mappings for classic projects`: events
    /// were asked of a project that is not longitudinal (it has one implicit event).
    #[error("the project is classic (not longitudinal): it has no arms, events or designations")]
    ClassicProject,
    /// 400 `The value of the parameter "X" is not valid`: REDCap does not know a value this
    /// client sends — for `content`, the API method (a REDCap older than the method). The
    /// name is one of REDCap's parameter names, else `unknown`.
    #[error("REDCap says the value of the parameter `{0}` is not valid (a method or value this REDCap does not know)")]
    ParameterValueNotValid(String),
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
    /// 429 without REDCap's ban sentence (a proxy, or a REDCap throttling without banning).
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
    /// 401, 403, 404 or 405 with a page, plain text or nothing instead of REDCap's envelope: a
    /// web server, firewall or proxy in front of REDCap answers the API URL, not REDCap.
    #[error("the API URL is answered by something that is not REDCap (HTTP {status}: {excerpt})")]
    NotRedcap {
        /// The HTTP status.
        status: u16,
        /// The page's title or a short, sanitized excerpt.
        excerpt: String,
    },
    /// REDCap could not be reached (connection refused or reset, DNS, TLS — `detail` names
    /// the cause, e.g. `UnknownIssuer`), dropped the connection, or answered 5xx.
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
    /// An answer that is none of REDCap's own sentences: an administrator's text while REDCap
    /// is offline for maintenance (400 in the requested envelope, any words), a wording this
    /// client does not know, or a status REDCap does not use. Read as a passing outage.
    #[error("unexpected REDCap answer (HTTP {status}): {excerpt}")]
    Unexpected {
        /// The HTTP status.
        status: u16,
        /// A short, sanitized excerpt of the message or body, for the log.
        excerpt: String,
    },
    /// HTTP 200 with a body that is not an answer of the expected shape: an error page of
    /// REDCap's (its database unreachable), an empty body, a PHP warning, JSON where a bare
    /// string was expected, a code that does not look like a code… Read as a passing outage.
    #[error("REDCap's answer failed validation: {0}")]
    InvalidAnswer(String),
    /// A survey link on a host other than the API's (and not under the configured survey base
    /// URL): REDCap's survey base URL setting points elsewhere. `base` is the survey base URL
    /// the link implies (`https://surveys.example.edu/redcap/`): the value for the client's
    /// `survey_base_url` if that host is REDCap's.
    #[error("REDCap's survey links are on {base}, not on the API's host: if that is REDCap's survey base URL, set survey_base_url = \"{base}\"")]
    LinkOnOtherHost {
        /// The survey base URL of the link (no query): scheme, host, port and path up to
        /// `surveys/`.
        base: String,
    },
}

/// Whose business an error is: who must act for the call to succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The participant's situation: the record does not exist, or REDCap has nothing for it
    /// (an arm the record is not in).
    Participant,
    /// The survey's configuration in REDCap or in this client's caller (instrument, event,
    /// survey and Save & Return Later settings).
    SurveySetup,
    /// The server's configuration: the token and its rights, the API URL, the survey base URL,
    /// what answers in front of REDCap.
    ServerSetup,
    /// REDCap itself: down, slow, throttling, banning, offline for maintenance, or answering
    /// nonsense.
    Redcap,
}

/// Whether the same call fails again if repeated without a human changing something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Persistence {
    /// It will fail the same way until someone changes something (for [`RedcapError::Banned`]:
    /// until an administrator lifts the ban).
    Lasting,
    /// It may succeed later: retry after a pause.
    Transient,
}

/// How far an error reaches: what else is known to fail with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// This call's target (record, survey, event, instance): other targets may succeed.
    Target,
    /// Every call with this token (this REDCap project).
    Project,
    /// Every call to this REDCap server (its origin), whatever the project.
    Redcap,
}

impl RedcapError {
    /// The three properties of this error's meaning, from one table (see the module docs).
    fn properties(&self) -> (Fault, Persistence, Scope) {
        use Persistence::{Lasting, Transient};
        use RedcapError::*;
        match self {
            RecordNotFound | NotAvailableForRecord => (Fault::Participant, Lasting, Scope::Target),
            InvalidInstrument
            | UnknownField
            | NotASurvey
            | SaveAndReturnDisabled
            | EventMissing
            | InvalidEvent
            | InstrumentNotInEvent => (Fault::SurveySetup, Lasting, Scope::Target),
            SurveyQueueDisabled | ClassicProject => (Fault::SurveySetup, Lasting, Scope::Project),
            InvalidToken | MissingSurveyRights | MissingExportRights | LinkOnOtherHost { .. } => {
                (Fault::ServerSetup, Lasting, Scope::Project)
            }
            MissingParameter(_)
            | ParameterValueNotValid(_)
            | Redirected { .. }
            | NotRedcap { .. } => (Fault::ServerSetup, Lasting, Scope::Redcap),
            Banned => (Fault::Redcap, Lasting, Scope::Redcap),
            RateLimited | Unavailable { .. } | Timeout | Unexpected { .. } | InvalidAnswer(_) => {
                (Fault::Redcap, Transient, Scope::Redcap)
            }
        }
    }

    /// Whose business this error is.
    pub fn fault(&self) -> Fault {
        self.properties().0
    }

    /// Whether the same call fails again until someone acts.
    pub fn persistence(&self) -> Persistence {
        self.properties().1
    }

    /// What else fails with it: this target, this project, or this REDCap.
    pub fn scope(&self) -> Scope {
        self.properties().2
    }

    /// Whether the same request may succeed if sent again later without any change by a
    /// human: [`Persistence::Transient`].
    pub fn is_retryable(&self) -> bool {
        self.persistence() == Persistence::Transient
    }

    /// What an operator should do about it, in REDCap's own vocabulary (for `check`-style
    /// commands and logs; not for participants).
    pub fn hint(&self) -> &'static str {
        use RedcapError::*;
        match self {
            InvalidToken => "check the API token: it must be this project's token of a user with API rights (REDCap gives the same answer for an unknown token)",
            MissingSurveyRights => "give the API user the 'Survey Distribution Tools' right (User Rights; REDCap calls it 'Manage Survey Participants')",
            MissingExportRights => "give the API user 'API Export' rights and a Data Export right (User Rights); the survey status and the record-id field need them",
            RecordNotFound => "the record id does not exist in this project",
            NotAvailableForRecord => "REDCap has no link or code for this record and survey (for example an event of an arm the record is not in); nothing to fix unless the record should have it",
            MissingParameter(_) => "REDCap expects a parameter this client does not send: check that this REDCap version is supported",
            InvalidInstrument => "check the instrument's unique name (Online Designer: lowercase with underscores, not the label)",
            UnknownField => "check the instrument's unique name and the configured record-id field (the project's first field)",
            NotASurvey => "enable the instrument as a survey (Online Designer → 'Enable' in the Survey column)",
            SaveAndReturnDisabled => "enable 'Save & Return Later' in the instrument's Survey Settings",
            ClassicProject => "the project is classic (not longitudinal): remove `event` from the survey's configuration, or define the project's events (Project Setup → Define My Events)",
            ParameterValueNotValid(_) => "REDCap does not know a method or value this client sends (content=… is an API method added in a later REDCap version): upgrade REDCap, or check that this REDCap version is supported",
            SurveyQueueDisabled => "enable the Survey Queue in the project's Online Designer (Survey Queue button)",
            EventMissing => "the project is longitudinal: configure the event's unique name (Project Setup → Define My Events)",
            InvalidEvent => "check the event's unique name (Project Setup → Define My Events)",
            InstrumentNotInEvent => "designate the instrument for the event (Project Setup → Designate Instruments for My Events) or configure another event",
            Banned => "REDCap banned this server's IP address for too many API requests: ask a REDCap administrator to lift the ban, and lower the request budget",
            RateLimited => "REDCap (or a proxy in front of it) is throttling requests: lower the request budget and retry later",
            Redirected { .. } => "the API URL redirects: configure the final URL (https, ending in /api/)",
            NotRedcap { status: 404 | 405, .. } => "the API URL is answered by something that is not REDCap (HTTP 404/405): it should be REDCap's API URL, ending in /api/",
            NotRedcap { .. } => "the API URL is answered by something that is not REDCap: a web server, firewall or proxy in front of REDCap refuses this server's API calls",
            Unavailable { .. } => "REDCap could not be reached or answered with a server error: check the URL, network, TLS (the certificate's issuer must be trusted: system store, or ca_file) and REDCap's health; retry later",
            Timeout => "REDCap did not answer in time: retry later, or raise the timeout",
            Unexpected { .. } => "REDCap answered something that is none of its own sentences (offline for maintenance?): see the excerpt in the log; retry later",
            InvalidAnswer(_) => "REDCap answered HTTP 200 with something that is not an answer (its database unreachable, a PHP error page, an empty body): check REDCap's health; retry later",
            LinkOnOtherHost { .. } => "REDCap's survey base URL is on another host: set survey_base_url to it (the error names it)",
        }
    }
}
