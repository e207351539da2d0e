//! The classifier: one table from an answer of REDCap — HTTP status × envelope × which of
//! REDCap's own sentences (or none) — to its meaning, a [`RedcapError`] (whose properties are
//! in [`crate::error`]).
//!
//! | status | envelope | REDCap's sentence | meaning |
//! |---|---|---|---|
//! | any | json, csv, xml, other | the ban sentence | [`Banned`](RedcapError::Banned) |
//! | 429 | any | none | [`RateLimited`](RedcapError::RateLimited) |
//! | 3xx | any | — | [`Redirected`](RedcapError::Redirected) |
//! | 200, 4xx | json, csv, xml | one of REDCap's | the sentence's meaning (below) |
//! | 200 | json, csv, xml | none | [`Unexpected`](RedcapError::Unexpected) (transient) |
//! | 200 | html, empty, other | — | [`InvalidAnswer`](RedcapError::InvalidAnswer) (transient: not an answer) |
//! | 401, 403, 404, 405 | html, empty, other | — | [`NotRedcap`](RedcapError::NotRedcap) (lasting) |
//! | 5xx | any | — | [`Unavailable`](RedcapError::Unavailable) (transient) |
//! | 400, other 4xx, anything else | any | none | [`Unexpected`](RedcapError::Unexpected) (transient: maintenance text, unknown wording) |
//!
//! REDCap's sentences ([`crate::sentences`]) and their meanings: `You do not have permissions
//! to use the API` → [`InvalidToken`](RedcapError::InvalidToken); the "Manage Survey
//! Participants" privileges sentence → [`MissingSurveyRights`](RedcapError::MissingSurveyRights);
//! `You do not have API Export privileges` → [`MissingExportRights`](RedcapError::MissingExportRights);
//! `The record "X" does not exist` → [`RecordNotFound`](RedcapError::RecordNotFound);
//! `An unknown error occurred` → [`NotAvailableForRecord`](RedcapError::NotAvailableForRecord);
//! `The parameter 'event' is missing` → [`EventMissing`](RedcapError::EventMissing), other
//! parameters → [`MissingParameter`](RedcapError::MissingParameter); `Invalid instrument`;
//! `The instrument "X" has not been enabled as a survey` → [`NotASurvey`](RedcapError::NotASurvey);
//! `Invalid event`; `The instrument "X" has not been designated for the event "Y"` →
//! [`InstrumentNotInEvent`](RedcapError::InstrumentNotInEvent); the Save & Return Later sentence
//! → [`SaveAndReturnDisabled`](RedcapError::SaveAndReturnDisabled); `The following values in the
//! parameter "events"|"fields"|"forms"|"records" are not valid` → invalid event, unknown field,
//! invalid instrument, record not found (another parameter: none of REDCap's known meanings);
//! the record export's "No Access" data export rights sentence (and its "all the fields … will
//! be removed" sentence for de-identified rights) → [`MissingExportRights`](RedcapError::MissingExportRights);
//! `You cannot export arms|events|form/event mappings for classic projects` →
//! [`ClassicProject`](RedcapError::ClassicProject); `The value of the parameter "content"|"action"
//! is not valid` → [`ParameterValueNotValid`](RedcapError::ParameterValueNotValid).

use crate::envelope::{self, Envelope};
use crate::error::RedcapError;
use crate::redact::excerpt;
use crate::sentences::{recognise, Sentence};

/// Classifies an answer of REDCap that is not a success answer, by the table above.
///
/// Understands the three envelopes REDCap uses — json `{"error":"…"}`, csv `ERROR: …` and xml
/// `<hash><error>…</error></hash>`, including the malformed xml REDCap sends when the message
/// contains an unescaped `&` — as well as plain text (the 429 ban), HTML pages and empty
/// bodies. Only REDCap's own sentences, matched whole (any version's wording, any quotes,
/// any case), carry a meaning; any other text is not a statement about the record or survey.
///
/// ```
/// use redcap_client::{classify, RedcapError};
///
/// let xml = r#"<?xml version="1.0" encoding="UTF-8" ?><hash><error>The 'Save & Return Later' feature has not been enabled for this survey</error></hash>"#;
/// assert_eq!(classify(400, xml), RedcapError::SaveAndReturnDisabled);
/// assert_eq!(classify(400, r#"{"error":"The record 'X' does not exist"}"#), RedcapError::RecordNotFound);
/// assert_eq!(classify(403, "ERROR: You do not have permissions to use the API"), RedcapError::InvalidToken);
/// // An administrator's maintenance notice is an outage, whatever words it uses:
/// let notice = r#"{"error":"The survey is not enabled: the record system is offline until 6 pm"}"#;
/// assert!(classify(400, notice).is_retryable());
/// ```
pub fn classify(status: u16, body: &str) -> RedcapError {
    let (envelope, message) = envelope::open(body);
    let sentence = match envelope {
        Envelope::Html | Envelope::Empty => None,
        _ => recognise(&message),
    };
    let redcaps = envelope.is_redcaps();
    match (status, envelope, sentence) {
        (_, _, Some(Sentence::Banned)) => RedcapError::Banned,
        (429, _, _) => RedcapError::RateLimited,
        (300..=399, _, _) => RedcapError::Redirected {
            status,
            location: None,
        },
        (200 | 400..=499, _, Some(sentence)) if redcaps => match meaning(sentence) {
            Some(error) => error,
            None => unexpected(status, &message),
        },
        (200, _, _) if redcaps => unexpected(status, &message),
        (200, _, _) => RedcapError::InvalidAnswer(format!(
            "HTTP 200 with {} instead of an answer{}",
            match envelope {
                Envelope::Html => "an HTML page",
                Envelope::Empty => "an empty body",
                _ => "a body of another shape",
            },
            match envelope {
                Envelope::Empty => String::new(),
                _ => format!(": {}", excerpt(&message)),
            }
        )),
        (401 | 403 | 404 | 405, Envelope::Html | Envelope::Empty | Envelope::Other, _) => {
            RedcapError::NotRedcap {
                status,
                excerpt: excerpt(&message),
            }
        }
        (500..=599, _, _) => RedcapError::Unavailable {
            status: Some(status),
            detail: excerpt(&message),
        },
        _ => unexpected(status, &message),
    }
}

