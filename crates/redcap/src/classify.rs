//! The classifier: an answer of REDCap (HTTP status and body) -> its meaning, a [`RedcapError`].

use crate::error::RedcapError;
use crate::redact::excerpt;

/// How REDCap wrapped an error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Envelope {
    Json,
    Xml,
    Csv,
    Plain,
    Html,
    Empty,
}

/// Classifies an error answer of REDCap by meaning, from its HTTP status and body.
///
/// Understands the three envelopes REDCap uses — json `{"error":"…"}`, csv `ERROR: …` and xml
/// `<hash><error>…</error></hash>`, including the malformed xml REDCap sends when the message
/// contains an unescaped `&` — as well as plain text (the 429 ban), HTML error pages of proxies
/// and empty bodies. Wording variants (`"X"` or `'X'`, capitals, extra words) do not matter:
/// quoted values are set aside and the remaining words are matched by meaning.
///
/// ```
/// use redcap_client::{classify, RedcapError};
///
/// let xml = r#"<?xml version="1.0" encoding="UTF-8" ?><hash><error>The 'Save & Return Later' feature has not been enabled for this survey</error></hash>"#;
/// assert_eq!(classify(400, xml), RedcapError::SaveAndReturnDisabled);
/// assert_eq!(classify(400, r#"{"error":"The record 'X' does not exist"}"#), RedcapError::RecordNotFound);
/// assert_eq!(classify(403, "ERROR: You do not have permissions to use the API"), RedcapError::InvalidToken);
/// ```
pub fn classify(status: u16, body: &str) -> RedcapError {
    let (envelope, message) = extract_message(body);
    if status == 429 || envelope == Envelope::Plain || envelope == Envelope::Html {
        if normalize(&message, false).contains("banned") {
            return RedcapError::Banned;
        }
        if status == 429 {
            return RedcapError::RateLimited;
        }
    }
    if !matches!(envelope, Envelope::Html | Envelope::Empty) {
        let full = normalize(&message, false);
        let template = normalize(&message, true);
        // REDCap quotes the feature's name itself ('Save & Return Later'), so it is looked for in
        // the full text, and the rest of the sentence in the template.
        if full.contains("save and return")
            && ["not been enabled", "not enabled", "disabled", "feature"]
                .iter()
                .any(|w| template.contains(w))
        {
            return RedcapError::SaveAndReturnDisabled;
        }
        let meaning = meaning(&template, &message).or_else(|| meaning(&full, &message));
        if let Some(error) = meaning {
            return error;
        }
    }
    let excerpt = excerpt(&message);
    match status {
        300..=399 => RedcapError::Redirected {
            status,
            location: None,
        },
        500..=599 => RedcapError::Unavailable {
            status: Some(status),
            detail: excerpt,
        },
        _ => RedcapError::Unexpected { status, excerpt },
    }
}

/// Whether a 200 answer is in fact one of REDCap's error envelopes.
pub(crate) fn looks_like_error(body: &str) -> bool {
    let b = body.trim_start_matches('\u{feff}').trim_start();
    let head: String = b.chars().take(200).collect::<String>().to_ascii_lowercase();
    head.starts_with("error:")
        || head.contains("<error>")
        || loose_json_error(b).is_some()
        || (head.starts_with('{')
            && serde_json::from_str::<serde_json::Value>(b)
                .ok()
                .is_some_and(|v| v.get("error").is_some()))
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

/// Finds the message inside whatever envelope the body uses.
fn extract_message(body: &str) -> (Envelope, String) {
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
        return (Envelope::Plain, b.to_owned());
    }
    // ASCII lowercasing keeps byte offsets, so positions found in `lower` index `b`.
    let lower = b.to_ascii_lowercase();
    if let Some(start) = lower.find("<error>") {
        // Not an XML parser on purpose: REDCap does not escape the message, so `&` makes the
        // document malformed. Take what is between the tags.
        let from = start + "<error>".len();
        let to = lower[from..]
            .rfind("</error>")
            .map_or(b.len(), |i| from + i);
        return (Envelope::Xml, unescape_xml(&b[from..to]));
    }
    if lower.starts_with("<!doctype")
        || lower.starts_with("<html")
        || lower.contains("<body")
        || lower.contains("<title")
    {
        let title = lower
            .find("<title")
            .and_then(|i| lower[i..].find('>').map(|j| i + j + 1))
            .and_then(|from| lower[from..].find("</title").map(|to| &b[from..from + to]));
        return (
            Envelope::Html,
            title.map(unescape_xml).unwrap_or_else(|| strip_tags(b)),
        );
    }
    let unquoted = b.strip_prefix('"').unwrap_or(b);
    if unquoted
        .get(..6)
        .is_some_and(|head| head.eq_ignore_ascii_case("error:"))
    {
        let rest = unquoted[6..].trim();
        return (
            Envelope::Csv,
            rest.strip_suffix('"').unwrap_or(rest).to_owned(),
        );
    }
    (Envelope::Plain, b.to_owned())
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

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '`' | '‘' | '’' | '“' | '”' | '«' | '»')
}

