//! PyCap 2.7 (the Python REDCap client, from PyPI) drives the simulator: a client written
//! against real REDCap must find it indistinguishable. The driver is `tests/pycap/driver.py`;
//! Python comes from `REDCAP_SIM_PYTHON`, else the virtual environment `cargo xtask setup`
//! creates at `.tools/pycap`. Without either the tests fail (they never skip).

mod common;

use std::path::PathBuf;
use std::process::Command;

use redcap_sim::seed::*;
use redcap_sim::{Failure, Faults, FrontEndPage, ResponseKey, Simulator};
use serde_json::{json, Value};

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("REDCAP_SIM_PYTHON") {
        return p.into();
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.tools/pycap/bin/python");
    assert!(
        venv.exists(),
        "PyCap's virtual environment is missing at {}: run `cargo xtask setup` (it installs \
         pycap==2.7.0 there) or set REDCAP_SIM_PYTHON to a Python that has PyCap 2.7",
        venv.display()
    );
    venv
}

fn seed() -> String {
    json!({
        "demo_token": DEMO_TOKEN,
        "no_rights_token": NO_RIGHTS_TOKEN,
        "no_data_export_token": NO_DATA_EXPORT_TOKEN,
        "cohort_token": COHORT_TOKEN,
        "registry_token": REGISTRY_TOKEN,
        "record_in_progress": RECORD_IN_PROGRESS,
        "record_completed": RECORD_COMPLETED,
        "missing_record": MISSING_RECORD,
        "registry_record": REGISTRY_RECORD,
        "baseline": BASELINE,
        "consent": CONSENT,
        "contact_info": CONTACT_INFO,
        "weekly_diary": WEEKLY_DIARY,
        "month_3": MONTH_3,
        "intake": INTAKE,
        "symptom_check": SYMPTOM_CHECK,
        "event_baseline": EVENT_BASELINE,
        "event_month_3": EVENT_MONTH_3,
        "event_arm_2": EVENT_ARM_2,
    })
    .to_string()
}

