//! Issue 16: the hosted page inside frames, in a real browser. Chromium resolves every
//! `*.example.test` host to 127.0.0.1 (`browser::TEST_SITE`), so one server on one port is
//! `www.example.test:PORT` (the study's CMS page, listed in `[embed] frame_ancestors`),
//! `unlisted.example.test:PORT` (a page that is not) and `resume.example.test:PORT` (this
//! server): three origins of one site; and `www.elsewhere.test:PORT`, listed too, another
//! site. The framing page's body is the `snippet --mode iframe` output verbatim. The participant's ticket is a `SameSite=Lax` cookie on the server's host,
//! as a portal of the same site sets it: the demo's `redcap_resume_ticket`, not the `__Host-`
//! default (which needs `Secure`).
//!
//! A deployment is on https, where Chromium sends the Fetch Metadata the API requires
//! (`Sec-Fetch-Site`); over plain http it sends it only to secure origins (loopback
//! addresses), so the browser is told to treat these three origins as secure
//! (`--unsafely-treat-insecure-origin-as-secure`), as their https versions would be.

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use cookie::SameSite;
use redcap_resume::app::AppState;
use redcap_resume::config::FrameAncestor;
use redcap_resume::demo::Demo;
use redcap_resume::embed::snippet::{snippet, Mode};
use redcap_resume_e2e::browser::{Browser, OTHER_SITE, TEST_SITE};
use redcap_resume_e2e::{eventually, paths};
use redcap_sim::seed::{self, DEMO_PROJECT};
use redcap_sim::{FormState, ResponseKey};
use serde_json::json;

struct Site {
    demo: Demo,
    port: u16,
}

impl Site {
    /// A browser that treats the site's test origins as secure (see above).
    async fn browser(&self) -> Browser {
        let origins = ["www", "unlisted", "resume"].map(|host| self.url(host, ""));
        Browser::start_with(&[format!(
            "--unsafely-treat-insecure-origin-as-secure={},{}",
            origins.join(","),
            self.elsewhere("")
        )])
        .await
    }

    /// `http://{host}.example.test:PORT{path}`.
    fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}.{TEST_SITE}:{}{path}", self.port)
    }

    /// `http://www.elsewhere.test:PORT{path}`: a page of another site.
    fn elsewhere(&self, path: &str) -> String {
        format!("http://www.{OTHER_SITE}:{}{path}", self.port)
    }
}

