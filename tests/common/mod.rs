//! Helpers shared by the browser tests: waiting, reading what the participant reads, and a
//! fake `fetch` for the same-origin API (records every request, answers from a route table).
#![allow(dead_code)]

pub mod loader;

use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Request, Response, ResponseInit};

pub fn window() -> web_sys::Window {
    web_sys::window().unwrap()
}

pub fn document() -> web_sys::Document {
    window().document().unwrap()
}

pub async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

/// Polls `cond` for up to 4 s; panics with `what` when it never holds.
pub async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..200 {
        if cond() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for: {what}");
}

/// The visible text under `node` (for a shadow host: its shadow root).
pub fn text(node: &web_sys::Node) -> String {
    node.text_content().unwrap_or_default()
}

pub fn find(root: &web_sys::Node, selector: &str) -> Option<Element> {
    let root: &web_sys::DocumentFragment = root.unchecked_ref();
    // Element and ShadowRoot both have querySelector; DocumentFragment's binding is enough.
    root.query_selector(selector).unwrap()
}

pub fn find_all(root: &web_sys::Node, selector: &str) -> Vec<Element> {
    let root: &web_sys::DocumentFragment = root.unchecked_ref();
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into().ok())
        .collect()
}

pub fn click(el: &Element) {
    el.unchecked_ref::<web_sys::HtmlElement>().click();
}

/// A `data:` URL endpoint whose every path answers `json` (the path goes into the fragment).
pub fn data_endpoint(json: &str) -> String {
    format!(
        "data:application/json,{}#",
        String::from(js_sys::encode_uri_component(json))
    )
}

pub const IN_PROGRESS: &str = r#"{"key":"baseline","title":"Baseline questionnaire","status":"in_progress",
  "return_code":"KX7HD3LW",
  "survey_link":"https://redcap.example.edu/surveys/?s=AbCdEfGhJkLmNpQr",
  "resume_link":"https://redcap.example.edu/surveys/?s=AbCdEfGhJkLmNpQr&__return=1",
  "resume_form":{"action":"https://redcap.example.edu/surveys/?s=AbCdEfGhJkLmNpQr","field":"__code"}}"#;

pub const MONTH3: &str = r#"{"key":"month3","title":"Three-month follow-up","status":"in_progress",
  "return_code":"M3M3M3M3",
  "survey_link":"https://redcap.example.edu/surveys/?s=MonthThreeHash00",
  "resume_link":"https://redcap.example.edu/surveys/?s=MonthThreeHash00&__return=1",
  "resume_form":{"action":"https://redcap.example.edu/surveys/?s=MonthThreeHash00","field":"__code"}}"#;

