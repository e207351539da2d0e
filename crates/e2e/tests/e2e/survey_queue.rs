//! Issue 13, the survey queue: a card with the `queue` attribute shows a link to the
//! participant's REDCap survey queue once the server has it (`GET …/surveys/{key}/queue`,
//! `surveyQueueLink`); following it opens the simulator's queue page of that participant.
//! With the project's queue off in REDCap, or without the attribute, there is no link.

use std::time::Duration;

use redcap_resume_e2e::browser::Browser;
use redcap_resume_e2e::i18n::{text, Lang, Msg};
use redcap_resume_e2e::server::Server;
use redcap_sim::seed::{self, DEMO_PROJECT};
use redcap_sim::ResponseKey;
use serde_json::json;

const CARD: &str = "#card";

/// The page's requests to `…/queue` that have an answer: `(URL, HTTP status)` (the pages
/// have the server's fetch spy).
async fn queue_requests(browser: &Browser) -> Vec<(String, u64)> {
    let v = browser
        .js(
            "return window.__e2eFetches.filter(([u]) => new URL(u).pathname.endsWith('/queue'));",
            vec![],
        )
        .await;
    serde_json::from_value(v).expect("the spy's records")
}

/// Waits for two animation frames: whatever a finished response makes the card render has
/// rendered.
async fn two_frames(browser: &Browser) {
    browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await
        .expect("animation frames");
}

/// `surveyQueueLink` calls the simulator received for `record`.
fn queue_calls(server: &Server, record: &str) -> usize {
    server
        .sim()
        .calls()
        .iter()
        .filter(|c| c.content.as_deref() == Some("surveyQueueLink"))
        .filter(|c| c.form.iter().any(|(k, v)| k == "record" && v == record))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_link_opens_the_participants_queue_and_is_absent_when_the_queue_is_off() {
    let server = Server::start().await;
    server.serve_page_with_spy(
        "/e2e/queue",
        Some("en"),
        "<redcap-resume id=\"card\" survey=\"baseline\" queue></redcap-resume>",
    );
    server.serve_page_with_spy(
        "/e2e/no-queue",
        Some("en"),
        "<redcap-resume id=\"card\" survey=\"baseline\"></redcap-resume>",
    );
    let browser = Browser::start().await;
    let record = seed::RECORD_IN_PROGRESS;
    browser
        .open_with_ticket(
            &server,
            "/e2e/blank",
            &server.demo.ticket(record, Duration::from_secs(600)),
        )
        .await;
    browser.goto(&server.url("/e2e/queue")).await;
    browser
        .card_when(CARD, "a return code", |c| c.code.is_some())
        .await;
    let more = browser
        .more_when(CARD, "the queue link shown", |m| m.queue_visible)
        .await;
    assert_eq!(
        more.queue_text.as_deref(),
        Some(text(Lang::En, Msg::Queue).as_str())
    );
    let requests = queue_requests(&browser).await;
    assert!(
        requests.len() == 1 && requests[0].1 == 200,
        "one queue request, answered: {requests:?}"
    );
    let href = more.queue_href.expect("the queue link has an href");
    assert!(
        href.starts_with(&format!("{}surveys/?sq=", server.sim().survey_base_url())),
        "REDCap's survey queue link: {href}"
    );
    // It is what the server answers for this participant, asked of REDCap once.
    let answer = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             fetch('/redcap-resume/api/surveys/baseline/queue', { headers: { 'X-CSRF': '1' } })\
               .then((r) => r.json()).then(done, (e) => done(String(e)));",
            vec![],
        )
        .await
        .expect("the queue answer");
    assert_eq!(answer["queue_link"], json!(href), "{answer}");
    assert_eq!(queue_calls(&server, record), 1, "one surveyQueueLink call");
    browser.screenshot_of(CARD, "queue-link").await;

    // Following it: the simulator's queue page of this participant (the baseline survey's
    // "Begin survey" link is this record's own survey link).
    let link = browser.part(CARD, "queue").await;
    browser.click_and_wait_for_page(link).await;
    assert_eq!(browser.url().await, href);
    assert_eq!(browser.text_of("#survey-queue-title").await, "Survey Queue");
    let row = browser
        .js(
            "const r = document.querySelector('#survey-queue tr[data-instrument=\"' + arguments[0] + '\"]');\
             return r && { title: r.querySelector('.sq-title').textContent, link: r.querySelector('a.sq-link')?.href ?? null };",
            vec![json!(seed::BASELINE)],
        )
        .await;
    assert_eq!(row["title"], json!(seed::BASELINE_TITLE), "{row}");
    let own = server
        .sim()
        .survey_link(DEMO_PROJECT, &ResponseKey::classic(record, seed::BASELINE))
        .expect("record 1001 has a baseline survey link");
    assert!(
        row["link"]
            .as_str()
            .is_some_and(|l| l.starts_with(own.as_str())),
        "the queue lists {record}'s own baseline survey ({own}): {row}"
    );
    browser.screenshot("queue-page").await;

    // Without the attribute: no request, no link.
    browser.goto(&server.url("/e2e/no-queue")).await;
    browser
        .card_when(CARD, "a return code", |c| c.code.is_some())
        .await;
    two_frames(&browser).await;
    assert!(queue_requests(&browser).await.is_empty());
    let more = browser.more_now(CARD).await;
    assert!(!more.queue_visible && more.queue_href.is_none(), "{more:?}");

    // The queue off in REDCap: the server's answer is an error, and the card shows no link.
    // (Another participant: record 1001's link is in the server's cache.)
    assert!(server.sim().set_survey_queue(DEMO_PROJECT, false));
    let other = seed::RECORD_IN_PROGRESS_2;
    browser
        .set_ticket_cookie(&server.demo.ticket(other, Duration::from_secs(600)))
        .await;
    browser.goto(&server.url("/e2e/queue")).await;
    browser
        .card_when(CARD, "a return code", |c| c.code.is_some())
        .await;
    let requests = redcap_resume_e2e::eventually("the queue request to end", async || {
        match queue_requests(&browser).await {
            r if r.is_empty() => Err("none yet".to_owned()),
            r => Ok(r),
        }
    })
    .await;
    two_frames(&browser).await;
    assert!(
        requests.iter().all(|(_, status)| *status >= 400),
        "the server refuses the queue link: {requests:?}"
    );
    assert_eq!(queue_calls(&server, other), 1, "REDCap was asked");
    let more = browser.more_now(CARD).await;
    assert!(
        !more.queue_visible,
        "no queue link when it is off: {more:?}"
    );
}
