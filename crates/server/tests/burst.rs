//! A burst of participants against a small REDCap budget: REDCap never sees more than the
//! budget, and every request is answered — none hangs.

mod common;

use std::time::{Duration, Instant};

use common::{Harness, Options};

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
            .header("Cookie", format!("redcap_resume_ticket={}", h.ticket(r)));
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
    assert_eq!(
        ok, 30,
        "each card costs two calls: 60 calls serve 30 participants"
    );
    h.stop().await;
}
