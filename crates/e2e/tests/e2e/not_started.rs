//! Beyond the six cases: a survey the participant has not started yet (record 1003's
//! baseline). The widget's design (src/card.rs, `actions`) offers the plain survey link for
//! it — "Start survey", no return code — and the design notes that `surveyReturnCode`
//! creates a code and writes a REDCap log entry. This test fails while the server asks REDCap
//! for a return code for not-started surveys and the card then shows one (see the report).

use redcap_resume_e2e::browser::Browser;
use redcap_resume_e2e::i18n::{text, Lang, Msg};
use redcap_resume_e2e::server::Server;
use redcap_sim::seed;

const CARD: &str = "#card-baseline";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_survey_not_started_yet_starts_without_a_return_code() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    browser.sign_in(&server, seed::RECORD_NOT_STARTED).await;
    let card = browser.settled_card(CARD).await;
    browser.screenshot_of(CARD, "not-started-baseline").await;
    assert_eq!(
        card.status,
        Some(text(Lang::En, Msg::NotStarted)),
        "{card:?}"
    );
    assert!(
        card.resume
            .as_deref()
            .unwrap_or_default()
            .starts_with(&text(Lang::En, Msg::Start)),
        "{card:?}"
    );

    let mut problems = Vec::new();
    if let Some(code) = &card.code {
        problems.push(format!(
            "the card shows a return code ({code}) for a survey never started"
        ));
    }
    if card.link.is_some() {
        problems
            .push("the card offers the \"Returning?\" page for a survey never started".to_owned());
    }
    let asked: Vec<_> = server
        .sim()
        .calls()
        .into_iter()
        .filter(|c| c.content.as_deref() == Some("surveyReturnCode"))
        .filter(|c| {
            c.form
                .iter()
                .any(|(k, v)| k == "record" && v == seed::RECORD_NOT_STARTED)
        })
        .filter(|c| {
            c.form
                .iter()
                .any(|(k, v)| k == "instrument" && v == seed::BASELINE)
        })
        .collect();
    if !asked.is_empty() {
        problems.push(format!("the server asked REDCap for a return code {} time(s) (each creates one and writes to REDCap's log)", asked.len()));
    }

    browser
        .click_and_wait_for_page(browser.part(CARD, "resume").await)
        .await;
    let greeting = browser.text_of("#pagecontainer p").await;
    if greeting != "Please complete the survey below." {
        problems.push(format!("\"Start survey\" opens REDCap saying {greeting:?}"));
    }
    browser.screenshot("not-started-after-start").await;
    assert!(
        problems.is_empty(),
        "not-started survey:\n- {}",
        problems.join("\n- ")
    );
}
