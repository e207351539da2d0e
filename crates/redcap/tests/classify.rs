//! `classify` against every REDCap answer listed in DESIGN.md, in every envelope and wording.

use redcap_client::{classify, Fault, Persistence, RedcapError, Scope};

/// The three envelopes REDCap wraps an error message in, exactly as REDCap writes them
/// (the xml one does not escape the message).
fn envelopes(message: &str) -> [(&'static str, String); 3] {
    [
        ("json", serde_json::json!({ "error": message }).to_string()),
        ("csv", format!("ERROR: {message}")),
        (
            "xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" ?><hash><error>{message}</error></hash>"
            ),
        ),
    ]
}

fn missing(name: &str) -> RedcapError {
    RedcapError::MissingParameter(name.to_owned())
}

#[test]
fn every_documented_answer_in_every_envelope() {
    use RedcapError::*;
    let table: Vec<(u16, &str, RedcapError)> = vec![
        (403, "You do not have permissions to use the API", InvalidToken),
        (403, "you do not have permissions to use the API.", InvalidToken),
        (403, r#"The API request cannot complete because currently you do not have "Manage Survey Participants" privileges, which are required for this operation."#, MissingSurveyRights),
        (403, "The API request cannot complete because currently you do not have 'Manage Survey Participants' privileges, which are required for this operation.", MissingSurveyRights),
        (403, "You do not have API Export privileges", MissingExportRights),
        (400, r#"The record "17" does not exist"#, RecordNotFound),
        (400, "The record '17' does not exist", RecordNotFound),
        (400, "the record 'S-0042' does not exist in this project.", RecordNotFound),
        // Record ids that look like other errors, or contain quotes themselves.
        (400, r#"The record "Invalid instrument" does not exist"#, RecordNotFound),
        (400, r#"The record "event is missing" does not exist"#, RecordNotFound),
        (400, "The record 'O'Brien' does not exist", RecordNotFound),
        (400, r#"The record "Save & Return Later" does not exist"#, RecordNotFound),
        (400, "The parameter 'record' is missing", missing("record")),
        (400, r#"The parameter "record" is missing"#, missing("record")),
        (400, "The parameter 'instrument' is missing", missing("instrument")),
        (400, r#"The parameter "instrument" is missing"#, missing("instrument")),
        (400, "Invalid instrument", InvalidInstrument),
        (400, "invalid instrument.", InvalidInstrument),
        (400, r#"The instrument "baseline_survey" has not been enabled as a survey"#, NotASurvey),
        (400, "The instrument 'baseline_survey' has not been enabled as a survey", NotASurvey),
        (400, r#"The instrument "event_form" has not been enabled as a survey"#, NotASurvey),
        (400, "The parameter 'event' is missing", EventMissing),
        (400, r#"The parameter "event" is missing"#, EventMissing),
        (400, "Invalid event", InvalidEvent),
        (400, r#"The instrument "month_3" has not been designated for the event "baseline_arm_1""#, InstrumentNotInEvent),
        (400, "The instrument 'month_3' has not been designated for the event 'baseline_arm_1'", InstrumentNotInEvent),
        (400, "The 'Save & Return Later' feature has not been enabled for this survey", SaveAndReturnDisabled),
        (400, "The Survey Queue has not been enabled in this project. You will need to enable the Survey Queue before using this method.", SurveyQueueDisabled),
        (400, r#"The "Save & Return Later" feature has not been enabled for this survey."#, SaveAndReturnDisabled),
        (400, "The 'Save &amp; Return Later' feature has not been enabled for this survey", SaveAndReturnDisabled),
        // Was `Unexpected` (read as an outage); REDCap says it when it has nothing for this
        // record and survey, which is lasting (DESIGN.md, "What REDCap does in the field").
        (400, "An unknown error occurred", NotAvailableForRecord),
        (400, "An unknown error occurred.", NotAvailableForRecord),
        (400, r#"The following values in the parameter "events" are not valid: 'baseline_arm_9'"#, InvalidEvent),
        (400, r#"The following values in the parameter "fields" are not valid: 'x_complete'"#, UnknownField),
        // REDCap's record export (API/record/export.php) for API Export without a Data Export
        // right, and for de-identified rights that remove every field asked for.
        (403, r#"The API request cannot complete because currently you have "No Access" data export rights. Higher level data export rights are required for this operation."#, MissingExportRights),
        (400, "The API request cannot complete because all the fields you have specified in your request are fields that will be removed due to your limited Data Export privileges, so there is nothing to return. Higher level data export rights are required to retrieve data for the fields specified.", MissingExportRights),
        // Longitudinal-only exports of a classic project (REDCap's arm, event and
        // form-event-mapping code); PyCap, redcapAPI and REDCapR all quote these.
        (400, "You cannot export arms for classic projects", ClassicProject),
        (400, "You cannot export events for classic projects", ClassicProject),
        (400, "You cannot export form/event mappings for classic projects", ClassicProject),
        // REDCap's API/index.php for a `content` (an API method) or an `action` it does not know.
        (400, r#"The value of the parameter "content" is not valid"#, ParameterValueNotValid("content".into())),
        (400, r#"The value of the parameter "action" is not valid"#, ParameterValueNotValid("action".into())),
    ];
    for (status, message, expected) in &table {
        for (envelope, body) in envelopes(message) {
            assert_eq!(&classify(*status, &body), expected, "{envelope}: {body}");
        }
        // Capitalisation does not matter either.
        let shouting = format!("ERROR: {}", message.to_uppercase());
        if !matches!(expected, Unexpected { .. }) {
            assert_eq!(&classify(*status, &shouting), expected, "{shouting}");
        }
    }
}

/// Words close to the new sentences that are not REDCap's (an administrator's notice, another
/// right named): none of them carries the meaning.
#[test]
fn near_misses_of_the_field_sentences_mean_nothing() {
    for message in [
        "You cannot export events for classic projects until the upgrade on Monday",
        "You cannot export surveys for classic projects",
        r#"The API request cannot complete because currently you have "Full Data Set" data export rights. Higher level data export rights are required for this operation."#,
        "The value of the parameter is not valid",
        "Maintenance: the value of the parameter \"content\" is not valid today",
    ] {
        for (envelope, body) in envelopes(message) {
            assert!(
                matches!(classify(400, &body), RedcapError::Unexpected { .. }),
                "{envelope}: {body}"
            );
        }
    }
    // A value in the quotes that is not one of REDCap's parameter names never reaches a log.
    assert_eq!(
        classify(
            400,
            r#"{"error":"The value of the parameter \"0123456789ABCDEF0123456789ABCDEF\" is not valid"}"#
        ),
        RedcapError::ParameterValueNotValid("unknown".into())
    );
}

#[test]
fn the_save_and_return_xml_is_malformed_and_still_read() {
    let body = r#"<?xml version="1.0" encoding="UTF-8" ?><hash><error>The 'Save & Return Later' feature has not been enabled for this survey</error></hash>"#;
    assert_eq!(classify(400, body), RedcapError::SaveAndReturnDisabled);
    // With a newline REDCap sometimes prints, and without the closing tags.
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<hash>\n<error>The 'Save & Return Later' feature has not been enabled for this survey";
    assert_eq!(classify(400, body), RedcapError::SaveAndReturnDisabled);
}

#[test]
fn rate_limit_and_ban() {
    let ban = "Your IP address (10.1.2.3) has been banned due to suspected abuse.";
    assert_eq!(classify(429, ban), RedcapError::Banned);
    assert_eq!(classify(429, &format!("{ban}\n")), RedcapError::Banned);
    for (_, body) in envelopes(ban) {
        assert_eq!(classify(429, &body), RedcapError::Banned);
    }
    assert_eq!(
        classify(403, ban),
        RedcapError::Banned,
        "the wording wins over the status"
    );
    assert_eq!(classify(429, "Too Many Requests"), RedcapError::RateLimited);
    assert_eq!(classify(429, ""), RedcapError::RateLimited);
    assert_eq!(
        classify(429, "<html><title>429 Too Many Requests</title></html>"),
        RedcapError::RateLimited
    );
    assert!(RedcapError::RateLimited.is_retryable());
    assert!(!RedcapError::Banned.is_retryable());
}

#[test]
fn server_errors_html_pages_and_empty_bodies() {
    let html500 = "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1><p>The server encountered an internal error.</p></body></html>";
    assert_eq!(
        classify(500, html500),
        RedcapError::Unavailable {
            status: Some(500),
            detail: "500 Internal Server Error".into()
        }
    );
    let nginx502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>";
    assert!(matches!(
        classify(502, nginx502),
        RedcapError::Unavailable {
            status: Some(502),
            ..
        }
    ));
    assert!(matches!(
        classify(503, ""),
        RedcapError::Unavailable {
            status: Some(503),
            ..
        }
    ));
    assert!(matches!(
        classify(504, "upstream timed out"),
        RedcapError::Unavailable {
            status: Some(504),
            ..
        }
    ));
    // An HTML page that happens to contain REDCap-like words is not read as a REDCap message.
    // (Was `Unexpected`, read as an outage: a front end's own 403 page is lasting setup.)
    let page = "<html><title>Forbidden</title><body>You do not have permissions to use the API</body></html>";
    assert_eq!(
        classify(403, page),
        RedcapError::NotRedcap {
            status: 403,
            excerpt: "Forbidden".into()
        }
    );
    assert_eq!(
        classify(400, ""),
        RedcapError::Unexpected {
            status: 400,
            excerpt: "(empty body)".into()
        }
    );
    assert_eq!(
        classify(400, "  \r\n "),
        RedcapError::Unexpected {
            status: 400,
            excerpt: "(empty body)".into()
        }
    );
    assert!(matches!(
        classify(404, "<html><title>404 Not Found</title></html>"),
        RedcapError::NotRedcap { status: 404, .. }
    ));
    assert_eq!(
        classify(301, ""),
        RedcapError::Redirected {
            status: 301,
            location: None
        }
    );
}

#[test]
fn garbage_is_unexpected_with_a_short_sanitized_excerpt() {
    for body in [
        "{\"error\": ",
        "{}",
        "[1,2,3]",
        "\u{0}\u{1}\u{2}binary",
        "ERROR:",
        "<hash></hash>",
        "lorem ipsum dolor",
    ] {
        match classify(400, body) {
            RedcapError::Unexpected {
                status: 400,
                excerpt,
            } => {
                assert!(!excerpt.chars().any(char::is_control), "{excerpt:?}");
            }
            other => panic!("{body:?} → {other:?}"),
        }
    }
    let long = format!("{{\"error\":\"{}\"}}", "blah ".repeat(1000));
    let RedcapError::Unexpected { excerpt, .. } = classify(400, &long) else {
        panic!()
    };
    assert!(excerpt.chars().count() <= 161);
    // Anything shaped like a token, a hash or a code never reaches the excerpt.
    let echo =
        r#"{"error":"odd: token=0123456789ABCDEF0123456789ABCDEF code=KX7HD3LW s=AbCdEfGh12"}"#;
    let RedcapError::Unexpected { excerpt, .. } = classify(400, echo) else {
        panic!()
    };
    for secret in ["0123456789ABCDEF", "KX7HD3LW", "AbCdEfGh12"] {
        assert!(!excerpt.contains(secret), "{excerpt}");
    }
}

#[test]
fn missing_parameter_names_are_sanitized() {
    assert_eq!(
        classify(400, r#"{"error":"The parameter '<img src=x>' is missing"}"#),
        missing("unknown")
    );
    assert_eq!(
        classify(400, "ERROR: The parameter 'repeat_instance' is missing"),
        missing("repeat_instance")
    );
}

#[test]
fn faults_and_hints() {
    use RedcapError::*;
    assert_eq!(
        (
            RecordNotFound.fault(),
            RecordNotFound.persistence(),
            RecordNotFound.scope()
        ),
        (Fault::Participant, Persistence::Lasting, Scope::Target)
    );
    for e in [
        NotASurvey,
        SaveAndReturnDisabled,
        EventMissing,
        InvalidEvent,
        InvalidInstrument,
        InstrumentNotInEvent,
    ] {
        assert_eq!(e.fault(), Fault::SurveySetup, "{e:?}");
        assert_eq!(e.scope(), Scope::Target, "{e:?}");
        assert!(!e.is_retryable());
    }
    for e in [InvalidToken, MissingSurveyRights, MissingExportRights] {
        assert_eq!(e.fault(), Fault::ServerSetup, "{e:?}");
        assert_eq!(e.scope(), Scope::Project, "{e:?}");
        assert!(!e.is_retryable());
    }
    // A classic project asked for its events: the project's setup, lasting, every call about
    // its events.
    assert_eq!(
        (
            ClassicProject.fault(),
            ClassicProject.persistence(),
            ClassicProject.scope()
        ),
        (Fault::SurveySetup, Persistence::Lasting, Scope::Project)
    );
    // A method or value this REDCap does not know: this server's setup (REDCap's version),
    // lasting, every project on that REDCap.
    let unknown_method = ParameterValueNotValid("content".into());
    assert_eq!(
        (
            unknown_method.fault(),
            unknown_method.persistence(),
            unknown_method.scope()
        ),
        (Fault::ServerSetup, Persistence::Lasting, Scope::Redcap)
    );
    assert!(unknown_method.hint().contains("REDCap"));
    assert!(ClassicProject.hint().contains("event"));
    for e in [
        RateLimited,
        Timeout,
        Unavailable {
            status: None,
            detail: String::new(),
        },
        Unexpected {
            status: 400,
            excerpt: String::new(),
        },
        InvalidAnswer(String::new()),
    ] {
        assert_eq!(e.fault(), Fault::Redcap, "{e:?}");
        assert_eq!(e.persistence(), Persistence::Transient, "{e:?}");
        assert_eq!(e.scope(), Scope::Redcap, "{e:?}");
        assert!(e.is_retryable());
    }
    assert_eq!(
        (Banned.fault(), Banned.persistence(), Banned.scope()),
        (Fault::Redcap, Persistence::Lasting, Scope::Redcap)
    );
    assert!(MissingSurveyRights
        .hint()
        .contains("Survey Distribution Tools"));
    assert!(SaveAndReturnDisabled.hint().contains("Save & Return Later"));
    assert!(NotRedcap {
        status: 404,
        excerpt: String::new()
    }
    .hint()
    .contains("/api/"));
}

/// REDCap concatenates the JSON envelope without escaping: quotes in the message break it.
#[test]
fn unescaped_json_envelope_is_still_read() {
    let body = r#"{"error": "The record "17" does not exist"}"#;
    assert!(serde_json::from_str::<serde_json::Value>(body).is_err());
    assert!(matches!(
        redcap_client::classify(400, body),
        redcap_client::RedcapError::RecordNotFound
    ));
    let body = r#"{"error": "The instrument "consent" has not been enabled as a survey"}"#;
    assert!(matches!(
        redcap_client::classify(400, body),
        redcap_client::RedcapError::NotASurvey
    ));
}
