//! REDCap's answer envelopes: how errors are wrapped per `returnFormat`, and bare success bodies.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The format of an answer (`returnFormat` for errors, `format` for exported data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `json`
    Json,
    /// `csv`
    Csv,
    /// `xml` — REDCap's default.
    Xml,
}

impl Format {
    /// Parses a format name the way REDCap does: case-insensitive, anything else is xml.
    pub fn parse(value: &str) -> Self {
        match value.to_ascii_lowercase().as_str() {
            "json" => Format::Json,
            "csv" => Format::Csv,
            _ => Format::Xml,
        }
    }

    /// The format of error messages: `returnFormat` when given (non-empty), else `format`,
    /// else xml.
    pub fn for_errors(return_format: Option<&str>, format: Option<&str>) -> Self {
        match return_format.filter(|f| !f.is_empty()) {
            Some(rf) => Format::parse(rf),
            None => Format::parse(format.unwrap_or("")),
        }
    }

    /// REDCap's `Content-Type` for this format (csv goes out as `text/html`, as REDCap does).
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Csv => "text/html; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }
}

/// Wraps an error message as REDCap does. The xml variant does NOT escape the message, so a
/// message containing `&` yields malformed XML — exactly like REDCap.
pub fn error_body(format: Format, message: &str) -> String {
    match format {
        Format::Json => serde_json::json!({ "error": message }).to_string(),
        Format::Csv => format!("ERROR: {message}"),
        Format::Xml => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" ?><hash><error>{message}</error></hash>"
        ),
    }
}

/// An error answer with REDCap's envelope and content type.
pub fn error(format: Format, status: StatusCode, message: &str) -> Response {
    with_type(status, format.content_type(), error_body(format, message))
}

/// A bare-string success answer (`surveyLink`, `surveyReturnCode`, `version`…): HTTP 200,
/// no trailing newline, whatever `returnFormat` says.
pub fn bare(text: impl Into<String>) -> Response {
    with_type(StatusCode::OK, "text/html; charset=utf-8", text.into())
}

/// An answer with a status, a content type and a body.
pub fn with_type(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_format_wins_then_format_then_xml() {
        assert_eq!(Format::for_errors(Some("JSON"), Some("csv")), Format::Json);
        assert_eq!(Format::for_errors(Some(""), Some("csv")), Format::Csv);
        assert_eq!(Format::for_errors(None, None), Format::Xml);
        assert_eq!(Format::for_errors(Some("yaml"), Some("json")), Format::Xml);
    }

    #[test]
    fn xml_error_is_not_escaped() {
        let body = error_body(Format::Xml, "Save & Return");
        assert_eq!(
            body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\" ?><hash><error>Save & Return</error></hash>"
        );
    }

    #[test]
    fn json_and_csv_envelopes() {
        assert_eq!(
            error_body(Format::Json, "a \"b\""),
            r#"{"error":"a \"b\""}"#
        );
        assert_eq!(error_body(Format::Csv, "oops"), "ERROR: oops");
    }
}
