//! The HTML around every survey page: the document, headings, messages, redirects, escaping.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::model::SurveySettings;

/// A page in `lang` (the MLM language it rendered in, `en` without MLM); the page says so in
/// `<html lang>` and in `#survey-language`.
pub(crate) fn page(title: &str, lang: &str, body: &str) -> Response {
    page_with_status(StatusCode::OK, title, lang, body)
}

/// A page with another status (the 404 of a host that does not serve surveys).
pub(crate) fn page_with_status(
    status: StatusCode,
    title: &str,
    lang: &str,
    body: &str,
) -> Response {
    let lang = escape(lang);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{}</title>\n</head>\n<body>\n<main id=\"pagecontainer\">\n{body}\
<p id=\"survey-language\" hidden>{lang}</p>\n</main>\n</body>\n</html>\n",
        escape(title)
    );
    let mut response = (status, html).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=UTF-8"),
    );
    response
}

/// A `302 Found` redirect, as PHP's `header("Location: …")` sends it.
pub(crate) fn found(location: String) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

pub(crate) fn heading(survey: &SurveySettings) -> String {
    format!("<h1 id=\"survey-title\">{}</h1>\n", escape(&survey.title))
}

pub(crate) fn message(id: &str, text: &str) -> String {
    format!("<p id=\"{id}\">{}</p>\n", escape(text))
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
    fn escapes_html() {
        assert_eq!(
            escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#039;x&#039;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }
}
