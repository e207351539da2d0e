//! `content=record` export: completion status and survey timestamps per form.

mod common;

use common::{json_error, post, sim};
use redcap_sim::seed::*;
use redcap_sim::{FormState, ResponseKey};
use serde_json::{json, Value};

async fn export(sim: &redcap_sim::Simulator, token: &str, extra: &[(&str, &str)]) -> Vec<Value> {
    let mut form = vec![
        ("token", token),
        ("content", "record"),
        ("format", "json"),
        ("returnFormat", "json"),
    ];
    form.extend_from_slice(extra);
    let a = post(sim, &form).await;
    assert_eq!(a.status, 200, "{}", a.body);
    serde_json::from_str(&a.body).unwrap()
}

#[tokio::test]
async fn classic_status_and_timestamps() {
    let sim = sim().await;
    let rows = export(
        &sim,
        DEMO_TOKEN,
        &[
            ("records[0]", "1001"),
            ("records[1]", "1002"),
            ("records[2]", "1003"),
            ("fields[0]", "record_id"),
            ("fields[1]", "baseline_survey_complete"),
            ("exportSurveyFields", "true"),
        ],
    )
    .await;
    let base: Vec<&Value> = rows
        .iter()
        .filter(|r| r["redcap_repeat_instrument"] == "")
        .collect();
    assert_eq!(base.len(), 3);
    let pick = |r: &Value| {
        (
            r["record_id"].clone(),
            r["baseline_survey_timestamp"].clone(),
            r["baseline_survey_complete"].clone(),
        )
    };
    assert_eq!(
        pick(base[0]),
        (json!("1001"), json!("[not completed]"), json!("0"))
    );
    assert_eq!(
        pick(base[1]),
        (json!("1002"), json!("2026-09-28 14:03:10"), json!("2"))
    );
    assert_eq!(pick(base[2]), (json!("1003"), json!(""), json!("")));
    assert_eq!(base[0]["redcap_repeat_instance"], "");
    assert!(
        base[0].get("exit_survey_complete").is_none(),
        "only the requested fields"
    );
}

#[tokio::test]
async fn repeating_rows_carry_instrument_and_instance() {
    let sim = sim().await;
    let rows = export(
        &sim,
        DEMO_TOKEN,
        &[
            ("records[]", "1001"),
            ("fields[]", "record_id"),
            ("forms[]", WEEKLY_DIARY),
            ("exportSurveyFields", "1"),
        ],
    )
    .await;
    let diary: Vec<&Value> = rows
        .iter()
        .filter(|r| r["redcap_repeat_instrument"] == WEEKLY_DIARY)
        .collect();
    assert_eq!(diary.len(), 2);
    assert_eq!(diary[0]["redcap_repeat_instance"], 1);
    assert_eq!(diary[0]["weekly_diary_complete"], "2");
    assert_eq!(diary[0]["weekly_diary_timestamp"], "2026-10-05 09:12:44");
    assert_eq!(diary[1]["redcap_repeat_instance"], 2);
    assert_eq!(diary[1]["weekly_diary_timestamp"], "[not completed]");
    assert_eq!(diary[1]["weekly_diary_complete"], "0");
}

#[tokio::test]
async fn longitudinal_rows_per_event() {
    let sim = sim().await;
    let rows = export(
        &sim,
        COHORT_TOKEN,
        &[
            ("records[0]", "1001"),
            ("exportSurveyFields", "true"),
            ("events[0]", EVENT_MONTH_3),
        ],
    )
    .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["redcap_event_name"], EVENT_MONTH_3);
    assert_eq!(rows[0]["month_3_timestamp"], "[not completed]");
    assert_eq!(rows[0]["month_3_complete"], "0");
    assert_eq!(
        rows[0]["intake_complete"], "",
        "not designated for this event"
    );
    let all = export(&sim, COHORT_TOKEN, &[("records[0]", "1002")]).await;
    let events: Vec<&Value> = all.iter().map(|r| &r["redcap_event_name"]).collect();
    assert_eq!(events, [EVENT_BASELINE, EVENT_MONTH_3]);
    assert_eq!(all[1]["month_3_complete"], "2");
}

#[tokio::test]
async fn unknown_record_gives_an_empty_list() {
    let sim = sim().await;
    assert!(export(&sim, DEMO_TOKEN, &[("records[0]", MISSING_RECORD)])
        .await
        .is_empty());
}

#[tokio::test]
async fn invalid_fields_are_an_error() {
    let sim = sim().await;
    let a = post(
        &sim,
        &[
            ("token", DEMO_TOKEN),
            ("content", "record"),
            ("format", "json"),
            ("returnFormat", "json"),
            ("fields[0]", "nope"),
        ],
    )
    .await;
    assert_eq!(a.status, 400);
    assert_eq!(
        json_error(&a.body),
        "The following values in the parameter \"fields\" are not valid: 'nope'"
    );
}

