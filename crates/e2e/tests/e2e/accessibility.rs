//! Case 5: axe-core finds nothing on the demo page (its checks descend into the cards' open
//! shadow roots) with the cards ready, completed, in error, and signed out.

use redcap_resume_e2e::browser::Browser;
use redcap_resume_e2e::i18n::{error_message, text, Lang, Msg};
use redcap_resume_e2e::server::Server;

const CARDS: [&str; 5] = [
    "#card-baseline",
    "#card-month3",
    "#card-diary",
    "#card-consent",
    "#card-list",
];

async fn all_settled(browser: &Browser) {
    for card in CARDS {
        browser.settled_card(card).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_no_violations_in_any_state() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    let mut found = Vec::new();

    // Ready (baseline, month 3, diary, the list) and an error (consent).
    browser.sign_in(&server, "1001").await;
    all_settled(&browser).await;
    let baseline = browser.settled_card("#card-baseline").await;
    assert!(baseline.code.is_some(), "ready: {baseline:?}");
    let consent = browser.settled_card("#card-consent").await;
    assert_eq!(
        consent.error,
        Some(error_message(Lang::En, "resume_not_available")),
        "error: {consent:?}"
    );
    browser.screenshot("page-ready-and-error").await;
    found.extend(browser.axe_in("ready/error").await);

    // Completed.
    browser.sign_in(&server, "1002").await;
    all_settled(&browser).await;
    let completed = browser.settled_card("#card-baseline").await;
    assert_eq!(
        completed.status,
        Some(text(Lang::En, Msg::Completed)),
        "completed: {completed:?}"
    );
    browser
        .screenshot_of("#card-baseline", "completed-baseline")
        .await;
    found.extend(browser.axe_in("completed").await);

    // Signed out.
    browser.sign_out(&server).await;
    all_settled(&browser).await;
    let signed_out = browser.settled_card("#card-baseline").await;
    assert_eq!(
        signed_out.error,
        Some(error_message(Lang::En, "not_signed_in")),
        "signed out: {signed_out:?}"
    );
    browser.screenshot_of("#card-baseline", "signed-out").await;
    found.extend(browser.axe_in("signed out").await);

    assert!(found.is_empty(), "axe violations:\n{}", found.join("\n"));

    // The check can fail, inside a shadow root too: a button without a name is reported.
    browser
        .js("document.querySelector('#card-baseline').shadowRoot.append(document.createElement('button'));", vec![])
        .await;
    let planted = browser.axe().await;
    assert!(
        planted.iter().any(|v| v.starts_with("button-name")),
        "axe missed a nameless button in the shadow root: {planted:?}"
    );
}
