//! The card on its own (no custom element): each state renders what the participant reads.
//! Answers come from `data:` URLs, error statuses from the fake same-origin fetch.

mod common;
use common::{document, window, *};

use leptos::prelude::*;
use redcap_resume_widget::api::{BadEndpoint, Query};
use redcap_resume_widget::i18n::Lang;
use redcap_resume_widget::{Card, Look, Session};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

struct Mounted {
    host: web_sys::HtmlElement,
    query: RwSignal<Query>,
    look: RwSignal<Look>,
    _handle: Box<dyn std::any::Any>,
}

fn mount(endpoint: Result<String, BadEndpoint>, survey: Option<&str>, look: Look) -> Mounted {
    let host: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    let query = RwSignal::new(Query {
        endpoint,
        survey: survey.map(Into::into),
        ticket: None,
        lang: None,
        strings: None,
    });
    let look = RwSignal::new(look);
    let h = host.clone();
    let handle = leptos::mount::mount_to(
        host.clone(),
        move || view! { <Card session=Session::start(query, look, h) /> },
    );
    Mounted {
        host,
        query,
        look,
        _handle: Box::new(handle),
    }
}

/// Installs the Spanish and French strings from the files the widget ships, as the loader
/// answers them (the element's loader fetches them; these tests mount the card without it).
fn spanish_and_french() -> (Lang, Lang) {
    (
        language("es", include_str!("../www/i18n/es.json")),
        language("fr", include_str!("../www/i18n/fr.json")),
    )
}

fn one(json: &str) -> Mounted {
    mount(Ok(data_endpoint(json)), Some("baseline"), Look::default())
}

