//! The "Resume your survey" card: a view of a [`Session`], independent of the custom element
//! (tests mount it on its own and point it at `data:` URLs).

use crate::api::Problem;
use crate::i18n::{Lang, Msg};
use crate::load::{emit, Session, State};
use leptos::prelude::*;
use redcap_resume_contract::{ErrorCode, SurveyAnswer, SurveyStatus};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How the card looks; changing it re-renders without fetching again.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Look {
    pub lang: Lang,
    /// `target="_blank"` for the resume form and the link (else `_self`).
    pub blank: bool,
    /// `hide-code`: no return code, copy button or fallback link.
    pub hide_code: bool,
}

/// A part of the card that follows the signals. One boxed type for all of them: each distinct
/// closure type would compile Leptos's render effect again (~1 KB of wasm each).
type Live = Box<dyn Fn() -> AnyView + Send>;
/// An attribute value that follows the signals (same reason).
type LiveAttr = Box<dyn Fn() -> &'static str + Send>;

/// The card: renders `session` in `look.lang`. Fetching and events are [`Session`]'s.
#[component]
pub fn Card(
    /// The data to show (see [`Session::start`]).
    session: Session,
    /// Language, link target, hide-code.
    look: RwSignal<Look>,
) -> impl IntoView {
    let Session {
        query,
        state,
        waiting,
        host,
    } = session;
    // Signals are read with `get` only: each other way of reading a signal type adds code.
    let list = move || query.get().survey.is_none();
    let lang = move || look.get().lang;
    let title: Live = Box::new(move || {
        let l = lang();
        match state.get() {
            State::One(a) => a.title.clone(),
            _ if list() => l.t(Msg::YourSurveys).to_owned(),
            _ => l.t(Msg::YourSurvey).to_owned(),
        }
        .into_any()
    });
    let status: Live = Box::new(move || {
        let l = lang();
        match state.get() {
            State::Loading => text(l.t(if list() {
                Msg::LoadingList
            } else {
                Msg::Loading
            })),
            State::One(a) => text(l.t(Msg::of_status(a.status))),
            State::List(v) => text(l.t(if v.is_empty() {
                Msg::ListEmpty
            } else {
                Msg::ListReady
            })),
            State::Failed(Problem::Api(ErrorCode::NotSignedIn, _)) => view! {
                <span {..part("error")}><slot name="signed-out">{l.t(Msg::SignedOut)}</slot></span>
            }
            .into_any(),
            State::Failed(p) => view! { <span {..part("error")}>{l.t(p.msg())}</span> }.into_any(),
        }
    });
    let body: Live = {
        let host = host.clone();
        Box::new(move || {
            let look = look.get();
            let l = look.lang;
            match state.get() {
                State::Loading => view! {
                    <div class="skeleton" aria-hidden="true"><span></span><span></span></div>
                }
                .into_any(),
                State::One(a) => actions(&a, &look, &host).into_any(),
                State::List(v) => view! {
                    <ul>
                        {v.iter().map(|a| view! {
                            <li>
                                <h3 {..part("title")}>{a.title.clone()}</h3>
                                <p {..part("status")}>{l.t(Msg::of_status(a.status))}</p>
                                {actions(a, &look, &host)}
                            </li>
                        }).collect_view()}
                    </ul>
                }
                .into_any(),
                State::Failed(p) => {
                    // "Try again" notifies `query` without changing it: the session fetches again.
                    let retry = p.retryable().then(|| {
                        view! {
                            <button type="button" class="secondary" disabled=move || waiting.get()
                                on:click=move |_| query.notify()>
                                {l.t(Msg::TryAgain)}
                            </button>
                        }
                        .into_any()
                    });
                    // The same view type as a survey's actions: one less type to compile.
                    let actions: Actions = (retry, None, None);
                    actions.into_any()
                }
            }
        })
    };

    // Both attributes as one boxed type, like `Live`.
    let lang_attr: LiveAttr = Box::new(move || lang().tag());
    let busy: LiveAttr = Box::new(move || {
        if state.get() == State::Loading {
            "true"
        } else {
            "false"
        }
    });
    view! {
        <article {..part("card")} class="card" lang=lang_attr aria-busy=busy>
            <h2 {..part("title")}><slot name="title">{title}</slot></h2>
            <p {..part("status")} class="status" role="status">{status}</p>
            {body}
            <slot name="help"></slot>
        </article>
    }
}

/// What a survey offers: the resume button, the code with its copy button, the fallback link.
/// (Flat, one `Option<AnyView>` type: each nested view type compiles its own render code.)
type Actions = (Option<AnyView>, Option<AnyView>, Option<AnyView>);

fn actions(a: &SurveyAnswer, look: &Look, host: &web_sys::HtmlElement) -> Actions {
    if a.status == SurveyStatus::Completed {
        return (None, None, None);
    }
    let l = look.lang;
    let target = if look.blank { "_blank" } else { "_self" };
    let code = a.return_code.as_ref().map(|c| c.expose().to_owned());
    let resume = resume(a, code.clone(), l, target, host);
    if look.hide_code {
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
                        if !emit(&host, "redcap-resume:resume", &detail, true) {
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

/// The return code with its copy button and the copy's outcome (a status region).
fn code_box(code: String, l: Lang) -> AnyView {
    // The last copy's outcome; both `false` until the first copy.
    let (copied, refused) = (RwSignal::new(false), RwSignal::new(false));
    let button: Live = Box::new(move || {
        l.t(if copied.get() { Msg::Copied } else { Msg::Copy })
            .into_any()
    });
    let outcome: Live = Box::new(move || {
        match (copied.get(), refused.get()) {
            (true, _) => l.t(Msg::Copied),
            (_, true) => l.t(Msg::CopyFailed),
            _ => "",
        }
        .into_any()
    });
    let text = code.clone();
    view! {
        <div class="code">
            <span class="label">{l.t(Msg::CodeLabel)}</span>
            <code {..part("code")}>{code}</code>
            <button type="button" {..part("copy")} class="secondary"
                on:click=move |ev| copy(text.clone(), ev, copied, refused)>
                {button}
            </button>
            <span class="copied" role="status">{outcome}</span>
        </div>
    }
    .into_any()
}

/// Copies `code`; if the Clipboard API refuses, selects the code so the participant can copy it.
fn copy(code: String, ev: web_sys::MouseEvent, copied: RwSignal<bool>, refused: RwSignal<bool>) {
    let clipboard = window().navigator().clipboard();
    // The button's previous sibling is the <code>.
    let code_el = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|b| b.previous_element_sibling());
    leptos::task::spawn_local(async move {
        let ok = JsFuture::from(clipboard.write_text(&code)).await.is_ok();
        if !ok {
            if let (Some(el), Ok(Some(sel))) = (code_el, window().get_selection()) {
                _ = sel.select_all_children(&el);
            }
        }
        copied.try_set(ok);
        refused.try_set(!ok);
    });
}

/// Text as a [`Live`] view. Always an owned `String`, the type of the survey title: a second
/// text type behind `AnyView` would compile a second set of render functions.
fn text(s: &str) -> AnyView {
    s.to_owned().into_any()
}

/// `part="…"`, the `::part()` styling hook (the view macro has no `part` attribute).
fn part(name: &'static str) -> impl leptos::attr::Attribute {
    leptos::tachys::html::attribute::custom::custom_attribute("part", name)
}
