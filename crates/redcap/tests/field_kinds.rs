//! The kinds of answers REDCap gives in the field (DESIGN.md, "What REDCap does in the field"),
//! each with the members of its family found so far, classified by the one table.

use redcap_client::{classify, Fault, Persistence, RedcapError, Scope};

/// REDCap's three envelopes around a message, as REDCap writes them (no escaping).
fn envelopes(message: &str) -> [String; 3] {
    [
        format!(r#"{{"error":"{message}"}}"#),
        format!("ERROR: {message}"),
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\" ?><hash><error>{message}</error></hash>"),
    ]
}

fn properties(e: &RedcapError) -> (Fault, Persistence, Scope) {
    (e.fault(), e.persistence(), e.scope())
}

const OUTAGE: (Fault, Persistence, Scope) = (Fault::Redcap, Persistence::Transient, Scope::Redcap);

#[test]
fn an_unknown_error_is_lasting_for_this_participant_and_survey() {
    for message in [
        "An unknown error occurred",
        "An unknown error occurred.",
        "an unknown error occurred",
        " An  unknown error\noccurred ",
    ] {
        for body in envelopes(message) {
            for status in [400, 200] {
                let e = classify(status, &body);
                assert_eq!(e, RedcapError::NotAvailableForRecord, "{status} {body}");
                assert_eq!(
                    properties(&e),
                    (Fault::Participant, Persistence::Lasting, Scope::Target)
                );
                assert!(!e.is_retryable());
            }
        }
    }
    // Only that sentence: an unknown error "while connecting" is something else.
    let e = classify(
        400,
        r#"{"error":"An unknown error occurred while connecting to the database"}"#,
    );
    assert_eq!(properties(&e), OUTAGE, "{e:?}");
}