#[tokio::test]
async fn csv_export() {
    let sim = sim().await;
    let a = post(
        &sim,
        &[
            ("token", DEMO_TOKEN),
            ("content", "record"),
            ("format", "csv"),
            ("records", "1002"),
            ("fields", "record_id,exit_survey_complete"),
            ("exportSurveyFields", "true"),
        ],
    )
    .await;
    let lines: Vec<&str> = a.body.lines().collect();
    assert_eq!(lines[0], "record_id,redcap_repeat_instrument,redcap_repeat_instance,redcap_survey_identifier,exit_survey_timestamp,exit_survey_complete");
    assert_eq!(lines[1], "1002,,,,2026-11-02 18:40:05,2");
}

#[tokio::test]
async fn programmatic_state_changes_show_up() {
    let sim = sim().await;
    assert!(sim.set_form_state(
        DEMO_PROJECT,
        ResponseKey::classic("2001", BASELINE),
        FormState::Partial { page: 1 }
    ));
    let rows = export(
        &sim,
        DEMO_TOKEN,
        &[
            ("records[0]", "2001"),
            ("fields[0]", "baseline_survey_complete"),
            ("exportSurveyFields", "true"),
        ],
    )
    .await;
    assert_eq!(rows[0]["baseline_survey_timestamp"], "[not completed]");
    assert!(sim
        .return_code(DEMO_PROJECT, &ResponseKey::classic("2001", BASELINE))
        .is_some());
    assert!(sim.complete_response(DEMO_PROJECT, ResponseKey::classic("2001", BASELINE)));
    let rows = export(
        &sim,
        DEMO_TOKEN,
        &[
            ("records[0]", "2001"),
            ("fields[0]", "baseline_survey_complete"),
            ("exportSurveyFields", "true"),
        ],
    )
    .await;
    assert_eq!(rows[0]["baseline_survey_complete"], "2");
    assert_eq!(
        rows[0]["baseline_survey_timestamp"].as_str().unwrap().len(),
        19
    );
    assert!(sim.add_record(DEMO_PROJECT, "2002"));
    assert!(!sim.add_record("nope", "2002"));
    assert_eq!(
        export(&sim, DEMO_TOKEN, &[("records[0]", "2002")])
            .await
            .len(),
        1
    );
}

/// `filterLogic = [field] = "value"` finds the record holding that value (an SSO user name).
#[tokio::test]
async fn filter_logic_finds_records_by_field_value() {
    let sim = redcap_sim::Simulator::start(redcap_sim::SimConfig::default())
        .await
        .unwrap();
    let export = |logic: &'static str| {
        let sim_url = sim.api_url();
        async move {
            let r = reqwest::Client::new()
                .post(sim_url)
                .form(&[
                    ("token", redcap_sim::seed::DEMO_TOKEN),
                    ("content", "record"),
                    ("format", "json"),
                    ("fields[0]", "record_id"),
                    ("fields[1]", redcap_sim::seed::SSO_FIELD),
                    ("filterLogic", logic),
                ])
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, body) = export(r#"[sso_username] = "ana.garcia""#).await;
    assert_eq!(status, 200, "{body}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(rows.len(), 1, "{body}");
    assert_eq!(rows[0]["record_id"], redcap_sim::seed::RECORD_IN_PROGRESS);
    assert_eq!(rows[0]["sso_username"], "ana.garcia");
    let (_, none) = export("[sso_username] = 'nobody'").await;
    assert_eq!(none, "[]");
    let (status, _) = export(r#"[sso_username] = "x" or 1=1"#).await;
    assert_eq!(status, 400);
    sim.shutdown().await;
}

/// A record is exported only in the events of its own arm.
#[tokio::test]
async fn longitudinal_rows_only_in_the_records_arm() {
    let sim = sim().await;
    let arm_2 = export(&sim, COHORT_TOKEN, &[("records[0]", RECORD_ARM_2)]).await;
    let events: Vec<&Value> = arm_2.iter().map(|r| &r["redcap_event_name"]).collect();
    assert_eq!(events, [EVENT_ARM_2]);
    assert_eq!(arm_2[0]["intake_complete"], "0");
    let arm_1 = export(&sim, COHORT_TOKEN, &[("records[0]", RECORD_IN_PROGRESS)]).await;
    assert!(arm_1.iter().all(|r| r["redcap_event_name"] != EVENT_ARM_2));
}

/// The record-id column is named after the project's record-id field.
#[tokio::test]
async fn record_id_column_is_the_projects_first_field() {
    let sim = sim().await;
    let rows = export(
        &sim,
        REGISTRY_TOKEN,
        &[
            ("records[0]", REGISTRY_RECORD),
            ("fields[0]", REGISTRY_ID_FIELD),
        ],
    )
    .await;
    assert_eq!(rows[0][REGISTRY_ID_FIELD], REGISTRY_RECORD);
    assert!(rows[0].get("record_id").is_none());
}
