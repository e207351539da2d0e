//! The operator's REDCap calls (`check`, and `serve`'s start-up probe) pass the call budget
//! like every other call: REDCap counts them against the same IP (review finding on issue 15).
//! Counted by the simulator against a tiny budget.

mod common;

use std::sync::Arc;

use common::{config_text, log_text, logs, secrets, Options};
use redcap_resume::app::AppState;
use redcap_resume::config::Config;
use redcap_sim::{SimConfig, Simulator};

/// The harness's configuration (three projects on one REDCap server, the demo's surveys and
/// more) with a budget of `budget` calls a minute and a short queue.
async fn tiny_budget(budget: u32) -> (Simulator, Config) {
    logs();
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let options = Options {
        budget,
        max_queue_wait_ms: 100,
        ..Options::default()
    };
    let config = Config::parse(&config_text(sim.api_url().as_str(), &options), &secrets())
        .expect("valid configuration");
    (sim, config)
}

#[tokio::test]
async fn check_stays_within_the_call_budget_and_says_what_it_could_not_ask() {
    let (sim, config) = tiny_budget(3).await;
    let report = match redcap_resume::check::check(&config, None).await {
        Ok(report) | Err(report) => report,
    };
    let calls = sim.api_call_count();
    println!("{report}\ncheck with a budget of 3: REDCap received {calls} calls");
    assert!(calls <= 3, "check made {calls} REDCap calls (budget 3)");
    assert!(calls >= 1, "check asked REDCap");
    assert!(
        report.contains("not asked") && report.contains("max_requests_per_minute"),
        "{report}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn check_with_a_budget_to_spare_is_unchanged() {
    let (sim, config) = tiny_budget(300).await;
    let report = match redcap_resume::check::check(&config, None).await {
        Ok(report) | Err(report) => report,
    };
    let calls = sim.api_call_count();
    println!("check with a budget of 300: REDCap received {calls} calls");
    assert!(!report.contains("not asked"), "{report}");
    let baseline = report
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some("baseline"))
        .unwrap();
    assert!(baseline.starts_with("ok"), "{report}");
    sim.shutdown().await;
}

#[tokio::test]
async fn the_start_up_probe_of_serve_stays_within_the_call_budget() {
    let (sim, config) = tiny_budget(1).await;
    let projects = config.projects.len();
    assert!(
        projects >= 3,
        "one version call each would exceed the budget"
    );
    let state: Arc<AppState> = AppState::new(config).unwrap();
    redcap_resume::check::warn_unless_ready(state).await;
    let calls = sim.api_call_count();
    println!("serve's start-up probe of {projects} projects with a budget of 1: REDCap received {calls} calls");
    assert_eq!(calls, 1, "budget 1");
    assert!(log_text().contains("REDCap not asked at start"));
    sim.shutdown().await;
}
