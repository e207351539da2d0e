//! The client over real sockets, against a tiny HTTP server started on 127.0.0.1:0.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redcap_client::{
    ApiToken, BuildError, Client, ClientConfig, Event, FieldName, Instrument, RecordId,
    RedcapError, RepeatInstance, ResponseStatus, SurveyTarget, Url,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "0123456789ABCDEF0123456789ABCDEF";

/// What the test server does with every request.
#[derive(Clone)]
enum Reply {
    /// Answers with a status, extra headers and a body.
    With {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// Waits, then answers 200 with the body.
    Slow(Duration, &'static str),
    /// Reads the request and closes the connection without a word.
    Drop,
    /// Sends the headers and part of the body, then closes.
    Truncate,
}

fn reply(status: u16, body: &str) -> Reply {
    Reply::With {
        status,
        headers: Vec::new(),
        body: body.to_owned(),
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    request_line: String,
    headers: Vec<(String, String)>,
    form: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct TestServer {
    base: Url,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl TestServer {
    async fn start(reply: Reply) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(handle(stream, reply.clone(), log.clone()));
            }
        });
        Self { base, seen }
    }

    fn api_url(&self) -> Url {
        self.base.join("redcap/api/").unwrap()
    }

    fn client(&self, timeout: Duration) -> Client {
        client_for(self.api_url(), timeout)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// A client with the record-id field configured (these servers answer every call alike, so
/// the client must not ask for the metadata first).
fn client_for(api_url: Url, timeout: Duration) -> Client {
    Client::new(ClientConfig {
        timeout,
        record_id_field: Some(FieldName::parse("record_id").unwrap()),
        ..ClientConfig::new(api_url, ApiToken::parse(TOKEN).unwrap())
    })
    .unwrap()
}

async fn handle(mut stream: TcpStream, reply: Reply, log: Arc<Mutex<Vec<Seen>>>) {
    let mut buf = Vec::new();
    let head_end = loop {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let form = url::form_urlencoded::parse(&buf[head_end..])
        .into_owned()
        .collect();
    log.lock().unwrap().push(Seen {
        request_line,
        headers,
        form,
    });

    let (status, headers, body) = match reply {
        Reply::With {
            status,
            headers,
            body,
        } => (status, headers, body),
        Reply::Slow(wait, body) => {
            tokio::time::sleep(wait).await;
            (200, Vec::new(), body.to_owned())
        }
        Reply::Drop => return,
        Reply::Truncate => {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhttps://red")
                .await;
            return;
        }
    };
    let mut out = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&body);
    let _ = stream.write_all(out.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn target() -> SurveyTarget {
    SurveyTarget::new(
        RecordId::parse("17").unwrap(),
        Instrument::parse("baseline_survey").unwrap(),
    )
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

const SECOND: Duration = Duration::from_secs(5);

#[tokio::test]
async fn survey_link_sends_exactly_the_fixed_fields() {
    let own = OwnOrigin::start().await;
    let client = own.server.client(SECOND);
    let target = target()
        .in_event(Event::parse("baseline_arm_1").unwrap())
        .with_repeat_instance(RepeatInstance::new(2).unwrap());
    let got = client.survey_link(&target).await.unwrap();
    assert_eq!(got.hash_expose(), "AbCdEfGhJkLmNpQr");

    let seen = own.server.seen();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(request.request_line, "POST /redcap/api/ HTTP/1.1");
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert!(request
        .header("user-agent")
        .unwrap()
        .starts_with("redcap-client/"));
    assert_eq!(
        request.form,
        pairs(&[
            ("token", TOKEN),
            ("content", "surveyLink"),
            ("format", "json"),
            ("returnFormat", "json"),
            ("record", "17"),
            ("instrument", "baseline_survey"),
            ("event", "baseline_arm_1"),
            ("repeat_instance", "2"),
        ])
    );
}

/// A server that answers `surveyLink` with a link on its own origin (and a code otherwise).
struct OwnOrigin {
    server: TestServer,
}

impl OwnOrigin {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let link = format!("http://{addr}/redcap/surveys/?s=AbCdEfGhJkLmNpQr");
                tokio::spawn(handle(stream, reply(200, &link), log.clone()));
            }
        });
        Self {
            server: TestServer {
                base: Url::parse(&format!("http://{addr}/")).unwrap(),
                seen,
            },
        }
    }
}

#[tokio::test]
async fn record_ids_cannot_inject_fields() {
    let server = TestServer::start(reply(200, "KX7HD3LW")).await;
    let target = SurveyTarget::new(
        RecordId::parse("a&content=record&token=X").unwrap(),
        Instrument::parse("s").unwrap(),
    );
    let code = server
        .client(SECOND)
        .survey_return_code(&target)
        .await
        .unwrap();
    assert_eq!(code.expose(), "KX7HD3LW");
    assert_eq!(
        server.seen()[0].form,
        pairs(&[
            ("token", TOKEN),
            ("content", "surveyReturnCode"),
            ("format", "json"),
            ("returnFormat", "json"),
            ("record", "a&content=record&token=X"),
            ("instrument", "s"),
        ])
    );
}

#[tokio::test]
async fn return_code_with_whitespace_and_queue_link() {
    let server = TestServer::start(reply(200, "  KX7HD3LW\n")).await;
    assert_eq!(
        server
            .client(SECOND)
            .survey_return_code(&target())
            .await
            .unwrap()
            .expose(),
        "KX7HD3LW"
    );
    // A queue link from another origin is refused, and the call had only the fixed fields.
    let server = TestServer::start(reply(
        200,
        "https://elsewhere.example/surveys/?sq=Q1w2E3r4T5",
    ))
    .await;
    let e = server
        .client(SECOND)
        .survey_queue_link(&RecordId::parse("17").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(e, RedcapError::LinkOnOtherHost { .. }), "{e:?}");
    assert_eq!(
        server.seen()[0].form,
        pairs(&[
            ("token", TOKEN),
            ("content", "surveyQueueLink"),
            ("format", "json"),
            ("returnFormat", "json"),
            ("record", "17")
        ])
    );
}

#[tokio::test]
async fn response_status_uses_a_narrow_record_export() {
    let body = r#"[{"record_id":"17","redcap_event_name":"baseline_arm_1","redcap_survey_identifier":"","baseline_survey_timestamp":"[not completed]","baseline_survey_complete":"0"}]"#;
    let server = TestServer::start(reply(200, body)).await;
    let target = target().in_event(Event::parse("baseline_arm_1").unwrap());
    assert_eq!(
        server
            .client(SECOND)
            .response_status(&target)
            .await
            .unwrap(),
        ResponseStatus::InProgress
    );
    assert_eq!(
        server.seen()[0].form,
        pairs(&[
            ("token", TOKEN),
            ("content", "record"),
            ("format", "json"),
            ("returnFormat", "json"),
            ("type", "flat"),
            ("records[0]", "17"),
            ("fields[0]", "record_id"),
            ("fields[1]", "baseline_survey_complete"),
            ("exportSurveyFields", "true"),
            ("events[0]", "baseline_arm_1"),
        ])
    );
    let server = TestServer::start(reply(200, "[]")).await;
    assert_eq!(
        server
            .client(SECOND)
            .response_status(&target)
            .await
            .unwrap_err(),
        RedcapError::RecordNotFound
    );
    // With a configured record-id field, either field may be the unknown one (a client that
    // learnt the field from REDCap says InvalidInstrument: tests/record_id.rs).
    let unknown_field = r#"{"error":"The following values in the parameter \"fields\" are not valid: 'baseline_survey_complete'"}"#;
    let server = TestServer::start(reply(400, unknown_field)).await;
    assert_eq!(
        server
            .client(SECOND)
            .response_status(&target)
            .await
            .unwrap_err(),
        RedcapError::UnknownField
    );
    let unknown_event = r#"{"error":"The following values in the parameter \"events\" are not valid: 'baseline_arm_9'"}"#;
    let server = TestServer::start(reply(400, unknown_event)).await;
    assert_eq!(
        server
            .client(SECOND)
            .response_status(&target)
            .await
            .unwrap_err(),
        RedcapError::InvalidEvent
    );
    let no_export = r#"{"error":"You do not have API Export privileges"}"#;
    let server = TestServer::start(reply(403, no_export)).await;
    assert_eq!(
        server
            .client(SECOND)
            .response_status(&target)
            .await
            .unwrap_err(),
        RedcapError::MissingExportRights
    );
}

#[tokio::test]
async fn version_and_project() {
    let server = TestServer::start(reply(200, "14.5.1")).await;
    assert_eq!(
        server.client(SECOND).version().await.unwrap().to_string(),
        "14.5.1"
    );
    assert_eq!(
        server.seen()[0].form,
        pairs(&[
            ("token", TOKEN),
            ("content", "version"),
            ("format", "json"),
            ("returnFormat", "json")
        ])
    );
    let server = TestServer::start(reply(
        200,
        r#"{"project_id":"3","project_title":"Demo","is_longitudinal":1}"#,
    ))
    .await;
    let info = server.client(SECOND).project_info().await.unwrap();
    assert!(info.is_longitudinal && info.title == "Demo");
}

#[tokio::test]
async fn a_slow_redcap_is_a_timeout() {
    let server = TestServer::start(Reply::Slow(Duration::from_secs(3), "KX7HD3LW")).await;
    let started = Instant::now();
    let e = server
        .client(Duration::from_millis(200))
        .survey_return_code(&target())
        .await
        .unwrap_err();
    assert_eq!(e, RedcapError::Timeout);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(e.is_retryable());
}

#[tokio::test]
async fn connection_refused_is_unavailable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = client_for(Url::parse(&format!("http://{addr}/api/")).unwrap(), SECOND);
    match client.survey_link(&target()).await.unwrap_err() {
        RedcapError::Unavailable {
            status: None,
            detail,
        } => {
            assert!(detail.starts_with("connect"), "{detail}");
            assert!(!detail.contains(TOKEN));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn dropped_and_truncated_connections_are_unavailable() {
    for behaviour in [Reply::Drop, Reply::Truncate] {
        let server = TestServer::start(behaviour).await;
        let e = server
            .client(SECOND)
            .survey_link(&target())
            .await
            .unwrap_err();
        assert!(
            matches!(e, RedcapError::Unavailable { status: None, .. }),
            "{e:?}"
        );
    }
}

#[tokio::test]
async fn answers_are_validated_and_errors_classified() {
    let cases: Vec<(Reply, RedcapError)> = vec![
        (
            reply(
                200,
                "https://evil.example/redcap/surveys/?s=AbCdEfGhJkLmNpQr",
            ),
            RedcapError::LinkOnOtherHost {
                base: "https://evil.example/redcap/".into(),
            },
        ),
        (
            reply(200, "<html>maintenance</html>"),
            RedcapError::InvalidAnswer(String::new()),
        ),
        (
            reply(200, r#"{"error":"Invalid instrument"}"#),
            RedcapError::InvalidInstrument,
        ),
        (
            reply(200, "ERROR: The parameter 'event' is missing"),
            RedcapError::EventMissing,
        ),
        (
            reply(
                400,
                r#"<?xml version="1.0" encoding="UTF-8" ?><hash><error>The 'Save & Return Later' feature has not been enabled for this survey</error></hash>"#,
            ),
            RedcapError::SaveAndReturnDisabled,
        ),
        (
            reply(
                403,
                r#"{"error":"You do not have permissions to use the API"}"#,
            ),
            RedcapError::InvalidToken,
        ),
        (
            reply(
                429,
                "Your IP address (127.0.0.1) has been banned due to suspected abuse.",
            ),
            RedcapError::Banned,
        ),
        (
            reply(
                500,
                "<html><head><title>500 Internal Server Error</title></head></html>",
            ),
            RedcapError::Unavailable {
                status: Some(500),
                detail: "500 Internal Server Error".into(),
            },
        ),
    ];
    for (behaviour, expected) in cases {
        let server = TestServer::start(behaviour).await;
        let got = server
            .client(SECOND)
            .survey_link(&target())
            .await
            .unwrap_err();
        match (&got, &expected) {
            (RedcapError::InvalidAnswer(_), RedcapError::InvalidAnswer(_)) => {}
            _ => assert_eq!(got, expected),
        }
    }
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = TestServer::start(Reply::With {
        status: 301,
        headers: vec![(
            "Location",
            "https://redcap.example.edu/redcap/api/?x=secret#f".into(),
        )],
        body: String::new(),
    })
    .await;
    let e = server.client(SECOND).version().await.unwrap_err();
    assert_eq!(
        e,
        RedcapError::Redirected {
            status: 301,
            location: Some("https://redcap.example.edu/redcap/api/".into())
        }
    );
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn huge_answers_are_refused() {
    let server = TestServer::start(reply(200, &"A".repeat(2 << 20))).await;
    let e = server
        .client(SECOND)
        .survey_return_code(&target())
        .await
        .unwrap_err();
    assert!(matches!(e, RedcapError::InvalidAnswer(_)), "{e:?}");
}

#[tokio::test]
async fn an_echoed_token_never_reaches_the_error() {
    let server = TestServer::start(reply(
        400,
        &format!(
            r#"{{"error":"strange: {TOKEN} / {}"}}"#,
            TOKEN.to_lowercase()
        ),
    ))
    .await;
    let e = server
        .client(SECOND)
        .survey_link(&target())
        .await
        .unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(!shown.to_uppercase().contains(TOKEN), "{shown}");
}

#[test]
fn client_configuration_is_checked() {
    let token = || ApiToken::parse(TOKEN).unwrap();
    let build = |url: &str, timeout| {
        Client::new(ClientConfig {
            timeout,
            ..ClientConfig::new(Url::parse(url).unwrap(), token())
        })
    };
    assert_eq!(
        build("ftp://redcap.example.edu/api/", SECOND).unwrap_err(),
        BuildError::UnsupportedScheme
    );
    assert_eq!(
        build("https://user:pw@redcap.example.edu/api/", SECOND).unwrap_err(),
        BuildError::Credentials
    );
    assert_eq!(
        build("https://redcap.example.edu/api/?token=x", SECOND).unwrap_err(),
        BuildError::QueryOrFragment
    );
    assert_eq!(
        build("https://redcap.example.edu/api/", Duration::ZERO).unwrap_err(),
        BuildError::ZeroTimeout
    );
    let client = build("https://redcap.example.edu/redcap/api/", SECOND).unwrap();
    assert_eq!(
        client.api_url().as_str(),
        "https://redcap.example.edu/redcap/api/"
    );
    assert_eq!(
        ClientConfig::new(Url::parse("https://x.example/api/").unwrap(), token()).timeout,
        ClientConfig::DEFAULT_TIMEOUT
    );
}

/// HTTP 200 with something that is not an answer of the expected shape is a passing outage
/// of REDCap's, whatever the method (DESIGN.md, "HTTP 200 is not proof of an answer").
#[tokio::test]
async fn status_200_without_an_answer_is_a_passing_outage() {
    use redcap_client::{Fault, Persistence, Scope};
    let bodies = [
        "<html><head><title>REDCap</title></head><body><b>ERROR:</b> Could not connect to the database server.</body></html>",
        "",
        "<br />\n<b>Warning</b>:  session_start(): open(/var/lib/php/sessions/x) failed in <b>/var/www/redcap/init.php</b><br />\n14.5.1",
        r#"{"project_title":"Demo"}"#,
        "PHP Fatal error:  Uncaught Error: Call to a member function query() on null",
    ];
    for body in bodies {
        let server = TestServer::start(reply(200, body)).await;
        let client = server.client(SECOND);
        let link = client.survey_link(&target()).await.unwrap_err();
        let code = client.survey_return_code(&target()).await.unwrap_err();
        let version = client.version().await.unwrap_err();
        for e in [link, code, version] {
            assert_eq!(
                (e.fault(), e.persistence(), e.scope()),
                (Fault::Redcap, Persistence::Transient, Scope::Redcap),
                "{body:?} → {e:?}"
            );
        }
    }
}
