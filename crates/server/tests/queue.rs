//! `GET {base}/surveys/{key}/queue` (issue 13): the participant's REDCap survey queue link,
//! through the same admission, cap, budget, cache and link checks as the survey answers.

mod common;

use common::{config_text, secrets, Harness};
use redcap_resume::config::Config;
use redcap_sim::{seed, SimConfig, Simulator};

/// How many `surveyQueueLink` calls the simulator received.
fn queue_calls(h: &Harness) -> usize {
    h.sim
        .calls()
        .iter()
        .filter(|c| c.content.as_deref() == Some("surveyQueueLink"))
        .count()
}

#[tokio::test]
async fn a_record_gets_its_queue_link_which_opens_the_queue_page() {
    let h = Harness::start().await;
    let a = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue")
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.header("cache-control"), Some("no-store"));
    assert_eq!(a.header("content-type"), Some("application/json"));
    let j = a.json();
    assert_eq!(j["key"], "baseline");
    let link = j["queue_link"].as_str().unwrap();
    let prefix = format!("{}surveys/?sq=", h.sim.base_url());
    assert!(link.starts_with(&prefix), "{link}");
    assert!(
        j.get("contact").is_none(),
        "no [study] contact configured: {j}"
    );

    // The link opens the simulator's queue page listing the record's surveys.
    let page = h.http.get(link).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"survey-queue\""), "{html}");
    assert!(
        html.contains("data-instrument=\"baseline_survey\""),
        "{html}"
    );

    // Another survey of the same project: the same record's queue, the same link.
    let diary = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/diary/queue")
        .await;
    assert_eq!(diary.json()["queue_link"], link);
    assert_eq!(diary.json()["key"], "diary");
    // Another record: another queue.
    let other = h
        .as_participant(seed::RECORD_COMPLETED, "/surveys/baseline/queue")
        .await;
    assert_ne!(other.json()["queue_link"], link);
    h.stop().await;
}

#[tokio::test]
async fn the_second_request_is_served_from_the_cache() {
    let h = Harness::start().await;
    h.sim.reset_calls();
    let first = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue")
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(queue_calls(&h), 1);
    assert_eq!(
        h.sim.api_call_count(),
        1,
        "one call: no status, link or code"
    );
    for key in ["baseline", "diary", "consent"] {
        let again = h
            .as_participant(seed::RECORD_IN_PROGRESS, &format!("/surveys/{key}/queue"))
            .await;
        assert_eq!(again.json()["queue_link"], first.json()["queue_link"]);
    }
    assert_eq!(
        h.sim.api_call_count(),
        1,
        "later requests of the same project and record are served from the cache"
    );
    h.stop().await;
}

#[tokio::test]
async fn a_project_without_the_queue_answers_resume_not_available_and_remembers_it() {
    let h = Harness::start().await;
    assert!(h.sim.set_survey_queue(seed::DEMO_PROJECT, false));
    h.sim.reset_calls();
    for _ in 0..3 {
        let a = h
            .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue")
            .await;
        assert_eq!(
            (a.status, a.error_code().as_str()),
            (409, "resume_not_available")
        );
        assert_eq!(a.header("cache-control"), Some("no-store"));
        assert!(a.header("retry-after").is_none());
    }
    assert_eq!(
        queue_calls(&h),
        1,
        "the refusal is remembered, not asked again"
    );
    // The seeded longitudinal project has its queue off.
    let month3 = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/month3/queue")
        .await;
    assert_eq!(month3.error_code(), "resume_not_available");
    h.stop().await;
}

#[tokio::test]
async fn refusals_before_redcap_and_a_record_redcap_does_not_know() {
    let h = Harness::start().await;
    h.sim.reset_calls();
    let unknown = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/nope/queue")
        .await;
    assert_eq!(
        (unknown.status, unknown.error_code().as_str()),
        (404, "unknown_survey")
    );
    let encoded = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/base%6Cine/queue")
        .await;
    assert_eq!(encoded.error_code(), "unknown_survey");
    let anonymous = h
        .widget_get("/surveys/baseline/queue")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    let no_csrf = h
        .http
        .get(h.api("/surveys/baseline/queue"))
        .header("Sec-Fetch-Site", "same-origin")
        .header("Cookie", h.ticket_cookie(seed::RECORD_IN_PROGRESS))
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status().as_u16(), 403);
    assert_eq!(h.sim.api_call_count(), 0, "none of these reached REDCap");

    let missing = h
        .as_participant(seed::MISSING_RECORD, "/surveys/baseline/queue")
        .await;
    assert_eq!(
        (missing.status, missing.error_code().as_str()),
        (404, "record_not_found")
    );
    h.stop().await;
}

