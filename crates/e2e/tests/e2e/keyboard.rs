//! Case 6: keyboard only — Tab reaches "Resume survey" inside the card's shadow root, with a
//! visible focus ring, and Enter resumes.

use fantoccini::key::Key;
use redcap_resume_e2e::browser::Browser;
use redcap_resume_e2e::i18n::{text, Lang, Msg};
use redcap_resume_e2e::server::Server;

/// More than the demo page has focusable elements before the first card.
const MAX_TABS: usize = 30;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tab_reaches_resume_and_enter_resumes() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    browser.sign_in(&server, "1001").await;
    browser
        .card_when("#card-baseline", "a return code", |c| c.code.is_some())
        .await;

    let mut path = Vec::new();
    let focus = loop {
        assert!(
            path.len() < MAX_TABS,
            "{MAX_TABS} Tabs never reached Resume survey; focus went: {path:#?}"
        );
        browser.press(Key::Tab).await;
        let focus = browser.focus().await;
        path.push(focus.clone());
        if let Some(f) =
            focus.filter(|f| f.hosts == ["card-baseline"] && f.part.as_deref() == Some("resume"))
        {
            break f;
        }
    };
    assert!(
        focus.text.starts_with(&text(Lang::En, Msg::Resume)),
        "focused: {focus:?}"
    );
    assert!(focus.focus_visible, "the focus ring shows: {focus:?}");
    browser.screenshot("keyboard-focus-on-resume").await;

    browser.press(Key::Enter).await;
    assert_eq!(browser.text_of("#resumed-record").await, "1001");
}
