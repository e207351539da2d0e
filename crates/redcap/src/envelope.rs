//! Which wrapping an answer of REDCap came in, and the message inside it.
//!
//! REDCap wraps its own error sentences in the envelope `returnFormat` asks for — json
//! `{"error":"…"}`, csv `ERROR: …`, xml `<hash><error>…</error></hash>` — without escaping the
//! message (so the json may be invalid and the xml malformed). Anything else that comes back is
//! one of: an HTML page (a web server, proxy or firewall in front of REDCap, or a PHP page of
//! REDCap itself), an empty body, or other text (a success answer, the plain-text ban, a PHP
//! warning without markup…).

/// How an answer is wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Envelope {
    /// REDCap's json error envelope, `{"error":"…"}` (also when the message breaks the JSON).
    Json,
    /// REDCap's csv error envelope, `ERROR: …` (optionally inside double quotes).
    Csv,
    /// REDCap's xml error envelope, `<?xml …?><hash><error>…</error></hash>` (maybe malformed).
    Xml,
    /// Markup that is not REDCap's xml envelope: an HTML page or a PHP warning in HTML.
    Html,
    /// Nothing but whitespace.
    Empty,
    /// Anything else: plain text, a JSON value that is not an error envelope, binary.
    Other,
}

impl Envelope {
    /// Whether this is one of the three envelopes REDCap puts its own error sentences in.
    pub(crate) fn is_redcaps(self) -> bool {
        matches!(self, Self::Json | Self::Csv | Self::Xml)
    }
}

/// The envelope of a body and the message it carries: for REDCap's envelopes the error text,
/// for HTML the page's title (else its text without tags), otherwise the trimmed body.
pub(crate) fn open(body: &str) -> (Envelope, String) {
    let b = body.trim_start_matches('\u{feff}').trim();
    if b.is_empty() {
        return (Envelope::Empty, String::new());
    }
    if b.starts_with('{') {
        if let Ok(serde_json::Value::Object(obj)) = serde_json::from_str::<serde_json::Value>(b) {
            if let Some(error) = obj.get("error") {
                let text = match error {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                return (Envelope::Json, text);
            }
        }
        // REDCap builds this envelope by concatenation without escaping, so a message with
        // quotes (`The record "X" does not exist`) is not valid JSON: take what lies between
        // the first quote after `"error":` and the last quote.
        if let Some(text) = loose_json_error(b) {
            return (Envelope::Json, text);
        }
        return (Envelope::Other, b.to_owned());
    }
    if b.starts_with('<') {
        return open_markup(b);
    }
    // `ERROR: …`, or the whole line quoted as a csv cell: `"ERROR: …"`.
    let (unquoted, quoted) = match b.strip_prefix('"') {
        Some(rest) => (rest.strip_suffix('"').unwrap_or(rest), true),
        None => (b, false),
    };
    if unquoted
        .get(..6)
        .is_some_and(|head| head.eq_ignore_ascii_case("error:"))
    {
        let rest = unquoted[6..].trim();
        let text = if quoted {
            rest.replace("\"\"", "\"")
        } else {
            rest.to_owned()
        };
        return (Envelope::Csv, text);
    }
    (Envelope::Other, b.to_owned())
}

/// A body starting with `<`: REDCap's xml envelope, or a page.
fn open_markup(b: &str) -> (Envelope, String) {
    // ASCII lowercasing keeps byte offsets, so positions found in `lower` index `b`.
    let lower = b.to_ascii_lowercase();
    let page = ["<html", "<!doctype", "<body", "<title", "<head"]
        .iter()
        .any(|tag| lower.contains(tag));
    if !page {
        if let Some(start) = lower.find("<error>") {
            // Not an XML parser on purpose: REDCap does not escape the message, so `&` makes
            // the document malformed. Take what is between the tags.
            let from = start + "<error>".len();
            let to = lower[from..]
                .rfind("</error>")
                .map_or(b.len(), |i| from + i);
            return (Envelope::Xml, unescape_xml(&b[from..to]));
        }
        if lower.starts_with("<?xml") || lower.starts_with("<hash") {
            return (Envelope::Xml, String::new());
        }
    }
    let title = lower
        .find("<title")
        .and_then(|i| lower[i..].find('>').map(|j| i + j + 1))
        .and_then(|from| lower[from..].find("</title").map(|to| &b[from..from + to]));
    let text = match title {
        Some(t) if !t.trim().is_empty() => unescape_xml(t),
        _ => unescape_xml(&strip_tags(b)),
    };
    (Envelope::Html, text)
}

/// `{"error": "…"}` that is not valid JSON (unescaped quotes inside the message).
fn loose_json_error(b: &str) -> Option<String> {
    let rest = b
        .strip_prefix('{')?
        .trim_start()
        .strip_prefix("\"error\"")?
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let inner = rest
        .strip_prefix('"')?
        .trim_end()
        .strip_suffix('}')?
        .trim_end()
        .strip_suffix('"')?;
    Some(inner.to_owned())
}

fn unescape_xml(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes() {
        let cases = [
            (
                r#"{"error":"Invalid event"}"#,
                Envelope::Json,
                "Invalid event",
            ),
            (
                r#"{"error": "The record "1" does not exist"}"#,
                Envelope::Json,
                r#"The record "1" does not exist"#,
            ),
            ("ERROR: Invalid event", Envelope::Csv, "Invalid event"),
            ("\"ERROR: Invalid event\"", Envelope::Csv, "Invalid event"),
            (
                "<?xml version=\"1.0\" encoding=\"UTF-8\" ?><hash><error>A & B</error></hash>",
                Envelope::Xml,
                "A & B",
            ),
            ("<hash></hash>", Envelope::Xml, ""),
            (
                "<html><head><title>403 Forbidden</title></head></html>",
                Envelope::Html,
                "403 Forbidden",
            ),
            (
                "<br />\n<b>Warning</b>: mysqli_connect(): (HY000/2002)",
                Envelope::Html,
                "Warning : mysqli_connect(): (HY000/2002)",
            ),
            // A page whose text holds `<error>` is still a page.
            (
                "<html><body><error>Invalid event</error></body></html>",
                Envelope::Html,
                "Invalid event",
            ),
            (" \r\n", Envelope::Empty, ""),
            (
                "\u{feff}https://x/surveys/?s=abcdef",
                Envelope::Other,
                "https://x/surveys/?s=abcdef",
            ),
            (
                r#"[{"record_id":"1","notes":"<body>"}]"#,
                Envelope::Other,
                r#"[{"record_id":"1","notes":"<body>"}]"#,
            ),
            (
                r#"{"project_title":"<title>x</title>"}"#,
                Envelope::Other,
                r#"{"project_title":"<title>x</title>"}"#,
            ),
        ];
        for (body, envelope, message) in cases {
            let (e, m) = open(body);
            assert_eq!(e, envelope, "{body}");
            assert_eq!(
                m.split_whitespace().collect::<Vec<_>>().join(" "),
                message,
                "{body}"
            );
        }
    }
}