fn closing_quote(c: char) -> char {
    match c {
        '‘' => '’',
        '“' => '”',
        '«' => '»',
        c => c,
    }
}

/// Lowercases, turns `&` into "and", collapses whitespace; with `set_aside_quoted`, replaces
/// every quoted value (a record id, an instrument name…) by `x` so that it cannot be mistaken
/// for REDCap's own words. Without it, quote marks are simply dropped.
fn normalize(message: &str, set_aside_quoted: bool) -> String {
    let text = message.to_lowercase().replace("&amp;", "&");
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if is_quote(c) {
            if set_aside_quoted {
                let close = closing_quote(c);
                for d in chars.by_ref() {
                    if d == close {
                        break;
                    }
                }
                out.push_str(" x ");
            }
        } else if c == '&' {
            out.push_str(" and ");
        } else if c.is_alphanumeric() || c == '_' {
            out.push(c);
        } else {
            out.push(' ');
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The meaning of a normalized message (`original` is used to read a parameter's name).
fn meaning(t: &str, original: &str) -> Option<RedcapError> {
    let has = |w: &str| t.contains(w);
    let any = |ws: &[&str]| ws.iter().any(|w| t.contains(w));
    let negative = any(&["not", "no ", "unknown", "invalid"]);
    Some(if has("banned") {
        RedcapError::Banned
    } else if has("save and return") {
        RedcapError::SaveAndReturnDisabled
    } else if any(&["survey participants", "survey distribution"]) {
        RedcapError::MissingSurveyRights
    } else if has("export") && any(&["privilege", "right", "permission"]) && negative {
        RedcapError::MissingExportRights
    } else if (has("permission") && has("api"))
        || (has("token") && any(&["invalid", "not valid", "permission", "not recognized"]))
    {
        RedcapError::InvalidToken
    } else if has("record")
        && any(&[
            "not exist",
            "doesn t exist",
            "not found",
            "no such",
            "unknown record",
        ])
    {
        RedcapError::RecordNotFound
    } else if has("parameter") && any(&["missing", "required", "not provided", "must provide"]) {
        match parameter_name(original).as_str() {
            "event" => RedcapError::EventMissing,
            name => RedcapError::MissingParameter(name.to_owned()),
        }
    } else if has("event")
        && any(&[
            "designated",
            "not assigned",
            "not enabled for",
            "not part of",
        ])
    {
        RedcapError::InstrumentNotInEvent
    } else if has("survey")
        && any(&[
            "not been enabled",
            "not enabled",
            "is not a survey",
            "not a survey",
        ])
    {
        RedcapError::NotASurvey
    } else if has("event")
        && any(&[
            "invalid",
            "not valid",
            "not exist",
            "unknown event",
            "not found",
        ])
    {
        RedcapError::InvalidEvent
    } else if any(&["instrument", "form"])
        && any(&[
            "invalid",
            "not valid",
            "not exist",
            "unknown instrument",
            "unknown form",
            "not found",
        ])
    {
        RedcapError::InvalidInstrument
    } else if has("event") && any(&["missing", "required", "must provide", "must specify"]) {
        RedcapError::EventMissing
    } else {
        return None;
    })
}

/// The parameter named in a "parameter … is missing" message: the first quoted word, else the
/// word after "parameter". Reduced to `[a-z0-9_[]]`, at most 40 characters.
fn parameter_name(message: &str) -> String {
    let quoted = message
        .char_indices()
        .find(|&(_, c)| is_quote(c))
        .and_then(|(i, c)| {
            let rest = &message[i + c.len_utf8()..];
            rest.find(closing_quote(c)).map(|end| &rest[..end])
        });
    let raw = quoted.or_else(|| {
        let lower = message.to_ascii_lowercase();
        let at = lower.find("parameter")? + "parameter".len();
        message[at..].split_whitespace().next()
    });
    let name: String = raw
        .unwrap_or_default()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '[' | ']'))
        .take(40)
        .collect();
    // Only REDCap's own parameter names are kept: whatever else stood in the quotes (a token,
    // a code, a hash echoed back) must not reach a log line through this error.
    if is_known_parameter(&name) {
        name
    } else {
        String::from("unknown")
    }
}

/// `record`, `fields`, or an indexed `fields[0]` of a known parameter; nothing else.
fn is_known_parameter(name: &str) -> bool {
    let (base, index) = match name.split_once('[') {
        None => (name, None),
        Some((base, rest)) => (base, Some(rest)),
    };
    let index_ok = index.is_none_or(|rest| {
        rest.strip_suffix(']').is_some_and(|digits| {
            !digits.is_empty() && digits.len() <= 4 && digits.bytes().all(|b| b.is_ascii_digit())
        })
    });
    index_ok && KNOWN_PARAMETERS.contains(&base)
}

/// The API parameters REDCap names in "The parameter '…' is missing" messages.
const KNOWN_PARAMETERS: [&str; 16] = [
    "token",
    "content",
    "format",
    "returnformat",
    "type",
    "record",
    "records",
    "instrument",
    "event",
    "events",
    "fields",
    "forms",
    "repeat_instance",
    "action",
    "data",
    "filterlogic",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_sets_quoted_values_aside() {
        assert_eq!(
            normalize(r#"The record "instrument 7" does not exist"#, true),
            "the record x does not exist"
        );
        assert_eq!(
            normalize("The 'Save & Return Later' feature", false),
            "the save and return later feature"
        );
    }

    #[test]
    fn parameter_names_never_carry_other_words() {
        for hostile in [
            "The parameter 'D3A0C1E2B4F5061728394A5B6C7D8E9F' is missing",
            "The parameter 'KX7HD3LW' is missing",
            "The parameter \"AbCdEfGhJkLmNpQr\" is missing",
        ] {
            assert_eq!(parameter_name(hostile), "unknown", "{hostile}");
        }
        assert_eq!(
            parameter_name("The parameter 'fields[0]' is missing"),
            "fields[0]"
        );
        assert_eq!(
            parameter_name("The parameter 'token[[[8f3a1c9e4b7d2056' is missing"),
            "unknown"
        );
        assert_eq!(
            parameter_name("The parameter 'record8f3a1c9e4b7d2056' is missing"),
            "unknown"
        );
    }

    #[test]
    fn a_short_multibyte_body_does_not_panic() {
        let _ = classify(503, "503 – Service Unavailable");
        let _ = classify(400, "\"éé");
    }

    #[test]
    fn parameter_names() {
        assert_eq!(
            parameter_name("The parameter 'record' is missing"),
            "record"
        );
        assert_eq!(
            parameter_name(r#"The parameter "event" is missing"#),
            "event"
        );
        assert_eq!(
            parameter_name("Parameter instrument is required"),
            "instrument"
        );
        assert_eq!(
            parameter_name("The parameter '<script>' is missing"),
            "unknown"
        );
    }
}
