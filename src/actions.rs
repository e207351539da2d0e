//! What a survey's card offers: the resume button (a form POST of the code, or the survey
//! link), the return code with its copy button, and the fallback link to REDCap's "Returning?"
//! page. Also the fallback when the page's CSP refuses the form (`form-action`).

use crate::i18n::{Lang, Msg};
use crate::load::emit;
use crate::view::{part, text, Live, LiveAttr, Look};
use leptos::prelude::*;
use redcap_resume_contract::{SurveyAnswer, SurveyStatus};
use std::sync::{
    atomic::{AtomicU32, Ordering::Relaxed},
    Arc,
};
use std::time::Duration;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How long "Copied" shows before the outcome region empties again.
const COPIED_FOR: Duration = Duration::from_secs(3);

/// How long after a submit a `form-action` violation is taken as the form's refusal.
const BLOCK_WINDOW: Duration = Duration::from_secs(2);

/// What a survey offers: the resume button, the code with its copy button, the fallback link.
/// (Flat, one `Option<AnyView>` type: each nested view type compiles its own render code.)
pub type Actions = (Option<AnyView>, Option<AnyView>, Option<AnyView>);

/// The actions for `a`. When `blocked` (the page refused the resume form), the form gives way
/// to what still works: the code and the link, shown even with `hide-code`.
pub fn actions(
    a: &SurveyAnswer,
    look: &Look,
    host: &web_sys::HtmlElement,
    blocked: RwSignal<bool>,
) -> Actions {
    if a.status == SurveyStatus::Completed {
        return (None, None, None);
    }
    let l = look.lang;
    let target = if look.blank { "_blank" } else { "_self" };
    let code = a.return_code.as_ref().map(|c| c.expose().to_owned());
    let refused = blocked.get() && a.resume_form.is_some();
    let resume = match refused {
        true => None,
        false => resume(a, code.clone(), l, target, host, blocked),
    };
    if look.hide_code && !refused {
        return (resume, None, None);
    }
    let link = a.resume_link.clone().map(|href| {
        view! {
            <p class="link"><a {..part("link")} href=href target=target rel="noopener noreferrer">
                {l.t(Msg::OrLink)}
            </a></p>
        }
        .into_any()
    });
    (resume, code.map(|code| code_box(code, l)), link)
}

/// The resume button: a form POST of the code, else (nothing to resume with a code, e.g. not
/// started) the survey link itself.
fn resume(
    a: &SurveyAnswer,
    code: Option<String>,
    l: Lang,
    target: &'static str,
    host: &web_sys::HtmlElement,
    blocked: RwSignal<bool>,
) -> Option<AnyView> {
    let label = l.t(if a.status == SurveyStatus::NotStarted {
        Msg::Start
    } else {
        Msg::Resume
    });
    let title = a.title.clone();
    match (&a.resume_form, code) {
        (Some(form), Some(code)) => {
            let (host, key) = (host.clone(), a.key.clone());
            Some(view! {
                <form method="post" action=form.action.clone() target=target
                    on:submit=move |ev| {
                        let detail = [("survey", JsValue::from_str(&key))];
                        if emit(&host, "redcap-resume:resume", &detail, true) {
                            watch_form_action(blocked);
                        } else {
                            ev.prevent_default();
                        }
                    }>
                    <input type="hidden" name=form.field.clone() value=code />
                    <button type="submit" {..part("resume")} class="primary">
                        {label}<span class="vh">": "{title}</span>
                    </button>
                </form>
            }
            .into_any())
        }
        _ => a.survey_link.clone().map(|href| {
            view! {
                <a {..part("resume")} class="primary" href=href target=target rel="noopener noreferrer">
                    {label}<span class="vh">": "{title}</span>
                </a>
            }
            .into_any()
        }),
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

/// The outcome of the last copy, shown once in the status region beside the button: `IDLE`,
/// `REFUSED` (the Clipboard API refused: the code is selected, and the hint stays), or else the
/// number of the copy that worked ("Copied" shows for [`COPIED_FOR`], unless another copy
/// follows). A `u32` like the card's `wait`: one signal type less to compile.
const IDLE: u32 = 0;
const REFUSED: u32 = u32::MAX;

/// The return code with its copy button and the copy's outcome (a status region).
fn code_box(code: String, l: Lang) -> AnyView {
    let outcome = RwSignal::new(IDLE);
    let shown: Live = Box::new(move || {
        match outcome.get() {
            IDLE => "",
            REFUSED => l.t(Msg::CopyFailed),
            _ => l.t(Msg::Copied),
        }
        .into_any()
    });
    // Success and refusal in different colours (the refusal is not good news).
    let class: LiveAttr = Box::new(move || match outcome.get() {
        REFUSED => "copied refused",
        _ => "copied",
    });
    let copies = Arc::new(AtomicU32::new(IDLE));
    let value = code.clone();
    view! {
        <div class="code">
            <span class="label">{l.t(Msg::CodeLabel)}</span>
            <code {..part("code")}>{code}</code>
            <button type="button" {..part("copy")} class="secondary"
                on:click=move |ev| copy(value.clone(), ev, outcome, copies.clone())>
                {text(l.t(Msg::Copy))}
            </button>
            <span class=class role="status">{shown}</span>
        </div>
    }
    .into_any()
}

/// Copies `code`; if the Clipboard API refuses, selects the code so the participant can copy it.
fn copy(code: String, ev: web_sys::MouseEvent, outcome: RwSignal<u32>, copies: Arc<AtomicU32>) {
    let clipboard = window().navigator().clipboard();
    // The button's previous sibling is the <code>.
    let code_el = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|b| b.previous_element_sibling());
    leptos::task::spawn_local(async move {
        let ok = JsFuture::from(clipboard.write_text(&code)).await.is_ok();
        // The copy's number, 1, 2, …: never IDLE (nor, short of 4 billion copies, REFUSED).
        let n = copies.fetch_add(1, Relaxed).wrapping_add(1);
        if !ok {
            if let (Some(el), Ok(Some(sel))) = (code_el, window().get_selection()) {
                _ = sel.select_all_children(&el);
            }
            outcome.try_set(REFUSED);
            return;
        }
        outcome.try_set(n);
        set_timeout(
            move || {
                // Unless a later copy has its own outcome showing.
                if copies.load(Relaxed) == n {
                    outcome.try_set(IDLE);
                }
            },
            COPIED_FOR,
        );
    });
}
