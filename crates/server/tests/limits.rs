//! Protecting the server itself: load shedding past the concurrency limit, and the audit log
//! when it cannot be written (counted; fail-closed refuses to hand out codes).

mod common;

use std::time::Duration;

use common::{Answer, Harness, Options};
use redcap_sim::{seed, Faults};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_past_the_concurrency_limit_are_shed_at_once() {
    let extra = "[limits]\nmax_concurrent_requests = 2\nper_participant_per_minute = 1000\nper_ip_per_minute = 100000\n";
    // The harness writes its own [limits]; replace it with this one.
    let h = Harness::with(Options {
        extra: String::new(),
        limits_override: Some(extra.into()),
        ..Options::default()
    })
    .await;
    h.sim
        .set_faults(Faults::latency(Duration::from_millis(600)));
    let requests = (0..12).map(|i| {
        let record = format!("shed-{i}");
        h.sim.add_record(seed::DEMO_PROJECT, &record);
        let request = h
            .widget_get("/surveys/plain")
            .header("Cookie", h.ticket_cookie(&record));
        async move {
            let started = std::time::Instant::now();
            let a = Answer::read(request.send().await.unwrap()).await;
            (a, started.elapsed())
        }
    });
    let answers = futures_util::future::join_all(requests).await;
    let shed: Vec<_> = answers.iter().filter(|(a, _)| a.status == 503).collect();
    let served = answers.iter().filter(|(a, _)| a.status == 200).count();
    assert!(served >= 2, "the first requests are served");
    assert!(
        shed.len() >= 6,
        "most of the rest are shed ({} of 12)",
        shed.len()
    );
    for (a, took) in shed {
        assert_eq!(a.error_code(), "upstream_unavailable");
        assert!(a.header("retry-after").is_some());
        assert!(
            *took < Duration::from_millis(500),
            "shed at once, not queued: {took:?}"
        );
    }
    h.stop().await;
}

#[tokio::test]
async fn an_unwritable_audit_log_is_counted_and_fail_closed_hands_out_no_code() {
    // /dev/full accepts the open and fails every write (ENOSPC).
    for (fail_closed, expected) in [(true, 500), (false, 200)] {
        let extra = format!("[audit]\npath = \"/dev/full\"\nfail_closed = {fail_closed}\n");
        let h = Harness::with(Options {
            extra,
            ..Options::default()
        })
        .await;
        let a = h
            .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/plain")
            .await;
        assert_eq!(
            a.status, expected,
            "fail_closed = {fail_closed}: {}",
            a.body
        );
        if fail_closed {
            assert!(!a.body.contains("return_code"));
        }
        assert_eq!(h.state.audit.as_ref().unwrap().failures(), 1);
        h.stop().await;
    }
}
