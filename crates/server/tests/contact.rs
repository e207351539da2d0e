//! Never a dead end (issue 9): the study's contact line (`[study] contact`) travels in every
//! answer and error body that reaches the widget, in the language the element asked for; a
//! Survey Login survey is continued through its plain link only.

mod common;

use common::{Answer, Harness, Options};
use redcap_sim::seed;

const STUDY: &str = r#"
[study.contact]
en = "Questions? Call the study team at 555-0100."
es = "¿Preguntas? Llame al equipo del estudio al 555-0100."

[surveys.checkin]
title = "Clinic check-in"
instrument = "clinic_checkin"
status = true
survey_login = true
"#;

const EN: &str = "Questions? Call the study team at 555-0100.";
const ES: &str = "¿Preguntas? Llame al equipo del estudio al 555-0100.";

async fn with_study(per_participant: u32) -> Harness {
    Harness::with(Options {
        extra: STUDY.into(),
        per_participant,
        ..Options::default()
    })
    .await
}

fn error_contact(a: &Answer) -> String {
    a.json()["error"]["contact"]
        .as_str()
        .unwrap_or_else(|| panic!("no contact: {}", a.body))
        .to_owned()
}

#[tokio::test]
async fn answers_carry_the_contact_line_in_the_asked_language() {
    let h = with_study(1000).await;
    let en = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline")
        .await;
    assert_eq!(en.status, 200, "{}", en.body);
    assert_eq!(en.json()["contact"], EN);
    let es = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline?lang=es-MX")
        .await;
    assert_eq!(es.json()["contact"], ES);
    // A language the study did not write falls back to English.
    let de = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline?lang=de")
        .await;
    assert_eq!(de.json()["contact"], EN);
    // Completed: the card must not be a dead end there either.
    let done = h
        .as_participant(seed::RECORD_COMPLETED, "/surveys/baseline?lang=es")
        .await;
    assert_eq!(done.json()["status"], "completed");
    assert_eq!(done.json()["contact"], ES);

    let list = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys?lang=es")
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    let j = list.json();
    assert_eq!(j["contact"], ES);
    let surveys = j["surveys"].as_array().unwrap();
    assert!(!surveys.is_empty());
    for s in surveys {
        assert_eq!(s["contact"], ES, "{s}");
    }
    h.stop().await;
}

#[tokio::test]
async fn error_bodies_carry_the_contact_line_whichever_layer_refused() {
    let h = with_study(2).await;
    // REDCap's answer: no such record.
    let missing = h
        .as_participant(seed::MISSING_RECORD, "/surveys/baseline?lang=es")
        .await;
    assert_eq!(missing.error_code(), "record_not_found", "{}", missing.body);
    assert_eq!(error_contact(&missing), ES);
    // The server's own refusals: unknown survey, not signed in, the cross-site guard.
    let unknown = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/nope")
        .await;
    assert_eq!(unknown.error_code(), "unknown_survey");
    assert_eq!(error_contact(&unknown), EN);
    let anonymous = Answer::read(
        h.widget_get("/surveys/baseline?lang=es")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(anonymous.error_code(), "not_signed_in");
    assert_eq!(error_contact(&anonymous), ES);
    let cross_site = Answer::read(
        h.http
            .get(h.api("/surveys/baseline?lang=es"))
            .header("Sec-Fetch-Site", "cross-site")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(cross_site.error_code(), "forbidden", "{}", cross_site.body);
    assert_eq!(error_contact(&cross_site), ES);
    // The participant's own limit (2 a minute here): the third request is refused.
    let mut limited = None;
    for _ in 0..4 {
        let a = h
            .as_participant(seed::RECORD_NOT_STARTED, "/surveys/baseline?lang=es")
            .await;
        if a.status == 429 {
            limited = Some(a);
            break;
        }
    }
    let limited = limited.expect("the participant limit answers 429");
    assert_eq!(limited.error_code(), "rate_limited");
    assert!(limited.header("retry-after").is_some());
    assert_eq!(error_contact(&limited), ES);
    assert!(limited
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    h.stop().await;
}

#[tokio::test]
async fn without_a_study_table_no_contact_is_sent() {
    let h = Harness::start().await;
    let ok = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline?lang=es")
        .await;
    assert!(ok.json().get("contact").is_none(), "{}", ok.body);
    let missing = h
        .as_participant(seed::MISSING_RECORD, "/surveys/baseline")
        .await;
    assert_eq!(missing.error_code(), "record_not_found");
    assert!(
        missing.json()["error"].get("contact").is_none(),
        "{}",
        missing.body
    );
    h.stop().await;
}

#[tokio::test]
async fn survey_login_answers_the_plain_link_and_asks_redcap_for_no_code() {
    let h = with_study(1000).await;
    let a = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/checkin")
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let j = a.json();
    assert_eq!(j["status"], "in_progress");
    assert_eq!(j["survey_login"], true);
    let link = j["survey_link"].as_str().unwrap();
    assert!(link.contains("/surveys/?s="), "{link}");
    assert!(
        !link.contains("__return") && !link.contains("rc="),
        "{link}"
    );
    for absent in ["return_code", "resume_link", "resume_form"] {
        assert!(j.get(absent).is_none(), "{absent}: {j}");
    }
    let calls = h.sim.calls();
    assert!(
        !calls
            .iter()
            .any(|c| c.field("content") == Some("surveyReturnCode")),
        "{calls:?}"
    );
    assert!(calls
        .iter()
        .any(|c| c.field("content") == Some("surveyLink")));
    // REDCap's page behind that link asks the participant to log in.
    let page = h.http.get(link).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("survey_login_form"), "{page}");
    // A survey without Survey Login says nothing of it.
    let plain = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline")
        .await;
    assert!(plain.json().get("survey_login").is_none(), "{}", plain.body);
    h.stop().await;
}
