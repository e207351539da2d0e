//! Case 1: a participant signs in on the demo host page, the card shows the survey's title and
//! return code, and "Resume survey" lands on the simulator's survey page at the saved place —
//! for a classic survey, a longitudinal event and a repeat instance.

use redcap_resume_e2e::browser::Browser;
use redcap_resume_e2e::i18n::{text, Lang, Msg};
use redcap_resume_e2e::server::Server;
use redcap_sim::seed::{self, COHORT_PROJECT, DEMO_PROJECT};
use redcap_sim::{FormState, ResponseKey, RETURN_CODE_CHARS, RETURN_CODE_LEN};

/// One survey on the demo page and where record 1001 saved it in REDCap.
struct Saved {
    card: &'static str,
    survey: &'static str,
    project: &'static str,
    key: ResponseKey,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumes_a_classic_survey() {
    resume(Saved {
        card: "#card-baseline",
        survey: "baseline",
        project: DEMO_PROJECT,
        key: ResponseKey::classic(seed::RECORD_IN_PROGRESS, seed::BASELINE),
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumes_a_longitudinal_event() {
    resume(Saved {
        card: "#card-month3",
        survey: "month3",
        project: COHORT_PROJECT,
        key: ResponseKey::new(
            seed::RECORD_IN_PROGRESS,
            seed::MONTH_3,
            Some(seed::EVENT_MONTH_3),
            1,
        ),
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumes_a_repeat_instance() {
    resume(Saved {
        card: "#card-diary",
        survey: "diary",
        project: DEMO_PROJECT,
        key: ResponseKey::new(seed::RECORD_IN_PROGRESS, seed::WEEKLY_DIARY, None, 2),
    })
    .await;
}

async fn resume(saved: Saved) {
    let server = Server::start().await;
    let browser = Browser::start().await;
    let Some(FormState::Partial { page }) = server.sim().form_state(saved.project, &saved.key)
    else {
        panic!("the seed has no partial response for {:?}", saved.key);
    };

    browser.sign_in(&server, &saved.key.record).await;
    let card = browser
        .card_when(saved.card, "a return code", |c| c.code.is_some())
        .await;
    browser
        .screenshot_of(saved.card, &format!("ready-{}", saved.survey))
        .await;

    assert_eq!(
        card.title.as_deref(),
        Some(server.survey_title(saved.survey).as_str())
    );
    assert_eq!(
        card.status.as_deref(),
        Some(text(Lang::En, Msg::InProgress).as_str())
    );
    let code = card.code.expect("a code");
    assert!(
        code.len() == RETURN_CODE_LEN && code.chars().all(|c| RETURN_CODE_CHARS.contains(c)),
        "not a REDCap return code: {code:?}"
    );
    assert_eq!(
        Some(code),
        server.sim().return_code(saved.project, &saved.key),
        "the record's own code"
    );

    let button = browser.part(saved.card, "resume").await;
    assert!(button
        .text()
        .await
        .unwrap_or_default()
        .starts_with(&text(Lang::En, Msg::Resume)));
    browser.click_and_wait_for_page(button).await;

    assert!(
        browser
            .url()
            .await
            .starts_with(server.sim().base_url().as_str()),
        "on REDCap: {}",
        browser.url().await
    );
    assert_eq!(browser.text_of("#resumed-record").await, saved.key.record);
    assert_eq!(
        browser.text_of("#resumed-instrument").await,
        saved.key.instrument
    );
    assert_eq!(
        browser.text_of("#resumed-event").await,
        saved.key.event.clone().unwrap_or_default()
    );
    assert_eq!(
        browser.text_of("#resumed-instance").await,
        saved.key.instance.to_string()
    );
    assert_eq!(
        browser.text_of("#resumed-page").await,
        page.to_string(),
        "back on the saved page"
    );
    browser
        .screenshot(&format!("resumed-{}", saved.survey))
        .await;
}
