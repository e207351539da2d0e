//! Issue 16: the embedding modes in a real browser, with the HTML `redcap-resume snippet`
//! prints used verbatim. Pages the demo server does not have are added beside it on the same
//! origin: a page with placeholders and the site-wide autoload script (one placeholder in the
//! HTML, one inserted after load), and a page whose CSP lacks `'wasm-unsafe-eval'` (the plain
//! card, with a working Resume link; in each of the card's eleven languages inside a `lang`
//! section, with the full card's texts and Arabic right to left).

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::Path;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use redcap_resume::demo::Demo;
use redcap_resume::embed::snippet::{snippet, Mode};
use redcap_resume_e2e::browser::Browser;
use redcap_resume_e2e::i18n::{text, Lang, Msg, ALL};
use redcap_resume_e2e::paths;
use serde_json::json;

/// The strict policy without `'wasm-unsafe-eval'`: WebAssembly cannot compile on this page.
const NO_WASM_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'";

struct Site {
    demo: Demo,
    addr: SocketAddr,
}

impl Site {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn snippet(&self, survey: &str, mode: Mode) -> String {
        snippet(&self.demo.state.config, survey, mode, Some(&self.url(""))).expect("a snippet")
    }
}

fn page(csp: &'static str, head: &str, body: &str) -> axum::response::Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\">\
         <title>e2e</title>{head}</head><body><main>{body}</main></body></html>"
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, csp),
        ],
        html,
    )
        .into_response()
}

