//! Issue 13, languages: each of the eleven built-in languages on a page that states it
//! (`<html lang>`): the card speaks it (texts from its `i18n/{tag}.json`, English built in),
//! with the survey-queue link and "Continue on another device", and axe finds nothing, also
//! with the QR panel open. Then the negotiation: a region tag falls back to its language
//! (`pt-BR` → pt, `zh-CN` → zh-Hans, `es-MX` → es), the element's own `lang` and the closest
//! `[lang]` come before the page's.

use redcap_resume_e2e::browser::{Browser, Card};
use redcap_resume_e2e::i18n::{text, Lang, Msg, ALL};
use redcap_resume_e2e::server::Server;
use redcap_sim::seed;

const CARD: &str = "#card";
/// The card with everything issue 13 adds to a single-survey card.
const ELEMENT: &str = "<redcap-resume id=\"card\" survey=\"baseline\" queue qr></redcap-resume>";

/// Waits until the card is ready in `lang` (its own resume text shown).
async fn ready_in(browser: &Browser, host: &str, lang: Lang) -> Card {
    browser
        .card_speaking(host, lang.tag(), &text(lang, Msg::Resume))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_built_in_language_speaks_its_file_and_axe_finds_nothing() {
    let server = Server::start().await;
    for lang in ALL {
        let tag = lang.tag();
        server.serve_page(&format!("/e2e/lang/{tag}"), Some(tag), ELEMENT);
    }
    let browser = Browser::start().await;
    browser
        .sign_in_on_blank(&server, seed::RECORD_IN_PROGRESS)
        .await;

    let mut wrong = Vec::new();
    let mut violations = Vec::new();
    for lang in ALL {
        let tag = lang.tag();
        browser.goto(&server.url(&format!("/e2e/lang/{tag}"))).await;
        let card = ready_in(&browser, CARD, lang).await;
        wrong.extend(card.differences(lang));
        if lang != Lang::En && text(lang, Msg::Resume) == text(Lang::En, Msg::Resume) {
            wrong.push(format!("{tag}: the resume text is the English one"));
        }

        // The queue link and the QR button, in the language too.
        let more = browser
            .more_when(CARD, "the queue link shown", |m| m.queue_visible)
            .await;
        let (queue, qr) = (text(lang, Msg::Queue), text(lang, Msg::Qr));
        if more.queue_text.as_deref() != Some(queue.as_str()) {
            wrong.push(format!(
                "{tag}: queue link {:?}, not {queue:?}",
                more.queue_text
            ));
        }
        if more.qr.as_deref() != Some(qr.as_str()) {
            wrong.push(format!("{tag}: QR button {:?}, not {qr:?}", more.qr));
        }
        violations.extend(browser.axe_in(&format!("{tag}, ready")).await);

        // The QR panel open.
        let more = browser.open_qr_panel(CARD).await;
        let (help, alt) = (text(lang, Msg::QrHelp), text(lang, Msg::QrAlt));
        if !more
            .panel_text
            .as_deref()
            .is_some_and(|t| t.starts_with(&help))
        {
            wrong.push(format!(
                "{tag}: QR panel says {:?}, not {help:?} first",
                more.panel_text
            ));
        }
        if more.image_alt.as_deref() != Some(alt.as_str()) {
            wrong.push(format!("{tag}: QR alt {:?}, not {alt:?}", more.image_alt));
        }
        violations.extend(browser.axe_in(&format!("{tag}, QR panel open")).await);
    }
    assert!(wrong.is_empty(), "wording:\n{}", wrong.join("\n"));
    assert!(
        violations.is_empty(),
        "axe violations:\n{}",
        violations.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_region_tag_gets_its_language_and_the_closest_lang_comes_first() {
    let server = Server::start().await;
    let card = |lang: &str| {
        format!("<redcap-resume id=\"card\" survey=\"baseline\"{lang}></redcap-resume>")
    };
    // (page, what the page states, the language the card speaks)
    let cases: [(&str, Option<&str>, String, Lang); 7] = [
        ("pt-BR", Some("pt-BR"), card(""), Lang::Pt),
        ("zh-CN", Some("zh-CN"), card(""), Lang::ZhHans),
        ("es-MX", Some("es-MX"), card(""), Lang::Es),
        (
            "ru-RU-section",
            Some("en"),
            format!("<section lang=\"ru-RU\">{}</section>", card("")),
            Lang::Ru,
        ),
        ("element-ko", Some("fr"), card(" lang=\"ko\""), Lang::Ko),
        ("ht-HT", Some("ht-HT"), card(""), Lang::Ht),
        // A language the card does not have: English.
        ("sw", Some("sw"), card(""), Lang::En),
    ];
    for (name, page_lang, body, _) in &cases {
        server.serve_page(&format!("/e2e/region/{name}"), *page_lang, body);
    }
    let browser = Browser::start().await;
    browser
        .sign_in_on_blank(&server, seed::RECORD_IN_PROGRESS)
        .await;
    let mut wrong = Vec::new();
    for (name, _, _, lang) in cases {
        browser
            .goto(&server.url(&format!("/e2e/region/{name}")))
            .await;
        let card = ready_in(&browser, CARD, lang).await;
        wrong.extend(
            card.differences(lang)
                .into_iter()
                .map(|w| format!("{name} → {w}")),
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
