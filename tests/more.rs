//! The survey queue link and "Continue on another device" (`queue`, `qr`): the card's markup
//! from the wasm, filled by the module the loader imports for such a card only.

mod common;
use common::loader::*;
use common::*;

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const QUEUE: &str =
    r#"{"key":"baseline","queue_link":"https://redcap.example.edu/surveys/?sq=QueueHash1"}"#;

/// An SVG like the server's (squares only); the test reads it back from the image.
const SVG: &str =
    r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29"><path d="M4 4h7v7H4z"/></svg>"#;

fn hidden(el: &web_sys::Element) -> bool {
    el.has_attribute("hidden")
}

#[wasm_bindgen_test]
async fn the_queue_link_shows_once_the_server_gives_it() {
    route("/queue/api/surveys/baseline", 200, IN_PROGRESS, None);
    route("/queue/api/surveys/baseline/queue", 200, QUEUE, None);
    let el = element(&[
        ("survey", "baseline"),
        ("endpoint", "/queue/api"),
        ("queue", ""),
    ]);
    let root = shadow(&el);
    until("queue link", || find(&root, "[part=queue]").is_some()).await;
    let a = find(&root, "[part=queue]").unwrap();
    assert_eq!(
        a.get_attribute("href").as_deref(),
        Some("https://redcap.example.edu/surveys/?sq=QueueHash1")
    );
    assert_eq!(text(&a), "Open your survey queue");
    let asked = seen("/queue/api/surveys/baseline/queue");
    assert_eq!(asked[0].csrf.as_deref(), Some("1"), "{asked:?}");
    el.remove();
}

#[wasm_bindgen_test]
async fn no_queue_link_when_the_queue_is_off_or_not_asked_for() {
    route("/noqueue/api/surveys/baseline", 200, IN_PROGRESS, None);
    route(
        "/noqueue/api/surveys/baseline/queue",
        409,
        &error_body("resume_not_available"),
        None,
    );
    let el = element(&[
        ("survey", "baseline"),
        ("endpoint", "/noqueue/api"),
        ("queue", ""),
    ]);
    let root = shadow(&el);
    until("ready", || find(&root, "[part=code]").is_some()).await;
    until("asked", || {
        !seen("/noqueue/api/surveys/baseline/queue").is_empty()
    })
    .await;
    sleep(100).await;
    assert!(
        find(&root, "[part=queue]").is_none(),
        "no link without a queue"
    );
    el.remove();

    // Without the attribute: no markup and no request.
    route("/plain/api/surveys/baseline", 200, IN_PROGRESS, None);
    let el = element(&[("survey", "baseline"), ("endpoint", "/plain/api")]);
    let root = shadow(&el);
    until("ready", || find(&root, "[part=code]").is_some()).await;
    assert!(find(&root, "[part=queue]").is_none() && find(&root, "[part=qr]").is_none());
    assert!(seen("/plain/api/surveys/baseline/").is_empty());
    el.remove();
}

#[wasm_bindgen_test]
async fn the_qr_code_is_fetched_when_asked_for_and_shown_beside_the_code() {
    route("/qr/api/surveys/baseline", 200, IN_PROGRESS, None);
    route("/qr/api/surveys/baseline/qr.svg", 200, SVG, None);
    let el = element(&[("survey", "baseline"), ("endpoint", "/qr/api"), ("qr", "")]);
    let root = shadow(&el);
    until("ready", || find(&root, "[part=qr]").is_some()).await;
    let button = find(&root, "[part=qr]").unwrap();
    let panel = find(&root, "[part=qr-panel]").unwrap();
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert!(hidden(&panel));
    sleep(50).await;
    assert!(
        seen("/qr.svg").is_empty(),
        "nothing fetched before it is asked for"
    );

    click(&button);
    until("qr image", || {
        find(&root, "[part=qr-image]")
            .and_then(|img| img.get_attribute("src"))
            .is_some()
    })
    .await;
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    assert!(!hidden(&panel));
    let src = find(&root, "[part=qr-image]")
        .unwrap()
        .get_attribute("src")
        .unwrap();
    let b64 = src.strip_prefix("data:image/svg+xml;base64,").expect(&src);
    assert_eq!(window().atob(b64).unwrap(), SVG);
    // The code to type is beside it, left to right.
    let code = find(&panel, "code").unwrap();
    assert_eq!(text(&code), "KX7HD3LW");
    assert_eq!(code.get_attribute("dir").as_deref(), Some("ltr"));

    // Pressed again: hidden, not fetched again when reopened.
    click(&button);
    assert!(hidden(&panel));
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    click(&button);
    assert!(!hidden(&panel));
    assert_eq!(seen("/qr/api/surveys/baseline/qr.svg").len(), 1);
    el.remove();
}

#[wasm_bindgen_test]
async fn a_qr_code_that_cannot_be_had_says_what_to_do() {
    route("/qrfail/api/surveys/baseline", 200, IN_PROGRESS, None);
    route(
        "/qrfail/api/surveys/baseline/qr.svg",
        503,
        &error_body("upstream_unavailable"),
        None,
    );
    let el = element(&[
        ("survey", "baseline"),
        ("endpoint", "/qrfail/api"),
        ("qr", ""),
    ]);
    let root = shadow(&el);
    until("ready", || find(&root, "[part=qr]").is_some()).await;
    click(&find(&root, "[part=qr]").unwrap());
    until("failure shown", || {
        find(&root, "[data-more=failed]").is_some_and(|p| !hidden(&p))
    })
    .await;
    assert!(text(&root).contains("The QR code could not be loaded"));
    el.remove();
}

#[wasm_bindgen_test]
async fn queue_and_qr_are_properties_too() {
    route("/qprop/api/surveys/baseline", 200, IN_PROGRESS, None);
    route("/qprop/api/surveys/baseline/queue", 200, QUEUE, None);
    let el = element(&[("survey", "baseline"), ("endpoint", "/qprop/api")]);
    let root = shadow(&el);
    until("ready", || find(&root, "[part=code]").is_some()).await;
    let js: &wasm_bindgen::JsValue = el.as_ref();
    for (prop, attr, part) in [
        ("queue", "queue", "[part=queue]"),
        ("qr", "qr", "[part=qr]"),
    ] {
        assert_eq!(js_sys::Reflect::get(js, &prop.into()).unwrap(), false);
        js_sys::Reflect::set(js, &prop.into(), &true.into()).unwrap();
        assert!(el.has_attribute(attr));
        until(part, || find(&root, part).is_some()).await;
    }
    for prop in ["queue", "qr"] {
        js_sys::Reflect::set(js, &prop.into(), &false.into()).unwrap();
    }
    until("both gone", || {
        find(&root, "[part=queue]").is_none() && find(&root, "[part=qr]").is_none()
    })
    .await;
    el.remove();
}