pub fn error_body(code: &str) -> String {
    format!(r#"{{"error":{{"code":"{code}","message":"server text"}}}}"#)
}

/// One request the page made.
#[derive(Clone, Debug)]
pub struct Seen {
    pub url: String,
    pub csrf: Option<String>,
    pub authorization: Option<String>,
    pub credentials: String,
}

struct Route {
    path: String,
    status: u16,
    body: String,
    retry_after: Option<u32>,
}

/// The installed replacement for `window.fetch` (kept alive for the page's lifetime).
type FakeFetch = Closure<dyn FnMut(JsValue, JsValue) -> js_sys::Promise>;

thread_local! {
    static ROUTES: RefCell<Vec<Route>> = const { RefCell::new(Vec::new()) };
    static SEEN: RefCell<Vec<Seen>> = const { RefCell::new(Vec::new()) };
    static INSTALLED: RefCell<Option<FakeFetch>> = const { RefCell::new(None) };
}

/// Answers `GET {origin}{path}` with `status` and `body` (and `Retry-After`).
pub fn route(path: &str, status: u16, body: &str, retry_after: Option<u32>) {
    install_fake_fetch();
    ROUTES.with(|r| {
        let mut r = r.borrow_mut();
        r.retain(|x| x.path != path);
        r.push(Route {
            path: path.into(),
            status,
            body: body.into(),
            retry_after,
        });
    });
}

/// Every request so far whose URL contains `part`.
pub fn seen(part: &str) -> Vec<Seen> {
    SEEN.with(|s| {
        s.borrow()
            .iter()
            .filter(|x| x.url.contains(part))
            .cloned()
            .collect()
    })
}

/// Replaces `window.fetch`: requests to this page's origin are recorded and answered from the
/// route table (404 otherwise); anything else (e.g. `data:` URLs) goes to the real fetch.
pub fn install_fake_fetch() {
    INSTALLED.with(|i| {
        if i.borrow().is_some() {
            return;
        }
        let real: js_sys::Function = js_sys::Reflect::get(&window(), &"fetch".into())
            .unwrap()
            .unchecked_into();
        let real = real.bind0(&window());
        let origin = window().location().origin().unwrap();
        let fake = Closure::<dyn FnMut(JsValue, JsValue) -> js_sys::Promise>::new(
            move |input: JsValue, init: JsValue| {
                let (url, csrf, authorization, credentials) = match input.dyn_ref::<Request>() {
                    Some(req) => {
                        let h = req.headers();
                        (
                            req.url(),
                            h.get("x-csrf").unwrap(),
                            h.get("authorization").unwrap(),
                            format!("{:?}", req.credentials()),
                        )
                    }
                    None => {
                        // A string or a `URL` object (the loader's files, the queue link and
                        // the QR code), with the request's options in `init`.
                        let url = input
                            .dyn_ref::<web_sys::Url>()
                            .map(web_sys::Url::href)
                            .or_else(|| input.as_string())
                            .unwrap_or_default();
                        let req = init
                            .is_object()
                            .then(|| {
                                Request::new_with_str_and_init(&url, init.unchecked_ref()).ok()
                            })
                            .flatten();
                        match req {
                            Some(req) => (
                                url,
                                req.headers().get("x-csrf").unwrap(),
                                req.headers().get("authorization").unwrap(),
                                format!("{:?}", req.credentials()),
                            ),
                            None => (url, None, None, String::new()),
                        }
                    }
                };
                if !url.starts_with(&origin) {
                    return real
                        .call2(&JsValue::NULL, &input, &init)
                        .unwrap()
                        .unchecked_into();
                }
                SEEN.with(|s| {
                    s.borrow_mut().push(Seen {
                        url: url.clone(),
                        csrf,
                        authorization,
                        credentials,
                    })
                });
                // Routes are paths; the query (`?lang=`) is recorded in `seen`, not matched.
                let path = url[origin.len()..].split('?').next().unwrap_or_default();
                // The widget's language files, wherever the loader was served from.
                let shipped =
                    SHIPPED.map(|(tag, file)| (String::from("/i18n/") + tag + ".json", file));
                if let Some((_, file)) = shipped.iter().find(|(end, _)| path.ends_with(end)) {
                    let response = Response::new_with_opt_str(Some(file)).unwrap();
                    return js_sys::Promise::resolve(&response).unchecked_into();
                }
                let (status, body, retry_after) = ROUTES.with(|r| {
                    r.borrow()
                        .iter()
                        .find(|x| x.path == path)
                        .map(|x| (x.status, x.body.clone(), x.retry_after))
                        .unwrap_or((404, crate::common::error_body("unknown_survey"), None))
                });
                let init = ResponseInit::new();
                init.set_status(status);
                let headers = web_sys::Headers::new().unwrap();
                headers.set("content-type", "application/json").unwrap();
                if let Some(secs) = retry_after {
                    headers.set("retry-after", &secs.to_string()).unwrap();
                }
                init.set_headers(&headers);
                let response = Response::new_with_opt_str_and_init(Some(&body), &init).unwrap();
                js_sys::Promise::resolve(&response).unchecked_into()
            },
        );
        js_sys::Reflect::set(&window(), &"fetch".into(), fake.as_ref()).unwrap();
        *i.borrow_mut() = Some(fake);
    });
}

/// The widget's language files, by tag.
pub const SHIPPED: [(&str, &str); 10] = [
    ("es", include_str!("../../www/i18n/es.json")),
    ("fr", include_str!("../../www/i18n/fr.json")),
    ("pt", include_str!("../../www/i18n/pt.json")),
    ("de", include_str!("../../www/i18n/de.json")),
    ("zh-Hans", include_str!("../../www/i18n/zh-Hans.json")),
    ("vi", include_str!("../../www/i18n/vi.json")),
    ("ko", include_str!("../../www/i18n/ko.json")),
    ("ru", include_str!("../../www/i18n/ru.json")),
    ("ht", include_str!("../../www/i18n/ht.json")),
    ("ar", include_str!("../../www/i18n/ar.json")),
];

/// `tag` installed from `json` (a language file) as the card installs the loader's answer.
pub fn language(tag: &str, json: &str) -> redcap_resume_widget::i18n::Lang {
    let answer = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&answer, &k.into(), v).unwrap();
    set("tag", &tag.into());
    set("file", &js_sys::JSON::parse(json).unwrap());
    redcap_resume_widget::strings::install(&answer)
}

/// Captures `console.warn` (the real one stays in place for everything else).
pub fn capture_warnings() -> std::rc::Rc<RefCell<Vec<String>>> {
    let seen = std::rc::Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    let console = js_sys::Reflect::get(&window(), &"console".into()).unwrap();
    let f = Closure::<dyn Fn(JsValue)>::new(move |m: JsValue| {
        s.borrow_mut().push(m.as_string().unwrap_or_default())
    });
    js_sys::Reflect::set(&console, &"warn".into(), f.as_ref()).unwrap();
    f.forget();
    seen
}
