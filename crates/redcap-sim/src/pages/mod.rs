//! REDCap's survey pages, reduced to what a returning participant sees: the survey, the
//! "Returning?" page that asks for the return code, the page after a correct code, the Survey
//! Login page, the survey queue, and the texts REDCap shows for a wrong code, a completed
//! response or an unknown link. Pages honour Multi-Language Management's `__lang=<id>`.
//!
//! Texts are REDCap's English language strings (`LanguageUpdater/English.ini`, keys named in
//! the constants' docs).

mod form;
mod html;
mod queue;
mod survey;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;

use crate::api::Params;
use crate::server::App;

pub(crate) use html::escape;

/// `survey_14`: an unknown survey hash.
pub const NOT_A_PARTICIPANT: &str =
    "Thank you for your interest, but you are not a participant for this survey.";
/// `survey_111`: the response is completed (and may not be edited).
pub const ALREADY_COMPLETED: &str =
    "Thank you for your interest, but you have already completed this survey.";
/// `survey_161`: the return code typed on the "Returning?" page is wrong.
pub const WRONG_CODE: &str = "The return code you entered was incorrect. Please try again.";
/// `survey_661` and `survey_641`: the prompt on the "Returning?" page.
pub const RETURN_PROMPT: &str = "To continue the survey, please enter the RETURN CODE that was \
auto-generated for you when you left the survey. Please note that the return code is *not* case \
sensitive.";
/// `survey_163`: partial response without Save & Return Later.
pub const PARTIALLY_COMPLETED: &str = "You have partially completed this survey.";
/// `survey_508`: an unknown survey queue hash, or a project whose survey queue is off.
pub const QUEUE_LINK_INVALID: &str =
    "Thank you for your interest, but this Survey Queue link is not valid.";
/// The Survey Login page's instructions (the simulator's wording; REDCap composes its own
/// from `survey_574`, the number of login fields and `survey_594`).
pub const SURVEY_LOGIN_PROMPT: &str =
    "Please enter the login information below to begin or continue the survey.";
/// A closed survey (offline, expired or past its time limit); the simulator's wording.
pub const SURVEY_CLOSED: &str =
    "Thank you for your interest, but this survey is closed and no longer accepts responses.";
/// The Survey Login page after a failed login (the simulator's wording).
pub const SURVEY_LOGIN_FAILED: &str =
    "The login information you entered is not correct. Please try again.";

/// `GET|POST {survey base}surveys/?s=HASH[&__return=1][&__lang=ID]` and `?sq=HASH`.
pub(crate) async fn handle(
    AxumState(app): AxumState<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if app.survey_host_only && !addressed_to_survey_host(&app, &headers) {
        return html::page_with_status(
            StatusCode::NOT_FOUND,
            "Not Found",
            "en",
            "<h1>Not Found</h1>\n<p id=\"not-survey-host\">Surveys are served on the survey \
             host only.</p>\n",
        );
    }
    let query = Params::parse(uri.query().unwrap_or("").as_bytes());
    if let Some(sq) = query.non_empty("sq") {
        return queue::answer(&app, &sq, query.get("__lang"));
    }
    let posted = (method == Method::POST).then(|| form::posted(&headers, &body));
    survey::answer(&app, &query, posted)
}

/// Whether the request's `Host` names the survey host (any port).
fn addressed_to_survey_host(app: &App, headers: &HeaderMap) -> bool {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    app.survey_base
        .host_str()
        .is_some_and(|h| h.eq_ignore_ascii_case(name))
}
