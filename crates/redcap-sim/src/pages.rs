//! REDCap's survey pages, reduced to what a returning participant sees: the survey, the
//! "Returning?" page that asks for the return code, the page after a correct code, and the
//! texts REDCap shows for a wrong code, a completed response or an unknown link.
//!
//! Texts are REDCap's English language strings (`LanguageUpdater/English.ini`, keys named in
//! the constants' docs).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::api::Params;
use crate::model::{FormState, ResponseKey, SurveySettings};
use crate::server::App;
use crate::survey_api::surveys_url;

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
/// `survey_508`: an unknown survey queue hash.
pub const QUEUE_LINK_INVALID: &str =
    "Thank you for your interest, but this Survey Queue link is not valid.";

/// `GET|POST {base}surveys/?s=HASH[&__return=1]` and `?sq=HASH`.
pub(crate) async fn handle(
    AxumState(app): AxumState<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query = Params::parse(uri.query().unwrap_or("").as_bytes());
    if let Some(sq) = query.non_empty("sq") {
        let valid = app.state.lock().has_queue_hash(&sq);
        let text = if valid {
            "Survey Queue: your list of surveys."
        } else {
            QUEUE_LINK_INVALID
        };
        return page("Survey Queue", &message("survey-queue", text));
    }
    let hash = query.non_empty("s").unwrap_or_default();
    let Some((project, key, survey, state)) = find(&app, &hash) else {
        return page("REDCap", &message("survey-message", NOT_A_PARTICIPANT));
    };
    let self_url = surveys_url(&app.base_url, "s", &hash);
    let code = (method == Method::POST)
        .then(|| posted_code(&headers, &body))
        .flatten();
    let returning = query.get("__return").is_some();
    let completed = matches!(state, FormState::Completed { .. });
    let may_return = survey.save_and_return && (!completed || survey.edit_completed);

    if !survey.save_and_return {
        return survey_page(&survey, &key, &state);
    }
    if let Some(code) = code {
        let expected = app
            .state
            .lock()
            .participant(&project, &key)
            .and_then(|p| p.return_code.clone());
        return match expected {
            Some(c) if c.eq_ignore_ascii_case(code.trim()) => {
                if may_return {
                    resumed(&survey, &key, &state)
                } else {
                    completed_page()
                }
            }
            _ => return_page(&survey, &self_url, Some(WRONG_CODE)),
        };
    }
    if returning {
        return if may_return {
            return_page(&survey, &self_url, None)
        } else {
            found(self_url)
        };
    }
    match state {
        FormState::Partial { .. } => return_redirect(&self_url),
        FormState::Completed { .. } if may_return => return_redirect(&self_url),
        FormState::Completed { .. } => completed_page(),
        FormState::Empty | FormState::DataEntry { .. } => survey_page(&survey, &key, &state),
    }
}

type Found = (String, ResponseKey, SurveySettings, FormState);

fn find(app: &App, hash: &str) -> Option<Found> {
    let inner = app.state.lock();
    let (project, key) = inner.lookup_hash(hash)?;
    let p = inner.project(&project)?;
    let survey = p.instrument(&key.instrument)?.survey.clone()?;
    let state = p.form_state(&key);
    Some((project, key, survey, state))
}

/// A partial response with Save & Return Later goes to the "Returning?" page (REDCap redirects).
fn return_redirect(self_url: &str) -> Response {
    found(format!("{self_url}&__return=1"))
}

/// A `302 Found` redirect, as PHP's `header("Location: …")` sends it.
fn found(location: String) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

fn completed_page() -> Response {
    page("REDCap", &message("survey-message", ALREADY_COMPLETED))
}

/// The survey itself, on page 1 (a new or staff-entered response) or a partial one without
/// Save & Return Later.
fn survey_page(survey: &SurveySettings, key: &ResponseKey, state: &FormState) -> Response {
    let body = if let FormState::Partial { .. } = state {
        message("survey-message", PARTIALLY_COMPLETED)
    } else {
        format!(
            "{}<p id=\"survey-page\">Page 1 of {}</p>\n<p id=\"survey-record\" hidden>{}</p>\n",
            message("survey-message", "Please complete the survey below."),
            survey.pages,
            escape(&key.record)
        )
    };
    page(&survey.title, &format!("{}{body}", heading(survey)))
}

