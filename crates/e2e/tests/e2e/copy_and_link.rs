//! Case 2: copying says "Copied" once (the button keeps its label); the fallback link opens REDCap's "Returning?" page,
//! where the code shown on the card lets the participant back in.

use redcap_resume_e2e::browser::Browser;
use redcap_resume_e2e::i18n::{text, Lang, Msg};
use redcap_resume_e2e::server::Server;
use redcap_sim::RETURN_PROMPT;

const CARD: &str = "#card-baseline";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_says_copied_and_the_link_opens_the_returning_page() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    browser.sign_in(&server, "1001").await;
    let card = browser
        .card_when(CARD, "a return code", |c| c.code.is_some())
        .await;
    let code = card.code.expect("a code");
    assert_eq!(
        card.copy.as_deref(),
        Some(text(Lang::En, Msg::Copy).as_str())
    );

    browser
        .part(CARD, "copy")
        .await
        .click()
        .await
        .expect("click copy");
    let (copy, copied) = (text(Lang::En, Msg::Copy), text(Lang::En, Msg::Copied));
    browser
        .card_when(
            CARD,
            "\"Copied\" in the status, the button unchanged",
            |c| c.copy.as_deref() == Some(&copy) && c.copied.as_deref() == Some(&copied),
        )
        .await;
    browser.screenshot_of(CARD, "copied").await;

    let link = browser.part(CARD, "link").await;
    assert_eq!(
        link.text().await.expect("link text"),
        text(Lang::En, Msg::OrLink)
    );
    browser.click_and_wait_for_page(link).await;
    assert!(
        browser.url().await.contains("__return=1"),
        "the return page: {}",
        browser.url().await
    );
    assert_eq!(browser.text_of("h2").await, "Returning?");
    assert_eq!(browser.text_of("#return-prompt").await, RETURN_PROMPT);
    browser.screenshot("returning-page").await;

    // The code from the card works there.
    let field = browser
        .client
        .find(fantoccini::Locator::Id("return-code"))
        .await
        .expect("the code field");
    field.send_keys(&code).await.expect("type the code");
    let submit = browser
        .client
        .find(fantoccini::Locator::Id("return-submit"))
        .await
        .expect("the submit button");
    browser.click_and_wait_for_page(submit).await;
    assert_eq!(browser.text_of("#resumed-record").await, "1001");
}