/// The demo server plus `/e2e/placeholder`, `/e2e/no-wasm` and `/e2e/no-wasm-in/{lang}` (the
/// module snippet inside `<div lang="{lang}">`), built from the snippets.
async fn start() -> Site {
    let demo = Demo::start(Some(paths::dist_dir()))
        .await
        .expect("the demo starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let site = Site { demo, addr };
    let placeholder = site.snippet("baseline", Mode::Placeholder);
    let (script, div) = placeholder
        .split_once("<!-- on the study page -->\n")
        .expect("the placeholder snippet has its two parts");
    let (script, div) = (script.to_owned(), div.to_owned());
    let module = site.snippet("baseline", Mode::Module);
    let app = site
        .demo
        .router()
        .route(
            "/e2e/placeholder",
            get(move || {
                let (script, div) = (script.clone(), div.clone());
                async move { page(redcap_resume::app::STRICT_CSP, &script, &div) }
            }),
        )
        .route(
            "/e2e/no-wasm",
            get({
                let module = module.clone();
                move || {
                    let module = module.clone();
                    async move { page(NO_WASM_CSP, "", &module) }
                }
            }),
        )
        .route(
            "/e2e/no-wasm-hide-code",
            get({
                let body = module.replacen("<redcap-resume ", "<redcap-resume hide-code ", 1);
                assert_ne!(body, module, "the module snippet has the element");
                move || {
                    let body = body.clone();
                    async move { page(NO_WASM_CSP, "", &body) }
                }
            }),
        )
        .route(
            "/e2e/no-wasm-in/{lang}",
            get(move |Path(lang): Path<String>| {
                assert!(lang.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
                let body = format!("<div lang=\"{lang}\">{module}</div>");
                async move { page(NO_WASM_CSP, "", &body) }
            }),
        )
        .into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    site
}

async fn open_signed_in(browser: &Browser, site: &Site, path: &str) {
    browser.goto(&site.url(path)).await;
    browser
        .set_ticket_cookie(&site.demo.ticket("1001", Duration::from_secs(600)))
        .await;
    browser.console().await;
    browser.goto(&site.url(path)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn placeholders_in_the_page_and_inserted_later_become_working_cards() {
    let site = start().await;
    let browser = Browser::start().await;
    open_signed_in(&browser, &site, "/e2e/placeholder").await;
    let card = browser
        .card_when(
            "[data-survey=baseline] redcap-resume",
            "a return code",
            |c| c.code.is_some(),
        )
        .await;
    assert_eq!(card.title.as_deref(), Some("Baseline questionnaire"));

    // One inserted after load, from the snippet for another survey.
    let later = site.snippet("month3", Mode::Placeholder);
    let div = later.split_once("<!-- on the study page -->\n").unwrap().1;
    browser
        .js(
            "document.querySelector('main').insertAdjacentHTML('beforeend', arguments[0]);",
            vec![json!(div)],
        )
        .await;
    let card = browser
        .card_when("[data-survey=month3] redcap-resume", "a return code", |c| {
            c.code.is_some()
        })
        .await;
    assert!(card.code.is_some_and(|c| c.len() == 8));
    // Only the element's own data-* became attributes; the placeholder is marked done.
    let marks = browser
        .js(
            "return [...document.querySelectorAll('[data-redcap-resume]')].map(d => d.dataset.redcapResume);",
            vec![],
        )
        .await;
    assert_eq!(marks, json!(["ready", "ready"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_wasm_unsafe_eval_the_plain_card_shows_the_code_and_resume_works() {
    let site = start().await;
    let browser = Browser::start().await;
    open_signed_in(&browser, &site, "/e2e/no-wasm").await;
    let card = browser
        .card_when("redcap-resume", "the plain card's code", |c| {
            c.code.is_some()
        })
        .await;
    assert_eq!(card.title.as_deref(), Some("Baseline questionnaire"));
    let log = browser.console().await;
    assert!(
        log.iter().any(|e| e.message.contains("'wasm-unsafe-eval'")
            && e.message.contains("snippet --mode iframe")),
        "the console names the directive and the mode that works: {log:#?}"
    );
    let resume = browser.part("redcap-resume", "resume").await;
    browser.click_and_wait_for_page(resume).await;
    let url = browser.url().await;
    assert!(url.starts_with(site.demo.sim.base_url().as_str()), "{url}");
    assert!(url.contains("__return=1"), "{url}");
}

/// `hide-code` asks to keep the code out of sight, but the plain card cannot submit it to
/// REDCap: its Resume link leads to the page where the code is typed, so the code shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plain_card_shows_the_code_even_with_hide_code() {
    let site = start().await;
    let browser = Browser::start().await;
    open_signed_in(&browser, &site, "/e2e/no-wasm-hide-code").await;
    let card = browser
        .card_when("redcap-resume", "the plain card's code", |c| {
            c.code.is_some()
        })
        .await;
    assert_eq!(card.code.as_deref().map(str::len), Some(8), "{card:?}");
    let hidden = browser
        .js(
            "return document.querySelector('redcap-resume').hasAttribute('hide-code');",
            vec![],
        )
        .await;
    assert_eq!(hidden, json!(true));
}

/// What the plain card says in `lang` (one survey in progress, with its code), against the
/// widget's language files; the differences. Its own hint after "Resume survey" is returned.
async fn plain_wording(
    browser: &Browser,
    place: &str,
    lang: Lang,
    wrong: &mut Vec<String>,
) -> String {
    let card = browser
        .card_when("redcap-resume", "the plain card's code", |c| {
            c.code.is_some()
        })
        .await;
    let tag = lang.tag();
    let dir = if lang == Lang::Ar { "rtl" } else { "ltr" };
    let seen = browser
        .js(
            "const root = document.querySelector('redcap-resume').shadowRoot;\
             return [root.querySelector('.code .label').textContent, root.querySelector('[part=code]').getAttribute('dir')];",
            vec![],
        )
        .await;
    for (what, seen, want) in [
        ("lang", card.lang.clone(), tag.to_owned()),
        ("dir", card.dir.clone(), dir.to_owned()),
        ("status", card.status.clone(), text(lang, Msg::InProgress)),
        (
            "code label",
            seen[0].as_str().map(str::to_owned),
            text(lang, Msg::CodeLabel),
        ),
        (
            "code dir",
            seen[1].as_str().map(str::to_owned),
            "ltr".to_owned(),
        ),
    ] {
        if seen.as_deref() != Some(want.as_str()) {
            wrong.push(format!("{place}: {what} is {seen:?}, not {want:?}"));
        }
    }
    let resume = card.resume.unwrap_or_default();
    match resume.strip_prefix(&text(lang, Msg::Resume)) {
        Some(hint) if !hint.trim().is_empty() => hint.to_owned(),
        _ => {
            wrong.push(format!("{place}: the resume link says {resume:?}"));
            String::new()
        }
    }
}

/// Each language of the card, and region tags falling back to theirs (`pt-BR` → pt, `zh-CN`
/// → zh-Hans), on the closest `[lang]`: the plain card speaks it with the full card's texts
/// (its `i18n/{tag}.json`), its own hint after "Resume survey" too, right to left in Arabic
/// with the code left to right. Then signed out: the link to the hosted page, in Arabic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plain_card_speaks_the_language_of_its_place_in_the_page() {
    let site = start().await;
    let browser = Browser::start().await;
    open_signed_in(&browser, &site, "/e2e/no-wasm").await;
    let places = ALL.iter().map(|l| (l.tag(), *l)).chain([
        ("pt-BR", Lang::Pt),
        ("zh-CN", Lang::ZhHans),
        ("es-MX", Lang::Es),
    ]);
    let mut wrong = Vec::new();
    let mut hints: Vec<(Lang, String)> = Vec::new();
    for (place, lang) in places {
        browser
            .goto(&site.url(&format!("/e2e/no-wasm-in/{place}")))
            .await;
        let hint = plain_wording(&browser, place, lang, &mut wrong).await;
        if hints.iter().any(|(l, h)| *l != lang && *h == hint) {
            wrong.push(format!("{place}: the hint {hint:?} is another language's"));
        }
        hints.push((lang, hint));
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    let spanish = hints.iter().find(|(l, _)| *l == Lang::Es).unwrap();
    assert_eq!(spanish.1, " (introduzca allí el código)");
    drop(browser);

    // Signed out: no answer to show, so the hosted page, in the place's language.
    let browser = Browser::start().await;
    browser.goto(&site.url("/e2e/no-wasm-in/ar")).await;
    let card = browser
        .card_when("redcap-resume", "the plain card's link", |c| {
            c.link.is_some()
        })
        .await;
    assert_eq!(card.lang.as_deref(), Some("ar"), "{card:?}");
    assert_eq!(card.dir.as_deref(), Some("rtl"), "{card:?}");
    assert_eq!(card.link.as_deref(), Some("فتح بطاقة استبيانك"), "{card:?}");
    let href = browser
        .js(
            "return document.querySelector('redcap-resume').shadowRoot.querySelector('[part=link]').href;",
            vec![],
        )
        .await;
    let href = href.as_str().unwrap_or_default();
    assert!(
        href.ends_with("/redcap-resume/embed?survey=baseline&lang=ar"),
        "{href}"
    );
}
