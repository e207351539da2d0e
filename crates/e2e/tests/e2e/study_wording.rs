//! Issue 13, study-approved wording: a `strings` file on the page's origin (served beside the
//! widget, under the strict CSP) replaces the built-in texts per language. A Spanish page's
//! resume button says what the study wrote; a key the widget does not have, or a text that
//! lost a placeholder, is named once in the console and the built-in text is used; everything
//! else keeps working (the study's button resumes the survey).

use redcap_resume_e2e::browser::{Browser, LogEntry};
use redcap_resume_e2e::eventually;
use redcap_resume_e2e::i18n::{text, Lang, Msg};
use redcap_resume_e2e::server::Server;
use redcap_sim::seed;
use serde_json::json;

const WORDING: &str = "/e2e/wording.json";
const BAD_PLACEHOLDER: &str = "/e2e/wording-placeholder.json";
/// What the study's ethics board approved for the Spanish resume button.
const STUDY_RESUME_ES: &str = "Seguir con mi cuestionario";
const STUDY_COPY_ES: &str = "Copiar mi código";
const UNKNOWN_KEY: &str = "resume_now_please";

/// Warnings and errors in `log` that mention `needle`.
fn naming<'a>(log: &'a [LogEntry], needle: &str) -> Vec<&'a LogEntry> {
    log.iter()
        .filter(|e| e.level == "WARNING" || e.level == "SEVERE")
        .filter(|e| e.message.contains(needle))
        .collect()
}

/// Every warning and error in `log`, except the browser's own request for a `/favicon.ico`
/// (the simulator's pages have none; not the widget's doing).
fn warnings(log: &[LogEntry]) -> Vec<&LogEntry> {
    log.iter()
        .filter(|e| e.level == "WARNING" || e.level == "SEVERE")
        .filter(|e| {
            !(e.source.as_deref() == Some("network") && e.message.contains("/favicon.ico "))
        })
        .collect()
}

/// The page's console once an entry names `key`, with whatever follows right after it.
async fn log_once_naming(browser: &Browser, key: &str) -> Vec<LogEntry> {
    let log = eventually(&format!("a warning naming {key}"), async || {
        let log = browser.console().await;
        if naming(&log, key).is_empty() {
            Err(format!("{log:#?}"))
        } else {
            Ok(log)
        }
    })
    .await;
    log.into_iter().chain(browser.console().await).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strings_file_replaces_the_spanish_resume_text_and_an_unknown_key_is_named_once() {
    let server = Server::start().await;
    server.serve(
        WORDING,
        "application/json",
        json!({
            "es": { "resume": STUDY_RESUME_ES, UNKNOWN_KEY: "¡Ahora!" },
            "fr": { "resume": "Reprendre le questionnaire de l'étude" },
        })
        .to_string(),
    );
    server.serve(
        BAD_PLACEHOLDER,
        "application/json",
        // `try_again_in` needs `{seconds}`.
        json!({ "es": { "try_again_in": "Reintente en un momento", "copy": STUDY_COPY_ES } })
            .to_string(),
    );
    // Two cards with the same file: one fetch, one warning.
    server.serve_page(
        "/e2e/wording",
        Some("es"),
        &format!(
            "<redcap-resume id=\"card\" survey=\"baseline\" strings=\"{WORDING}\"></redcap-resume>\
             <redcap-resume id=\"card2\" survey=\"diary\" strings=\"{WORDING}\"></redcap-resume>"
        ),
    );
    server.serve_page(
        "/e2e/wording-placeholder",
        Some("es"),
        &format!("<redcap-resume id=\"card\" survey=\"baseline\" strings=\"{BAD_PLACEHOLDER}\"></redcap-resume>"),
    );
    let browser = Browser::start().await;
    browser
        .sign_in_on_blank(&server, seed::RECORD_IN_PROGRESS)
        .await;
    browser.goto(&server.url("/e2e/wording")).await;

    for host in ["#card", "#card2"] {
        let card = browser.card_speaking(host, "es", STUDY_RESUME_ES).await;
        // The rest is the built-in Spanish.
        assert_eq!(card.differences(Lang::Es), Vec::<String>::new(), "{host}");
    }
    assert_ne!(
        STUDY_RESUME_ES,
        text(Lang::Es, Msg::Resume),
        "a real change"
    );
    browser.screenshot_of("#card", "study-wording-es").await;

    // Exactly one warning, naming the unknown key, and no error.
    // Both cards have rendered with the study's text: whatever warnings they give are in.
    let log = log_once_naming(&browser, UNKNOWN_KEY).await;
    assert_eq!(
        warnings(&log).len(),
        1,
        "one warning, for the unknown key, for two cards, and no error: {log:#?}"
    );
    assert_eq!(
        server.hits(WORDING),
        1,
        "the wording file is fetched once per page"
    );

    // The study's button still resumes the survey where it was saved.
    let resume = browser.part("#card", "resume").await;
    browser.click_and_wait_for_page(resume).await;
    assert_eq!(
        browser.text_of("#resumed-record").await,
        seed::RECORD_IN_PROGRESS
    );

    // A text without its placeholder: named once, the built-in text kept; the file's other
    // texts still apply.
    browser.console().await;
    browser.goto(&server.url("/e2e/wording-placeholder")).await;
    browser
        .card_when("#card", "the study's copy label", |c| {
            c.copy.as_deref() == Some(STUDY_COPY_ES)
        })
        .await;
    let log = log_once_naming(&browser, "try_again_in").await;
    assert_eq!(
        warnings(&log).len(),
        1,
        "one warning, for try_again_in, none for the valid copy text: {log:#?}"
    );
    assert_eq!(
        browser.label_of("#card", "resume").await,
        Some(text(Lang::Es, Msg::Resume)),
        "no study text for resume: the built-in Spanish"
    );
}
