//! Fetching a language's strings for the card (see [`crate::i18n`]): through the loader, which
//! knows where the widget's files are (`i18n/{tag}.json` beside it) and fetches each file once
//! per page — already at start-up for the page's language, in parallel with the wasm.

use crate::i18n::{self, Lang};
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlElement;

/// Installs `lang`'s strings unless the card has them: asks the element class's
/// `strings(tag)` (the loader's; a `Promise` of the parsed file, or of `null` when it could not
/// be had). `true` when a table was installed, so the card should render again. Without a
/// loader (tests mount the card alone) nothing is fetched.
pub async fn load(host: &HtmlElement, lang: Lang) -> bool {
    if lang.ready() {
        return false;
    }
    let Some(pending) = Reflect::get(host, &JsValue::from_str("constructor"))
        .ok()
        .and_then(|class| {
            let strings: Function = Reflect::get(&class, &JsValue::from_str("strings"))
                .ok()?
                .dyn_into()
                .ok()?;
            strings.call1(&class, &JsValue::from_str(lang.tag())).ok()
        })
        .and_then(|p| p.dyn_into::<Promise>().ok())
    else {
        return false;
    };
    match JsFuture::from(pending).await {
        Ok(file) if file.is_object() && !lang.ready() => {
            install(lang, &file);
            true
        }
        _ => false,
    }
}

/// Installs `lang`'s table from a parsed language file (`{"resume": "…", …}`); a key that is
/// missing or not a string stays English.
pub fn install(lang: Lang, file: &JsValue) {
    i18n::install(lang, |key| {
        Reflect::get(file, &JsValue::from_str(key))
            .ok()?
            .as_string()
    });
}
