//! REDCap's answers classified by meaning.

/// Everything that can go wrong talking to REDCap, classified by what it means rather than by
/// REDCap's wording (which differs between versions).
///
/// Messages (`Display`) are for logs and operators, not for participants; none of them contains
/// the token, a return code or a survey link. [`RedcapError::fault`] tells whose business an error
/// is, [`RedcapError::hint`] what an operator should change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RedcapError {
    /// 403 `You do not have permissions to use the API`: the token is unknown, belongs to
    /// another project, or its user lost API rights. REDCap answers the same in every case.
    #[error("REDCap refused the API token (unknown token, or its user has no API rights)")]
    InvalidToken,
    /// 403 `… you do not have "Manage Survey Participants" privileges …`: the API user lacks the
    /// Survey Distribution Tools right, needed by `surveyLink`, `surveyReturnCode`, `surveyQueueLink`.
    #[error(
        "the API user lacks the Survey Distribution Tools (\"Manage Survey Participants\") right"
    )]
    MissingSurveyRights,
    /// 403 about API Export privileges: needed for the record export behind
    /// [`Client::response_status`](crate::Client::response_status).
    #[error("the API user lacks API Export rights")]
    MissingExportRights,
    /// `The record "X" does not exist` (or an empty record export).
    #[error("the record does not exist in the project")]
    RecordNotFound,
    /// `The parameter 'X' is missing`, for a parameter other than `event`. The name is reduced
    /// to `[a-z0-9_[]]`.
    #[error("REDCap says the parameter `{0}` is missing")]
    MissingParameter(String),
    /// `Invalid instrument`: no instrument has that unique name.
    #[error("REDCap does not know the instrument")]
    InvalidInstrument,
    /// `The instrument "X" has not been enabled as a survey`.
    #[error("the instrument is not enabled as a survey")]
    NotASurvey,
    /// `The 'Save & Return Later' feature has not been enabled for this survey`.
    #[error("Save & Return Later is not enabled for the survey")]
    SaveAndReturnDisabled,
    /// `The parameter 'event' is missing`: the project is longitudinal and no event was given
    /// (also: a status query matched rows of several events).
    #[error("the project is longitudinal and no event was given")]
    EventMissing,
    /// `Invalid event`: no event has that unique name.
    #[error("REDCap does not know the event")]
    InvalidEvent,
    /// `The instrument "X" has not been designated for the event "Y"`.
    #[error("the instrument is not designated for the event")]
    InstrumentNotInEvent,
    /// 429 `Your IP address (…) has been banned due to suspected abuse.` REDCap keeps refusing
    /// this IP address until an administrator lifts the ban.
    #[error(
        "REDCap has banned this client's IP address (only a REDCap administrator can lift it)"
    )]
    Banned,
    /// 429 without ban wording (a proxy or a future REDCap throttling without banning).
    #[error("REDCap is rate limiting this client (HTTP 429)")]
    RateLimited,
    /// A 3xx answer. Redirects are not followed (the token must not travel elsewhere); the API
    /// URL should be the final one. `location` is the target without its query.
    #[error("REDCap answered with a redirect (HTTP {status}{}); redirects are not followed",
        location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default())]
    Redirected {
        /// The HTTP status.
        status: u16,
        /// Where it points, without query or fragment, when it said.
        location: Option<String>,
    },
    /// REDCap could not be reached (connection refused or reset, DNS, TLS), dropped the
    /// connection, or answered 5xx.
    #[error("REDCap is unavailable{}: {detail}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Unavailable {
        /// The HTTP status for a 5xx answer; `None` when there was no answer.
        status: Option<u16>,
        /// A short, sanitized description for the log.
        detail: String,
    },
    /// No answer within the configured timeout.
    #[error("REDCap did not answer within the timeout")]
    Timeout,
    /// An answer this client does not recognise.
    #[error("unexpected REDCap answer (HTTP {status}): {excerpt}")]
    Unexpected {
        /// The HTTP status.
        status: u16,
        /// A short, sanitized excerpt of the message or body, for the log.
        excerpt: String,
    },
    /// A success answer that failed validation (a survey link on another origin, a code that
    /// does not look like a code, a body that is not the expected JSON…).
    #[error("REDCap's answer failed validation: {0}")]
    InvalidAnswer(String),
}

/// Whose business an error is; a server maps these to its own error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The request named something that does not exist: [`RedcapError::RecordNotFound`].
    Caller,
    /// REDCap or this client must be configured differently (token, rights, instrument, event,
    /// survey settings, API URL). Retrying does not help.
    Config,
    /// Transient: REDCap is down, slow, or throttling. Retrying later may help — for
    /// [`RedcapError::Banned`] only after an administrator lifts the ban.
    Transient,
    /// REDCap answered something unexpected or invalid.
    Upstream,
}

