//! The fault table: REDCap slow, failing, garbled, hanging up, or banning us. Every request
//! gets the right contract answer within REDCap's timeout plus 100 ms; the breaker opens on the
//! ban and closes after; memory stays flat; a large burst stays within the budget and every
//! request leaves its audit line.

mod common;

use std::time::{Duration, Instant};

use common::{log_text, Harness, Options};
use redcap_sim::{seed, Failure, Faults, SimConfig};

const TIMEOUT_MS: u64 = 500;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_gets_its_contract_code_in_time() {
    let h = Harness::with(Options {
        timeout_ms: TIMEOUT_MS,
        ..Options::default()
    })
    .await;
    let rows: Vec<(&str, Faults, u16, &str)> = vec![
        (
            "latency past the timeout",
            Faults::latency(Duration::from_millis(TIMEOUT_MS + 700)),
            503,
            "upstream_unavailable",
        ),
        (
            "500 with an HTML page",
            Faults::failing(Failure::ServerError),
            503,
            "upstream_unavailable",
        ),
        (
            "500 with no body",
            Faults::failing(Failure::EmptyServerError),
            503,
            "upstream_unavailable",
        ),
        (
            "503 maintenance page",
            Faults::failing(Failure::Status(
                503,
                "<html><title>Maintenance</title></html>".into(),
            )),
            503,
            "upstream_unavailable",
        ),
        (
            "malformed body",
            Faults::failing(Failure::Malformed),
            // Issue 9: a 200 that is not an answer passes (503 + Retry-After).
            503,
            "upstream_unavailable",
        ),
        (
            "truncated body",
            Faults::failing(Failure::Truncated),
            // Issue 9: a 200 that is not an answer passes (503 + Retry-After).
            503,
            "upstream_unavailable",
        ),
        (
            "dropped connection",
            Faults::failing(Failure::DropConnection),
            503,
            "upstream_unavailable",
        ),
    ];
    for (i, (what, faults, status, code)) in rows.into_iter().enumerate() {
        // A fresh participant per row, so no cache answers for REDCap.
        let record = format!("fault-{i}");
        h.sim.add_record(seed::DEMO_PROJECT, &record);
        h.sim.set_faults(faults);
        let started = Instant::now();
        let a = h.as_participant(&record, "/surveys/plain").await;
        let took = started.elapsed();
        h.sim.clear_faults();
        println!(
            "fault {what:<26} → {} {} in {took:?}",
            a.status,
            a.error_code()
        );
        assert_eq!(
            (a.status, a.error_code().as_str()),
            (status, code),
            "{what}: {}",
            a.body
        );
        assert!(
            took <= Duration::from_millis(TIMEOUT_MS + 100),
            "{what}: answered in {took:?}"
        );
        if status == 503 {
            assert!(a.header("retry-after").is_some(), "{what}");
        }
        // Let the breaker forget these failures before the next row.
        let ok = h
            .as_participant(seed::RECORD_IN_PROGRESS_2, "/surveys/plain")
            .await;
        assert_eq!(ok.status, 200, "REDCap is healthy again after {what}");
    }
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_breaker_opens_on_the_ban_and_closes_after() {
    let sim = SimConfig {
        rate_limit_per_minute: 6,
        ..SimConfig::default()
    };
    let h = Harness::with(Options {
        ban_pause_s: 1,
        sim,
        ..Options::default()
    })
    .await;
    // The server's budget (300) is set above this REDCap's limit (6): only the breaker can help.
    let config_ban_pause = Duration::from_secs(1);
    let mut banned_answer = None;
    for i in 0..10 {
        let record = format!("ban-{i}");
        h.sim.add_record(seed::DEMO_PROJECT, &record);
        let a = h.as_participant(&record, "/surveys/plain").await;
        if a.status == 503 {
            banned_answer = Some(a);
            break;
        }
        assert_eq!(a.status, 200);
    }
    let banned = banned_answer.expect("REDCap banned us and the participant was told to retry");
    assert_eq!(banned.error_code(), "upstream_unavailable");
    assert!(
        log_text().contains("BANNED"),
        "an operator log line says what happened"
    );
    // While the breaker is open nothing reaches REDCap.
    let calls = h.sim.api_call_count();
    for i in 0..5 {
        let a = h
            .as_participant(&format!("ban-{i}-x"), "/surveys/plain")
            .await;
        assert_eq!(a.error_code(), "upstream_unavailable");
    }
    assert_eq!(
        h.sim.api_call_count(),
        calls,
        "the breaker kept calls away from REDCap"
    );
    // The administrator lifts the ban; after the pause the breaker lets calls through again.
    h.sim.unban_all();
    h.sim.set_rate_limit(600);
    tokio::time::sleep(config_ban_pause + Duration::from_millis(200)).await;
    let a = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/plain")
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(log_text().contains("breaker closed"));
    h.stop().await;
}
