//! Case 4: the embedding page, served with the strict Content-Security-Policy, renders the
//! card with nothing in the browser console at error level.

use std::time::Duration;

use redcap_resume::app::STRICT_CSP;
use redcap_resume_e2e::browser::{Browser, LogEntry};
use redcap_resume_e2e::server::Server;
use redcap_resume_e2e::{eventually, paths};
use serde_json::json;

const CARD: &str = "redcap-resume";

/// Error-level entries, except the browser's own request for `/favicon.ico` (the demo server
/// has none; that 404 is not the page's or the widget's doing).
fn errors(log: &[LogEntry]) -> Vec<&LogEntry> {
    log.iter()
        .filter(|e| e.level == "SEVERE")
        .filter(|e| {
            !(e.source.as_deref() == Some("network") && e.message.contains("/favicon.ico "))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embed_page_renders_under_the_strict_csp_without_console_errors() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    browser
        .open_with_ticket(
            &server,
            "/embed.html",
            &server.demo.ticket("1001", Duration::from_secs(600)),
        )
        .await;

    let card = browser
        .card_when(CARD, "a return code", |c| c.code.is_some())
        .await;
    assert_eq!(
        card.title.as_deref(),
        Some(server.survey_title("baseline").as_str())
    );
    let csp = browser
        .js(
            "return fetch(location.href).then(r => r.headers.get('content-security-policy'));",
            vec![],
        )
        .await;
    assert_eq!(
        csp,
        json!(STRICT_CSP),
        "embed.html is served with the strict policy"
    );
    browser.screenshot("embed").await;
    // The README's picture: set REDCAP_RESUME_UPDATE_SCREENSHOT=1 to refresh docs/screenshot.png.
    if std::env::var_os("REDCAP_RESUME_UPDATE_SCREENSHOT").is_some() {
        let shot = browser.screenshot_of(CARD, "embed-card").await;
        std::fs::copy(&shot, paths::workspace_root().join("docs/screenshot.png"))
            .expect("update docs/screenshot.png");
    }

    let log = browser.console().await;
    assert!(
        errors(&log).is_empty(),
        "console errors on the embed page: {:#?}",
        errors(&log)
    );

    // The check can fail: an inline script (refused by the CSP) and a console.error both
    // reach the log read above.
    browser
        .js(
            "const s = document.createElement('script'); s.textContent = 'window.inlineRan = true'; document.head.append(s); \
             console.error('e2e canary');",
            vec![],
        )
        .await;
    assert_eq!(
        browser
            .js("return window.inlineRan === true;", vec![])
            .await,
        json!(false),
        "the CSP refuses inline scripts"
    );
    eventually("the canary errors in the browser log", async || {
        let log = browser.console().await;
        let csp = log
            .iter()
            .any(|e| e.level == "SEVERE" && e.message.contains("Content Security Policy"));
        let canary = log
            .iter()
            .any(|e| e.level == "SEVERE" && e.message.contains("e2e canary"));
        if csp && canary {
            Ok(())
        } else {
            Err(format!("{log:#?}"))
        }
    })
    .await;
}