/// HTTP 200 is not proof of an answer: REDCap's bootstrap prints an error page with status 200
/// when its database is unreachable; bodies also come back empty or as PHP warnings.
#[test]
fn status_200_that_is_not_an_answer_is_a_passing_outage() {
    let bodies = [
        // REDCap's database connection failure, as an HTML page.
        "<!DOCTYPE html><html><head><title>REDCap</title></head><body><p><b>ERROR:</b> Could not connect to the MySQL database server. Please contact your REDCap administrator.</p></body></html>",
        "<div style='font-family:Verdana;font-size:12px;'><b>ERROR:</b> Could not connect to the database server.</div>",
        // A PHP warning printed before (or instead of) the answer.
        "<br />\n<b>Warning</b>:  mysqli_connect(): (HY000/2002): Connection refused in <b>/var/www/redcap/redcap_connect.php</b> on line <b>88</b><br />\nhttps://redcap.example.edu/surveys/?s=AbCdEfGh12",
        "<br />\n<b>Fatal error</b>:  Allowed memory size of 134217728 bytes exhausted in <b>/var/www/redcap/Classes/Survey.php</b> on line <b>12</b><br />",
        // Empty bodies.
        "",
        " \r\n",
        "\u{feff}",
    ];
    for body in bodies {
        let e = classify(200, body);
        assert!(
            matches!(e, RedcapError::InvalidAnswer(_)),
            "{body:?} → {e:?}"
        );
        assert_eq!(properties(&e), OUTAGE, "{body:?}");
        assert!(e.is_retryable());
    }
    // An error envelope with status 200 is read like the same envelope with 4xx.
    assert_eq!(
        classify(200, r#"{"error":"The record \"7\" does not exist"}"#),
        RedcapError::RecordNotFound
    );
    // ... and an envelope with none of REDCap's sentences is an outage.
    let e = classify(200, r#"{"error":"Database connection lost"}"#);
    assert_eq!(properties(&e), OUTAGE, "{e:?}");
}

/// A web server, WAF or proxy in front of REDCap answers `/api/` with its own page.
#[test]
fn a_front_ends_own_page_is_not_redcap() {
    let lasting = [
        (403, "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"),
        (403, "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>403 Forbidden</title>\n</head><body>\n<h1>Forbidden</h1>\n<p>You don't have permission to access this resource.</p>\n<hr>\n<address>Apache/2.4.57 (Debian) Server at redcap.example.edu Port 443</address>\n</body></html>\n"),
        (403, "<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head><body>Sorry, you have been blocked</body></html>"),
        (403, "<html><head><title>Request Rejected</title></head><body>The requested URL was rejected. Please consult with your administrator.<br><br>Your support ID is: 1234567890123456789</body></html>"),
        (401, "<html><head><title>401 Authorization Required</title></head><body><center><h1>401 Authorization Required</h1></center><hr><center>nginx</center></body></html>"),
        (404, "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>"),
        (405, "<html><head><title>405 Not Allowed</title></head><body><center><h1>405 Not Allowed</h1></center><hr><center>nginx</center></body></html>"),
        (403, "Forbidden"),
        (404, ""),
    ];
    for (status, body) in lasting {
        let e = classify(status, body);
        assert!(
            matches!(e, RedcapError::NotRedcap { status: s, .. } if s == status),
            "{status} {body:?} → {e:?}"
        );
        assert_eq!(
            properties(&e),
            (Fault::ServerSetup, Persistence::Lasting, Scope::Redcap)
        );
        assert!(!e.is_retryable());
        assert!(e.to_string().contains("not REDCap"), "{e}");
        assert!(!e.to_string().contains("1234567890123456789"), "{e}");
    }
    let transient = [
        (502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"),
        (503, "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>503 Service Unavailable</title>\n</head><body>\n<h1>Service Unavailable</h1>\n</body></html>"),
        (504, "<html><head><title>504 Gateway Time-out</title></head><body></body></html>"),
        (503, ""),
    ];
    for (status, body) in transient {
        let e = classify(status, body);
        assert!(
            matches!(e, RedcapError::Unavailable { status: Some(s), .. } if s == status),
            "{e:?}"
        );
        assert_eq!(properties(&e), OUTAGE);
    }
    // REDCap's own 403 sentences are still REDCap's.
    for body in envelopes("You do not have permissions to use the API") {
        assert_eq!(classify(403, &body), RedcapError::InvalidToken);
    }
}

/// Offline for maintenance, REDCap answers 400 in the requested envelope with the
/// administrator's free text. No such text is a statement about the record or the survey.
#[test]
fn administrators_texts_are_passing_outages_whatever_their_words() {
    let texts = [
        "REDCap is currently offline for maintenance. Please try again later.",
        "The system is offline. Surveys are not enabled until Monday 8 am.",
        "This survey is not enabled while we upgrade REDCap.",
        "Your token will work again after the upgrade.",
        "Invalid token? No: the server is down for maintenance.",
        "The 'Save & Return Later' feature is unavailable during maintenance",
        "Record saving is disabled: the record does not exist in the new server yet",
        "The record \"all\" does not exist until the migration ends",
        "Maintenance: The record \"17\" does not exist",
        "You do not have permissions to use the API during maintenance",
        "Invalid instrument names will be fixed after the upgrade",
        "The instrument \"consent\" has not been enabled as a survey yet; back at 6 pm",
        "Nous effectuons une maintenance. Le questionnaire n'est pas disponible.",
        "",
    ];
    let meaningful = |e: &RedcapError| {
        matches!(
            e,
            RedcapError::RecordNotFound
                | RedcapError::NotASurvey
                | RedcapError::InvalidToken
                | RedcapError::SaveAndReturnDisabled
                | RedcapError::InvalidInstrument
                | RedcapError::InvalidEvent
                | RedcapError::EventMissing
                | RedcapError::MissingSurveyRights
                | RedcapError::NotAvailableForRecord
        )
    };
    for text in texts {
        for body in envelopes(text) {
            let e = classify(400, &body);
            assert!(!meaningful(&e), "{body} → {e:?}");
            assert!(
                matches!(e, RedcapError::Unexpected { status: 400, .. }),
                "{body} → {e:?}"
            );
            assert_eq!(properties(&e), OUTAGE, "{body}");
            assert!(e.is_retryable());
        }
    }
}
