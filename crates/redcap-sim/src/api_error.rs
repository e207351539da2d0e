//! An API method's refusal, before it is wrapped in REDCap's error envelope.

use axum::http::StatusCode;

/// An error answer before it is wrapped in the envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub(crate) fn bad_request(message: &str) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.to_owned(),
        }
    }

    pub(crate) fn forbidden(message: &str) -> Self {
        ApiError {
            status: StatusCode::FORBIDDEN,
            message: message.to_owned(),
        }
    }
}
