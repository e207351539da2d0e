//! REDCap's refusals that are about this server's setup, as participants meet them: an older
//! REDCap that does not know a method, and an API user without a Data Export right. Each is a
//! lasting 502 `upstream_misconfigured` (no `Retry-After`), never counted by the breaker, and
//! remembered for that participant and survey (issue 9).

mod common;

use std::collections::HashMap;

use common::{config_text, secrets, Harness, Options};
use redcap_resume::breaker::FAILURES_TO_OPEN;
use redcap_resume::config::Config;
use redcap_sim::{seed, SimConfig, Simulator};

/// Asks `path` for FAILURES_TO_OPEN participants, then the first again: each a lasting 502;
/// the breaker stays closed; the repeat does not reach REDCap.
async fn lasting_misconfiguration(h: &Harness, path: &str) {
    for i in 0..FAILURES_TO_OPEN {
        let record = format!("m-{i}");
        h.sim.add_record(seed::DEMO_PROJECT, &record);
        let a = h.as_participant(&record, path).await;
        assert_eq!(a.status, 502, "{path}: {}", a.body);
        assert_eq!(a.error_code(), "upstream_misconfigured");
        assert!(a.header("retry-after").is_none(), "{path}");
    }
    assert!(!h.state.redcap.servers()[0].breaker_open(), "{path}");
    let before = h.sim.api_call_count();
    let again = h.as_participant("m-0", path).await;
    assert_eq!(again.status, 502);
    assert_eq!(h.sim.api_call_count(), before, "{path}: remembered");
}

#[tokio::test]
async fn a_redcap_older_than_a_method_is_configuration_not_an_outage() {
    let h = Harness::start().await;
    // A REDCap without `surveyReturnCode`: `The value of the parameter "content" is not valid`.
    h.sim.set_unknown_contents(&["surveyReturnCode"]);
    lasting_misconfiguration(&h, "/surveys/plain").await;
    // The operator's log line names the meaning and what to do.
    let log = common::log_text();
    assert!(
        log.contains("the value of the parameter `content` is not valid"),
        "{log}"
    );
    h.stop().await;
}

#[tokio::test]
async fn no_data_export_right_is_configuration_for_a_status_survey() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let extra = format!(
        "[projects.nodata]\nurl = \"{}\"\ntoken_env = \"NODATA\"\n\n[surveys.nodata]\nproject = \"nodata\"\ntitle = \"Baseline, status by a user without Data Export\"\ninstrument = \"baseline_survey\"\nstatus = true\n",
        sim.api_url()
    );
    let text = config_text(
        sim.api_url().as_str(),
        &Options {
            extra,
            ..Options::default()
        },
    );
    let mut secrets: HashMap<String, String> = secrets();
    secrets.insert("NODATA".into(), seed::NO_DATA_EXPORT_TOKEN.into());
    let config = Config::parse(&text, &secrets).expect("configuration is valid");
    let h = Harness::serve(sim, config).await;
    lasting_misconfiguration(&h, "/surveys/nodata").await;
    // The same survey with the default project's token (full Data Export) answers.
    let ok = h.as_participant("m-0", "/surveys/baseline").await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    h.stop().await;
}
