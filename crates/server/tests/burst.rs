//! Bursts of participants against a small REDCap budget: REDCap never sees more than the
//! budget, every request is answered — none hangs — and every one leaves its audit line.

mod common;

use std::time::{Duration, Instant};

use common::{Harness, Options};
use futures_util::stream::{self, StreamExt};
use redcap_sim::seed;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_participants_at_once_stay_within_sixty_calls_a_minute() {
    let h = Harness::with(Options {
        budget: 60,
        max_queue_wait_ms: 1000,
        ..Options::default()
    })
    .await;
    let records: Vec<String> = (0..1000).map(|i| format!("p{i:04}")).collect();
    for r in &records {
        assert!(h.sim.add_record(redcap_sim::seed::DEMO_PROJECT, r));
    }
    let started = Instant::now();
    let requests = records.iter().map(|r| {
        let request = h
            .widget_get("/surveys/plain")
            .header("Cookie", h.ticket_cookie(r));
        async move { tokio::time::timeout(Duration::from_secs(20), request.send()).await }
    });
    let answers = futures_util::future::join_all(requests).await;
    let elapsed = started.elapsed();

    let (mut ok, mut retry) = (0, 0);
    for answer in answers {
        let response = answer
            .expect("no request hangs")
            .expect("every request is answered");
        match response.status().as_u16() {
            200 => ok += 1,
            503 => {
                let after: u64 = response.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(after >= 1);
                let body: serde_json::Value =
                    serde_json::from_str(&response.text().await.unwrap()).unwrap();
                assert_eq!(body["error"]["code"], "upstream_unavailable");
                retry += 1;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    let calls = h.sim.api_call_count();
    println!("burst: 1000 requests in {elapsed:?}: {ok} answered 200, {retry} told to retry; REDCap received {calls} calls (budget 60)");
    assert!(calls <= 60, "REDCap received {calls} calls");
    assert_eq!(ok + retry, 1000);
    // Each card costs two calls (link and code, sent together): 60 calls serve at most 30
    // participants (fewer when a link's call got a slot and its code's did not).
    assert!((1..=30).contains(&ok), "{ok} participants served");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_requests_for_two_thousand_participants_within_budget_with_full_audit() {
    let audit =
        std::env::temp_dir().join(format!("redcap-resume-burst-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&audit);
    let extra = format!(
        "[audit]\npath = {:?}\nfail_closed = true\n",
        audit.display().to_string()
    );
    let h = Harness::with(Options {
        budget: 300,
        max_queue_wait_ms: 500,
        per_participant: 60,
        extra,
        ..Options::default()
    })
    .await;
    let participants: Vec<String> = (0..2000).map(|i| format!("b{i:04}")).collect();
    for p in &participants {
        h.sim.add_record(seed::DEMO_PROJECT, p);
    }
    let tickets: Vec<String> = participants.iter().map(|p| h.ticket(p)).collect();
    let started = Instant::now();
    let statuses: Vec<u16> = stream::iter(0..10_000usize)
        .map(|i| {
            let request = h.widget_get("/surveys/plain").header(
                "Cookie",
                format!("__Host-redcap_resume_ticket={}", tickets[i % 2000]),
            );
            async move {
                let a = tokio::time::timeout(Duration::from_secs(30), request.send())
                    .await
                    .expect("no request hangs")
                    .unwrap();
                let status = a.status().as_u16();
                if status != 200 {
                    assert!(a.headers().contains_key("retry-after"));
                }
                status
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let retry = statuses.iter().filter(|s| **s == 503).count();
    let calls = h.sim.api_call_count();
    let audit_lines = std::fs::read_to_string(&audit).unwrap().lines().count();
    println!("burst: 10,000 requests in {elapsed:?}: {ok} × 200, {retry} × 503; REDCap calls {calls} (budget 300); audit lines {audit_lines}");
    assert_eq!(ok + retry, 10_000, "every request answered with 200 or 503");
    assert!(calls <= 300, "REDCap received {calls} calls");
    assert_eq!(audit_lines, 10_000, "one audit line per request");
    h.stop().await;
    let _ = std::fs::remove_file(&audit);
}
