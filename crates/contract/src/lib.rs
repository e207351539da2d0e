//! The JSON contract (version 1) between the `<redcap-resume>` widget and its server.
//!
//! One definition, used by both sides, so the two cannot drift.
//!
//! ```
//! use redcap_resume_contract::{SurveyAnswer, SurveyStatus};
//!
//! let body = r#"{ "key": "baseline", "title": "Baseline questionnaire",
//!   "status": "in_progress", "return_code": "KX7HD3LW",
//!   "survey_link": "https://redcap.example.edu/surveys/?s=AbCdEfGhJkLmNpQr",
//!   "resume_link": "https://redcap.example.edu/surveys/?s=AbCdEfGhJkLmNpQr&__return=1",
//!   "resume_form": { "action": "https://redcap.example.edu/surveys/?s=AbCdEfGhJkLmNpQr",
//!                    "field": "__code" } }"#;
//! let answer: SurveyAnswer = serde_json::from_str(body).unwrap();
//! assert_eq!(answer.status, SurveyStatus::InProgress);
//! assert_eq!(answer.return_code.as_ref().unwrap().expose(), "KX7HD3LW");
//! // A return code never shows in logs:
//! assert!(!format!("{answer:?}").contains("KX7HD3LW"));
//! ```
#![forbid(unsafe_code)]

use core::fmt;
use serde::{Deserialize, Serialize};

/// The version of this contract; bumped on any incompatible change.
pub const CONTRACT_VERSION: u32 = 1;

/// The request header every API call must carry (cross-site request protection).
pub const CSRF_HEADER: &str = "X-CSRF";

/// Where the participant stands with a survey.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum SurveyStatus {
    NotStarted,
    InProgress,
    Completed,
    /// The server was not asked to look (per-survey `status = false`), or could not tell.
    Unknown,
}

/// A REDCap survey return code. Its `Debug` never shows the value.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
#[serde(transparent)]
pub struct ReturnCode(String);

impl ReturnCode {
    pub fn new(code: impl Into<String>) -> Self {
        Self(code.into())
    }
    /// The code itself: only for the participant's own answer.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ReturnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReturnCode([REDACTED])")
    }
}

/// How the widget resumes in one click: a form POST of the code in `field` to `action`.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
pub struct ResumeForm {
    pub action: String,
    pub field: String,
}

impl fmt::Debug for ResumeForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResumeForm")
            .field("action", &"[REDACTED]")
            .field("field", &self.field)
            .finish()
    }
}

/// `GET {endpoint}/surveys/{key}`: one survey the participant may resume.
///
/// `return_code`, `resume_link` and `resume_form` are present when there is something to
/// resume. A survey not started yet carries only `survey_link` (it starts the survey; no code
/// is created for it); a completed survey that does not allow editing carries no link at all.
///
/// **Survey Login** (`survey_login: true`): REDCap's survey page ignores a return code and asks
/// the participant to log in, so the answer never carries `return_code`, `resume_link` or
/// `resume_form`; `survey_link` (when present) is the plain link, where the participant logs in
/// and continues. Absent on the wire means `false`.
///
/// `contact` is the study's contact line (`[study] contact`), already chosen for the language
/// the request asked for (`?lang=`); absent when the study configured none. The card shows it
/// where a participant could get stuck (every error, "completed", the return page's fallback).
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
pub struct SurveyAnswer {
    pub key: String,
    pub title: String,
    pub status: SurveyStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_code: Option<ReturnCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_form: Option<ResumeForm>,
    /// REDCap Survey Login is on for this survey: continue through `survey_link` only.
    #[serde(default, skip_serializing_if = "is_false")]
    pub survey_login: bool,
    /// The study's contact line in the participant's language, if the study has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl fmt::Debug for SurveyAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |o: &Option<String>| o.as_ref().map(|_| "[REDACTED]");
        f.debug_struct("SurveyAnswer")
            .field("key", &self.key)
            .field("title", &self.title)
            .field("status", &self.status)
            .field("return_code", &self.return_code)
            .field("survey_link", &redact(&self.survey_link))
            .field("resume_link", &redact(&self.resume_link))
            .field("resume_form", &self.resume_form)
            .field("survey_login", &self.survey_login)
            .field("contact", &self.contact)
            .finish()
    }
}

