//! The card's language and words as the loader chooses them: region fallback, right-to-left
//! languages, and a study's own wording (`strings`), with its mistakes reported once.

mod common;
use common::loader::*;
use common::*;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// `key`'s text in the shipped file for `tag`.
fn shipped(tag: &str, key: &str) -> String {
    let file = SHIPPED.iter().find(|(t, _)| *t == tag).unwrap().1;
    let parsed = js_sys::JSON::parse(file).unwrap();
    js_sys::Reflect::get(&parsed, &key.into())
        .unwrap()
        .as_string()
        .unwrap()
}

/// A card for `baseline` under a wrapper with `lang`, and the wrapper.
async fn card_in(lang: &str, prefix: &str, attrs: &str) -> (web_sys::Element, HtmlElement) {
    route(
        &format!("{prefix}/surveys/baseline"),
        200,
        IN_PROGRESS,
        None,
    );
    defined();
    let wrapper = document().create_element("div").unwrap();
    wrapper.set_attribute("lang", lang).unwrap();
    wrapper.set_inner_html(&format!(
        r#"<{TAG} survey="baseline" endpoint="{prefix}" {attrs}></{TAG}>"#
    ));
    document().body().unwrap().append_child(&wrapper).unwrap();
    let el: HtmlElement = wrapper.first_element_child().unwrap().unchecked_into();
    until("ready", || find(&shadow(&el), "[part=code]").is_some()).await;
    (wrapper, el)
}

fn article(el: &HtmlElement) -> web_sys::Element {
    find(&shadow(el), "[part=card]").unwrap()
}

#[wasm_bindgen_test]
async fn a_region_falls_back_to_its_language_and_chinese_to_its_script() {
    for (page, tag) in [
        ("pt-BR", "pt"),
        ("zh-CN", "zh-Hans"),
        ("de-AT", "de"),
        ("ko", "ko"),
    ] {
        let (wrapper, el) = card_in(page, "/region/api", "").await;
        let resume = shipped(tag, "resume");
        until(tag, || text(&shadow(&el)).contains(&resume)).await;
        assert_eq!(article(&el).get_attribute("lang").as_deref(), Some(tag));
        // The server is still asked in the page's own tag (REDCap may know the region).
        assert!(seen("/region/api/")
            .last()
            .unwrap()
            .url
            .ends_with(&format!("?lang={page}")));
        wrapper.remove();
    }
    // Traditional Chinese is not Simplified: the browser's language instead (English here).
    let (wrapper, el) = card_in("zh-TW", "/region/api", "").await;
    until("ready", || text(&shadow(&el)).contains("Resume survey")).await;
    assert_eq!(article(&el).get_attribute("lang").as_deref(), Some("en"));
    wrapper.remove();
}

#[wasm_bindgen_test]
async fn arabic_is_right_to_left_with_the_code_left_to_right() {
    let (wrapper, el) = card_in("ar", "/ar/api", "").await;
    let resume = shipped("ar", "resume");
    until("arabic", || text(&shadow(&el)).contains(&resume)).await;
    assert_eq!(article(&el).get_attribute("dir").as_deref(), Some("rtl"));
    let code = find(&shadow(&el), "[part=code]").unwrap();
    assert_eq!(code.get_attribute("dir").as_deref(), Some("ltr"));
    let style = window().get_computed_style(&code).unwrap().unwrap();
    assert_eq!(style.get_property_value("direction").unwrap(), "ltr");
    let style = window().get_computed_style(&article(&el)).unwrap().unwrap();
    assert_eq!(style.get_property_value("direction").unwrap(), "rtl");
    wrapper.remove();
}

const WORDING: &str = r#"{
  "es": {"resume": "Seguir con el cuestionario del estudio", "resme": "typo",
         "try_again_in": "Reintente pronto"},
  "fa": {"resume": "ادامه پرسشنامه", "code_label": "کد بازگشت شما"}
}"#;

