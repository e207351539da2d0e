//! Multi-Language Management (issue 9): `?lang=` on the survey and list requests puts REDCap's
//! `__lang=<MLM id>` on every link the answer composes when the survey's project maps that
//! language; an unmapped language adds nothing. The simulator's pages honour `__lang`.

mod common;

use common::{config_text, secrets, Harness, Options};
use redcap_resume::config::Config;
use redcap_sim::{seed, SimConfig, Simulator};

/// The harness with `languages = { es = "es-MX" }` on `[redcap]` (the demo project) only.
async fn with_languages() -> Harness {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let options = Options {
        extra: "[study]\ncontact = \"Call 555-0100.\"\n".into(),
        ..Options::default()
    };
    let text = config_text(sim.api_url().as_str(), &options);
    let marker = "[projects.cohort]";
    assert!(text.contains(marker));
    let text = text.replacen(
        marker,
        &format!("languages = {{ es = \"es-MX\" }}\n\n{marker}"),
        1,
    );
    let config = Config::parse(&text, &secrets()).expect("valid");
    Harness::serve(sim, config).await
}

#[tokio::test]
async fn a_mapped_language_reaches_every_link() {
    let h = with_languages().await;
    let a = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline?lang=es-US")
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let j = a.json();
    let link = j["survey_link"].as_str().unwrap();
    assert!(link.ends_with("&__lang=es-MX"), "{link}");
    assert_eq!(j["resume_link"], format!("{link}&__return=1"));
    assert_eq!(j["resume_form"]["action"], link);
    // The simulator's page behind that link is in Spanish, and the code still resumes there.
    let returning = h
        .http
        .get(j["resume_link"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(returning.contains("lang=\"es-MX\""), "{returning}");
    let page = h
        .http
        .post(link)
        .form(&[("__code", j["return_code"].as_str().unwrap())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("resumed-record"), "{page}");

    // Not started: the plain link carries it too; so does each survey of the list.
    let fresh = h
        .as_participant(seed::RECORD_NOT_STARTED, "/surveys/baseline?lang=es")
        .await;
    assert_eq!(fresh.json()["status"], "not_started");
    assert!(fresh.json()["survey_link"]
        .as_str()
        .unwrap()
        .ends_with("&__lang=es-MX"));
    let list = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys?lang=es")
        .await;
    for s in list.json()["surveys"].as_array().unwrap() {
        let link = s["survey_link"].as_str().unwrap_or_default();
        // Surveys of the cohort project (no languages) keep REDCap's default.
        let mapped = s["key"] != "month3";
        assert_eq!(link.contains("__lang=es-MX"), mapped, "{s}");
        assert!(!link.is_empty(), "{s}");
    }
    h.stop().await;
}

#[tokio::test]
async fn an_unmapped_or_absent_language_adds_nothing() {
    let h = with_languages().await;
    for path in [
        "/surveys/baseline",
        "/surveys/baseline?lang=fr",
        "/surveys/baseline?lang=es%26x",
        "/surveys/month3?lang=es",
    ] {
        let a = h.as_participant(seed::RECORD_IN_PROGRESS, path).await;
        assert_eq!(a.status, 200, "{path}: {}", a.body);
        let j = a.json();
        for field in [
            &j["survey_link"],
            &j["resume_link"],
            &j["resume_form"]["action"],
        ] {
            assert!(!field.as_str().unwrap().contains("__lang"), "{path}: {j}");
        }
    }
    h.stop().await;
}
