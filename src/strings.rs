//! The card's language and words (see [`crate::i18n`]), as the loader chose them: the element
//! class's `words(el)` (in `www/redcap-resume.js`) picks the language from the page (element,
//! closest `[lang]`, browser; `pt-BR` → `pt`, `zh-CN` → `zh-Hans`), fetches the language's
//! file beside the widget and the study's `strings` file once per page, and answers
//! `{tag, rtl, file, study}` (or `null`: English as built in).

use crate::i18n::{self, Lang, KEYS};
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlElement;

/// Where an installed answer keeps its [`Lang`]: the loader hands out one object per language
/// and wording file, so each is installed (and its problems reported) once per page.
const MARK: &str = "__redcapResumeLang";

/// The language `host` should speak, installed. `None` without a loader (tests mount the card
/// alone): the card keeps the language it was given.
pub async fn load(host: &HtmlElement) -> Option<Lang> {
    let class = Reflect::get(host, &JsValue::from_str("constructor")).ok()?;
    let words: Function = Reflect::get(&class, &JsValue::from_str("words"))
        .ok()?
        .dyn_into()
        .ok()?;
    let pending: Promise = words.call1(&class, host).ok()?.dyn_into().ok()?;
    let answer = JsFuture::from(pending).await.unwrap_or(JsValue::NULL);
    if !answer.is_object() {
        return Some(Lang::EN);
    }
    let mark = JsValue::from_str(MARK);
    if let Some(n) = Reflect::get(&answer, &mark).ok().and_then(|n| n.as_f64()) {
        return Some(Lang(n as u8));
    }
    let lang = install(&answer);
    _ = Reflect::set(&answer, &mark, &JsValue::from(lang.0));
    Some(lang)
}

/// Installs the language the loader answered. The study's keys that are unknown, or whose
/// text lacks a placeholder of the English (`{seconds}`), are named in one console warning;
/// the built-in text stands in for them.
pub fn install(answer: &JsValue) -> Lang {
    let get = |o: &JsValue, k: &str| Reflect::get(o, &JsValue::from_str(k)).unwrap_or_default();
    let (file, study) = (get(answer, "file"), get(answer, "study"));
    let tag = get(answer, "tag").as_string().unwrap_or_default();
    let mut wrong = String::new();
    let mut note = |key: &str| {
        wrong += if wrong.is_empty() { " " } else { ", " };
        wrong += key;
    };
    if study.is_object() {
        for key in Object::keys(study.unchecked_ref::<Object>()) {
            let key = key.as_string().unwrap_or_default();
            if !KEYS.contains(&key.as_str()) {
                note(&key);
            }
        }
    }
    let lang = i18n::install(
        &tag,
        get(answer, "rtl").is_truthy(),
        &|key| get(&file, key).as_string(),
        &|key| get(&study, key).as_string(),
        &mut note,
    );
    if !wrong.is_empty() {
        web_sys::console::warn_1(&JsValue::from_str(
            &(String::from("redcap-resume: the strings file's \"")
                + &tag
                + "\" has unknown keys or texts missing a {placeholder}:"
                + &wrong
                + "; the built-in texts are used for them"),
        ));
    }
    lang
}
