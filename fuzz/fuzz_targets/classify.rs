//! REDCap's answers: `classify` (every error envelope) and the success-answer validators.
//!
//! Input layout (structure-aware, so mutations stay meaningful):
//! `[envelope+secret flags][status lo][status hi][api url / target][secret position] message…`
//!
//! Properties:
//! * nothing panics;
//! * no error text (`Display`, `Debug`, `hint`) contains the API token, a return code or a
//!   survey hash placed in the body (compared ignoring case), nor a control character;
//! * `MissingParameter` names are `[a-z0-9_[]]{1,40}`, excerpts single-line and short;
//! * the table's shape: REDCap's sentence meanings (but the ban) only for HTTP 200 and 4xx, `InvalidAnswer`
//!   only for 200, `NotRedcap` only for 401/403/404/405, `Unavailable` only for 5xx; every
//!   error's `is_retryable` is its transient persistence;
//! * whole sentences only: any message after an administrator's words (`Offline for
//!   maintenance: …`), in any of REDCap's envelopes, is never one of REDCap's meanings;
//! * `SurveyLink`/`SurveyQueueLink` only accept links on the API URL's origin, path
//!   `…/surveys/`, exactly `s=`/`sq=` + 6–32 alphanumerics; `Debug` hides the hash; a refusal
//!   (`InvalidAnswer`, or `LinkOnOtherHost` naming the other host) never repeats the query;
//! * `ReturnCode` only accepts 6–16 ASCII alphanumerics, `Debug` hides them, errors never
//!   repeat the answer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redcap_client::{
    classify, Event, FieldName, Instrument, Persistence, ProjectInfo, RecordId, RedcapError, RedcapVersion, RepeatInstance,
    ResponseStatus, ReturnCode, SurveyLink, SurveyQueueLink, SurveyTarget, Url,
};
use redcap_resume_fuzz::{assert_no_leak, insert_at, text, Bytes};

// Found by this target and fixed in 16568ae (regression seeds `seeds/classify/regression-*`):
// a char-boundary panic in `extract_message` (`503 – Service Unavailable`), and quoted words
// (a token, a code) copied into `MissingParameter` by `parameter_name`.

const TOKEN: &str = "8F3A1C9E4B7D2056A1B3C5D7E9F01234";
const CODE: &str = "KX7HD3LW";
const HASH: &str = "Qz8RtY2uWv4XkLm7";

const STATUSES: [u16; 14] = [200, 301, 302, 400, 401, 403, 404, 405, 429, 500, 502, 503, 504, 0];

const API_URLS: [&str; 8] = [
    "https://redcap.example.edu/api/",
    "https://redcap.example.edu/redcap/api/",
    "https://redcap.example.edu:443/api/",
    "https://redcap.example.edu:8443/api/",
    "http://127.0.0.1:8081/api/",
    "https://[::1]:8443/api/",
    "https://xn--rdcap-bva.example/api/",
    "http://redcap.local/api/",
];

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes::new(data);
    let flags = input.byte();
    let status = {
        let s = input.u16();
        if s & 0x8000 == 0 {
            STATUSES[usize::from(s) % STATUSES.len()]
        } else {
            s & 0x03ff
        }
    };
    let selector = input.byte();
    let position = input.byte();
    let message = text(input.rest());

    // Place a secret somewhere in the message, as a hostile or buggy upstream might.
    let message = match (flags >> 3) & 7 {
        1 => insert_at(&message, position, TOKEN),
        2 => insert_at(&message, position, CODE),
        3 => insert_at(&message, position, HASH),
        4 => insert_at(&message, position, &format!("'{TOKEN}'")),
        5 => insert_at(&message, position, &format!("\"{CODE}\"")),
        _ => message,
    };

    let body = envelope(flags & 7, &message);
    check_classified(status, &body);
    for kind in [1, 2, 3] {
        let notice = envelope(kind, &format!("Offline for maintenance: {message}"));
        let e = classify(status, &notice);
        assert!(
            !is_sentence_meaning(&e),
            "an administrator's text was read as REDCap's sentence: {notice:?} → {e:?}"
        );
    }
    if flags & 7 != 0 {
        // The bare message, too (no envelope at all).
        check_classified(status, &message);
    }

    let api = Url::parse(API_URLS[usize::from(selector) % API_URLS.len()]).expect("fixed URL");
    check_survey_link(&message, &api);
    check_return_code(&message);

    if let Ok(v) = message.parse::<RedcapVersion>() {
        assert_eq!(v.to_string().parse::<RedcapVersion>(), Ok(v), "version round trip");
    }
    if let Ok(info) = ProjectInfo::from_json(&message) {
        let _ = format!("{info:?}");
    }
    let target = target(selector);
    let record_id_field = FieldName::parse(["record_id", "participant_id"][usize::from(selector & 1)]).expect("fixed name");
    match ResponseStatus::from_record_export(&message, &target, &record_id_field) {
        Ok(_) | Err(RedcapError::RecordNotFound | RedcapError::EventMissing | RedcapError::InvalidAnswer(_)) => {}
        Err(other) => panic!("record export gave an unexpected error kind: {other:?}"),
    }
});