#[wasm_bindgen_test]
async fn a_study_wording_file_replaces_texts_and_its_mistakes_are_reported_once() {
    route("/study/wording.json", 200, WORDING, None);
    let warnings = capture_warnings();
    let attrs = r#"strings="/study/wording.json""#;
    let (first, one) = card_in("es", "/study/api", attrs).await;
    let (second, two) = card_in("es-MX", "/study/api", attrs).await;
    for el in [&one, &two] {
        until("the study's text", || {
            text(&shadow(el)).contains("Seguir con el cuestionario del estudio")
        })
        .await;
        // The texts the study did not replace are the built-in Spanish ones.
        assert!(text(&shadow(el)).contains(&shipped("es", "copy")));
    }
    assert_eq!(seen("/study/wording.json").len(), 1, "fetched once");
    let reported: Vec<String> = warnings
        .borrow()
        .iter()
        .filter(|w| w.contains("strings file"))
        .cloned()
        .collect();
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert!(
        reported[0].contains("resme") && reported[0].contains("try_again_in"),
        "{reported:?}"
    );
    first.remove();
    second.remove();

    // A language only the study has, written right to left, is the card's when the page asks.
    let (wrapper, el) = card_in("fa-IR", "/study/api", attrs).await;
    until("persian", || text(&shadow(&el)).contains("ادامه پرسشنامه")).await;
    assert_eq!(article(&el).get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(article(&el).get_attribute("lang").as_deref(), Some("fa"));
    // What it lacks is English.
    assert!(text(&shadow(&el)).contains("Copy code"));
    wrapper.remove();
}

#[wasm_bindgen_test]
async fn a_wording_file_elsewhere_or_broken_is_reported_and_the_card_works() {
    route("/broken/wording.json", 200, "not json", None);
    let warnings = capture_warnings();
    for (prefix, src) in [
        ("/elsewhere/api", "https://cdn.example.org/wording.json"),
        ("/broken/api", "/broken/wording.json"),
    ] {
        let attrs = format!(r#"strings="{src}""#);
        let (wrapper, el) = card_in("es", prefix, &attrs).await;
        let resume = shipped("es", "resume");
        until("built-in spanish", || text(&shadow(&el)).contains(&resume)).await;
        assert!(
            warnings.borrow().iter().any(|w| w.contains(src)),
            "{:?}",
            warnings.borrow()
        );
        wrapper.remove();
    }
}

#[wasm_bindgen_test]
async fn the_strings_property_reflects_its_attribute() {
    // Its own file: the wording test counts the fetches and the warnings of its file.
    route("/study/prop-wording.json", 200, WORDING, None);
    let (wrapper, el) = card_in("es", "/prop/api", "").await;
    let js: &wasm_bindgen::JsValue = el.as_ref();
    assert_eq!(js_sys::Reflect::get(js, &"strings".into()).unwrap(), "");
    js_sys::Reflect::set(js, &"strings".into(), &"/study/prop-wording.json".into()).unwrap();
    assert_eq!(
        el.get_attribute("strings").as_deref(),
        Some("/study/prop-wording.json")
    );
    until("the study's text", || {
        text(&shadow(&el)).contains("Seguir con el cuestionario del estudio")
    })
    .await;
    wrapper.remove();
}

#[wasm_bindgen_test]
async fn an_english_contact_line_keeps_its_punctuation_in_a_right_to_left_card() {
    let line = "Questions? Call the study team at 555-0100.";
    let body = IN_PROGRESS.replace(
        r#""status":"in_progress","#,
        &format!(r#""status":"in_progress","contact":"{line}","#),
    );
    route("/ar-contact/api/surveys/baseline", 200, &body, None);
    defined();
    let wrapper = document().create_element("div").unwrap();
    wrapper.set_attribute("lang", "ar").unwrap();
    wrapper.set_inner_html(&format!(
        r#"<{TAG} survey="baseline" endpoint="/ar-contact/api"></{TAG}>"#
    ));
    document().body().unwrap().append_child(&wrapper).unwrap();
    let el: HtmlElement = wrapper.first_element_child().unwrap().unchecked_into();
    let prefix = shipped("ar", "if_closed");
    until("arabic contact", || {
        find(&shadow(&el), "[part=contact]").is_some_and(|p| text(&p).starts_with(&prefix))
    })
    .await;
    let shown = text(&find(&shadow(&el), "[part=contact]").unwrap());
    // The line is a bidi isolate of its own (U+2068 … U+2069), as <bdi> would make it.
    assert_eq!(shown, format!("{prefix} \u{2068}{line}\u{2069}"));
    wrapper.remove();
}
