//! Loading a card's answer: the fetch (through [`crate::api`]) whenever the query changes or
//! the participant tries again, the `redcap-resume:*` events, and the loader's prefetched
//! request. The card ([`crate::card::Card`]) only renders the [`Session`] this keeps current.

use crate::api::{self, Answer, Problem, Query};
use crate::view::Look;
use leptos::prelude::*;
use redcap_resume_contract::{SurveyAnswer, SurveyStatus};
use std::sync::{
    atomic::{AtomicU32, Ordering::Relaxed},
    Arc, Mutex,
};
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlElement;

/// The element property where the loader leaves the request it started before the wasm was
/// ready: `{ url, ticket, res: Promise<Response> }`.
const PREFETCH: &str = "__redcapResumePrefetch";

/// What the card shows.
#[derive(Clone, Debug, PartialEq)]
pub enum State {
    Loading,
    // Shared (`Arc`): readers clone the state (`get`, the only read compiled for it).
    One(Arc<SurveyAnswer>),
    List(Arc<[SurveyAnswer]>),
    Failed(Problem),
}

/// One card's data, kept current by the effect [`Session::start`] creates (owned by the
/// reactive owner it runs in: it ends with the mount).
#[derive(Clone)]
pub struct Session {
    /// What to fetch; setting it fetches, and so does notifying it unchanged ("Try again").
    pub query: RwSignal<Query>,
    /// How the card looks; the session sets its language (the loader's choice, [`crate::strings`]).
    pub look: RwSignal<Look>,
    /// The latest answer, or why there is none.
    pub state: RwSignal<State>,
    /// Seconds left of the server's `Retry-After` ("Try again" waits and says so); 0: none.
    pub wait: RwSignal<u32>,
    /// The last survey answered, as `(key, title)`: a card loading or failing for the same
    /// survey keeps its title (error bodies carry none). Written before `state` changes, so
    /// whatever reads `state` sees it current; not a signal of its own (one type less to
    /// compile).
    pub known: Arc<Mutex<Option<(String, String)>>>,
    /// The study's contact line from the latest reply (`[study] contact`, in the language
    /// asked for), written before `state` like `known`: the card shows it where the
    /// participant could otherwise be stuck (errors, completed, REDCap's return page).
    pub contact: Arc<Mutex<Option<String>>>,
    /// Where the events are dispatched (the custom element; any element in tests).
    pub host: HtmlElement,
    /// Which countdown of `wait` is current (an older one stops ticking).
    countdowns: Arc<AtomicU32>,
}

impl Session {
    /// Starts fetching `query` now and whenever it changes, shown as `look` says.
    pub fn start(query: RwSignal<Query>, look: RwSignal<Look>, host: HtmlElement) -> Session {
        let session = Session {
            query,
            look,
            state: RwSignal::new(State::Loading),
            wait: RwSignal::new(0),
            known: Arc::default(),
            contact: Arc::default(),
            host,
            countdowns: Arc::default(),
        };
        // Answers to an older query (or arriving after unmount) are dropped.
        let generation = Arc::new(AtomicU32::new(0));
        on_cleanup({
            let generation = generation.clone();
            move || _ = generation.fetch_add(1, Relaxed)
        });
        let s = session.clone();
        Effect::new(move |_| {
            let q = s.query.get();
            s.state.try_set(State::Loading);
            let gen = generation.fetch_add(1, Relaxed).wrapping_add(1);
            let (generation, s) = (generation.clone(), s.clone());
            leptos::task::spawn_local(async move {
                let prefetched = q
                    .url()
                    .and_then(|url| take_prefetch(&s.host, &url, &q.ticket));
                // The card's language first (the loader has usually fetched its files
                // already, beside this request), so the answer shows in it.
                if let Some(lang) = crate::strings::load(&s.host).await {
                    s.look.maybe_update(|look| {
                        let changed = look.lang != lang;
                        look.lang = lang;
                        changed
                    });
                }
                let mut contact = None;
                let result = api::fetch(&q, prefetched, &mut contact).await;
                if generation.load(Relaxed) == gen {
                    s.settle(result, contact);
                }
            });
        });
        session
    }