fn unexpected(status: u16, message: &str) -> RedcapError {
    RedcapError::Unexpected {
        status,
        excerpt: excerpt(message),
    }
}

/// What one of REDCap's sentences means; `None` for a sentence whose meaning this client does
/// not act on (it is then [`RedcapError::Unexpected`]).
fn meaning(sentence: Sentence) -> Option<RedcapError> {
    Some(match sentence {
        Sentence::NoApiPermission => RedcapError::InvalidToken,
        Sentence::NoSurveyRights => RedcapError::MissingSurveyRights,
        Sentence::NoExportRights => RedcapError::MissingExportRights,
        Sentence::RecordMissing => RedcapError::RecordNotFound,
        Sentence::UnknownError => RedcapError::NotAvailableForRecord,
        Sentence::ParameterMissing(name) => match parameter_name(&name).as_str() {
            "event" => RedcapError::EventMissing,
            name => RedcapError::MissingParameter(name.to_owned()),
        },
        Sentence::InvalidInstrument => RedcapError::InvalidInstrument,
        Sentence::NotASurvey => RedcapError::NotASurvey,
        Sentence::InvalidEvent => RedcapError::InvalidEvent,
        Sentence::NotDesignated => RedcapError::InstrumentNotInEvent,
        Sentence::SaveAndReturnOff => RedcapError::SaveAndReturnDisabled,
        Sentence::SurveyQueueOff => RedcapError::SurveyQueueDisabled,
        Sentence::InvalidValues(name) => match parameter_name(&name).as_str() {
            "events" | "event" => RedcapError::InvalidEvent,
            "fields" => RedcapError::UnknownField,
            "forms" | "instrument" => RedcapError::InvalidInstrument,
            "records" | "record" => RedcapError::RecordNotFound,
            _ => return None,
        },
        Sentence::Banned => RedcapError::Banned,
        Sentence::ClassicProject => RedcapError::ClassicProject,
        Sentence::ValueNotValid(name) => RedcapError::ParameterValueNotValid(parameter_name(&name)),
    })
}

/// Whether a status-200 body is an answer to hand to the method's own parser: not one of
/// REDCap's error envelopes, not a page, not empty. (Its shape is checked by the parser.)
pub(crate) fn is_answer(status: u16, body: &str) -> bool {
    status == 200 && envelope::open(body).0 == Envelope::Other
}

/// A parameter name from REDCap's sentence, kept only when it is one of REDCap's own parameter
/// names (optionally indexed, `fields[0]`): whatever else stood in the quotes (a token, a
/// code, a hash echoed back) must not reach a log line. Otherwise `unknown`.
fn parameter_name(quoted: &str) -> String {
    let name = quoted.trim().to_ascii_lowercase();
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

/// The API parameters REDCap names in "The parameter '…' is missing" and "The value of the
/// parameter \"…\" is not valid" messages.
const KNOWN_PARAMETERS: [&str; 17] = [
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
    "arms",
    "data",
    "filterlogic",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_names_never_carry_other_words() {
        for hostile in [
            "D3A0C1E2B4F5061728394A5B6C7D8E9F",
            "KX7HD3LW",
            "AbCdEfGhJkLmNpQr",
            "token[[[8f3a1c9e4b7d2056",
            "record8f3a1c9e4b7d2056",
            "<script>",
            "record' and 'token",
        ] {
            assert_eq!(parameter_name(hostile), "unknown", "{hostile}");
        }
        assert_eq!(parameter_name("fields[0]"), "fields[0]");
        assert_eq!(parameter_name("Record"), "record");
    }

    #[test]
    fn a_short_multibyte_body_does_not_panic() {
        let _ = classify(503, "503 – Service Unavailable");
        let _ = classify(400, "\"éé");
        let _ = classify(400, "\"ERROR:é");
    }

    #[test]
    fn answers_go_to_the_parser() {
        assert!(is_answer(200, "KX7HD3LW"));
        assert!(is_answer(200, r#"[{"record_id":"1"}]"#));
        assert!(!is_answer(200, r#"{"error":"Invalid event"}"#));
        assert!(!is_answer(
            200,
            "<html><title>Database error</title></html>"
        ));
        assert!(!is_answer(200, ""));
        assert!(!is_answer(201, "KX7HD3LW"));
    }
}
