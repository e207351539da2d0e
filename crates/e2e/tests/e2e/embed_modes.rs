//! Issue 16: the embedding modes in a real browser, with the HTML `redcap-resume snippet`
//! prints used verbatim. Pages the demo server does not have are added beside it on the same
//! origin: a page with placeholders and the site-wide autoload script (one placeholder in the
//! HTML, one inserted after load), and a page whose CSP lacks `'wasm-unsafe-eval'` (the plain
//! card, with a working Resume link; in Spanish inside a `lang="es"` section).

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use redcap_resume::demo::Demo;
use redcap_resume::embed::snippet::{snippet, Mode};
use redcap_resume_e2e::browser::Browser;
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

/// The demo server plus `/e2e/placeholder` and `/e2e/no-wasm`, built from the snippets.
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
            "/e2e/no-wasm-es",
            get(move || {
                let body = format!("<div lang=\"es\">{module}</div>");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plain_card_speaks_the_language_of_its_place_in_the_page() {
    let site = start().await;
    let browser = Browser::start().await;
    open_signed_in(&browser, &site, "/e2e/no-wasm-es").await;
    let card = browser
        .card_when("redcap-resume", "the plain card's code", |c| {
            c.code.is_some()
        })
        .await;
    assert_eq!(card.lang.as_deref(), Some("es"), "{card:?}");
    assert_eq!(card.status.as_deref(), Some("En curso"), "{card:?}");
    assert_eq!(
        card.resume.as_deref(),
        Some("Continuar encuesta (introduzca allí el código)"),
        "{card:?}"
    );
    let label = browser
        .js(
            "return document.querySelector('redcap-resume').shadowRoot.querySelector('.code .label').textContent;",
            vec![],
        )
        .await;
    assert_eq!(label, json!("Su código de retorno"));
}
