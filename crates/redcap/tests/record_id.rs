//! The record-id field learnt once from REDCap's metadata, the status export that asks for it,
//! and survey links on another host — over real sockets, against a small REDCap stand-in that
//! answers by `content` (and, like REDCap, drops the plumbing columns when the record-id field
//! is not asked for).

#[path = "support/stub.rs"]
mod stub;

use std::sync::Arc;

use redcap_client::{
    ApiToken, Client, ClientConfig, FieldName, Instrument, RecordId, RedcapError, RepeatInstance,
    ResponseStatus, SurveyTarget, Url,
};
use stub::{value, Answer, Form, Stub, TOKEN};

/// The repeating survey of the field case: instance 1 complete, instance 2 saved half-way.
/// Like REDCap, the record id and the event and repeat columns come only when the record-id
/// field (`participant_id` here: not REDCap's default name) is among the fields asked for.
fn repeating_project() -> Answer {
    Arc::new(|form: &Form, _| {
        match value(form, "content") {
        Some("metadata") => (
            200,
            r#"[{"field_name":"participant_id","form_name":"enrolment"},{"field_name":"age","form_name":"enrolment"}]"#.into(),
        ),
        Some("record") => {
            let fields: Vec<&str> = form
                .iter()
                .filter(|(k, _)| k.starts_with("fields["))
                .map(|(_, v)| v.as_str())
                .collect();
            if fields.iter().any(|f| !matches!(*f, "participant_id" | "diary_complete")) {
                return (400, r#"{"error":"The following values in the parameter \"fields\" are not valid: 'x'"}"#.into());
            }
            let plumbing = fields.contains(&"participant_id");
            let rows: Vec<String> = [("", "", "", ""), ("diary", "1", "2024-01-01 10:00:00", "2"), ("diary", "2", "[not completed]", "0")]
                .iter()
                .map(|(instrument, instance, ts, complete)| {
                    let head = if plumbing {
                        format!(r#""participant_id":"17","redcap_repeat_instrument":"{instrument}","redcap_repeat_instance":"{instance}","#)
                    } else {
                        String::new()
                    };
                    format!(r#"{{{head}"redcap_survey_identifier":"","diary_timestamp":"{ts}","diary_complete":"{complete}"}}"#)
                })
                .collect();
            (200, format!("[{}]", rows.join(",")))
        }
        _ => (400, r#"{"error":"Invalid content"}"#.into()),
    }
    })
}

fn diary(instance: u32) -> SurveyTarget {
    SurveyTarget::new(
        RecordId::parse("17").unwrap(),
        Instrument::parse("diary").unwrap(),
    )
    .with_repeat_instance(RepeatInstance::new(instance).unwrap())
}

#[tokio::test]
async fn the_record_id_field_is_learnt_once_and_asked_for_in_the_status_export() {
    let stub = Stub::start(repeating_project()).await;
    let client = stub.client(|_| {});
    assert_eq!(
        client.response_status(&diary(2)).await.unwrap(),
        ResponseStatus::InProgress
    );
    assert_eq!(
        client.clone().response_status(&diary(1)).await.unwrap(),
        ResponseStatus::Completed
    );
    assert_eq!(
        client.record_id_field().await.unwrap().as_str(),
        "participant_id"
    );
    // One metadata call for the client and its clone, then only record exports.
    assert_eq!(stub.contents(), ["metadata", "record", "record"]);
    let export = stub.seen.lock().unwrap()[1].clone();
    assert_eq!(value(&export, "fields[0]"), Some("participant_id"));
    assert_eq!(value(&export, "fields[1]"), Some("diary_complete"));
    assert_eq!(value(&export, "format"), Some("json"));
}

#[tokio::test]
async fn concurrent_first_calls_share_one_metadata_call() {
    let stub = Stub::start(repeating_project()).await;
    let client = stub.client(|_| {});
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.response_status(&diary(2)).await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), ResponseStatus::InProgress);
    }
    let contents = stub.contents();
    assert_eq!(
        contents.iter().filter(|c| *c == "metadata").count(),
        1,
        "{contents:?}"
    );
    assert_eq!(contents.iter().filter(|c| *c == "record").count(), 8);
}

#[tokio::test]
async fn a_configured_record_id_field_is_used_without_asking() {
    let stub = Stub::start(repeating_project()).await;
    let client =
        stub.client(|c| c.record_id_field = Some(FieldName::parse("participant_id").unwrap()));
    assert_eq!(
        client.response_status(&diary(2)).await.unwrap(),
        ResponseStatus::InProgress
    );
    assert_eq!(stub.contents(), ["record"]);
    // A wrong one: REDCap's rows lack the plumbing columns, or REDCap refuses the field.
    let wrong = stub.client(|c| c.record_id_field = Some(FieldName::parse("record_id").unwrap()));
    assert_eq!(
        wrong.response_status(&diary(2)).await.unwrap_err(),
        RedcapError::UnknownField
    );
}

#[tokio::test]
async fn an_unknown_instrument_with_a_learnt_record_id_field() {
    let stub = Stub::start(repeating_project()).await;
    let target = SurveyTarget::new(
        RecordId::parse("17").unwrap(),
        Instrument::parse("nope").unwrap(),
    );
    assert_eq!(
        stub.client(|_| {})
            .response_status(&target)
            .await
            .unwrap_err(),
        RedcapError::InvalidInstrument
    );
}

#[tokio::test]
async fn metadata_that_is_not_a_data_dictionary_is_refused() {
    for body in [
        "[]",
        r#"{"field_name":"x"}"#,
        r#"[{"field_name":"Not A Name"}]"#,
        r#"[{"form_name":"x"}]"#,
    ] {
        let body = body.to_owned();
        let stub = Stub::start(Arc::new(move |_: &Form, _| (200, body.clone()))).await;
        let e = stub.client(|_| {}).record_id_field().await.unwrap_err();
        assert!(matches!(e, RedcapError::InvalidAnswer(_)), "{e:?}");
    }
}

/// REDCap's survey base URL on another host (`localhost` while the API is `127.0.0.1`).
#[tokio::test]
async fn survey_links_on_another_host() {
    let stub = Stub::start(Arc::new(|_: &Form, port| {
        (
            200,
            format!("http://localhost:{port}/surveys/?s=AbCdEfGhJk"),
        )
    }))
    .await;
    let target = SurveyTarget::new(
        RecordId::parse("17").unwrap(),
        Instrument::parse("diary").unwrap(),
    );
    let base = format!("http://localhost:{}/", stub.port);
    let e = stub.client(|_| {}).survey_link(&target).await.unwrap_err();
    assert_eq!(e, RedcapError::LinkOnOtherHost { base: base.clone() });
    assert!(
        e.to_string()
            .contains(&format!("survey_base_url = \"{base}\"")),
        "{e}"
    );
    let configured = stub.client(|c| c.survey_base_url = Some(Url::parse(&base).unwrap()));
    let link = configured.survey_link(&target).await.unwrap();
    assert_eq!(link.hash_expose(), "AbCdEfGhJk");
    assert_eq!(
        configured.survey_base_url().map(Url::as_str),
        Some(base.as_str())
    );
}

#[test]
fn survey_base_urls_are_checked() {
    let api = Url::parse("https://redcap.example.edu/api/").unwrap();
    for (base, ok) in [
        ("https://surveys.example.edu/", true),
        ("https://surveys.example.edu/redcap/", true),
        ("https://surveys.example.edu/redcap", false),
        ("ftp://surveys.example.edu/", false),
        ("https://u:p@surveys.example.edu/", false),
        ("https://surveys.example.edu/?x=1", false),
    ] {
        let built = Client::new(ClientConfig {
            survey_base_url: Some(Url::parse(base).unwrap()),
            ..ClientConfig::new(api.clone(), ApiToken::parse(TOKEN).unwrap())
        });
        match built {
            Ok(_) => assert!(ok, "{base} accepted"),
            Err(e) => {
                assert!(!ok, "{base}: {e}");
                assert!(e.to_string().contains("survey_base_url"), "{e}");
            }
        }
    }
}