/// `GET {endpoint}/surveys`: every survey the participant may resume, in configuration order.
///
/// `contact` is the study's contact line as in [`SurveyAnswer`] (each answer in `surveys`
/// carries it too); present even when the list is empty, so that page is no dead end either.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct SurveyList {
    pub surveys: Vec<SurveyAnswer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

/// `GET {endpoint}/surveys/{key}/queue`: the participant's REDCap survey queue, where every
/// survey of the project that REDCap's queue settings show them is listed (started, to start,
/// completed).
///
/// `key` is the survey the request named (the queue is its project's); `queue_link` is
/// REDCap's `…/surveys/?sq=HASH` link (checked to be REDCap's, with `&__lang=ID` when the
/// project maps the asked `?lang=` to a Multi-Language Management language). A project whose
/// survey queue is off answers the error `resume_not_available`. `contact` as in
/// [`SurveyAnswer`]. Its `Debug` never shows the link.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
pub struct QueueAnswer {
    pub key: String,
    pub queue_link: String,
    /// The study's contact line in the participant's language, if the study has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

impl fmt::Debug for QueueAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueAnswer")
            .field("key", &self.key)
            .field("queue_link", &"[REDACTED]")
            .field("contact", &self.contact)
            .finish()
    }
}

/// The error codes of the contract, each with its HTTP status.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotSignedIn,
    Forbidden,
    UnknownSurvey,
    RecordNotFound,
    ResumeNotAvailable,
    RateLimited,
    UpstreamUnavailable,
    UpstreamMisconfigured,
    /// Anything else; also what an older widget maps an unknown future code to.
    #[serde(other)]
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 9] = [
        ErrorCode::NotSignedIn,
        ErrorCode::Forbidden,
        ErrorCode::UnknownSurvey,
        ErrorCode::RecordNotFound,
        ErrorCode::ResumeNotAvailable,
        ErrorCode::RateLimited,
        ErrorCode::UpstreamUnavailable,
        ErrorCode::UpstreamMisconfigured,
        ErrorCode::Internal,
    ];

    /// The HTTP status the server answers with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::NotSignedIn => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::UnknownSurvey | ErrorCode::RecordNotFound => 404,
            ErrorCode::ResumeNotAvailable => 409,
            ErrorCode::RateLimited => 429,
            ErrorCode::UpstreamMisconfigured => 502,
            ErrorCode::UpstreamUnavailable => 503,
            ErrorCode::Internal => 500,
        }
    }

    /// The snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotSignedIn => "not_signed_in",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::UnknownSurvey => "unknown_survey",
            ErrorCode::RecordNotFound => "record_not_found",
            ErrorCode::ResumeNotAvailable => "resume_not_available",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::UpstreamUnavailable => "upstream_unavailable",
            ErrorCode::UpstreamMisconfigured => "upstream_misconfigured",
            ErrorCode::Internal => "internal",
        }
    }

    /// Whether trying again later may help (the server then sends `Retry-After`).
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::RateLimited | ErrorCode::UpstreamUnavailable
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error detail: a code for programs and a message safe to show a participant.
///
/// `contact` is the study's contact line as in [`SurveyAnswer`], in the language the request
/// asked for; absent when the study configured none.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

