//! Issue 13, continue on another device: a card with the `qr` attribute has a button that
//! shows the QR code of the survey's return page with the return code beside it. The image is
//! fetched only when asked for; read back like a phone would (the SVG drawn into a bitmap, then
//! a QR reader), it is exactly the card's "Or open this link" address. By keyboard alone: Tab
//! reaches the button, Enter opens the panel, Tab on and Shift+Tab back return to the button,
//! Enter closes it, Space opens it again.

use std::time::Duration;

use fantoccini::key::Key;
use redcap_resume_e2e::browser::{Browser, Focus};
use redcap_resume_e2e::i18n::{text, Lang, Msg};
use redcap_resume_e2e::server::Server;
use redcap_resume_e2e::{eventually, qr};
use redcap_sim::seed;
use serde_json::json;

const CARD: &str = "#card";
/// More than the page has focusable elements before the QR button.
const MAX_TABS: usize = 15;

/// How many requests for `…/qr.svg` the page has made.
async fn qr_requests(browser: &Browser) -> usize {
    let v = browser
        .js(
            "return performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.endsWith('/qr.svg')).length;",
            vec![],
        )
        .await;
    v.as_u64().expect("a count") as usize
}

fn on_qr_button(focus: &Option<Focus>) -> bool {
    focus
        .as_ref()
        .is_some_and(|f| f.hosts == ["card"] && f.part.as_deref() == Some("qr"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_qr_code_reads_as_the_return_page_and_works_by_keyboard() {
    let server = Server::start().await;
    server.serve_page(
        "/e2e/qr",
        Some("en"),
        "<redcap-resume id=\"card\" survey=\"baseline\" qr></redcap-resume>",
    );
    let browser = Browser::start().await;
    browser
        .open_with_ticket(
            &server,
            "/e2e/blank",
            &server
                .demo
                .ticket(seed::RECORD_IN_PROGRESS, Duration::from_secs(600)),
        )
        .await;
    browser.goto(&server.url("/e2e/qr")).await;
    let card = browser
        .card_when(CARD, "a return code", |c| c.code.is_some())
        .await;
    let code = card.code.clone().expect("a code");
    let return_page = browser
        .js(
            "return document.querySelector(arguments[0]).shadowRoot.querySelector('[part~=\"link\"]').getAttribute('href');",
            vec![json!(CARD)],
        )
        .await
        .as_str()
        .expect("the card's link has an href")
        .to_owned();
    assert!(return_page.contains("__return=1"), "{return_page}");

    // Closed, and nothing fetched yet.
    let closed = browser.more_now(CARD).await;
    assert_eq!(
        closed.qr.as_deref(),
        Some(text(Lang::En, Msg::Qr).as_str()),
        "{closed:?}"
    );
    assert_eq!(closed.qr.as_deref(), Some("Continue on another device"));
    assert_eq!(closed.qr_expanded.as_deref(), Some("false"), "{closed:?}");
    assert!(!closed.panel_visible, "{closed:?}");
    assert_eq!(
        qr_requests(&browser).await,
        0,
        "the image waits to be asked for"
    );

    // Pressed: the image and the code.
    let open = browser.open_qr_panel(CARD).await;
    let src = open.image_src.clone().expect("the image has a src");
    assert!(
        src.starts_with(qr::SVG_DATA_URL),
        "{}",
        &src[..src.len().min(60)]
    );
    let decoded = qr::read_data_url(&src).unwrap_or_else(|e| panic!("reading the QR code: {e}"));
    assert_eq!(
        decoded, return_page,
        "the QR code is the card's return-page link"
    );
    assert_eq!(open.panel_code.as_deref(), Some(code.as_str()), "{open:?}");
    assert_eq!(open.panel_code_dir.as_deref(), Some("ltr"));
    assert_eq!(
        open.image_alt.as_deref(),
        Some(text(Lang::En, Msg::QrAlt).as_str())
    );
    assert!(
        !qr::svg_of_data_url(&src).unwrap().contains(&code),
        "the image carries the link, not the code"
    );
    browser.screenshot_of(CARD, "qr-panel").await;

    // Pressed again: hidden.
    browser
        .part(CARD, "qr")
        .await
        .click()
        .await
        .expect("click the QR button again");
    browser
        .more_when(CARD, "the QR panel closed", |m| {
            m.qr_expanded.as_deref() == Some("false") && !m.panel_visible
        })
        .await;

    // By keyboard, on a fresh page.
    browser.goto(&server.url("/e2e/qr")).await;
    browser
        .card_when(CARD, "a return code", |c| c.code.is_some())
        .await;
    let mut path = Vec::new();
    loop {
        assert!(
            path.len() < MAX_TABS,
            "{MAX_TABS} Tabs never reached the QR button; focus went: {path:#?}"
        );
        browser.press(Key::Tab).await;
        let focus = browser.focus().await;
        path.push(focus.clone());
        if on_qr_button(&focus) {
            assert!(
                focus.as_ref().is_some_and(|f| f.focus_visible),
                "the focus ring shows: {focus:?}"
            );
            break;
        }
    }
    browser.press(Key::Enter).await;
    let open = browser
        .more_when(CARD, "Enter opens the QR panel", |m| {
            m.qr_expanded.as_deref() == Some("true") && m.panel_visible && m.image_loaded
        })
        .await;
    assert_eq!(
        qr::read_data_url(open.image_src.as_deref().unwrap_or_default()).as_deref(),
        Ok(return_page.as_str())
    );
    assert!(
        on_qr_button(&browser.focus().await),
        "focus stays on the button"
    );
    browser.screenshot("keyboard-qr-open").await;

    // On past the panel, and back.
    browser.press(Key::Tab).await;
    let next = browser.focus().await;
    assert!(!on_qr_button(&next), "Tab moves on: {next:?}");
    browser.press_with(Key::Shift, Key::Tab).await;
    let back = browser.focus().await;
    assert!(
        on_qr_button(&back),
        "Shift+Tab comes back to the QR button: {back:?} (from {next:?})"
    );

    browser.press(Key::Enter).await;
    browser
        .more_when(CARD, "Enter closes the QR panel", |m| {
            m.qr_expanded.as_deref() == Some("false") && !m.panel_visible
        })
        .await;
    assert!(
        on_qr_button(&browser.focus().await),
        "focus stays on the button"
    );

    browser.press(Key::Space).await;
    browser
        .more_when(CARD, "Space opens the QR panel", |m| {
            m.qr_expanded.as_deref() == Some("true") && m.panel_visible
        })
        .await;
    let fetched = eventually("the image fetched once", async || {
        match qr_requests(&browser).await {
            0 => Err("none".to_owned()),
            n => Ok(n),
        }
    })
    .await;
    assert_eq!(fetched, 1, "opened twice on this page, fetched once");
}