/// The demo server with `www.example.test:PORT` as its one frame ancestor, plus
/// `/e2e/framing`: the iframe snippet, on whatever host it is asked for.
async fn start() -> Site {
    let mut demo = Demo::start(Some(paths::dist_dir()))
        .await
        .expect("the demo starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut config = (*demo.state.config).clone();
    config.embed.frame_ancestors = [TEST_SITE, OTHER_SITE]
        .map(|site| FrameAncestor::parse(&format!("http://www.{site}:{port}")).unwrap())
        .to_vec();
    demo.state = AppState::new(config).expect("the state builds");
    let site = Site { demo, port };
    let iframe = snippet(
        &site.demo.state.config,
        "baseline",
        Mode::Iframe,
        Some(&site.url("resume", "")),
    )
    .expect("the iframe snippet");
    let csp = format!(
        "default-src 'self'; img-src data:; frame-src {}",
        site.url("resume", "")
    );
    let app = site
        .demo
        .router()
        .route(
            "/e2e/framing",
            get(move || {
                let html = format!(
                    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\">\
                     <title>Study news</title></head><body><main><h1>Study news</h1>{iframe}</main></body></html>"
                );
                let csp = csp.clone();
                async move {
                    (
                        [
                            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
                            (header::CONTENT_SECURITY_POLICY, csp),
                        ],
                        html,
                    )
                        .into_response()
                }
            }),
        )
        .into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    site
}

/// The participant signed in on the server's host (`SameSite=Lax`), then the framing page at
/// `page` opened with the frame as the context.
async fn framed_on(browser: &Browser, site: &Site, page: &str) {
    browser
        .goto(&site.url("resume", "/redcap-resume/embed?survey=baseline"))
        .await;
    let ticket = site
        .demo
        .ticket(seed::RECORD_IN_PROGRESS, Duration::from_secs(600));
    browser.set_ticket_cookie_with(&ticket, SameSite::Lax).await;
    browser.console().await;
    browser.goto(page).await;
    browser.enter_iframe().await;
}

fn saved() -> ResponseKey {
    ResponseKey::classic(seed::RECORD_IN_PROGRESS, seed::BASELINE)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listed_page_of_the_same_site_frames_the_card_with_the_participants_code() {
    let site = start().await;
    let browser = site.browser().await;
    framed_on(&browser, &site, &site.url("www", "/e2e/framing")).await;
    let card = browser
        .card_when("redcap-resume", "a return code", |c| c.code.is_some())
        .await;
    assert_eq!(card.title.as_deref(), Some(seed::BASELINE_TITLE));
    assert_eq!(
        card.code,
        site.demo.sim.return_code(DEMO_PROJECT, &saved()),
        "the participant's own code, from the ticket cookie the frame was sent"
    );
    // The card is in the frame, on the server's origin; the page around it on the CMS's.
    let origin = browser.js("return location.origin;", vec![]).await;
    assert_eq!(origin, json!(site.url("resume", "")));
    browser.leave_frames().await;
    assert_eq!(browser.url().await, site.url("www", "/e2e/framing"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlisted_origin_cannot_frame_the_hosted_page() {
    let site = start().await;
    let browser = site.browser().await;
    framed_on(&browser, &site, &site.url("unlisted", "/e2e/framing")).await;
    // What the frame holds is the browser's error page, never the card.
    let seen = eventually("the frame to be refused", async || {
        let seen = browser
            .js(
                "return { href: location.href, ready: document.readyState, card: !!document.querySelector('redcap-resume') };",
                vec![],
            )
            .await;
        match seen["href"].as_str() {
            Some(href) if href.starts_with("chrome-error:") && seen["ready"] == "complete" => {
                Ok(seen)
            }
            _ => Err(seen.to_string()),
        }
    })
    .await;
    assert_eq!(seen["card"], json!(false), "{seen}");
    browser.leave_frames().await;
    let log = browser.console().await;
    let refusal = format!(
        "Framing '{}/' violates the following Content Security Policy directive: \"frame-ancestors 'self' {} {}\"",
        site.url("resume", ""),
        site.url("www", ""),
        site.elsewhere("")
    );
    assert!(
        log.iter().any(|e| e.message.contains(&refusal)),
        "the console says the hosted page's frame-ancestors refused it: {log:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_in_the_frame_takes_the_top_window_to_redcap() {
    let site = start().await;
    let browser = site.browser().await;
    let Some(FormState::Partial { page }) = site.demo.sim.form_state(DEMO_PROJECT, &saved()) else {
        panic!("the seed has no partial response for {:?}", saved());
    };
    framed_on(&browser, &site, &site.url("www", "/e2e/framing")).await;
    browser
        .card_when("redcap-resume", "a return code", |c| c.code.is_some())
        .await;
    let resume = browser.part("redcap-resume", "resume").await;
    resume.click().await.expect("click Resume");
    // The top window leaves the CMS page for REDCap: REDCap is never shown inside the frame.
    let sim = site.demo.sim.base_url().to_string();
    eventually("the top window on REDCap", async || {
        let top = browser.url().await;
        match top.starts_with(&sim) {
            true => Ok(()),
            false => Err(top),
        }
    })
    .await;
    browser.leave_frames().await;
    assert_eq!(
        browser.text_of("#resumed-record").await,
        seed::RECORD_IN_PROGRESS
    );
    assert_eq!(browser.text_of("#resumed-instrument").await, seed::BASELINE);
    assert_eq!(
        browser.text_of("#resumed-page").await,
        page.to_string(),
        "back on the saved page"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_site_frame_gets_no_ticket_and_the_same_page_at_the_top_level_does() {
    let site = start().await;
    let browser = site.browser().await;
    framed_on(&browser, &site, &site.elsewhere("/e2e/framing")).await;
    // Framed by another site: the browser sends the SameSite=Lax ticket cookie nowhere in the
    // frame, so the server cannot tell who asks and the card has no code.
    let card = browser.settled_card("redcap-resume").await;
    assert_eq!(card.code, None, "{card:?}");
    let status = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             fetch('/redcap-resume/api/surveys/baseline', { headers: { 'X-CSRF': '1' }, credentials: 'same-origin' }) \
               .then(r => r.json()).then(j => done(j.error && j.error.code), e => done(String(e)));",
            vec![],
        )
        .await
        .expect("the frame's request");
    assert_eq!(status, json!("not_signed_in"));
    // Never a dead end: the signed-out card says why and offers itself in a new tab (the
    // hosted page fills the card's `signed-out` slot when the browser says it is framed).
    let offer = browser
        .js(
            "const slot = document.querySelector('redcap-resume').shadowRoot \
               .querySelector('slot[name=signed-out]'); \
             const a = slot && slot.assignedElements()[0]?.querySelector('a'); \
             return a && { text: a.textContent, href: a.href, target: a.target, \
               shown: a.getClientRects().length > 0, says: a.parentElement.textContent };",
            vec![],
        )
        .await;
    assert_eq!(offer["text"], json!("Open it in a new tab"), "{offer}");
    assert_eq!(
        offer["href"],
        json!(site.url("resume", "/redcap-resume/embed?survey=baseline"))
    );
    assert_eq!(offer["target"], json!("_blank"));
    assert_eq!(offer["shown"], json!(true), "{offer}");
    assert!(
        offer["says"]
            .as_str()
            .is_some_and(|s| s.starts_with("Your sign-in does not reach this card")),
        "{offer}"
    );
    // The same page opened at the top level (the link mode, and the frame's way out) has it.
    browser.leave_frames().await;
    browser
        .goto(&site.url("resume", "/redcap-resume/embed?survey=baseline"))
        .await;
    let card = browser
        .card_when("redcap-resume", "a return code", |c| c.code.is_some())
        .await;
    assert_eq!(card.code, site.demo.sim.return_code(DEMO_PROJECT, &saved()));
    let slotted = browser
        .js(
            "return document.querySelectorAll('redcap-resume [slot]').length;",
            vec![],
        )
        .await;
    assert_eq!(
        slotted,
        json!(0),
        "at the top level the page adds nothing to the card"
    );
}