#[wasm_bindgen_test]
async fn loading_state_is_busy_and_announced_from_the_first_render() {
    // The fake fetch answers asynchronously: the first render is the loading state.
    route("/slow/surveys/baseline", 200, IN_PROGRESS, None);
    let origin = window().location().origin().unwrap();
    let m = mount(
        Ok(format!("{origin}/slow")),
        Some("baseline"),
        Look::default(),
    );
    let card = find(&m.host, "[part=card]").unwrap();
    assert_eq!(card.get_attribute("aria-busy").as_deref(), Some("true"));
    let status = find(&m.host, "[part=status]").unwrap();
    assert_eq!(status.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(text(&status), "Loading your survey…");
    assert!(find(&m.host, ".skeleton").is_some());
    until("ready", || text(&m.host).contains("Resume survey")).await;
    // The same live region, now announcing the status.
    let status_after = find(&m.host, "[role=status]").unwrap();
    assert!(
        status_after == status,
        "the status region is kept, not replaced"
    );
    assert_eq!(card.get_attribute("aria-busy").as_deref(), Some("false"));
}

#[wasm_bindgen_test]
async fn in_progress_shows_title_status_resume_form_code_and_link() {
    let m = one(IN_PROGRESS);
    until("ready", || text(&m.host).contains("Resume survey")).await;
    let t = text(&m.host);
    assert!(t.contains("Baseline questionnaire"), "{t}");
    assert!(
        t.contains("In progress — you can continue where you stopped."),
        "{t}"
    );

    let button = find(&m.host, "button[part=resume]").unwrap();
    // The accessible name includes the survey title.
    assert_eq!(text(&button), "Resume survey: Baseline questionnaire");
    assert_eq!(button.get_attribute("type").as_deref(), Some("submit"));
    let form = find(&m.host, "form").unwrap();
    assert_eq!(form.get_attribute("method").as_deref(), Some("post"));
    assert_eq!(
        form.get_attribute("action").as_deref(),
        Some("https://redcap.example.edu/surveys/?s=AbCdEfGhJkLmNpQr")
    );
    assert_eq!(form.get_attribute("target").as_deref(), Some("_self"));
    let hidden = find(&m.host, "form input[type=hidden]").unwrap();
    assert_eq!(hidden.get_attribute("name").as_deref(), Some("__code"));
    assert_eq!(hidden.get_attribute("value").as_deref(), Some("KX7HD3LW"));

    assert_eq!(text(&find(&m.host, "[part=code]").unwrap()), "KX7HD3LW");
    assert_eq!(text(&find(&m.host, "[part=copy]").unwrap()), "Copy code");
    let link = find(&m.host, "a[part=link]").unwrap();
    assert_eq!(text(&link), "Or open this link and enter your code");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://redcap.example.edu/surveys/?s=AbCdEfGhJkLmNpQr&__return=1")
    );
    assert_eq!(
        link.get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
    assert!(find(&m.host, "[part=error]").is_none());
}

#[wasm_bindgen_test]
async fn completed_thanks_the_participant_and_offers_nothing_else() {
    let m = one(r#"{"key":"baseline","title":"Baseline questionnaire","status":"completed"}"#);
    until("ready", || text(&m.host).contains("thank you")).await;
    assert!(text(&m.host).contains("You have completed this survey — thank you."));
    for part in ["resume", "code", "copy", "link", "error"] {
        assert!(find(&m.host, &format!("[part={part}]")).is_none(), "{part}");
    }
}

#[wasm_bindgen_test]
async fn not_started_without_a_code_links_to_the_survey() {
    let m = one(
        r#"{"key":"baseline","title":"Baseline questionnaire","status":"not_started",
            "survey_link":"https://redcap.example.edu/surveys/?s=StartHere"}"#,
    );
    until("ready", || text(&m.host).contains("Start survey")).await;
    assert!(text(&m.host).contains("Not started yet."));
    let start = find(&m.host, "[part=resume]").unwrap();
    assert_eq!(
        start.get_attribute("href").as_deref(),
        Some("https://redcap.example.edu/surveys/?s=StartHere")
    );
    assert!(find(&m.host, "[part=code]").is_none());
}

#[wasm_bindgen_test]
async fn hide_code_keeps_only_the_resume_button() {
    let m = mount(
        Ok(data_endpoint(IN_PROGRESS)),
        Some("baseline"),
        Look {
            hide_code: true,
            ..Look::default()
        },
    );
    until("ready", || text(&m.host).contains("Resume survey")).await;
    assert!(find(&m.host, "[part=code]").is_none());
    assert!(find(&m.host, "[part=copy]").is_none());
    assert!(find(&m.host, "[part=link]").is_none());
    assert!(!text(&m.host).contains("KX7HD3LW"));
}

#[wasm_bindgen_test]
async fn target_blank_applies_to_form_and_link() {
    let m = mount(
        Ok(data_endpoint(IN_PROGRESS)),
        Some("baseline"),
        Look {
            target: redcap_resume_widget::Target::Blank,
            ..Look::default()
        },
    );
    until("ready", || text(&m.host).contains("Resume survey")).await;
    assert_eq!(
        find(&m.host, "form")
            .unwrap()
            .get_attribute("target")
            .as_deref(),
        Some("_blank")
    );
    assert_eq!(
        find(&m.host, "[part=link]")
            .unwrap()
            .get_attribute("target")
            .as_deref(),
        Some("_blank")
    );
}

#[wasm_bindgen_test]
async fn the_list_shows_every_survey() {
    let list = format!(
        r#"{{"surveys":[{IN_PROGRESS},{{"key":"consent","title":"Consent form","status":"completed"}}]}}"#
    );
    let m = mount(Ok(data_endpoint(&list)), None, Look::default());
    until("ready", || text(&m.host).contains("Consent form")).await;
    let t = text(&m.host);
    assert!(t.contains("Your surveys"), "{t}");
    assert!(t.contains("Here are your surveys."), "{t}");
    assert_eq!(find_all(&m.host, "li").len(), 2);
    assert_eq!(find_all(&m.host, "button[part=resume]").len(), 1);
    assert!(
        t.contains("You have completed this survey — thank you."),
        "{t}"
    );
}

#[wasm_bindgen_test]
async fn an_empty_list_says_so() {
    let m = mount(
        Ok(data_endpoint(r#"{"surveys":[]}"#)),
        None,
        Look::default(),
    );
    until("ready", || text(&m.host).contains("no surveys")).await;
    assert!(text(&m.host).contains("You have no surveys to resume right now."));
}

#[wasm_bindgen_test]
async fn switching_language_re_renders_every_string() {
    let (es, fr) = spanish_and_french();
    let m = one(IN_PROGRESS);
    until("ready", || text(&m.host).contains("Resume survey")).await;
    m.look.update(|l| l.lang = es);
    until("spanish", || text(&m.host).contains("Continuar encuesta")).await;
    let t = text(&m.host);
    assert!(
        t.contains("En curso") && t.contains("Copiar código") && t.contains("Su código de retorno"),
        "{t}"
    );
    assert_eq!(
        find(&m.host, "[part=card]")
            .unwrap()
            .get_attribute("lang")
            .as_deref(),
        Some("es")
    );
    m.look.update(|l| l.lang = fr);
    until("french", || {
        text(&m.host).contains("Reprendre le questionnaire")
    })
    .await;
    assert!(text(&m.host).contains("Copier le code"));
}

#[wasm_bindgen_test]
async fn every_error_code_has_a_message_a_participant_understands() {
    let origin = window().location().origin().unwrap();
    let cases = [
        ("forbidden", 403, "You do not have access to this survey."),
        (
            "unknown_survey",
            404,
            "This survey could not be found. Please contact the study team.",
        ),
        (
            "record_not_found",
            404,
            "We could not find your study record. Please contact the study team.",
        ),
        (
            "resume_not_available",
            409,
            "This survey cannot be resumed online. Please contact the study team.",
        ),
        (
            "upstream_misconfigured",
            502,
            "The survey system is not set up correctly. Please contact the study team.",
        ),
        (
            "upstream_unavailable",
            503,
            "The survey system is not available right now. Please try again later.",
        ),
        (
            "rate_limited",
            429,
            "There are too many requests right now. Please try again in a moment.",
        ),
        (
            "something_new",
            500,
            "Something went wrong. Please try again later.",
        ),
    ];
    for (code, status, message) in cases {
        route(
            &format!("/err-{code}/surveys/baseline"),
            status,
            &error_body(code),
            None,
        );
        let m = mount(
            Ok(format!("{origin}/err-{code}")),
            Some("baseline"),
            Look::default(),
        );
        until(code, || find(&m.host, "[part=error]").is_some()).await;
        let error = find(&m.host, "[part=error]").unwrap();
        assert_eq!(text(&error), message, "{code}");
        // Errors are announced: they are inside the status region.
        assert!(
            find(&m.host, "[role=status] [part=error]").is_some(),
            "{code}"
        );
        // Never the server's own wording.
        assert!(!text(&m.host).contains("server text"), "{code}");
        let retry = find(&m.host, "button.secondary").is_some();
        assert_eq!(
            retry,
            matches!(code, "upstream_unavailable" | "rate_limited"),
            "{code}"
        );
    }
}

#[wasm_bindgen_test]
async fn signed_out_has_a_default_text_in_its_slot() {
    let origin = window().location().origin().unwrap();
    route(
        "/signed-out/surveys/baseline",
        401,
        &error_body("not_signed_in"),
        None,
    );
    let m = mount(
        Ok(format!("{origin}/signed-out")),
        Some("baseline"),
        Look::default(),
    );
    until("signed out", || text(&m.host).contains("Please sign in")).await;
    let slot = find(&m.host, "[part=error] slot[name=signed-out]").unwrap();
    assert_eq!(text(&slot), "Please sign in to see your survey.");
}

#[wasm_bindgen_test]
async fn try_again_shows_the_retry_after_wait_then_fetches_again() {
    let origin = window().location().origin().unwrap();
    route(
        "/busy/surveys/baseline",
        503,
        &error_body("upstream_unavailable"),
        Some(2),
    );
    let m = mount(
        Ok(format!("{origin}/busy")),
        Some("baseline"),
        Look::default(),
    );
    until("error", || find(&m.host, "button.secondary").is_some()).await;
    let button = find(&m.host, "button.secondary").unwrap();
    assert_eq!(text(&button), "Try again in 2 s");
    assert!(
        button.has_attribute("disabled"),
        "disabled while Retry-After runs"
    );
    until("counting down", || text(&button) == "Try again in 1 s").await;
    assert!(button.has_attribute("disabled"));
    until("enabled after Retry-After", || {
        !button.has_attribute("disabled")
    })
    .await;
    assert_eq!(text(&button), "Try again");
    route("/busy/surveys/baseline", 200, IN_PROGRESS, None);
    let before = seen("/busy/").len();
    click(&button);
    until("recovered", || text(&m.host).contains("Resume survey")).await;
    assert_eq!(seen("/busy/").len(), before + 1);
}

#[wasm_bindgen_test]
async fn a_wait_of_several_digits_reads_in_order() {
    let origin = window().location().origin().unwrap();
    route(
        "/slow/surveys/baseline",
        429,
        &error_body("rate_limited"),
        Some(120),
    );
    let m = mount(
        Ok(format!("{origin}/slow")),
        Some("baseline"),
        Look::default(),
    );
    until("error", || find(&m.host, "button.secondary").is_some()).await;
    let label = text(&find(&m.host, "button.secondary").unwrap());
    assert!(
        label == "Try again in 120 s" || label == "Try again in 119 s",
        "{label}"
    );
}

/// Error bodies carry no title: an error for a survey answered before keeps its title.
#[wasm_bindgen_test]
async fn an_error_card_keeps_the_survey_title_it_had() {
    let origin = window().location().origin().unwrap();
    route("/titled/surveys/baseline", 200, IN_PROGRESS, None);
    let m = mount(
        Ok(format!("{origin}/titled")),
        Some("baseline"),
        Look::default(),
    );
    until("ready", || text(&m.host).contains("Resume survey")).await;
    route(
        "/titled/surveys/baseline",
        503,
        &error_body("upstream_unavailable"),
        None,
    );
    m.query.update(|q| q.ticket = Some("eyJ.other".into()));
    until("error", || find(&m.host, "[part=error]").is_some()).await;
    let title = find(&m.host, "h2[part=title]").unwrap();
    assert_eq!(text(&title), "Baseline questionnaire");
    // Another survey's error does not borrow it.
    m.query.update(|q| q.survey = Some("month3".into()));
    until("generic title", || text(&title) == "Your survey").await;
}

#[wasm_bindgen_test]
async fn a_broken_answer_is_a_network_error_with_try_again() {
    let m = one("this is not json");
    until("error", || find(&m.host, "[part=error]").is_some()).await;
    assert_eq!(
        text(&find(&m.host, "[part=error]").unwrap()),
        "We could not reach the server. Check your connection and try again."
    );
    assert!(find(&m.host, "button.secondary").is_some());
}

#[wasm_bindgen_test]
async fn a_refused_endpoint_shows_a_configuration_error() {
    let m = mount(Err(BadEndpoint), Some("baseline"), Look::default());
    until("config error", || find(&m.host, "[part=error]").is_some()).await;
    assert!(text(&m.host).contains("its endpoint must be on this website"));
    assert!(find(&m.host, "button.secondary").is_none());
}

#[wasm_bindgen_test]
async fn changing_the_query_fetches_the_new_survey() {
    let m = one(IN_PROGRESS);
    until("baseline", || {
        text(&m.host).contains("Baseline questionnaire")
    })
    .await;
    m.query.update(|q| {
        q.endpoint = Ok(data_endpoint(MONTH3));
        q.survey = Some("month3".into());
    });
    until("month3", || text(&m.host).contains("Three-month follow-up")).await;
    assert_eq!(text(&find(&m.host, "[part=code]").unwrap()), "M3M3M3M3");
}

/// `[study] contact` as the server sends it (issue 9: never a dead end).
const CONTACT: &str = "Questions? Call the study team at 555-0100.";

#[wasm_bindgen_test]
async fn the_contact_line_follows_errors_completed_surveys_and_the_return_page_link() {
    let (es, _) = spanish_and_french();
    let origin = window().location().origin().unwrap();
    // Under an error (from the error body), with the survey's own message above it.
    route(
        "/contact-err/surveys/baseline",
        404,
        &format!(
            r#"{{"error":{{"code":"record_not_found","message":"server text","contact":"{CONTACT}"}}}}"#
        ),
        None,
    );
    let m = mount(
        Ok(format!("{origin}/contact-err")),
        Some("baseline"),
        Look::default(),
    );
    until("error", || find(&m.host, "[part=contact]").is_some()).await;
    assert_eq!(text(&find(&m.host, "[part=contact]").unwrap()), CONTACT);
    assert!(find(&m.host, "[part=error]").is_some());

    // Under "completed".
    let m = one(&format!(
        r#"{{"key":"baseline","title":"Baseline questionnaire","status":"completed","contact":"{CONTACT}"}}"#
    ));
    until("completed", || find(&m.host, "[part=contact]").is_some()).await;
    assert_eq!(text(&find(&m.host, "[part=contact]").unwrap()), CONTACT);

    // Beside REDCap's return page, for when it says the survey is closed.
    let in_progress = IN_PROGRESS.replace(
        r#""status":"in_progress","#,
        &format!(r#""status":"in_progress","contact":"{CONTACT}","#),
    );
    let m = one(&in_progress);
    until("ready", || find(&m.host, "[part=contact]").is_some()).await;
    assert_eq!(
        text(&find(&m.host, "[part=contact]").unwrap()),
        format!("If the survey says it is closed: {CONTACT}")
    );
    m.look.update(|l| l.lang = es);
    until("spanish", || {
        text(&m.host).contains("Si la encuesta dice que está cerrada:")
    })
    .await;

    // Not before there is an answer, and not where the survey simply starts.
    let not_started = format!(
        r#"{{"key":"baseline","title":"Baseline questionnaire","status":"not_started",
            "survey_link":"https://redcap.example.edu/surveys/?s=StartHere","contact":"{CONTACT}"}}"#
    );
    let m = one(&not_started);
    until("ready", || text(&m.host).contains("Start survey")).await;
    assert!(find(&m.host, "[part=contact]").is_none());

    // No contact configured: no line.
    let m = one(IN_PROGRESS);
    until("ready", || text(&m.host).contains("Resume survey")).await;
    assert!(find(&m.host, "[part=contact]").is_none());
}

#[wasm_bindgen_test]
async fn a_survey_login_survey_continues_by_its_plain_link_only() {
    // REDCap's Survey Login: the server asks REDCap for no code; the participant logs in on
    // the survey page. No code, no form, no return-page link.
    let m = one(
        r#"{"key":"checkin","title":"Clinic check-in","status":"in_progress","survey_login":true,
            "survey_link":"https://redcap.example.edu/surveys/?s=LoginHere"}"#,
    );
    until("ready", || text(&m.host).contains("Resume survey")).await;
    let resume = find(&m.host, "a[part=resume]").unwrap();
    assert_eq!(
        resume.get_attribute("href").as_deref(),
        Some("https://redcap.example.edu/surveys/?s=LoginHere")
    );
    for gone in ["form", "[part=code]", "[part=copy]", "[part=link]"] {
        assert!(find(&m.host, gone).is_none(), "{gone}");
    }
}

#[wasm_bindgen_test]
async fn target_top_takes_resume_and_links_out_of_a_frame() {
    let m = mount(
        Ok(data_endpoint(IN_PROGRESS)),
        Some("baseline"),
        Look {
            target: redcap_resume_widget::Target::Top,
            ..Look::default()
        },
    );
    until("ready", || text(&m.host).contains("Resume survey")).await;
    for sel in ["form", "[part=link]"] {
        let target = find(&m.host, sel).unwrap().get_attribute("target");
        assert_eq!(target.as_deref(), Some("_top"), "{sel}");
    }
}
