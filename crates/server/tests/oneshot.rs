//! `app()` driven directly with `tower::ServiceExt::oneshot`, no socket: the layers and the
//! refusals that are decided before REDCap is asked anything. (REDCap here is a closed port:
//! a test that reached it would fail with `upstream_unavailable`.)

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use redcap_resume::app::{app, AppState};
use redcap_resume::config::Config;
use redcap_resume::ticket::TicketIssuer;
use tower::ServiceExt;

const SECRET: &str = "oneshot-secret-oneshot-secret-oneshot-42";
const API: &str = "/redcap-resume/api";

fn router() -> Router {
    logs();
    let text = r#"
[redcap]
url = "http://127.0.0.1:9/api/"
token_env = "TOKEN"
timeout_ms = 500
[auth]
ticket_secret_env = "SECRET"
[surveys.baseline]
title = "Baseline"
instrument = "baseline_survey"
"#;
    let secrets: HashMap<String, String> = [
        ("TOKEN", "0123456789ABCDEF0123456789ABCDEF"),
        ("SECRET", SECRET),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let config = Config::parse(text, &secrets).unwrap();
    app(AppState::new(config).unwrap())
}

fn ticket(record: &str) -> String {
    TicketIssuer::hs256(SECRET)
        .mint(record, Duration::from_secs(300))
        .unwrap()
}

/// A same-origin request from the widget.
fn widget(path: &str) -> axum::http::request::Builder {
    Request::get(format!("{API}{path}"))
        .header("X-CSRF", "1")
        .header("Sec-Fetch-Site", "same-origin")
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: serde_json::Value,
}

async fn send(request: Request<Body>) -> Reply {
    let response = router().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    Reply {
        status,
        headers,
        body,
    }
}

fn code(reply: &Reply) -> &str {
    reply.body["error"]["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn health_answers_with_the_fixed_headers() {
    let r = send(Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert_eq!(r.headers["referrer-policy"], "no-referrer");
    assert!(
        !r.headers.contains_key("cache-control"),
        "only the API is no-store"
    );
}

#[tokio::test]
async fn a_cross_site_request_is_forbidden_and_never_cached() {
    let request = Request::get(format!("{API}/surveys/baseline"))
        .header("Sec-Fetch-Site", "cross-site")
        .header("X-CSRF", "1")
        .body(Body::empty())
        .unwrap();
    let r = send(request).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(code(&r), "forbidden");
    assert_eq!(r.headers["cache-control"], "no-store");
    assert_eq!(r.headers["pragma"], "no-cache");
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn without_a_ticket_the_participant_is_not_signed_in() {
    let r = send(widget("/surveys").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&r), "not_signed_in");
    // A ticket in the query string is not a ticket.
    let path = format!("/surveys/baseline?ticket={}", ticket("1001"));
    let r = send(widget(&path).body(Body::empty()).unwrap()).await;
    assert_eq!(code(&r), "not_signed_in");
}

#[tokio::test]
async fn keys_are_checked_on_the_raw_path_before_redcap_is_asked() {
    for key in ["nope", "base%6Cine", "BASELINE"] {
        let request = widget(&format!("/surveys/{key}"))
            .header("Authorization", format!("Bearer {}", ticket("1001")))
            .body(Body::empty())
            .unwrap();
        let r = send(request).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{key}");
        assert_eq!(code(&r), "unknown_survey", "{key}");
        assert_eq!(r.headers["cache-control"], "no-store");
    }
}

#[tokio::test]
async fn oversized_headers_are_refused_before_anything_reads_them() {
    let request = widget("/surveys")
        .header("X-Padding", "a".repeat(17 * 1024))
        .body(Body::empty())
        .unwrap();
    let r = send(request).await;
    assert_eq!(r.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
}

/// Every log line of this test binary (one subscriber for all tests: a subscriber set for
/// one test only would race with the others for tracing's per-call-site interest).
fn logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter("info")
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        captured
    })
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn one_log_line_per_request_without_the_query_or_the_ticket() {
    let t = ticket("1001");
    let request = widget(&format!("/surveys/logged?ticket={t}"))
        .header("Authorization", format!("Bearer {t}"))
        .body(Body::empty())
        .unwrap();
    send(request).await;
    let logs = String::from_utf8(logs().0.lock().unwrap().clone()).unwrap();
    let line = logs
        .lines()
        .find(|l| l.contains("/surveys/logged") && l.contains("status="))
        .unwrap_or_else(|| panic!("no request line in {logs}"));
    for field in [
        "method=GET",
        "path=/redcap-resume/api/surveys/logged}",
        "status=404",
        "ms=",
        "code=\"unknown_survey\"",
    ] {
        assert!(line.contains(field), "{field} missing: {line}");
    }
    assert!(!logs.contains(&t), "the ticket was logged: {logs}");
    assert!(!logs.contains("ticket="), "the query was logged: {logs}");
}