/// Wraps a message the way REDCap (or a proxy) would.
fn envelope(kind: u8, message: &str) -> String {
    match kind {
        0 => message.to_owned(),
        1 => serde_json::json!({ "error": message }).to_string(),
        2 => format!("ERROR: {message}"),
        // REDCap does not escape the message inside the xml.
        3 => format!(r#"<?xml version="1.0" encoding="UTF-8" ?><hash><error>{message}</error></hash>"#),
        4 => format!("<!DOCTYPE html><html><head><title>{message}</title></head><body><h1>{message}</h1></body></html>"),
        5 => format!("\u{feff}  {message}\n"),
        // A non-string `error` value: the message as raw JSON.
        6 => format!(r#"{{"error":{message}}}"#),
        _ => format!("\"ERROR: {message}\""),
    }
}

fn check_classified(status: u16, body: &str) {
    let e = classify(status, body);
    let shown = format!("{e} | {e:?} | {}", e.hint());
    assert_no_leak(&shown, TOKEN, "the API token");
    assert_no_leak(&shown, CODE, "a return code");
    assert_no_leak(&shown, HASH, "a survey hash");
    let display = e.to_string();
    assert!(
        !display.chars().any(char::is_control),
        "control character in an error message (log injection): {display:?}"
    );
    match &e {
        RedcapError::MissingParameter(name) | RedcapError::ParameterValueNotValid(name) => assert!(
            !name.is_empty()
                && name.chars().count() <= 40
                && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '[' | ']')),
            "parameter name not reduced: {name:?}"
        ),
        RedcapError::Unexpected { status: s, excerpt } | RedcapError::NotRedcap { status: s, excerpt } => {
            assert_eq!(*s, status);
            check_excerpt(excerpt);
            if matches!(e, RedcapError::NotRedcap { .. }) {
                assert!(matches!(status, 401 | 403 | 404 | 405), "NotRedcap for HTTP {status}");
            }
        }
        RedcapError::InvalidAnswer(reason) => {
            assert_eq!(status, 200, "InvalidAnswer (not an answer) for HTTP {status}");
            assert!(!reason.chars().any(char::is_control), "control character: {reason:?}");
        }
        RedcapError::Unavailable { status: s, detail } => {
            assert_eq!(*s, Some(status));
            assert!((500..=599).contains(&status), "Unavailable for HTTP {status}");
            check_excerpt(detail);
        }
        RedcapError::Redirected { status: s, .. } => {
            assert_eq!(*s, status);
            assert!((300..=399).contains(&status), "Redirected for HTTP {status}");
        }
        RedcapError::Timeout | RedcapError::LinkOnOtherHost { .. } => {
            panic!("classify cannot know about a timeout or a success answer: {e:?}")
        }
        e if is_sentence_meaning(e) && *e != RedcapError::Banned => assert!(
            status == 200 || (400..=499).contains(&status),
            "REDCap's sentence read at HTTP {status}: {e:?}"
        ),
        _ => {}
    }
    assert_eq!(e.is_retryable(), e.persistence() == Persistence::Transient);
    let _ = (e.fault(), e.scope());
}

/// Meanings that only one of REDCap's own sentences may give.
fn is_sentence_meaning(e: &RedcapError) -> bool {
    matches!(
        e,
        RedcapError::InvalidToken
            | RedcapError::MissingSurveyRights
            | RedcapError::MissingExportRights
            | RedcapError::RecordNotFound
            | RedcapError::NotAvailableForRecord
            | RedcapError::MissingParameter(_)
            | RedcapError::ParameterValueNotValid(_)
            | RedcapError::ClassicProject
            | RedcapError::SurveyQueueDisabled
            | RedcapError::InvalidInstrument
            | RedcapError::UnknownField
            | RedcapError::NotASurvey
            | RedcapError::SaveAndReturnDisabled
            | RedcapError::EventMissing
            | RedcapError::InvalidEvent
            | RedcapError::InstrumentNotInEvent
            | RedcapError::Banned
    )
}

