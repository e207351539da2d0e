//! Every way an API request can fail, mapped to a contract answer in one place.
//!
//! The participant reads a message that says what to do; the cause goes to the log. Neither
//! ever carries the token or a return code.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use redcap_resume_contract::{ApiError, ErrorBody, ErrorCode};

/// Why a request could not be answered.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Failure {
    #[error("not signed in: {0}")]
    NotSignedIn(&'static str),
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("unknown survey")]
    UnknownSurvey,
    #[error("record not found in REDCap")]
    RecordNotFound,
    #[error("resume not available: {0}")]
    ResumeNotAvailable(String),
    #[error("rate limited ({who})")]
    RateLimited {
        who: &'static str,
        retry_after: Duration,
    },
    #[error("REDCap unavailable: {cause}")]
    UpstreamUnavailable {
        cause: String,
        retry_after: Duration,
    },
    #[error("REDCap misconfigured: {0}")]
    UpstreamMisconfigured(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl Failure {
    pub fn code(&self) -> ErrorCode {
        match self {
            Failure::NotSignedIn(_) => ErrorCode::NotSignedIn,
            Failure::Forbidden(_) => ErrorCode::Forbidden,
            Failure::UnknownSurvey => ErrorCode::UnknownSurvey,
            Failure::RecordNotFound => ErrorCode::RecordNotFound,
            Failure::ResumeNotAvailable(_) => ErrorCode::ResumeNotAvailable,
            Failure::RateLimited { .. } => ErrorCode::RateLimited,
            Failure::UpstreamUnavailable { .. } => ErrorCode::UpstreamUnavailable,
            Failure::UpstreamMisconfigured(_) => ErrorCode::UpstreamMisconfigured,
            Failure::Internal(_) => ErrorCode::Internal,
        }
    }

    /// A refusal that will not change in the next minute (the record is missing, the survey
    /// cannot be resumed, the project is misconfigured): worth remembering briefly so a page
    /// that keeps asking does not reach REDCap each time.
    pub fn lasts(&self) -> bool {
        matches!(
            self,
            Failure::RecordNotFound
                | Failure::ResumeNotAvailable(_)
                | Failure::UpstreamMisconfigured(_)
        )
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::RateLimited { retry_after, .. }
            | Failure::UpstreamUnavailable { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

/// What a participant reads for each code (English; the widget shows its own translation).
pub fn participant_message(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::NotSignedIn => "Your session has ended. Please sign in again.",
        ErrorCode::Forbidden => "This page is not allowed to open your survey. Please go to the study website and try again.",
        ErrorCode::UnknownSurvey => "We could not find this survey. Please check the link the study team gave you.",
        ErrorCode::RecordNotFound => "We could not find your survey record. Please contact the study team.",
        ErrorCode::ResumeNotAvailable => "This survey cannot be resumed here. Please contact the study team.",
        ErrorCode::RateLimited => "Too many attempts. Please wait a minute and try again.",
        ErrorCode::UpstreamUnavailable => "The survey system is not answering right now. Please try again in a minute.",
        ErrorCode::UpstreamMisconfigured => "The survey service is not set up correctly. Please contact the study team.",
        ErrorCode::Internal => "Something went wrong on our side. Please try again later.",
    }
}

/// The error body for `code`: `{"error":{"code","message","contact"?}}`, the participant's
/// message and, when the study has one, its contact line (already in the asked language).
pub fn error_body(code: ErrorCode, contact: Option<&str>) -> Vec<u8> {
    let body = ErrorBody {
        error: ApiError {
            code,
            message: participant_message(code).to_owned(),
            contact: contact.map(str::to_owned),
        },
    };
    // Serialising plain strings and a unit enum cannot fail.
    serde_json::to_vec(&body).unwrap_or_default()
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let code = self.code();
        match &self {
            Failure::UpstreamMisconfigured(_) | Failure::Internal(_) => {
                tracing::error!(code = %code, cause = %self, "request failed")
            }
            Failure::UpstreamUnavailable { .. } => {
                tracing::warn!(code = %code, cause = %self, "request failed")
            }
            _ => tracing::info!(code = %code, cause = %self, "request refused"),
        }
        let status =
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        // The contact line is added by the layer that knows the study (`app::contact`).
        let json = HeaderValue::from_static("application/json");
        let mut response = (
            status,
            [(header::CONTENT_TYPE, json)],
            error_body(code, None),
        )
            .into_response();
        if let Some(after) = self.retry_after() {
            let secs = after.as_secs().max(1) + u64::from(after.subsec_nanos() > 0);
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response.extensions_mut().insert(code);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_answers_its_contract_status_and_a_safe_message() {
        let failures = [
            Failure::NotSignedIn("expired"),
            Failure::Forbidden("csrf"),
            Failure::UnknownSurvey,
            Failure::RecordNotFound,
            Failure::ResumeNotAvailable("S&R off".into()),
            Failure::RateLimited {
                who: "participant",
                retry_after: Duration::from_millis(1500),
            },
            Failure::UpstreamUnavailable {
                cause: "timeout".into(),
                retry_after: Duration::from_secs(30),
            },
            Failure::UpstreamMisconfigured("token lacks rights".into()),
            Failure::Internal("bug".into()),
        ];
        for failure in failures {
            let code = failure.code();
            let retry = failure.retry_after();
            let response = failure.into_response();
            assert_eq!(response.status().as_u16(), code.http_status());
            assert_eq!(
                response.headers().contains_key(header::RETRY_AFTER),
                code.is_retryable(),
                "{code}"
            );
            if let Some(after) = retry {
                let secs: u64 = response.headers()[header::RETRY_AFTER]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(secs >= after.as_secs().max(1));
            }
        }
    }

    #[test]
    fn messages_name_no_internals() {
        for code in ErrorCode::ALL {
            let m = participant_message(code).to_lowercase();
            for word in ["redcap", "token", "api", "http", "error"] {
                assert!(!m.contains(word), "{code}: {m}");
            }
        }
    }
}