    /// Shows `result` (and the study's `contact` line that came with it) and tells the page
    /// (`redcap-resume:ready` / `redcap-resume:error`).
    fn settle(&self, result: Result<Answer, Problem>, contact: Option<String>) {
        if let Ok(mut slot) = self.contact.lock() {
            *slot = contact;
        }
        let next = match result {
            Ok(answer) => {
                let detail = match &answer {
                    Answer::One(a) => [
                        ("survey", JsValue::from_str(&a.key)),
                        ("status", JsValue::from_str(status_name(a.status))),
                    ],
                    Answer::List(list) => [
                        ("survey", JsValue::NULL),
                        ("count", JsValue::from(list.len() as u32)),
                    ],
                };
                emit(&self.host, "redcap-resume:ready", &detail, false);
                match answer {
                    Answer::One(a) => {
                        if let Ok(mut known) = self.known.lock() {
                            *known = Some((a.key.clone(), a.title.clone()));
                        }
                        State::One(Arc::new(a))
                    }
                    Answer::List(v) => State::List(v.into()),
                }
            }
            Err(problem) => {
                let secs = match problem {
                    Problem::Api(_, Some(secs)) => secs.min(MAX_WAIT),
                    _ => 0,
                };
                self.wait.try_set(secs);
                let id = self.countdowns.fetch_add(1, Relaxed).wrapping_add(1);
                if secs > 0 {
                    count_down(self.wait, id, self.countdowns.clone());
                }
                let detail = [("code", problem.code().into())];
                emit(&self.host, "redcap-resume:error", &detail, false);
                State::Failed(problem)
            }
        };
        self.state.try_set(next);
    }
}

/// The longest `Retry-After` the card waits for, in seconds (a larger one is the server's
/// mistake; the participant can still reload).
const MAX_WAIT: u32 = 600;

/// Counts `wait` down once a second until 0, unless a newer countdown (`current` moved past
/// `id`) took over.
fn count_down(wait: RwSignal<u32>, id: u32, current: Arc<AtomicU32>) {
    set_timeout(
        move || {
            if current.load(Relaxed) != id {
                return;
            }
            let left = wait.try_update(|w| {
                *w = w.saturating_sub(1);
                *w
            });
            if left.is_some_and(|left| left > 0) {
                count_down(wait, id, current);
            }
        },
        Duration::from_secs(1),
    );
}

/// Dispatches a bubbling, composed `CustomEvent` on `host`; `false` when it was cancelled.
/// Never put a return code or a link into `detail`: host-page scripts read it.
pub fn emit(host: &HtmlElement, name: &str, detail: &[(&str, JsValue)], cancelable: bool) -> bool {
    let obj = js_sys::Object::new();
    for (k, v) in detail {
        _ = js_sys::Reflect::set(&obj, &JsValue::from_str(k), v);
    }
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_cancelable(cancelable);
    init.set_detail(&obj);
    web_sys::CustomEvent::new_with_event_init_dict(name, &init)
        .ok()
        .and_then(|ev| host.dispatch_event(ev.unchecked_ref()).ok())
        .unwrap_or(true)
}

/// The status's wire name, for the `redcap-resume:ready` event.
fn status_name(s: SurveyStatus) -> &'static str {
    match s {
        SurveyStatus::NotStarted => "not_started",
        SurveyStatus::InProgress => "in_progress",
        SurveyStatus::Completed => "completed",
        SurveyStatus::Unknown => "unknown",
    }
}

/// Takes the request the loader started for `host`, if it was for this URL and ticket.
fn take_prefetch(
    host: &HtmlElement,
    url: &str,
    ticket: &Option<String>,
) -> Option<js_sys::Promise> {
    let key = JsValue::from_str(PREFETCH);
    let pf = js_sys::Reflect::get(host, &key)
        .ok()
        .filter(|v| v.is_object())?;
    _ = js_sys::Reflect::delete_property(host.unchecked_ref::<js_sys::Object>(), &key);
    let get = |k: &str| js_sys::Reflect::get(&pf, &JsValue::from_str(k)).ok();
    let same =
        get("url")?.as_string().as_deref() == Some(url) && get("ticket")?.as_string() == *ticket;
    same.then(|| get("res")?.dyn_into().ok()).flatten()
}
