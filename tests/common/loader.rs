//! The element as pages get it: defined by the real loader (`www/redcap-resume.js`) against
//! this test's wasm. It is registered as `rr-test`: importing the loader also registers
//! `redcap-resume` with its own (here unavailable) wasm, which the tests do not use.

use super::document;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

#[wasm_bindgen(module = "/www/redcap-resume.js")]
extern "C" {
    pub fn define(name: &str, rust: &JsValue);
}

// Bound so that wasm-bindgen ships the module beside the loader, which imports it for a card
// with `queue` or `qr`.
#[wasm_bindgen(module = "/www/redcap-resume-more.js")]
extern "C" {
    #[wasm_bindgen(js_name = attach)]
    pub fn attach_more(el: &HtmlElement, api: &JsValue, text: &JsValue);
}

pub const TAG: &str = "rr-test";

pub fn defined() {
    thread_local!(static DONE: RefCell<bool> = const { RefCell::new(false) });
    DONE.with(|d| {
        if !*d.borrow() {
            define(TAG, &rust());
            *d.borrow_mut() = true;
        }
    });
}

/// What the loader is given once the wasm is ready: `{ sync, text }`, this test's wasm.
pub fn rust() -> JsValue {
    let sync = Closure::<dyn Fn(HtmlElement)>::new(redcap_resume_widget::sync);
    let text = Closure::<dyn Fn(HtmlElement, String) -> Option<String>>::new(|el, key: String| {
        redcap_resume_widget::element::text(el, &key)
    });
    let rust = js_sys::Object::new();
    js_sys::Reflect::set(&rust, &"sync".into(), sync.as_ref()).unwrap();
    js_sys::Reflect::set(&rust, &"text".into(), text.as_ref()).unwrap();
    sync.forget();
    text.forget();
    rust.into()
}

/// Creates `<rr-test>` with `attrs` (as `document.createElement` would) and appends it.
pub fn element(attrs: &[(&str, &str)]) -> HtmlElement {
    defined();
    let el: HtmlElement = document().create_element(TAG).unwrap().unchecked_into();
    for (k, v) in attrs {
        el.set_attribute(k, v).unwrap();
    }
    document().body().unwrap().append_child(&el).unwrap();
    el
}

pub fn shadow(el: &HtmlElement) -> web_sys::Node {
    el.shadow_root().expect("open shadow root").into()
}
