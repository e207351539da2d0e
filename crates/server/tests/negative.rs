//! Issue 15 items 1-2: a participant whose record REDCap does not have cannot spend the
//! budget or open the breaker by reloading: the refusal is remembered and their REDCap calls
//! are capped.

mod common;

use common::{Harness, Options};
use redcap_sim::seed;

#[tokio::test]
async fn a_not_enrolled_ticket_reloading_costs_few_calls_and_never_opens_the_breaker() {
    let h = Harness::with(Options {
        redcap_calls: 4,
        ..Options::default()
    })
    .await;
    h.sim.reset_calls();
    for _ in 0..30 {
        let a = h.as_participant("not-enrolled", "/surveys/baseline").await;
        assert!(
            a.error_code() == "record_not_found" || a.error_code() == "rate_limited",
            "{}",
            a.body
        );
    }
    let calls = h.sim.api_call_count();
    assert!(calls <= 4, "30 reloads caused {calls} REDCap calls (cap 4)");
    // Everyone else is served: the breaker did not open.
    let other = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline")
        .await;
    assert_eq!(other.status, 200, "{}", other.body);
    h.stop().await;
}
