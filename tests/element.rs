//! The `<redcap-resume>` custom element, defined by the real loader (`www/redcap-resume.js`)
//! against this test's wasm, with a fake same-origin `fetch` (no server needed).
//! The element is registered as `rr-test`: importing the loader also registers
//! `redcap-resume` with its own (here unavailable) wasm, which these tests do not use.

mod common;
use common::loader::*;
use common::*;

use std::{cell::RefCell, rc::Rc};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// Records the `detail` (as JSON) of every `type` event reaching `document`.
fn listen(ty: &str) -> Rc<RefCell<Vec<(String, String)>>> {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let f = Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
        let target: web_sys::Element = e.target().unwrap().unchecked_into();
        let detail = js_sys::JSON::stringify(&e.detail())
            .unwrap()
            .as_string()
            .unwrap();
        l.borrow_mut().push((target.id(), detail));
    });
    document()
        .add_event_listener_with_callback(ty, f.as_ref().unchecked_ref())
        .unwrap();
    f.forget();
    log
}

fn ready_route(prefix: &str) {
    route(
        &format!("{prefix}/surveys/baseline"),
        200,
        IN_PROGRESS,
        None,
    );
    route(&format!("{prefix}/surveys/month3"), 200, MONTH3, None);
}

#[wasm_bindgen_test]
async fn renders_in_an_open_shadow_root_with_stable_parts_and_the_agreed_request() {
    ready_route("/a/api");
    let el = element(&[("survey", "baseline"), ("endpoint", "/a/api")]);
    let root = shadow(&el);
    until("ready", || text(&root).contains("Resume survey")).await;
    for part in ["card", "title", "status", "code", "copy", "resume", "link"] {
        assert!(
            find(&root, &format!("[part~={part}]")).is_some(),
            "part {part}"
        );
    }
    assert_eq!(
        find(&root, "[part=status]")
            .unwrap()
            .get_attribute("role")
            .as_deref(),
        Some("status")
    );
    let requests = seen("/a/api/");
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = &requests[0];
    assert!(r.url.contains("/a/api/surveys/baseline?lang="), "{r:?}");
    assert_eq!(r.csrf.as_deref(), Some("1"));
    assert_eq!(
        r.authorization, None,
        "no ticket attribute, no Authorization header"
    );
    assert_eq!(r.credentials, "SameOrigin");
    // Styles come from a constructable stylesheet (no inline <style>: strict CSP).
    let adopted = js_sys::Reflect::get(&root, &"adoptedStyleSheets".into()).unwrap();
    assert_eq!(js_sys::Array::from(&adopted).length(), 1);
    assert!(find(&root, "style").is_none());
    el.remove();
}

#[wasm_bindgen_test]
async fn the_default_endpoint_and_the_ticket_attribute() {
    ready_route("/redcap-resume/api");
    let el = element(&[("survey", "baseline"), ("ticket", "eyJ.test.ticket")]);
    until("ready", || text(&shadow(&el)).contains("Resume survey")).await;
    let r = seen("/redcap-resume/api/surveys/baseline");
    assert_eq!(
        r.last().unwrap().authorization.as_deref(),
        Some("Bearer eyJ.test.ticket")
    );
    // A new ticket is a new request.
    el.set_attribute("ticket", "eyJ.second").unwrap();
    until("refetch", || {
        seen("/redcap-resume/api/surveys/baseline").len() == r.len() + 1
    })
    .await;
    assert_eq!(
        seen("/redcap-resume/api/surveys/baseline")
            .last()
            .unwrap()
            .authorization
            .as_deref(),
        Some("Bearer eyJ.second")
    );
    el.remove();
}

#[wasm_bindgen_test]
async fn changing_survey_re_fetches_and_re_renders() {
    ready_route("/b/api");
    let el = element(&[("survey", "baseline"), ("endpoint", "/b/api")]);
    let root = shadow(&el);
    until("baseline", || {
        text(&root).contains("Baseline questionnaire")
    })
    .await;
    el.set_attribute("survey", "month3").unwrap();
    until("month3", || text(&root).contains("Three-month follow-up")).await;
    assert_eq!(text(&find(&root, "[part=code]").unwrap()), "M3M3M3M3");
    assert_eq!(seen("/b/api/").len(), 2);
    el.remove();
}

