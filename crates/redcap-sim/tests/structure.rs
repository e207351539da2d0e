//! The project's structure: instruments, arms, events, form/event mapping, repeating forms.

mod common;

use common::{json_error, post, sim};
use redcap_sim::seed::*;
use serde_json::{json, Value};

async fn rows(
    sim: &redcap_sim::Simulator,
    token: &str,
    content: &str,
    extra: &[(&str, &str)],
) -> Vec<Value> {
    let mut form = vec![("token", token), ("content", content), ("format", "json")];
    form.extend_from_slice(extra);
    let a = post(sim, &form).await;
    assert_eq!(a.status, 200, "{}", a.body);
    serde_json::from_str(&a.body).unwrap()
}

async fn classic_error(sim: &redcap_sim::Simulator, content: &str) -> String {
    let a = post(
        sim,
        &[
            ("token", DEMO_TOKEN),
            ("content", content),
            ("format", "json"),
        ],
    )
    .await;
    assert_eq!(a.status, 400, "{content}");
    json_error(&a.body)
}

#[tokio::test]
async fn form_event_mapping_only_in_longitudinal_projects() {
    let sim = sim().await;
    let mapping = rows(&sim, COHORT_TOKEN, "formEventMapping", &[]).await;
    let triples: Vec<(u64, &str, &str)> = mapping
        .iter()
        .map(|r| {
            (
                r["arm_num"].as_u64().unwrap(),
                r["unique_event_name"].as_str().unwrap(),
                r["form"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        triples,
        [
            (1, EVENT_BASELINE, INTAKE),
            (1, EVENT_MONTH_3, MONTH_3),
            (2, EVENT_ARM_2, INTAKE)
        ]
    );
    let arm_2 = rows(&sim, COHORT_TOKEN, "formEventMapping", &[("arms[0]", "2")]).await;
    assert_eq!(arm_2.len(), 1);
    assert_eq!(
        classic_error(&sim, "formEventMapping").await,
        "You cannot export form/event mappings for classic projects"
    );
}

#[tokio::test]
async fn instruments_in_designer_order() {
    let sim = sim().await;
    let registry = rows(&sim, REGISTRY_TOKEN, "instrument", &[]).await;
    assert_eq!(
        registry,
        [
            json!({"instrument_name": ENROLMENT, "instrument_label": "Enrolment"}),
            json!({"instrument_name": SYMPTOM_CHECK, "instrument_label": "Symptom Check"}),
        ]
    );
}

#[tokio::test]
async fn arms_and_events_of_a_longitudinal_project() {
    let sim = sim().await;
    let arms = rows(&sim, COHORT_TOKEN, "arm", &[]).await;
    assert_eq!(
        arms,
        [
            json!({"arm_num": 1, "name": "Arm 1"}),
            json!({"arm_num": 2, "name": "Arm 2"})
        ]
    );
    let events = rows(&sim, COHORT_TOKEN, "event", &[]).await;
    let names: Vec<(&str, u64, &str)> = events
        .iter()
        .map(|e| {
            (
                e["event_name"].as_str().unwrap(),
                e["arm_num"].as_u64().unwrap(),
                e["unique_event_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("Baseline", 1, EVENT_BASELINE),
            ("Month 3", 1, EVENT_MONTH_3),
            ("Baseline", 2, EVENT_ARM_2)
        ]
    );
    assert_eq!(
        rows(&sim, COHORT_TOKEN, "event", &[("arms[0]", "2")])
            .await
            .len(),
        1
    );
    assert_eq!(
        classic_error(&sim, "arm").await,
        "You cannot export arms for classic projects"
    );
    assert_eq!(
        classic_error(&sim, "event").await,
        "You cannot export events for classic projects"
    );
}

#[tokio::test]
async fn repeating_forms() {
    let sim = sim().await;
    assert_eq!(
        rows(&sim, DEMO_TOKEN, "repeatingFormsEvents", &[]).await,
        [json!({"form_name": WEEKLY_DIARY, "custom_form_label": ""})]
    );
    assert!(rows(&sim, COHORT_TOKEN, "repeatingFormsEvents", &[])
        .await
        .is_empty());
}