#[tokio::test]
async fn a_mapped_language_reaches_the_queue_link_and_page() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let text = config_text(sim.api_url().as_str(), &Default::default());
    let marker = "[projects.cohort]";
    let text = text.replacen(
        marker,
        &format!("languages = {{ es = \"es-MX\" }}\n\n{marker}"),
        1,
    );
    let config = Config::parse(&text, &secrets()).expect("valid");
    let h = Harness::serve(sim, config).await;
    let plain = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue")
        .await;
    let es = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue?lang=es")
        .await;
    let plain = plain.json()["queue_link"].as_str().unwrap().to_owned();
    let es = es.json()["queue_link"].as_str().unwrap().to_owned();
    assert_eq!(es, format!("{plain}&__lang=es-MX"));
    let html = h.http.get(&es).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("__lang=es-MX"), "{html}");
    h.stop().await;
}

#[tokio::test]
async fn an_outage_asks_to_try_again_and_is_not_remembered() {
    let h = Harness::start().await;
    h.sim.go_down();
    let down = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue")
        .await;
    assert_eq!(
        (down.status, down.error_code().as_str()),
        (503, "upstream_unavailable")
    );
    assert!(down.header("retry-after").is_some());
    h.sim.come_up();
    let up = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue")
        .await;
    assert_eq!(up.status, 200, "{}", up.body);
    h.stop().await;
}

#[tokio::test]
async fn a_queue_link_on_another_host_is_refused_unless_under_survey_base_url() {
    let sim = Simulator::start(SimConfig {
        survey_host: Some("localhost".into()),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let text = config_text(sim.api_url().as_str(), &Default::default());
    let config = Config::parse(&text, &secrets()).expect("valid");
    let h = Harness::serve(sim, config).await;
    let refused = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue")
        .await;
    assert_eq!(
        (refused.status, refused.error_code().as_str()),
        (502, "upstream_misconfigured"),
        "a link not on REDCap's host is not handed out: {}",
        refused.body
    );
    assert!(!refused.body.contains("sq="), "{}", refused.body);

    // Configured as REDCap's survey base URL, the same link is REDCap's.
    let sim = h.stop().await;
    let base = sim.survey_base_url();
    let text = config_text(sim.api_url().as_str(), &Default::default()).replacen(
        "[projects.cohort]",
        &format!("survey_base_url = \"{base}\"\n\n[projects.cohort]"),
        1,
    );
    let config = Config::parse(&text, &secrets()).expect("valid");
    let h = Harness::serve(sim, config).await;
    let a = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue")
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let link = a.json()["queue_link"].as_str().unwrap().to_owned();
    assert!(link.starts_with(&format!("{base}surveys/?sq=")), "{link}");
    h.stop().await;
}

#[tokio::test]
async fn queue_calls_count_against_the_participants_cap_on_redcap_calls() {
    let h = Harness::with(common::Options {
        redcap_calls: 1,
        ..Default::default()
    })
    .await;
    h.sim.reset_calls();
    let first = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue")
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    // Cached: costs nothing.
    let cached = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/diary/queue")
        .await;
    assert_eq!(cached.status, 200, "{}", cached.body);
    // Another project's queue would be a second REDCap call this minute: refused before REDCap.
    let capped = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/month3/queue")
        .await;
    assert_eq!(
        (capped.status, capped.error_code().as_str()),
        (429, "rate_limited"),
        "{}",
        capped.body
    );
    assert!(capped.header("retry-after").is_some());
    assert_eq!(queue_calls(&h), 1);
    // Another participant has an allowance of their own.
    let other = h
        .as_participant(seed::RECORD_COMPLETED, "/surveys/baseline/queue")
        .await;
    assert_eq!(other.status, 200, "{}", other.body);
    h.stop().await;
}

#[tokio::test]
async fn queue_calls_pass_the_call_budget() {
    let h = Harness::with(common::Options {
        budget: 1,
        max_queue_wait_ms: 100,
        ..Default::default()
    })
    .await;
    h.sim.reset_calls();
    let first = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue")
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let spent = h
        .as_participant(seed::RECORD_COMPLETED, "/surveys/baseline/queue")
        .await;
    assert_eq!(
        (spent.status, spent.error_code().as_str()),
        (503, "upstream_unavailable"),
        "{}",
        spent.body
    );
    assert!(spent.header("retry-after").is_some());
    assert_eq!(h.sim.api_call_count(), 1, "the budget held");
    // The cached one is still served.
    let cached = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue")
        .await;
    assert_eq!(cached.status, 200);
    h.stop().await;
}
