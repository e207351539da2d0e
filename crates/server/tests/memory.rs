//! Memory stays flat across 10,000 faulted requests (its own test binary, so no other test
//! shares the process while it measures).

mod common;

use common::{Harness, Options};
use futures_util::stream::{self, StreamExt};
use redcap_sim::{Failure, Faults};

const TIMEOUT_MS: u64 = 500;

/// Resident memory of this process, in KiB (Linux).
fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_stays_flat_across_ten_thousand_faulted_requests() {
    let h = Harness::with(Options {
        timeout_ms: TIMEOUT_MS,
        ..Options::default()
    })
    .await;
    let failures = [
        Failure::ServerError,
        Failure::Malformed,
        Failure::DropConnection,
        Failure::Truncated,
    ];
    let ticket = |i: usize| h.ticket(&format!("m{}", i % 500));
    let run = |from: usize, to: usize| {
        let h = &h;
        let ticket = &ticket;
        async move {
            stream::iter(from..to)
                .map(|i| async move {
                    let a = h
                        .widget_get("/surveys/plain")
                        .header(
                            "Cookie",
                            format!("__Host-redcap_resume_ticket={}", ticket(i)),
                        )
                        .send()
                        .await
                        .unwrap();
                    a.status().as_u16()
                })
                .buffer_unordered(32)
                .collect::<Vec<u16>>()
                .await
        }
    };
    let mut answered = 0;
    let mut baseline = 0;
    for (round, failure) in failures.iter().cycle().take(10).enumerate() {
        h.sim.set_faults(Faults::failing(failure.clone()));
        let statuses = run(round * 1000, (round + 1) * 1000).await;
        assert!(
            statuses.iter().all(|s| matches!(s, 502 | 503)),
            "{statuses:?}"
        );
        answered += statuses.len();
        if round == 1 {
            baseline = rss_kib();
        }
    }
    let after = rss_kib();
    println!("memory: {baseline} KiB after 2,000 faulted requests, {after} KiB after {answered}");
    assert_eq!(answered, 10_000);
    assert!(
        after < baseline + 8 * 1024,
        "memory grew from {baseline} KiB to {after} KiB"
    );
    h.stop().await;
}