fn check_excerpt(excerpt: &str) {
    assert!(!excerpt.is_empty(), "empty excerpt");
    assert!(excerpt.chars().count() <= 161, "excerpt too long: {} chars", excerpt.chars().count());
    assert!(!excerpt.chars().any(char::is_control), "control character in excerpt: {excerpt:?}");
}

fn check_survey_link(answer: &str, api: &Url) {
    // The part after `?` is the secret (the hash); an origin never contains `?`.
    let query_shown = answer.trim().split_once('?').map(|(_, q)| format!("?{q}")).filter(|q| q.len() > 1);
    for (param, result) in [
        ("s", SurveyLink::parse(answer, api).map(|l| (l.expose().clone(), format!("{l:?}"), l.hash_expose().to_owned()))),
        ("sq", SurveyQueueLink::parse(answer, api).map(|l| (l.expose().clone(), format!("{l:?}"), String::new()))),
    ] {
        match result {
            Ok((url, debug, hash_exposed)) => {
                assert_eq!(url.origin(), api.origin(), "a link on another origin was accepted: {url}");
                assert!(url.username().is_empty() && url.password().is_none(), "credentials accepted: {url}");
                assert!(url.fragment().is_none(), "fragment accepted: {url}");
                assert!(url.path().ends_with("/surveys/"), "path accepted: {url}");
                let query = url.query().unwrap_or_default();
                let hash = query
                    .strip_prefix(param)
                    .and_then(|q| q.strip_prefix('='))
                    .unwrap_or_else(|| panic!("query accepted: {query:?}"));
                assert!(
                    (6..=32).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_alphanumeric()),
                    "hash accepted: {hash:?}"
                );
                if param == "s" {
                    assert_eq!(hash_exposed, hash);
                }
                assert!(!debug.contains(&format!("{param}={hash}")), "Debug shows the hash: {debug}");
            }
            Err(RedcapError::InvalidAnswer(reason) | RedcapError::LinkOnOtherHost { base: reason }) => {
                if let Some(q) = &query_shown {
                    assert!(!reason.contains(q.as_str()), "reason repeats the link's query: {reason}");
                }
                assert!(!reason.contains(HASH), "reason repeats the hash: {reason}");
            }
            Err(other) => panic!("a link check gave {other:?}, not InvalidAnswer"),
        }
    }
}

fn check_return_code(answer: &str) {
    match ReturnCode::parse(answer) {
        Ok(code) => {
            let c = code.expose();
            assert!(
                (6..=16).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_alphanumeric()),
                "return code accepted: {c:?}"
            );
            assert_eq!(c, answer.trim(), "the code is kept as sent");
            assert_eq!(format!("{code:?}"), "ReturnCode([REDACTED])");
        }
        Err(RedcapError::InvalidAnswer(reason)) => {
            let t = answer.trim();
            // A code-like answer (letters and digits, with a digit and a capital) is never repeated.
            if t.len() >= 6
                && t.bytes().all(|b| b.is_ascii_alphanumeric())
                && t.bytes().any(|b| b.is_ascii_digit())
                && t.bytes().any(|b| b.is_ascii_uppercase())
            {
                assert!(!reason.contains(t), "reason repeats the answer: {reason}");
            }
            assert!(!reason.contains(CODE), "reason repeats the code: {reason}");
        }
        Err(other) => panic!("ReturnCode::parse gave {other:?}, not InvalidAnswer"),
    }
}

fn target(selector: u8) -> SurveyTarget {
    let instrument = ["baseline_survey", "followup", "a"][usize::from(selector >> 3) % 3];
    let mut t = SurveyTarget::new(RecordId::parse("17").unwrap(), Instrument::parse(instrument).unwrap());
    if selector & 0x20 != 0 {
        t = t.in_event(Event::parse("baseline_arm_1").unwrap());
    }
    match selector >> 6 {
        1 => t.with_repeat_instance(RepeatInstance::new(1).unwrap()),
        2 => t.with_repeat_instance(RepeatInstance::new(2).unwrap()),
        3 => t.with_repeat_instance(RepeatInstance::new(u32::MAX).unwrap()),
        _ => t,
    }
}