#[wasm_bindgen_test]
async fn lang_is_sent_and_a_new_lang_asks_again_while_looks_do_not() {
    ready_route("/c/api");
    let el = element(&[
        ("survey", "baseline"),
        ("endpoint", "/c/api"),
        ("lang", "fr"),
    ]);
    let root = shadow(&el);
    until("french", || {
        text(&root).contains("Reprendre le questionnaire")
    })
    .await;
    // The language goes to the server (the study's contact line, REDCap's survey language).
    let first = seen("/c/api/");
    assert_eq!(first.len(), 1);
    assert!(
        first[0].url.ends_with("/c/api/surveys/baseline?lang=fr"),
        "{}",
        first[0].url
    );
    el.set_attribute("lang", "es").unwrap();
    until("spanish", || text(&root).contains("Continuar encuesta")).await;
    until("asked in spanish", || seen("/c/api/").len() == 2).await;
    assert!(seen("/c/api/")[1].url.ends_with("?lang=es"));
    el.set_attribute("hide-code", "").unwrap();
    until("hide-code", || find(&root, "[part=code]").is_none()).await;
    el.set_attribute("target", "_top").unwrap();
    until("target", || {
        find(&root, "form")
            .unwrap()
            .get_attribute("target")
            .as_deref()
            == Some("_top")
    })
    .await;
    assert_eq!(seen("/c/api/").len(), 2, "looks change without fetching");
    el.remove();
}

#[wasm_bindgen_test]
async fn lang_is_inherited_from_the_closest_lang_attribute() {
    ready_route("/d/api");
    defined();
    let wrapper = document().create_element("div").unwrap();
    wrapper.set_attribute("lang", "es-MX").unwrap();
    wrapper.set_inner_html(&format!(
        r#"<{TAG} survey="baseline" endpoint="/d/api"></{TAG}>"#
    ));
    document().body().unwrap().append_child(&wrapper).unwrap();
    let el: HtmlElement = wrapper.first_element_child().unwrap().unchecked_into();
    until("spanish", || {
        text(&shadow(&el)).contains("Continuar encuesta")
    })
    .await;
    wrapper.remove();
}

