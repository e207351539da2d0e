//! The card's controls — "Try again", "Copy code", the resume form — reach Rust through one
//! listener per card for `click` and `submit`, found by their `data-act` attribute (the
//! delegation GitHub's elements use), rather than a handler per control: Leptos's per-handler
//! event code was ~5 KB brotli of the widget's budget.
//!
//! - `data-act="retry"` (button): fetch again (the query is notified unchanged).
//! - `data-act="copy"` (button, after the `<code>`): copy the code; the outcome shows in the
//!   status region after the button.
//! - `data-act="resume"` (form, `data-survey` = the survey key): fire the cancelable
//!   `redcap-resume:resume` event, then watch for the page's CSP refusing the form.

use crate::api::Query;
use crate::i18n::Msg;
use crate::load::emit;
use crate::view::Look;
use js_sys::Reflect;
use leptos::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::time::Duration;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, Event, EventTarget, HtmlElement};

/// How long "Copied" shows before the outcome region empties again.
const COPIED_FOR: Duration = Duration::from_secs(3);

/// Copies so far on this page; each outcome region keeps (under [`COPY_MARK`]) the number of
/// the copy it shows, so only the latest one empties it.
static COPIES: AtomicU32 = AtomicU32::new(0);
const COPY_MARK: &str = "__redcapResumeCopy";

/// How long after a submit a `form-action` violation is taken as the form's refusal.
const BLOCK_WINDOW: Duration = Duration::from_secs(2);

/// What the controls act on: one card's signals and its host.
#[derive(Clone)]
pub struct Controls {
    pub query: RwSignal<Query>,
    pub look: RwSignal<Look>,
    /// Set when the page's CSP refuses the resume form (the card then shows code and link).
    pub blocked: RwSignal<bool>,
    /// Where the card's events are dispatched.
    pub host: HtmlElement,
}

impl Controls {
    /// Listens on `root` (the card's shadow root; the host itself when it has none) until the
    /// current reactive owner (the mount) is cleaned up.
    pub fn listen(self, root: EventTarget) {
        let handler = Closure::<dyn Fn(Event)>::new(move |ev: Event| self.on(&ev));
        let f: js_sys::Function = handler.into_js_value().unchecked_into();
        for kind in ["click", "submit"] {
            _ = root.add_event_listener_with_callback(kind, &f);
        }
        on_cleanup(move || {
            for kind in ["click", "submit"] {
                _ = root.remove_event_listener_with_callback(kind, &f);
            }
        });
    }

    fn on(&self, ev: &Event) {
        let Some(el) = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("[data-act]").ok().flatten())
        else {
            return;
        };
        match (
            ev.type_() == "submit",
            el.get_attribute("data-act").as_deref(),
        ) {
            (false, Some("retry")) => self.query.notify(),
            (false, Some("copy")) => copy(el, self.look.get()),
            (true, Some("resume")) => {
                let key = el.get_attribute("data-survey").unwrap_or_default();
                let detail = [("survey", JsValue::from_str(&key))];
                if emit(&self.host, "redcap-resume:resume", &detail, true) {
                    watch_form_action(self.blocked);
                } else {
                    ev.prevent_default();
                }
            }
            _ => {}
        }
    }
}

/// After a submit: if the page's Content-Security-Policy refuses it (`form-action` without
/// REDCap's origin), the browser fires `securitypolicyviolation` and does nothing else. Sets
/// `blocked` and says so on the console, naming the directive, so the card can fall back.
fn watch_form_action(blocked: RwSignal<bool>) {
    let document = document();
    let listener = Closure::<dyn Fn(web_sys::SecurityPolicyViolationEvent)>::new(
        move |ev: web_sys::SecurityPolicyViolationEvent| {
            if ev.effective_directive() == "form-action" {
                web_sys::console::warn_1(&JsValue::from_str(
                    "redcap-resume: the page's CSP directive form-action refused the resume \
                     form (allow the REDCap origin there); showing the code and link instead",
                ));
                blocked.try_set(true);
            }
        },
    );
    let f: js_sys::Function = listener.into_js_value().unchecked_into();
    _ = document.add_event_listener_with_callback("securitypolicyviolation", &f);
    set_timeout(
        move || _ = document.remove_event_listener_with_callback("securitypolicyviolation", &f),
        BLOCK_WINDOW,
    );
}

/// Copies the code shown before `button`; if the Clipboard API refuses, selects it so the
/// participant can copy it. The outcome goes into the status region after the button
/// ("Copied" for [`COPIED_FOR`], unless another copy follows; a refusal stays).
fn copy(button: Element, look: Look) {
    let (Some(code), Some(outcome)) = (
        button.previous_element_sibling(),
        button.next_element_sibling(),
    ) else {
        return;
    };
    let text = code.text_content().unwrap_or_default();
    let l = look.lang;
    leptos::task::spawn_local(async move {
        let copied = window().navigator().clipboard().write_text(&text);
        let ok = JsFuture::from(copied).await.is_ok();
        // Which copy this is, kept on the region: a later one takes the region over.
        let mark = JsValue::from(COPIES.fetch_add(1, Relaxed));
        _ = Reflect::set(&outcome, &JsValue::from_str(COPY_MARK), &mark);
        if !ok {
            if let Ok(Some(sel)) = window().get_selection() {
                _ = sel.select_all_children(&code);
            }
            outcome.set_class_name("copied refused");
            outcome.set_text_content(Some(l.t(Msg::CopyFailed)));
            return;
        }
        outcome.set_class_name("copied");
        outcome.set_text_content(Some(l.t(Msg::Copied)));
        set_timeout(
            move || {
                if Reflect::get(&outcome, &JsValue::from_str(COPY_MARK)).ok() == Some(mark) {
                    outcome.set_text_content(None);
                }
            },
            COPIED_FOR,
        );
    });
}