/// Runs one scenario of the driver against the simulator and returns its JSON.
async fn drive(sim: &Simulator, scenario: &str) -> Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/pycap/driver.py");
    let url = sim.api_url().to_string();
    let scenario = scenario.to_owned();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python())
            .arg(script)
            .arg(&scenario)
            .arg(url)
            .env("SEED", seed())
            .output()
            .expect("python runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the PyCap driver failed:\n{}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn contents(sim: &Simulator) -> Vec<String> {
    sim.calls()
        .iter()
        .map(|c| c.content.clone().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn project_version_info_and_metadata() {
    let sim = common::sim().await;
    drive(&sim, "construct").await;
    assert_eq!(
        sim.api_call_count(),
        0,
        "PyCap 2.7's Project() is lazy: it asks when a property is first read"
    );
    let out = drive(&sim, "connect").await;
    assert_eq!(out["version"], REDCAP_VERSION);
    assert_eq!(out["info"]["project_id"], REGISTRY_PROJECT_ID);
    assert_eq!(out["info"]["project_title"], REGISTRY_TITLE);
    assert_eq!(out["def_field"], REGISTRY_ID_FIELD, "learnt from metadata");
    assert_eq!(out["field_names"][0], REGISTRY_ID_FIELD);
    assert_eq!(out["forms"], json!([ENROLMENT, SYMPTOM_CHECK]));
    assert_eq!(
        out["export_field_names"][0]["export_field_name"],
        REGISTRY_ID_FIELD
    );
    assert_eq!(
        out["is_longitudinal"],
        json!({"registry": false, "cohort": true})
    );
    let calls = contents(&sim);
    assert_eq!(
        &calls[..3],
        ["version", "project", "metadata"],
        "what PyCap asks first: {calls:?}"
    );
    assert!(calls.contains(&"formEventMapping".to_owned()), "{calls:?}");
}

#[tokio::test]
async fn survey_links_and_return_codes() {
    let sim = common::sim().await;
    let out = drive(&sim, "surveys").await;
    let cases = [
        (
            "classic",
            DEMO_PROJECT,
            ResponseKey::classic(RECORD_IN_PROGRESS, BASELINE),
        ),
        (
            "repeating",
            DEMO_PROJECT,
            ResponseKey::new(RECORD_IN_PROGRESS, WEEKLY_DIARY, None, 2),
        ),
        (
            "longitudinal",
            COHORT_PROJECT,
            ResponseKey::new(RECORD_IN_PROGRESS, MONTH_3, Some(EVENT_MONTH_3), 1),
        ),
        (
            "registry_repeating",
            REGISTRY_PROJECT,
            ResponseKey::new(REGISTRY_RECORD, SYMPTOM_CHECK, None, 2),
        ),
    ];
    for (name, project, key) in cases {
        let link = sim.survey_link(project, &key).expect(name).to_string();
        let code = sim.return_code(project, &key).expect(name);
        assert_eq!(out[name]["link"], json!({"ok": link}), "{name}");
        assert_eq!(out[name]["code"], json!({"ok": code}), "{name}");
    }
    let queue = out["queue"]["ok"].as_str().expect("a queue link");
    assert!(
        queue.starts_with(&format!("{}surveys/?sq=", sim.base_url())),
        "{queue}"
    );
    let call = sim
        .calls()
        .into_iter()
        .find(|c| c.content.as_deref() == Some("surveyReturnCode"))
        .unwrap();
    assert_eq!(
        call.field("returnFormat"),
        Some("csv"),
        "PyCap asks for csv errors"
    );
}

#[tokio::test]
async fn every_error_surfaces_as_redcap_error() {
    let sim = common::sim().await;
    let out = drive(&sim, "errors").await;
    let expected = [
        ("bad_token", "ERROR: You do not have permissions to use the API"),
        ("no_rights", "ERROR: The API request cannot complete because currently you do not have \"Manage Survey Participants\" privileges, which are required for this operation."),
        ("missing_record", "ERROR: The record \"9999\" does not exist"),
        ("not_a_survey", "ERROR: The instrument 'contact_info' has not been enabled as a survey"),
        ("invalid_instrument", "ERROR: Invalid instrument"),
        ("save_and_return_off", "ERROR: The 'Save & Return Later' feature has not been enabled for this survey"),
        ("event_missing", "ERROR: The parameter 'event' is missing"),
        ("invalid_event", "ERROR: Invalid event"),
        ("not_designated", "ERROR: The instrument \"month_3\" has not been designated for the event \"baseline_arm_1\""),
        ("unknown_error", "ERROR: An unknown error occurred"),
        ("queue_off", "ERROR: The Survey Queue has not been enabled in this project. You will need to enable the Survey Queue before using this method."),
    ];
    for (name, message) in expected {
        assert_eq!(out[name]["is_redcap_error"], true, "{name}: {}", out[name]);
        assert_eq!(out[name]["message"], message, "{name}");
    }
    // No format at all: REDCap's xml envelope, which PyCap recognises by `<error>`.
    assert_eq!(
        out["bad_token_version"]["is_redcap_error"], true,
        "{}",
        out["bad_token_version"]
    );
    assert!(out["bad_token_version"]["message"]
        .as_str()
        .unwrap()
        .contains("<error>You do not have permissions"));
    // JSON errors arrive as the envelope's dictionary.
    assert_eq!(out["invalid_field"]["is_redcap_error"], true);
    let message = out["invalid_field"]["message"].as_str().unwrap();
    assert!(
        message.contains("are not valid:") && message.contains("nope"),
        "{message}"
    );
    // Issue 9's further sentences: a classic project's events, and the record export for a
    // user with API Export but "No Access" data export rights.
    for (name, words) in [
        (
            "classic_events",
            "You cannot export events for classic projects",
        ),
        ("no_data_export", "No Access"),
    ] {
        assert_eq!(out[name]["is_redcap_error"], true, "{name}: {}", out[name]);
        let message = out[name]["message"].as_str().unwrap();
        assert!(message.contains(words), "{name}: {message}");
    }
}

#[tokio::test]
async fn record_export_asks_for_metadata_and_the_record_id_field() {
    let sim = common::sim().await;
    let out = drive(&sim, "records").await;
    let diary = out["diary"].as_array().unwrap();
    let rows: Vec<(Value, Value, Value)> = diary
        .iter()
        .map(|r| {
            (
                r["redcap_repeat_instrument"].clone(),
                r["redcap_repeat_instance"].clone(),
                r["weekly_diary_complete"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (json!(""), json!(""), json!("")),
            (json!(WEEKLY_DIARY), json!(1), json!("2")),
            (json!(WEEKLY_DIARY), json!(2), json!("0")),
        ]
    );
    assert!(diary.iter().all(|r| r["record_id"] == RECORD_IN_PROGRESS));
    let registry = out["registry"].as_array().unwrap();
    assert_eq!(registry.len(), 3);
    assert_eq!(registry[2][REGISTRY_ID_FIELD], REGISTRY_RECORD);
    assert_eq!(registry[2]["symptom_check_timestamp"], "[not completed]");
    assert!(out["registry_forms"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r.get(REGISTRY_ID_FIELD).is_some()));
    let csv = out["csv"].as_str().unwrap();
    assert!(
        csv.starts_with(
            "record_id,redcap_repeat_instrument,redcap_repeat_instance,exit_survey_complete\n"
        ),
        "{csv}"
    );
    let calls = sim.calls();
    let export = calls
        .iter()
        .find(|c| c.content.as_deref() == Some("record"))
        .unwrap();
    assert_eq!(
        export.field("fields[1]"),
        Some("record_id"),
        "PyCap adds the record-id field"
    );
    let first_metadata = calls
        .iter()
        .position(|c| c.content.as_deref() == Some("metadata"));
    let first_record = calls
        .iter()
        .position(|c| c.content.as_deref() == Some("record"));
    assert!(
        first_metadata < first_record,
        "metadata first, for def_field"
    );
}

#[tokio::test]
async fn project_structure() {
    let sim = common::sim().await;
    let out = drive(&sim, "structure").await;
    let names: Vec<&str> = out["instruments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["instrument_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            BASELINE,
            CONSENT,
            CONTACT_INFO,
            WEEKLY_DIARY,
            EXIT_SURVEY,
            CHECKIN
        ]
    );
    assert_eq!(out["arms"].as_array().unwrap().len(), 2);
    assert_eq!(out["events"][2]["unique_event_name"], EVENT_ARM_2);
    assert_eq!(
        out["mapping"][1],
        json!({"arm_num": 1, "unique_event_name": EVENT_MONTH_3, "form": MONTH_3})
    );
    assert_eq!(out["repeating"][0]["form_name"], WEEKLY_DIARY);
    assert_eq!(
        out["classic_arms"]["is_redcap_error"], true,
        "{}",
        out["classic_arms"]
    );
}

/// PyCap reads whatever a 200 carries: with its csv error format a front end's page or REDCap's
/// database-offline page comes back as if it were the link; a JSON export raises.
#[tokio::test]
async fn faults_as_pycap_sees_them() {
    let sim = common::sim().await;
    let cases = [
        Failure::DatabaseOffline,
        Failure::EmptyOk,
        Failure::FrontEnd(FrontEndPage::nginx(403)),
        Failure::FrontEnd(FrontEndPage::apache(503)),
        Failure::Maintenance("The survey system is not enabled tonight (upgrade).".into()),
    ];
    for failure in cases {
        sim.set_faults(Faults::failing(failure.clone()));
        let out = drive(&sim, "faults").await;
        sim.clear_faults();
        if let Failure::Maintenance(text) = &failure {
            assert_eq!(out["survey_link"]["message"], format!("ERROR: {text}"));
            assert_eq!(out["json_export"]["is_redcap_error"], true);
            continue;
        }
        assert!(
            out["survey_link"].get("ok").is_some(),
            "{failure:?}: {}",
            out["survey_link"]
        );
        assert_eq!(
            out["json_export"]["is_redcap_error"], true,
            "{failure:?}: {}",
            out["json_export"]
        );
    }
}