/// `{"error": {"code": "...", "message": "...", "contact": "..."}}` (`contact` optional)
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    pub error: ApiError,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_round_trip_with_their_wire_names() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
        }
    }

    #[test]
    fn unknown_error_code_from_a_newer_server_is_internal() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"error":{"code":"brand_new","message":"m"}}"#).unwrap();
        assert_eq!(body.error.code, ErrorCode::Internal);
    }

    #[test]
    fn statuses_match_the_design() {
        use ErrorCode::*;
        let expected = [
            (NotSignedIn, 401),
            (Forbidden, 403),
            (UnknownSurvey, 404),
            (RecordNotFound, 404),
            (ResumeNotAvailable, 409),
            (RateLimited, 429),
            (UpstreamUnavailable, 503),
            (UpstreamMisconfigured, 502),
        ];
        for (code, status) in expected {
            assert_eq!(code.http_status(), status, "{code}");
        }
    }

    #[test]
    fn completed_answer_without_code_omits_the_fields() {
        let answer = SurveyAnswer {
            key: "baseline".into(),
            title: "Baseline".into(),
            status: SurveyStatus::Completed,
            return_code: None,
            survey_link: None,
            resume_link: None,
            resume_form: None,
            survey_login: false,
            contact: None,
        };
        let json = serde_json::to_string(&answer).unwrap();
        assert_eq!(
            json,
            r#"{"key":"baseline","title":"Baseline","status":"completed"}"#
        );
        assert_eq!(serde_json::from_str::<SurveyAnswer>(&json).unwrap(), answer);
    }

    #[test]
    fn debug_redacts_code_and_links() {
        let answer = SurveyAnswer {
            key: "k".into(),
            title: "t".into(),
            status: SurveyStatus::InProgress,
            return_code: Some(ReturnCode::new("KX7HD3LW")),
            survey_link: Some("https://r/surveys/?s=SECRETHASH".into()),
            resume_link: Some("https://r/surveys/?s=SECRETHASH&__return=1".into()),
            resume_form: Some(ResumeForm {
                action: "https://r/surveys/?s=SECRETHASH".into(),
                field: "__code".into(),
            }),
            survey_login: false,
            contact: Some("Call 555-0100".into()),
        };
        let debug = format!("{answer:?}");
        assert!(!debug.contains("KX7HD3LW"), "{debug}");
        assert!(!debug.contains("SECRETHASH"), "{debug}");
    }

    #[test]
    fn contact_and_survey_login_round_trip_and_are_optional() {
        let answer = SurveyAnswer {
            key: "baseline".into(),
            title: "Baseline".into(),
            status: SurveyStatus::InProgress,
            return_code: None,
            survey_link: Some("https://r/surveys/?s=AbCdEfGhJk".into()),
            resume_link: None,
            resume_form: None,
            survey_login: true,
            contact: Some("Llame al 555-0100".into()),
        };
        let json = serde_json::to_string(&answer).unwrap();
        assert_eq!(
            json,
            r#"{"key":"baseline","title":"Baseline","status":"in_progress","survey_link":"https://r/surveys/?s=AbCdEfGhJk","survey_login":true,"contact":"Llame al 555-0100"}"#
        );
        assert_eq!(serde_json::from_str::<SurveyAnswer>(&json).unwrap(), answer);

        let list = SurveyList {
            surveys: vec![answer],
            contact: Some("Llame al 555-0100".into()),
        };
        let json = serde_json::to_string(&list).unwrap();
        assert_eq!(serde_json::from_str::<SurveyList>(&json).unwrap(), list);

        let error = ErrorBody {
            error: ApiError {
                code: ErrorCode::RecordNotFound,
                message: "m".into(),
                contact: Some("Call 555-0100".into()),
            },
        };
        let json = serde_json::to_string(&error).unwrap();
        assert_eq!(
            json,
            r#"{"error":{"code":"record_not_found","message":"m","contact":"Call 555-0100"}}"#
        );
        assert_eq!(serde_json::from_str::<ErrorBody>(&json).unwrap(), error);
    }

    #[test]
    fn queue_answer_round_trips_and_hides_its_link_from_debug() {
        let answer = QueueAnswer {
            key: "baseline".into(),
            queue_link: "https://r/surveys/?sq=SECRETHASH".into(),
            contact: None,
        };
        let json = serde_json::to_string(&answer).unwrap();
        assert_eq!(
            json,
            r#"{"key":"baseline","queue_link":"https://r/surveys/?sq=SECRETHASH"}"#
        );
        assert_eq!(serde_json::from_str::<QueueAnswer>(&json).unwrap(), answer);
        assert!(!format!("{answer:?}").contains("SECRETHASH"));
        let with_contact: QueueAnswer = serde_json::from_str(
            r#"{"key":"k","queue_link":"https://r/surveys/?sq=AbCdEfGhJk","contact":"Call 555-0100"}"#,
        )
        .unwrap();
        assert_eq!(with_contact.contact.as_deref(), Some("Call 555-0100"));
    }

    #[test]
    fn answers_of_a_server_without_contact_still_decode() {
        let old: SurveyAnswer =
            serde_json::from_str(r#"{"key":"k","title":"t","status":"completed"}"#).unwrap();
        assert_eq!(old.contact, None);
        assert!(!old.survey_login);
        let list: SurveyList = serde_json::from_str(r#"{"surveys":[]}"#).unwrap();
        assert_eq!(list.contact, None);
        let error: ErrorBody =
            serde_json::from_str(r#"{"error":{"code":"forbidden","message":"m"}}"#).unwrap();
        assert_eq!(error.error.contact, None);
    }
}