#[wasm_bindgen_test]
async fn events_bubble_out_of_the_shadow_root_without_code_or_links() {
    ready_route("/e/api");
    route(
        "/e/api/surveys/nope",
        401,
        &error_body("not_signed_in"),
        None,
    );
    let ready = listen("redcap-resume:ready");
    let errors = listen("redcap-resume:error");
    let resumes = listen("redcap-resume:resume");
    let el = element(&[
        ("survey", "baseline"),
        ("endpoint", "/e/api"),
        ("id", "ev-card"),
    ]);
    let root = shadow(&el);
    until("ready event", || {
        ready.borrow().iter().any(|(id, _)| id == "ev-card")
    })
    .await;
    let detail = ready
        .borrow()
        .iter()
        .find(|(id, _)| id == "ev-card")
        .unwrap()
        .1
        .clone();
    assert_eq!(detail, r#"{"survey":"baseline","status":"in_progress"}"#);

    // The resume event is cancelable and fires before the form is submitted: cancel it here
    // (or the test page would navigate away).
    let cancel = Closure::<dyn Fn(web_sys::Event)>::new(|e: web_sys::Event| e.prevent_default());
    el.add_event_listener_with_callback("redcap-resume:resume", cancel.as_ref().unchecked_ref())
        .unwrap();
    cancel.forget();
    click(&find(&root, "button[part=resume]").unwrap());
    until("resume event", || {
        resumes.borrow().iter().any(|(id, _)| id == "ev-card")
    })
    .await;
    let detail = resumes
        .borrow()
        .iter()
        .find(|(id, _)| id == "ev-card")
        .unwrap()
        .1
        .clone();
    assert_eq!(detail, r#"{"survey":"baseline"}"#);
    assert!(el.is_connected(), "cancelled: still on this page");

    el.set_attribute("survey", "nope").unwrap();
    until("error event", || {
        errors.borrow().iter().any(|(id, _)| id == "ev-card")
    })
    .await;
    let detail = errors
        .borrow()
        .iter()
        .find(|(id, _)| id == "ev-card")
        .unwrap()
        .1
        .clone();
    assert_eq!(detail, r#"{"code":"not_signed_in"}"#);

    for (_, d) in ready
        .borrow()
        .iter()
        .chain(errors.borrow().iter())
        .chain(resumes.borrow().iter())
    {
        assert!(
            !d.contains("KX7HD3LW") && !d.contains("http") && !d.contains("?s="),
            "{d}"
        );
    }
    el.remove();
}

#[wasm_bindgen_test]
async fn a_cross_origin_endpoint_is_refused_and_makes_no_request() {
    let warnings = capture_warnings();
    let errors = listen("redcap-resume:error");
    let before = seen("").len();
    let el = element(&[
        ("survey", "baseline"),
        ("endpoint", "https://evil.example/api"),
        ("id", "xo"),
    ]);
    let root = shadow(&el);
    until("config error", || find(&root, "[part=error]").is_some()).await;
    assert!(
        text(&root).contains("its endpoint must be on this website"),
        "{}",
        text(&root)
    );
    assert!(errors
        .borrow()
        .iter()
        .any(|(id, d)| id == "xo" && d == r#"{"code":"configuration"}"#));
    sleep(100).await;
    assert_eq!(seen("").len(), before, "no same-origin request");
    assert!(seen("evil.example").is_empty());
    // Whoever set the card up is told what works instead.
    assert!(
        warnings
            .borrow()
            .iter()
            .any(|w| w.contains("use the iframe snippet")),
        "{:?}",
        warnings.borrow()
    );
    // A protocol-relative and a data: endpoint are other origins too.
    el.set_attribute("endpoint", "//evil.example/api").unwrap();
    sleep(100).await;
    el.set_attribute("endpoint", "data:application/json,{}")
        .unwrap();
    sleep(100).await;
    assert_eq!(seen("").len(), before);
    assert!(text(&root).contains("its endpoint must be on this website"));
    el.remove();
}

#[wasm_bindgen_test]
async fn removing_unmounts_and_re_adding_mounts_again() {
    ready_route("/f/api");
    let el = element(&[("survey", "baseline"), ("endpoint", "/f/api")]);
    let root = shadow(&el);
    until("ready", || text(&root).contains("Resume survey")).await;
    let mounted = redcap_resume_widget::element::mounted_count();

    // Moving keeps the one mount.
    let other = document().create_element("section").unwrap();
    document().body().unwrap().append_child(&other).unwrap();
    other.append_child(&el).unwrap();
    assert_eq!(redcap_resume_widget::element::mounted_count(), mounted);
    assert!(text(&root).contains("Resume survey"));

    el.remove();
    assert_eq!(redcap_resume_widget::element::mounted_count(), mounted - 1);
    assert_eq!(root.child_nodes().length(), 0, "the shadow root is empty");

    document().body().unwrap().append_child(&el).unwrap();
    assert_eq!(redcap_resume_widget::element::mounted_count(), mounted);
    until("ready again", || text(&root).contains("Resume survey")).await;
    assert_eq!(find_all(&root, "[part=card]").len(), 1, "one card, not two");
    el.remove();
    other.remove();
}

#[wasm_bindgen_test]
async fn several_elements_from_html_each_render_their_own_survey() {
    ready_route("/g/api");
    defined();
    let wrapper = document().create_element("div").unwrap();
    wrapper.set_inner_html(&format!(
        r#"<{TAG} survey="baseline" endpoint="/g/api"></{TAG}><{TAG} survey="month3" endpoint="/g/api"></{TAG}>"#
    ));
    document().body().unwrap().append_child(&wrapper).unwrap();
    let els: Vec<HtmlElement> = find_all(&wrapper, TAG)
        .into_iter()
        .map(JsCast::unchecked_into)
        .collect();
    until("both", || {
        text(&shadow(&els[0])).contains("Baseline questionnaire")
            && text(&shadow(&els[1])).contains("Three-month follow-up")
    })
    .await;
    wrapper.remove();
}

/// Replaces `navigator.clipboard.writeText` (headless Chromium refuses the real one to an
/// unfocused test page); returns what was written.
fn stub_clipboard(accept: bool) -> Rc<RefCell<Vec<String>>> {
    let written = Rc::new(RefCell::new(Vec::new()));
    let w = written.clone();
    let f = Closure::<dyn Fn(String) -> js_sys::Promise>::new(move |text: String| {
        w.borrow_mut().push(text);
        if accept {
            js_sys::Promise::resolve(&JsValue::UNDEFINED)
        } else {
            js_sys::Promise::reject(&"NotAllowedError".into())
        }
    });
    let clipboard = window().navigator().clipboard();
    js_sys::Reflect::set(&clipboard, &"writeText".into(), f.as_ref()).unwrap();
    f.forget();
    written
}

/// "Copied" is said once (in the status beside the button, which keeps its label) and goes
/// away again.
#[wasm_bindgen_test]
async fn copy_reports_copied_once_and_reverts() {
    ready_route("/h/api");
    let written = stub_clipboard(true);
    let el = element(&[("survey", "baseline"), ("endpoint", "/h/api")]);
    let root = shadow(&el);
    until("ready", || text(&root).contains("Copy code")).await;
    click(&find(&root, "button[part=copy]").unwrap());
    let outcome = find(&root, ".copied[role=status]").unwrap();
    until("copied", || text(&outcome) == "Copied").await;
    assert_eq!(
        text(&find(&root, "button[part=copy]").unwrap()),
        "Copy code"
    );
    assert_eq!(text(&root).matches("Copied").count(), 1, "{}", text(&root));
    assert!(!outcome.class_list().contains("refused"));
    assert_eq!(*written.borrow(), ["KX7HD3LW"]);
    until("reverted", || text(&outcome).is_empty()).await;
    el.remove();
}

#[wasm_bindgen_test]
async fn a_refused_copy_selects_the_code_and_says_so() {
    ready_route("/h2/api");
    stub_clipboard(false);
    let el = element(&[("survey", "baseline"), ("endpoint", "/h2/api")]);
    let root = shadow(&el);
    until("ready", || text(&root).contains("Copy code")).await;
    click(&find(&root, "button[part=copy]").unwrap());
    until("refused", || {
        text(&root).contains("Could not copy. Select the code and copy it.")
    })
    .await;
    assert_eq!(
        text(&find(&root, "button[part=copy]").unwrap()),
        "Copy code"
    );
    // Not in the success colour.
    let outcome = find(&root, ".copied[role=status]").unwrap();
    assert!(outcome.class_list().contains("refused"));
    let colour = window()
        .get_computed_style(&outcome)
        .unwrap()
        .unwrap()
        .get_property_value("color")
        .unwrap();
    assert_ne!(colour, "rgb(26, 107, 50)", "the success green");
    let selected = window().get_selection().unwrap().unwrap().to_string();
    assert_eq!(String::from(selected), "KX7HD3LW");
    el.remove();
}

#[wasm_bindgen_test]
async fn without_survey_it_lists_every_survey() {
    let list = format!(r#"{{"surveys":[{IN_PROGRESS},{MONTH3}]}}"#);
    route("/i/api/surveys", 200, &list, None);
    let el = element(&[("endpoint", "/i/api")]);
    let root = shadow(&el);
    until("list", || text(&root).contains("Three-month follow-up")).await;
    assert_eq!(find_all(&root, "button[part=resume]").len(), 2);
    assert!(seen("/i/api/surveys")
        .iter()
        .all(|r| r.url.contains("/i/api/surveys?lang=")));
    el.remove();
}

/// An element already on the page when the loader defines it (as parsed HTML is) gets its
/// attributes (attributeChangedCallback) before connectedCallback: the loader must still start
/// its first request at once, before the wasm is ready.
#[wasm_bindgen_test]
async fn the_loader_starts_the_first_request_before_the_wasm_is_ready() {
    route("/redcap-resume/api/surveys/early", 200, IN_PROGRESS, None);
    let host = document().create_element("div").unwrap();
    host.set_inner_html(r#"<rr-late survey="early"></rr-late>"#);
    document().body().unwrap().append_child(&host).unwrap();
    let el = host.first_element_child().unwrap();
    // Defined only now, with a wasm that never arrives: the upgrade runs as on a real page.
    define("rr-late", &js_sys::Promise::new(&mut |_, _| {}));
    assert_eq!(
        seen("/surveys/early").len(),
        1,
        "the loader's early request"
    );
    assert!(js_sys::Reflect::has(&el, &"__redcapResumePrefetch".into()).unwrap());
    // The very URL the card would ask for (else the wasm could not take the request over).
    let card_url = redcap_resume_widget::api::Query {
        endpoint: redcap_resume_widget::element::endpoint("/redcap-resume/api"),
        survey: Some("early".into()),
        ticket: None,
        lang: window().navigator().languages().get(0).as_string(),
        strings: None,
    }
    .url()
    .unwrap();
    assert_eq!(seen("/surveys/early")[0].url, card_url);
    host.remove();
}

/// The loader reads the early request's body while the wasm is still on its way; the card
/// that takes the answer over sees what the server said: a refusal's status, its code and its
/// `Retry-After`, with no second request.
#[wasm_bindgen_test]
async fn the_early_answer_keeps_its_status_and_retry_after_for_the_wasm() {
    route(
        "/redcap-resume/api/surveys/early-busy",
        503,
        &error_body("upstream_unavailable"),
        Some(2),
    );
    let host = document().create_element("div").unwrap();
    host.set_inner_html(r#"<rr-early-busy survey="early-busy"></rr-early-busy>"#);
    document().body().unwrap().append_child(&host).unwrap();
    let el = host.first_element_child().unwrap();
    let mut ready = None;
    let wasm = js_sys::Promise::new(&mut |resolve, _| ready = Some(resolve));
    define("rr-early-busy", &wasm);
    assert_eq!(
        seen("/surveys/early-busy").len(),
        1,
        "the loader's early request"
    );
    sleep(50).await; // the answer arrives and its body is read before the wasm is ready
    ready.unwrap().call1(&JsValue::NULL, &rust()).unwrap();
    let root = el.shadow_root().expect("open shadow root");
    until("the refusal", || find(&root, "button.secondary").is_some()).await;
    let button = find(&root, "button.secondary").unwrap();
    assert_eq!(text(&button), "Try again in 2 s");
    assert!(
        button.has_attribute("disabled"),
        "disabled while Retry-After runs"
    );
    assert_eq!(
        text(&find(&root, "[part=error]").unwrap()),
        "The survey system is not available right now. Please try again later."
    );
    assert_eq!(seen("/surveys/early-busy").len(), 1, "no second request");
    host.remove();
}

fn prop(el: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(el, &name.into()).unwrap()
}

fn set_prop(el: &JsValue, name: &str, value: JsValue) {
    assert!(js_sys::Reflect::set(el, &name.into(), &value).unwrap());
}

/// Every attribute is a property reflecting it both ways; setting a property re-renders (and
/// re-fetches) exactly as setting the attribute does.
#[wasm_bindgen_test]
async fn properties_reflect_the_attributes_and_drive_the_card() {
    ready_route("/p/api");
    let el = element(&[]);
    let root = shadow(&el);
    let js: &JsValue = el.as_ref();
    for name in ["survey", "endpoint", "ticket", "target"] {
        assert_eq!(prop(js, name), "", "{name} without its attribute");
    }
    assert_eq!(prop(js, "hideCode"), false);

    set_prop(js, "endpoint", "/p/api".into());
    set_prop(js, "survey", "baseline".into());
    assert_eq!(el.get_attribute("survey").as_deref(), Some("baseline"));
    assert_eq!(el.get_attribute("endpoint").as_deref(), Some("/p/api"));
    until("baseline", || {
        text(&root).contains("Baseline questionnaire")
    })
    .await;

    set_prop(js, "survey", "month3".into());
    until("month3", || text(&root).contains("Three-month follow-up")).await;
    set_prop(js, "ticket", "eyJ.prop".into());
    until("refetch with the ticket", || {
        seen("/p/api/surveys/month3")
            .last()
            .is_some_and(|r| r.authorization.as_deref() == Some("Bearer eyJ.prop"))
    })
    .await;
    set_prop(js, "lang", "es".into());
    until("spanish", || text(&root).contains("Continuar encuesta")).await;
    set_prop(js, "target", "_blank".into());
    until("target", || {
        find(&root, "form")
            .and_then(|f| f.get_attribute("target"))
            .as_deref()
            == Some("_blank")
    })
    .await;
    set_prop(js, "hideCode", true.into());
    assert!(el.has_attribute("hide-code"));
    until("hide-code", || find(&root, "[part=code]").is_none()).await;
    set_prop(js, "hideCode", false.into());
    until("code again", || find(&root, "[part=code]").is_some()).await;

    // And the other way: attributes show in the properties.
    el.set_attribute("survey", "baseline").unwrap();
    el.set_attribute("hide-code", "").unwrap();
    assert_eq!(prop(js, "survey"), "baseline");
    assert_eq!(prop(js, "hideCode"), true);
    assert_eq!(prop(js, "lang"), "es");
    until("baseline again", || {
        text(&root).contains("Baseline questionnaire")
    })
    .await;
    // null removes the attribute.
    set_prop(js, "ticket", JsValue::NULL);
    assert!(!el.has_attribute("ticket"));
    assert_eq!(prop(js, "ticket"), "");
    el.remove();
}

/// A framework may set properties on the element before the loader has defined it: they are
/// taken over when it connects.
#[wasm_bindgen_test]
async fn properties_set_before_the_definition_are_taken_over() {
    ready_route("/q/api");
    let el: HtmlElement = document()
        .create_element("rr-props")
        .unwrap()
        .unchecked_into();
    set_prop(el.as_ref(), "survey", "month3".into());
    set_prop(el.as_ref(), "endpoint", "/q/api".into());
    document().body().unwrap().append_child(&el).unwrap();
    define("rr-props", &rust());
    assert_eq!(el.get_attribute("survey").as_deref(), Some("month3"));
    until("month3", || {
        text(&shadow(&el)).contains("Three-month follow-up")
    })
    .await;
    el.remove();
}

/// The same with the wasm still on its way: the loader's early request waits for the upgrade
/// to move the properties onto the attributes, so it asks for what the properties say, once.
#[wasm_bindgen_test]
async fn properties_set_before_the_definition_shape_the_early_request() {
    ready_route("/p/api");
    let host = document().create_element("div").unwrap();
    host.set_inner_html(r#"<rr-props-early survey="stale"></rr-props-early>"#);
    let el = host.first_element_child().unwrap();
    set_prop(el.as_ref(), "survey", "month3".into());
    set_prop(el.as_ref(), "endpoint", "/p/api".into());
    document().body().unwrap().append_child(&host).unwrap();
    let mut ready = None;
    let wasm = js_sys::Promise::new(&mut |resolve, _| ready = Some(resolve));
    define("rr-props-early", &wasm);
    assert_eq!(el.get_attribute("survey").as_deref(), Some("month3"));
    assert!(
        seen("/surveys/stale").is_empty(),
        "no request for the attribute the property replaced"
    );
    assert_eq!(seen("/p/api/surveys/month3").len(), 1, "the early request");
    ready.unwrap().call1(&JsValue::NULL, &rust()).unwrap();
    let root = el.shadow_root().expect("open shadow root");
    until("month3", || text(&root).contains("Three-month follow-up")).await;
    assert_eq!(
        seen("/p/api/surveys/month3").len(),
        1,
        "taken over, not asked again"
    );
    host.remove();
}
