//! Case 3: what a participant reads when the card cannot offer a resume — in English and in
//! Spanish, as the widget's own message tables word it.

use std::time::Duration;

use redcap_resume_e2e::browser::Browser;
use redcap_resume_e2e::i18n::{error_message, LANGS};
use redcap_resume_e2e::server::Server;
use redcap_sim::Faults;

/// Waits for the card `host` to show the message for `code`, once per language (switching
/// the element's `lang`), with a screenshot of each (`target/e2e/error-{case}-{lang}.png`).
async fn shows_error(browser: &Browser, host: &str, code: &str, case: &str) {
    for lang in LANGS {
        browser.set_attr(host, "lang", Some(lang.tag())).await;
        let expected = error_message(lang, code);
        let card = browser
            .card_when(
                host,
                &format!("the `{code}` message in {}", lang.tag()),
                |c| !c.busy && c.error.as_deref() == Some(expected.as_str()),
            )
            .await;
        assert_eq!(card.lang.as_deref(), Some(lang.tag()));
        assert_eq!(card.code, None, "no return code next to an error");
        browser
            .screenshot_of(host, &format!("error-{case}-{}", lang.tag()))
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survey_without_save_and_return() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    browser.sign_in(&server, "1001").await;
    shows_error(
        &browser,
        "#card-consent",
        "resume_not_available",
        "save-and-return-off",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_survey_key() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    browser.sign_in(&server, "1001").await;
    browser
        .card_when("#card-baseline", "a return code", |c| c.code.is_some())
        .await;
    browser
        .set_attr("#card-baseline", "survey", Some("no_such_survey"))
        .await;
    shows_error(
        &browser,
        "#card-baseline",
        "unknown_survey",
        "unknown-survey",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_ticket() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    browser
        .open_with_ticket(&server, "/embed.html", &server.demo.expired_ticket("1001"))
        .await;
    shows_error(&browser, "redcap-resume", "not_signed_in", "expired-ticket").await;

    // The same way in with a valid ticket shows the card: the expiry made the difference.
    browser
        .open_with_ticket(
            &server,
            "/embed.html",
            &server.demo.ticket("1001", Duration::from_secs(600)),
        )
        .await;
    browser
        .card_when("redcap-resume", "a return code", |c| c.code.is_some())
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redcap_down() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    server.sim().go_down();
    browser
        .open_with_ticket(
            &server,
            "/embed.html",
            &server.demo.ticket("1001", Duration::from_secs(600)),
        )
        .await;
    shows_error(
        &browser,
        "redcap-resume",
        "upstream_unavailable",
        "redcap-down",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redcap_slower_than_the_timeout() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    // The demo's REDCap timeout is 3 s.
    server
        .sim()
        .set_faults(Faults::latency(Duration::from_secs(4)));
    browser
        .open_with_ticket(
            &server,
            "/embed.html",
            &server.demo.ticket("1001", Duration::from_secs(600)),
        )
        .await;
    shows_error(
        &browser,
        "redcap-resume",
        "upstream_unavailable",
        "redcap-slow",
    )
    .await;
    assert!(
        !server.sim().calls().is_empty(),
        "REDCap was asked (and was too slow)"
    );
}
