//! What the client logs: the method, the status and the time, never a secret. Its own test
//! binary: a scoped tracing subscriber only sees every call when no other test runs beside it.

#[path = "support/stub.rs"]
mod stub;

use std::io::Write;
use std::sync::{Arc, Mutex};

use redcap_client::{Instrument, RecordId, SurveyTarget};
use stub::{value, Form, Stub, TOKEN};

/// Collects everything the tracing subscriber writes.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_carry_method_status_and_time_but_no_secret() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let target = SurveyTarget::new(
        RecordId::parse("17").unwrap(),
        Instrument::parse("baseline_survey").unwrap(),
    );
    let redcap = Stub::start(Arc::new(|form: &Form, port| match value(form, "content") {
        Some("surveyLink") => (
            200,
            format!("http://127.0.0.1:{port}/surveys/?s=AbCdEfGhJkLmNpQr"),
        ),
        _ => (200, "KX7HD3LW".to_owned()),
    }))
    .await;
    let client = redcap.client(|_| {});
    client.survey_link(&target).await.unwrap();
    client.survey_return_code(&target).await.unwrap();
    let refusing = Stub::start(Arc::new(|_: &Form, _| {
        (
            403,
            "ERROR: You do not have permissions to use the API".to_owned(),
        )
    }))
    .await;
    refusing
        .client(|_| {})
        .survey_return_code(&target)
        .await
        .unwrap_err();

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("surveyLink") && logs.contains("status=200") && logs.contains("elapsed_ms"),
        "{logs}"
    );
    assert!(logs.contains("status=403"), "{logs}");
    for secret in [TOKEN, "KX7HD3LW", "AbCdEfGhJkLmNpQr"] {
        assert!(!logs.contains(secret), "{secret} in logs:\n{logs}");
    }
}
