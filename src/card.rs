//! The "Resume your survey" card: a view of a [`Session`], independent of the custom element
//! (tests mount it on its own and point it at `data:` URLs).

use crate::actions::{actions, Actions};
use crate::api::Problem;
use crate::controls::Controls;
use crate::i18n::{fill, Msg};
use crate::load::{Session, State};
use crate::view::{part, text, Live, LiveAttr};
use leptos::prelude::*;
use redcap_resume_contract::{ErrorCode, SurveyStatus};

/// The card: renders `session` as its `look` says. Fetching and events are [`Session`]'s.
#[component]
pub fn Card(
    /// The data to show and how (see [`Session::start`]).
    session: Session,
) -> impl IntoView {
    let Session {
        query,
        look,
        state,
        wait,
        known,
        contact,
        host,
        ..
    } = session;
    // The page's CSP refused the resume form: the code and the link instead (see `actions`).
    let blocked = RwSignal::new(false);
    // The buttons and the form act through one listener (see `controls`).
    let root = host
        .shadow_root()
        .map_or_else(|| host.clone().into(), Into::into);
    Controls {
        query,
        look,
        blocked,
        host,
    }
    .listen(root);
    // Signals are read with `get` only: each other way of reading a signal type adds code.
    let list = move || query.get().survey.is_none();
    let lang = move || look.get().lang;
    let title: Live = Box::new(move || {
        let l = lang();
        let known = known.lock().ok().and_then(|k| k.clone());
        match (state.get(), known) {
            (State::One(a), _) => a.title.clone(),
            _ if list() => l.t(Msg::YourSurveys).to_owned(),
            // Loading again or failed: the title this survey had, if it was answered before.
            (_, Some((key, title))) if query.get().survey.as_deref() == Some(&key) => title,
            _ => l.t(Msg::YourSurvey).to_owned(),
        }
        .into_any()
    });
    let status: Live = Box::new(move || {
        let l = lang();
        if blocked.get() {
            return text(l.t(Msg::FormBlocked));
        }
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
    let body: Live = Box::new(move || {
        let look = look.get();
        let l = look.lang;
        match state.get() {
            State::Loading => view! {
                <div class="skeleton" aria-hidden="true"><span></span><span></span></div>
            }
            .into_any(),
            State::One(a) => actions(&a, &look, blocked).into_any(),
            State::List(v) => view! {
                <ul>
                    {v.iter().map(|a| view! {
                        <li>
                            <h3 {..part("title")}>{a.title.clone()}</h3>
                            // A `String`, like the contact line: one view type for both.
                            <p {..part("status")}>{l.t(Msg::of_status(a.status)).to_owned()}</p>
                            {actions(a, &look, blocked)}
                        </li>
                    }).collect_view()}
                </ul>
            }
            .into_any(),
            State::Failed(p) => {
                // "Try again" notifies `query` without changing it: the session fetches again.
                // While `Retry-After` runs the button is disabled and says how long.
                let label: Live = Box::new(move || match wait.get() {
                    0 => text(l.t(Msg::TryAgain)),
                    secs => fill(l.t(Msg::TryAgainIn), "seconds", &decimal(secs)).into_any(),
                });
                let retry = p.retryable().then(|| {
                    view! {
                        <button type="button" class="secondary" data-act="retry"
                            disabled=move || wait.get() != 0>
                            {label}
                        </button>
                    }
                    .into_any()
                });
                // The same view type as a survey's actions: one less type to compile.
                let actions: Actions = (retry, None, None);
                actions.into_any()
            }
        }
    });

    // The study's contact line where the participant could be stuck: under an error, a
    // completed survey, a list, and (prefixed) under REDCap's return-page link, which may say
    // the survey is closed.
    let contact_line: Live = Box::new(move || {
        let l = lang();
        let prefix = match state.get() {
            State::Loading => return text(""),
            State::One(a) if a.status != SurveyStatus::Completed => match a.resume_link {
                Some(_) => l.t(Msg::IfClosed).to_owned() + " ",
                None => return text(""),
            },
            _ => String::new(),
        };
        match contact.lock().ok().and_then(|c| c.clone()) {
            // In a right-to-left card the line may well be English (the study's fallback):
            // isolated (U+2068 … U+2069, as `<bdi>` would) so its punctuation stays with it.
            Some(line) if l.rtl() => {
                let line = prefix + "\u{2068}" + &line + "\u{2069}";
                view! { <p {..part("contact")}>{line}</p> }.into_any()
            }
            Some(line) => view! { <p {..part("contact")}>{prefix + &line}</p> }.into_any(),
            None => text(""),
        }
    });

    // Both attributes as one boxed type, like `Live`.
    let lang_attr: LiveAttr = Box::new(move || lang().tag());
    let dir: LiveAttr = Box::new(move || if lang().rtl() { "rtl" } else { "ltr" });
    let busy: LiveAttr = Box::new(move || {
        if state.get() == State::Loading {
            "true"
        } else {
            "false"
        }
    });
    view! {
        <article {..part("card")} class="card" lang=lang_attr dir=dir aria-busy=busy>
            <h2 {..part("title")}><slot name="title">{title}</slot></h2>
            <p {..part("status")} class="status" role="status">{status}</p>
            {body}
            {contact_line}
            <slot name="help"></slot>
        </article>
    }
}

/// `n` in decimal digits, without `core::fmt` (`to_string` on an integer pulls in the
/// formatter's integer and padding paths).
fn decimal(mut n: u32) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, char::from(b'0' + (n % 10) as u8));
        n /= 10;
        if n == 0 {
            return s;
        }
    }
}