impl RedcapError {
    /// Whose business this error is.
    pub fn fault(&self) -> Fault {
        use RedcapError::*;
        match self {
            RecordNotFound => Fault::Caller,
            InvalidToken
            | MissingSurveyRights
            | MissingExportRights
            | InvalidInstrument
            | NotASurvey
            | SaveAndReturnDisabled
            | EventMissing
            | InvalidEvent
            | InstrumentNotInEvent
            | Redirected { .. } => Fault::Config,
            Banned | RateLimited | Unavailable { .. } | Timeout => Fault::Transient,
            MissingParameter(_) | Unexpected { .. } | InvalidAnswer(_) => Fault::Upstream,
        }
    }

    /// Whether the same request may succeed if sent again later without any change by a human.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::RateLimited | Self::Unavailable { .. } | Self::Timeout
        )
    }

    /// What an operator should do about it, in REDCap's own vocabulary (for `check`-style
    /// commands and logs; not for participants).
    pub fn hint(&self) -> &'static str {
        use RedcapError::*;
        match self {
            InvalidToken => "check the API token: it must be this project's token of a user with API rights (REDCap gives the same answer for an unknown token)",
            MissingSurveyRights => "give the API user the 'Survey Distribution Tools' right (User Rights; REDCap calls it 'Manage Survey Participants')",
            MissingExportRights => "give the API user 'API Export' rights and a Data Export right (User Rights); the survey status needs them",
            RecordNotFound => "the record id does not exist in this project",
            MissingParameter(_) => "REDCap expects a parameter this client does not send: check that this REDCap version is supported",
            InvalidInstrument => "check the instrument's unique name (Online Designer: lowercase with underscores, not the label)",
            NotASurvey => "enable the instrument as a survey (Online Designer → 'Enable' in the Survey column)",
            SaveAndReturnDisabled => "enable 'Save & Return Later' in the instrument's Survey Settings",
            EventMissing => "the project is longitudinal: configure the event's unique name (Project Setup → Define My Events)",
            InvalidEvent => "check the event's unique name (Project Setup → Define My Events)",
            InstrumentNotInEvent => "designate the instrument for the event (Project Setup → Designate Instruments for My Events) or configure another event",
            Banned => "REDCap banned this server's IP address for too many API requests: ask a REDCap administrator to lift the ban, and lower the request budget",
            RateLimited => "REDCap (or a proxy in front of it) is throttling requests: lower the request budget and retry later",
            Redirected { .. } => "the API URL redirects: configure the final URL (https, ending in /api/)",
            Unavailable { .. } => "REDCap could not be reached or answered with a server error: check the URL, network, TLS and REDCap's health; retry later",
            Timeout => "REDCap did not answer in time: retry later, or raise the timeout",
            Unexpected { status: 403, .. } => "HTTP 403 without REDCap's wording: a firewall or proxy in front of REDCap may refuse API calls from this server",
            Unexpected { status: 404 | 405, .. } => "no REDCap API answers at this URL: the API URL should end in /api/",
            Unexpected { .. } => "REDCap answered something this client does not recognise: see the excerpt in the log",
            InvalidAnswer(_) => "REDCap's answer failed validation: check that the API URL uses the same scheme, host and port as REDCap's own base URL setting",
        }
    }
}

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

/// The longest excerpt kept for the log.
const EXCERPT_CHARS: usize = 160;

/// A short, single-line excerpt for the log: control characters removed, and anything that
/// could be a secret (a token, a hash, a return code) replaced by `[REDACTED]`.
pub(crate) fn excerpt(message: &str) -> String {
    let flat: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    let redacted = redact_secret_like(&flat);
    if redacted.is_empty() {
        return String::from("(empty body)");
    }
    if redacted.chars().count() > EXCERPT_CHARS {
        let mut cut: String = redacted.chars().take(EXCERPT_CHARS).collect();
        cut.push('…');
        cut
    } else {
        redacted
    }
}

/// Replaces runs of ASCII letters and digits that could be secrets: 20 or more characters
/// (tokens), or 6 or more that mix letters and digits, mix cases inside the word (survey hashes)
/// or use only the return-code alphabet (return codes).
fn redact_secret_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let letters = run.bytes().any(|b| b.is_ascii_alphabetic());
        let digits = run.bytes().any(|b| b.is_ascii_digit());
        let mixed_case = run.bytes().skip(1).any(|b| b.is_ascii_uppercase())
            && run.bytes().any(|b| b.is_ascii_lowercase());
        let code_alphabet = run.bytes().all(|b| b"34789ACDEFHJKLMNPRTWXY".contains(&b));
        if run.len() >= 20
            || (run.len() >= 6 && ((letters && digits) || mixed_case || code_alphabet))
        {
            out.push_str("[REDACTED]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

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

    #[test]
    fn excerpts_hide_secret_like_words() {
        let e = excerpt(
            "token 0123456789ABCDEF0123456789ABCDEF code KX7HD3LW hash AbCdEfGhJkLmNpQr ok",
        );
        assert_eq!(e, "token [REDACTED] code [REDACTED] hash [REDACTED] ok");
        assert_eq!(
            excerpt("KXHDLWMN Internal Server Error"),
            "[REDACTED] Internal Server Error"
        );
        assert!(excerpt(&"a".repeat(500)).len() < 200);
        assert_eq!(excerpt(" \n "), "(empty body)");
    }
}
