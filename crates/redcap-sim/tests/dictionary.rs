//! `metadata` and `exportFieldNames`: how a client learns the record-id field (the first field
//! of the data dictionary), which is not always `record_id`.

mod common;

use common::{json_error, post, sim};
use redcap_sim::seed::*;
use serde_json::Value;

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
    assert!(
        a.content_type.starts_with("application/json"),
        "{}",
        a.content_type
    );
    serde_json::from_str(&a.body).unwrap()
}

#[tokio::test]
async fn metadata_lists_the_record_id_field_first() {
    let sim = sim().await;
    for (token, id_field, first_form) in [
        (DEMO_TOKEN, "record_id", BASELINE),
        (COHORT_TOKEN, "record_id", INTAKE),
        (REGISTRY_TOKEN, REGISTRY_ID_FIELD, ENROLMENT),
    ] {
        let meta = rows(&sim, token, "metadata", &[]).await;
        assert_eq!(meta[0]["field_name"], id_field);
        assert_eq!(meta[0]["form_name"], first_form);
        assert_eq!(meta[0]["field_type"], "text");
        assert_eq!(
            meta[0].as_object().unwrap().len(),
            18,
            "REDCap's 18 columns"
        );
        assert!(
            meta.iter()
                .all(|r| !r["field_name"].as_str().unwrap().ends_with("_complete")),
            "form status fields are not in the data dictionary"
        );
    }
    let registry = rows(&sim, REGISTRY_TOKEN, "metadata", &[]).await;
    let names: Vec<&str> = registry
        .iter()
        .map(|r| r["field_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            REGISTRY_ID_FIELD,
            "enrol_date",
            "enrol_site",
            "sc_date",
            "sc_score"
        ]
    );
}

#[tokio::test]
async fn metadata_narrowed_by_fields_and_forms() {
    let sim = sim().await;
    let one = rows(
        &sim,
        REGISTRY_TOKEN,
        "metadata",
        &[("fields[0]", "sc_score")],
    )
    .await;
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["form_name"], SYMPTOM_CHECK);
    let form = rows(&sim, REGISTRY_TOKEN, "metadata", &[("forms[0]", ENROLMENT)]).await;
    assert_eq!(
        form.len(),
        3,
        "the record-id field belongs to the first form"
    );
    let bad = post(
        &sim,
        &[
            ("token", REGISTRY_TOKEN),
            ("content", "metadata"),
            ("format", "json"),
            ("fields[0]", "record_id"),
        ],
    )
    .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        json_error(&bad.body),
        "The following values in the parameter \"fields\" are not valid: 'record_id'"
    );
}

#[tokio::test]
async fn export_field_names_add_form_status_fields() {
    let sim = sim().await;
    let names = rows(&sim, REGISTRY_TOKEN, "exportFieldNames", &[]).await;
    let export: Vec<&str> = names
        .iter()
        .map(|r| r["export_field_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        export,
        [
            REGISTRY_ID_FIELD,
            "enrol_date",
            "enrol_site",
            "enrolment_complete",
            "sc_date",
            "sc_score",
            "symptom_check_complete"
        ]
    );
    assert_eq!(names[0]["original_field_name"], REGISTRY_ID_FIELD);
    assert_eq!(names[0]["choice_value"], "");
    let one = rows(&sim, DEMO_TOKEN, "exportFieldNames", &[("field", "bl_age")]).await;
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["export_field_name"], "bl_age");
}

#[tokio::test]
async fn csv_metadata_has_a_header_line() {
    let sim = sim().await;
    let a = post(
        &sim,
        &[
            ("token", DEMO_TOKEN),
            ("content", "metadata"),
            ("format", "csv"),
        ],
    )
    .await;
    assert_eq!(a.status, 200);
    let mut lines = a.body.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("field_name,form_name,section_header,field_type"));
    assert!(lines
        .next()
        .unwrap()
        .starts_with("record_id,baseline_survey,,text,Record ID"));
}
