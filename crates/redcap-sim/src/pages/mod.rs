//! REDCap's survey pages, reduced to what a returning participant sees: the survey, the
//! "Returning?" page that asks for the return code, the page after a correct code, the Survey
//! Login page, the survey queue, and the texts REDCap shows for a wrong code, a completed
//! response or an unknown link. Pages honour Multi-Language Management's `__lang=<id>`.

mod form;
pub(crate) mod html;
mod queue;
mod survey;
pub(crate) mod texts;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;

use crate::app::App;
use crate::params::Params;

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
