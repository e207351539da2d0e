//! Every error body that reaches the widget carries the study's contact line (`[study]
//! contact`) in the language the request asked for, whichever layer refused it.
//!
//! A [`crate::error::Failure`] marks its answer with its [`ErrorCode`]; this layer, outside all
//! the others, writes the body again through [`crate::error::error_body`] with the contact
//! line. Successful answers carry it from [`crate::resume`].

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use redcap_resume_contract::ErrorCode;

use super::lang::AskedLanguage;
use super::state::AppState;
use crate::error::error_body;

/// Adds the contact line to error answers (nothing to do when the study has none).
pub async fn on_errors(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(contact) = &state.config.study.contact else {
        return next.run(request).await;
    };
    let lang = AskedLanguage::of(request.uri());
    let mut response = next.run(request).await;
    if let Some(&code) = response.extensions().get::<ErrorCode>() {
        let body = error_body(code, Some(contact.for_language(lang.as_str())));
        response.headers_mut().remove(header::CONTENT_LENGTH);
        *response.body_mut() = axum::body::Body::from(body);
    }
    response
}
