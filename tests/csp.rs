//! A page whose Content-Security-Policy refuses REDCap in `form-action` (issue: the click did
//! nothing and the participant saw nothing). Its own test binary: the policy, once added to
//! the page, applies to every later test on it.

mod common;
use common::{document, *};

use leptos::prelude::*;
use redcap_resume_widget::api::Query;
use redcap_resume_widget::{Card, Look, Session};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_refused_form_falls_back_to_the_link_and_the_code() {
    let meta = document().create_element("meta").unwrap();
    meta.set_attribute("http-equiv", "Content-Security-Policy")
        .unwrap();
    meta.set_attribute("content", "form-action 'self'").unwrap();
    document().head().unwrap().append_child(&meta).unwrap();
    let warnings = capture_warnings();

    let host: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    let query = RwSignal::new(Query {
        endpoint: Ok(data_endpoint(IN_PROGRESS)),
        survey: Some("baseline".into()),
        ticket: None,
        lang: None,
        strings: None,
    });
    // hide-code: the code and the link are the fallback, so they show even then.
    let look = RwSignal::new(Look {
        hide_code: true,
        ..Look::default()
    });
    let h = host.clone();
    let _handle = leptos::mount::mount_to(
        host.clone(),
        move || view! { <Card session=Session::start(query, look, h) /> },
    );
    until("ready", || text(&host).contains("Resume survey")).await;
    assert!(find(&host, "[part=code]").is_none());

    click(&find(&host, "button[part=resume]").unwrap());
    until("the fallback", || find(&host, "[part=code]").is_some()).await;
    assert_eq!(text(&find(&host, "[part=code]").unwrap()), "KX7HD3LW");
    assert_eq!(
        find(&host, "a[part=link]")
            .unwrap()
            .get_attribute("href")
            .as_deref(),
        Some("https://redcap.example.edu/surveys/?s=AbCdEfGhJkLmNpQr&__return=1")
    );
    assert!(
        find(&host, "button[part=resume]").is_none(),
        "no button that does nothing"
    );
    assert_eq!(
        text(&find(&host, "[role=status]").unwrap()),
        "This page could not open the survey. Open the link below and enter your return code."
    );
    let warned = warnings.borrow();
    assert!(
        warned.iter().any(|w| w.contains("form-action")),
        "{warned:?}"
    );
}
