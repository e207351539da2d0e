//! The `<redcap-resume>` custom element, Rust side.
//!
//! The class itself is a few lines of JavaScript in the loader (`www/redcap-resume.js`): it
//! attaches the open shadow root, adopts the stylesheet, and calls [`sync`] from
//! `connectedCallback`, `disconnectedCallback` and `attributeChangedCallback`. [`sync`] makes
//! the Rust side match the element: mounts one [`Card`] per connected element, updates its
//! attributes, drops the mount when the element has left the page.

use crate::api::{BadEndpoint, Query};
use crate::card::Card;
use crate::i18n::KEYS;
use crate::load::Session;
use crate::view::{Look, Target};
use leptos::prelude::*;
use std::{any::Any, cell::RefCell};
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

/// The API base when the `endpoint` attribute is absent.
pub const DEFAULT_ENDPOINT: &str = "/redcap-resume/api";

struct Mounted {
    host: HtmlElement,
    container: web_sys::Element,
    // Owned by the mount's reactive owner: valid exactly as long as the mount.
    query: RwSignal<Query>,
    look: RwSignal<Look>,
    // The `UnmountHandle`: dropping it unmounts the view and disposes its reactive owner.
    _handle: Box<dyn Any>,
}

thread_local! {
    static MOUNTED: RefCell<Vec<Mounted>> = const { RefCell::new(Vec::new()) };
}

/// Brings the Rust side in line with `host`: mount when connected, re-read the attributes,
/// unmount when it has left the page. Called by the element class in the loader.
#[wasm_bindgen]
pub fn sync(host: HtmlElement) {
    let found = MOUNTED.with(|m| {
        let mut m = m.borrow_mut();
        let i = m.iter().position(|e| e.host == host)?;
        if host.is_connected() {
            Some(Some((m[i].query, m[i].look)))
        } else {
            let gone = m.swap_remove(i);
            gone.container.remove();
            Some(None) // `gone` drops here, after its nodes left
        }
    });
    match found {
        // Moved (disconnected + connected) or an attribute changed.
        Some(Some((query, look))) => {
            let (q, l) = read(&host);
            // Set only what changed: a new query fetches, a new look only re-renders. The
            // language stays the session's (it follows the query).
            set_if_changed(query, q);
            let lang = untrack(move || look.get()).lang;
            set_if_changed(look, Look { lang, ..l });
        }
        Some(None) => {}
        None if host.is_connected() => mount(host),
        None => {}
    }
}

/// Sets `signal` to `value` and notifies its subscribers, unless it already holds `value`.
fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    signal.maybe_update(|old| {
        let changed = *old != value;
        if changed {
            *old = value;
        }
        changed
    });
}

/// The text for `key` (one of [`crate::i18n::KEYS`]) in the language `host`'s card speaks now,
/// or `undefined` for an element not mounted or an unknown key. For the loader's companion
/// module (`redcap-resume-more.js`: the survey queue link, the QR code), which builds its own
/// markup in the card and so costs the wasm nothing else.
#[wasm_bindgen]
pub fn text(host: HtmlElement, key: &str) -> Option<String> {
    let look = MOUNTED.with(|m| m.borrow().iter().find(|e| e.host == host).map(|e| e.look))?;
    let i = KEYS.iter().position(|k| *k == key)?;
    Some(untrack(move || look.get()).lang.nth(i).to_owned())
}

/// How many elements are mounted (for tests).
#[doc(hidden)]
pub fn mounted_count() -> usize {
    MOUNTED.with(|m| m.borrow().len())
}

fn mount(host: HtmlElement) {
    let root = match host.shadow_root() {
        Some(root) => root,
        None => {
            match host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)) {
                Ok(root) => root,
                Err(_) => return,
            }
        }
    };
    let Ok(container) = document().create_element("div") else {
        return;
    };
    if root.append_child(&container).is_err() {
        return;
    }
    let (q, l) = read(&host);
    let signals = std::rc::Rc::new(std::cell::Cell::new(None));
    let handle = {
        let (signals, host) = (signals.clone(), host.clone());
        leptos::mount::mount_to(container.clone().unchecked_into(), move || {
            let (query, look) = (RwSignal::new(q), RwSignal::new(l));
            signals.set(Some((query, look)));
            view! { <Card session=Session::start(query, look, host) /> }
        })
    };
    let Some((query, look)) = signals.get() else {
        return;
    };
    MOUNTED.with(|m| {
        m.borrow_mut().push(Mounted {
            host,
            container,
            query,
            look,
            _handle: Box::new(handle),
        })
    });
}

fn read(host: &HtmlElement) -> (Query, Look) {
    let attr = |name| {
        host.get_attribute(name)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    (
        Query {
            endpoint: endpoint(attr("endpoint").as_deref().unwrap_or(DEFAULT_ENDPOINT)),
            survey: attr("survey"),
            ticket: attr("ticket"),
            lang: language(host),
            strings: attr("strings"),
        },
        Look {
            target: Target::from_attr(attr("target").as_deref()),
            hide_code: host.has_attribute("hide-code"),
            ..Look::default()
        },
    )
}

/// The absolute API base for `raw`, refused (`Err`) unless it is on this page's origin.
pub fn endpoint(raw: &str) -> Result<String, BadEndpoint> {
    let base = document().base_uri().ok().flatten().unwrap_or_default();
    let url = web_sys::Url::new_with_base(raw, &base).map_err(|_| BadEndpoint)?;
    if Some(url.origin()) != window().location().origin().ok() {
        return Err(BadEndpoint);
    }
    url.set_search("");
    url.set_hash("");
    Ok(url.href().trim_end_matches('/').to_owned())
}

/// The tag sent to the server (`?lang=`): the element's `lang`, else the closest `[lang]`
/// (up to `<html lang>`), else the browser's first language. Not limited to the card's
/// languages (a study's REDCap may offer more); the card's own language is the loader's
/// choice from the same places ([`crate::strings`]), and the loader's first request sends
/// the same tag.
pub fn language(host: &HtmlElement) -> Option<String> {
    host.closest("[lang]")
        .ok()
        .flatten()
        .and_then(|el| el.get_attribute("lang"))
        .or_else(|| window().navigator().languages().get(0).as_string())
        .map(|tag| tag.trim().to_owned())
        .filter(|tag| !tag.is_empty())
}