/// The "Returning?" page: a password field `__code` posted to the survey link.
fn return_page(survey: &SurveySettings, self_url: &str, error: Option<&str>) -> Response {
    let error = error
        .map(|e| {
            format!(
                "<div class=\"red\" id=\"return-code-error\" role=\"alert\"><b>{}</b></div>\n",
                escape(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "{}<h2>Returning?</h2>\n{error}<p id=\"return-prompt\">{}</p>\n\
<form id=\"return_code_form\" action=\"{}\" method=\"post\" enctype=\"multipart/form-data\">\n\
<label for=\"return-code\">Return Code</label>\n\
<input type=\"password\" id=\"return-code\" name=\"__code\" maxlength=\"15\" size=\"8\" autocomplete=\"off\">\n\
<button type=\"submit\" id=\"return-submit\">Submit your Return Code</button>\n</form>\n",
        heading(survey),
        escape(RETURN_PROMPT),
        escape(self_url),
    );
    page(&survey.title, &body)
}

/// After a correct code: the participant is back where they stopped.
fn resumed(survey: &SurveySettings, key: &ResponseKey, state: &FormState) -> Response {
    let page_no = match state {
        FormState::Partial { page } => *page,
        _ => 1,
    };
    let row = |id: &str, label: &str, value: &str| {
        format!(
            "<dt>{label}</dt><dd id=\"resumed-{id}\">{}</dd>\n",
            escape(value)
        )
    };
    let body = format!(
        "{}<p id=\"resumed-message\">Welcome back! You are continuing the survey where you left off.</p>\n\
<dl>\n{}{}{}{}{}</dl>\n<p id=\"survey-page\">Page {page_no} of {}</p>\n",
        heading(survey),
        row("record", "Record", &key.record),
        row("instrument", "Instrument", &key.instrument),
        row("event", "Event", key.event.as_deref().unwrap_or("")),
        row("instance", "Instance", &key.instance.to_string()),
        row("page", "Page", &page_no.to_string()),
        survey.pages,
    );
    page("Resumed", &body)
}

fn heading(survey: &SurveySettings) -> String {
    format!("<h1 id=\"survey-title\">{}</h1>\n", escape(&survey.title))
}

fn message(id: &str, text: &str) -> String {
    format!("<p id=\"{id}\">{}</p>\n", escape(text))
}

fn page(title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{}</title>\n</head>\n<body>\n<main id=\"pagecontainer\">\n{body}</main>\n</body>\n</html>\n",
        escape(title)
    );
    let mut response = (StatusCode::OK, html).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=UTF-8"),
    );
    response
}

/// The `__code` field of a urlencoded or multipart form.
fn posted_code(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match content_type.split_once("boundary=") {
        Some((kind, boundary)) if kind.trim_start().starts_with("multipart/form-data") => {
            multipart_field(body, boundary.trim_matches('"'), "__code")
        }
        _ => Params::parse(body).get("__code").map(str::to_owned),
    }
}

/// A minimal multipart/form-data reader for one text field.
fn multipart_field(body: &[u8], boundary: &str, name: &str) -> Option<String> {
    let body = String::from_utf8_lossy(body);
    let wanted = format!("name=\"{name}\"");
    body.split(&format!("--{boundary}")).find_map(|part| {
        let (head, value) = part.split_once("\r\n\r\n")?;
        head.contains(&wanted)
            .then(|| value.strip_suffix("\r\n").unwrap_or(value).to_owned())
    })
}

/// Escapes text for HTML (also used for REDCap's `RCView::escape` in API messages).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#039;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_code_from_multipart() {
        let body =
            "--XyZ\r\nContent-Disposition: form-data; name=\"__code\"\r\n\r\n abc \r\n--XyZ--\r\n";
        assert_eq!(
            multipart_field(body.as_bytes(), "XyZ", "__code").as_deref(),
            Some(" abc ")
        );
        assert_eq!(multipart_field(body.as_bytes(), "XyZ", "other"), None);
    }

    #[test]
    fn escapes_html() {
        assert_eq!(
            escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#039;x&#039;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }
}
