//! REDCap 6.0+ drops the "plumbing" columns (record id, `redcap_event_name`,
//! `redcap_repeat_instrument`, `redcap_repeat_instance`) when the export's `fields`/`forms` do
//! not include the record-id field — the first field of the data dictionary, not always
//! `record_id` — yet still writes one row per event and repeating instance.

mod common;

use common::post;
use redcap_sim::seed::*;
use serde_json::{json, Value};

async fn export(sim: &redcap_sim::Simulator, token: &str, extra: &[(&str, &str)]) -> Vec<Value> {
    let mut form = vec![
        ("token", token),
        ("content", "record"),
        ("format", "json"),
        ("type", "flat"),
        ("exportSurveyFields", "true"),
    ];
    form.extend_from_slice(extra);
    let a = post(sim, &form).await;
    assert_eq!(a.status, 200, "{}", a.body);
    serde_json::from_str(&a.body).unwrap()
}

const PLUMBING: [&str; 5] = [
    "record_id",
    "redcap_event_name",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
    "redcap_survey_identifier",
];

fn keys(row: &Value) -> Vec<&str> {
    row.as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

/// The input: the status export of a repeating survey (instance 1 complete, 2 saved
/// half-way) asking only for `{instrument}_complete`.
#[tokio::test]
async fn repeating_status_without_the_record_id_field() {
    let sim = common::sim().await;
    let rows = export(
        &sim,
        DEMO_TOKEN,
        &[
            ("records[0]", RECORD_IN_PROGRESS),
            ("fields[0]", "weekly_diary_complete"),
        ],
    )
    .await;
    assert_eq!(
        rows,
        [
            json!({"weekly_diary_timestamp": "", "weekly_diary_complete": ""}),
            json!({"weekly_diary_timestamp": "2026-10-05 09:12:44", "weekly_diary_complete": "2"}),
            json!({"weekly_diary_timestamp": "[not completed]", "weekly_diary_complete": "0"}),
        ],
        "a base row with blank values, then one row per instance, nothing to tell them apart"
    );
}

#[tokio::test]
async fn asking_for_the_record_id_field_brings_the_columns_back() {
    let sim = common::sim().await;
    let rows = export(
        &sim,
        DEMO_TOKEN,
        &[
            ("records[0]", RECORD_IN_PROGRESS),
            ("fields[0]", "weekly_diary_complete"),
            ("fields[1]", "record_id"),
        ],
    )
    .await;
    assert_eq!(rows.len(), 3);
    let csv = post(
        &sim,
        &[
            ("token", DEMO_TOKEN),
            ("content", "record"),
            ("format", "csv"),
            ("exportSurveyFields", "true"),
            ("records[0]", RECORD_IN_PROGRESS),
            ("fields[0]", "weekly_diary_complete"),
            ("fields[1]", "record_id"),
        ],
    )
    .await;
    assert_eq!(
        csv.body.lines().next().unwrap(),
        "record_id,redcap_repeat_instrument,redcap_repeat_instance,redcap_survey_identifier,\
         weekly_diary_timestamp,weekly_diary_complete",
        "the columns follow the record-id field, in REDCap's order"
    );
    assert_eq!(rows[2]["redcap_repeat_instance"], 2);
    assert_eq!(rows[2]["weekly_diary_complete"], "0");
}

/// `record_id` is not the record-id field of `registry`: only `participant_id` brings the
/// columns (and `record_id` is not a field there at all).
#[tokio::test]
async fn the_record_id_field_is_the_projects_first_field() {
    let sim = common::sim().await;
    let without = export(
        &sim,
        REGISTRY_TOKEN,
        &[
            ("records[0]", REGISTRY_RECORD),
            ("fields[0]", "symptom_check_complete"),
        ],
    )
    .await;
    assert_eq!(without.len(), 3);
    assert!(without.iter().all(|r| keys(r)
        .iter()
        .all(|k| !PLUMBING.contains(k) && *k != REGISTRY_ID_FIELD)));
    let with = export(
        &sim,
        REGISTRY_TOKEN,
        &[
            ("records[0]", REGISTRY_RECORD),
            ("fields[0]", "symptom_check_complete"),
            ("fields[1]", REGISTRY_ID_FIELD),
        ],
    )
    .await;
    assert_eq!(keys(&with[0])[0], REGISTRY_ID_FIELD);
    assert_eq!(with[2]["redcap_repeat_instrument"], SYMPTOM_CHECK);
    assert_eq!(with[2]["redcap_repeat_instance"], 2);
    assert_eq!(with[2]["symptom_check_timestamp"], "[not completed]");
    let wrong = post(
        &sim,
        &[
            ("token", REGISTRY_TOKEN),
            ("content", "record"),
            ("format", "json"),
            ("fields[0]", "record_id"),
        ],
    )
    .await;
    assert_eq!(wrong.status, 400);
}

/// Longitudinal: without the record-id field the event column goes too, one row per event.
#[tokio::test]
async fn longitudinal_rows_lose_their_event_name() {
    let sim = common::sim().await;
    let rows = export(
        &sim,
        COHORT_TOKEN,
        &[
            ("records[0]", RECORD_COMPLETED),
            ("fields[0]", "month_3_complete"),
        ],
    )
    .await;
    assert_eq!(rows.len(), 2, "one row per event with data");
    assert!(rows.iter().all(|r| r.get("redcap_event_name").is_none()));
    assert_eq!(rows[1]["month_3_complete"], "2");
}

/// Forms: the first form carries the record-id field, so asking for it brings the columns.
#[tokio::test]
async fn the_first_form_carries_the_record_id_field() {
    let sim = common::sim().await;
    let first = export(
        &sim,
        DEMO_TOKEN,
        &[("records[0]", RECORD_COMPLETED), ("forms[0]", BASELINE)],
    )
    .await;
    assert_eq!(first[0]["record_id"], RECORD_COMPLETED);
    let other = export(
        &sim,
        DEMO_TOKEN,
        &[("records[0]", RECORD_COMPLETED), ("forms[0]", EXIT_SURVEY)],
    )
    .await;
    assert!(other[0].get("record_id").is_none());
    assert_eq!(other[0]["exit_survey_complete"], "2");
    let all = export(&sim, DEMO_TOKEN, &[("records[0]", RECORD_COMPLETED)]).await;
    assert_eq!(
        all[0]["record_id"], RECORD_COMPLETED,
        "everything: the record id too"
    );
}
