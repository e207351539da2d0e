//! The API front door: method, token, content, error envelopes, `version`, `project`.

mod common;

use common::{client, json_error, post, sim};
use redcap_sim::seed::*;

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>";

#[tokio::test]
async fn other_methods_get_501_in_xml() {
    let sim = sim().await;
    let response = client().get(sim.api_url()).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 501);
    let body = response.text().await.unwrap();
    assert_eq!(
        body,
        format!("{XML_HEAD}<hash><error>The requested method is not implemented.</error></hash>")
    );
    assert_eq!(sim.api_call_count(), 1, "every request is recorded");
}

#[tokio::test]
async fn bad_or_missing_token_is_403_in_every_envelope() {
    let sim = sim().await;
    let msg = "You do not have permissions to use the API";
    let json = post(
        &sim,
        &[
            ("token", "0123"),
            ("content", "version"),
            ("returnFormat", "json"),
        ],
    )
    .await;
    assert_eq!((json.status, json_error(&json.body)), (403, msg.to_owned()));
    assert!(json.content_type.starts_with("application/json"));
    let csv = post(&sim, &[("content", "version"), ("format", "csv")]).await;
    assert_eq!(
        (csv.status, csv.body.as_str()),
        (403, format!("ERROR: {msg}").as_str())
    );
    let xml = post(&sim, &[("content", "version")]).await;
    assert_eq!(
        xml.body,
        format!("{XML_HEAD}<hash><error>{msg}</error></hash>")
    );
    assert!(xml.content_type.starts_with("text/xml"));
}

#[tokio::test]
async fn token_is_checked_before_content() {
    let sim = sim().await;
    let bad_both = post(
        &sim,
        &[
            ("token", "nope"),
            ("content", "nonsense"),
            ("returnFormat", "json"),
        ],
    )
    .await;
    assert_eq!(bad_both.status, 403);
    let bad_content = post(
        &sim,
        &[
            ("token", DEMO_TOKEN),
            ("content", "nonsense"),
            ("returnFormat", "json"),
        ],
    )
    .await;
    assert_eq!(bad_content.status, 400);
    assert_eq!(
        json_error(&bad_content.body),
        "The value of the parameter \"content\" is not valid"
    );
}

#[tokio::test]
async fn version_is_a_bare_string_whatever_the_format() {
    let sim = sim().await;
    for rf in ["json", "csv", "xml"] {
        let a = post(
            &sim,
            &[
                ("token", DEMO_TOKEN),
                ("content", "version"),
                ("returnFormat", rf),
            ],
        )
        .await;
        assert_eq!((a.status, a.body.as_str()), (200, REDCAP_VERSION));
    }
}

#[tokio::test]
async fn project_info_in_three_formats() {
    let sim = sim().await;
    let json = post(
        &sim,
        &[
            ("token", DEMO_TOKEN),
            ("content", "project"),
            ("format", "json"),
        ],
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(v["project_id"], 14);
    assert_eq!(v["project_title"], DEMO_TITLE);
    assert_eq!(v["is_longitudinal"], 0);
    assert_eq!(v["has_repeating_instruments_or_events"], 1);
    assert_eq!(v["surveys_enabled"], 1);

    let cohort = post(
        &sim,
        &[
            ("token", COHORT_TOKEN),
            ("content", "project"),
            ("format", "json"),
        ],
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&cohort.body).unwrap();
    assert_eq!(
        (v["project_id"].as_u64(), v["is_longitudinal"].as_u64()),
        (Some(15), Some(1))
    );

    let csv = post(
        &sim,
        &[
            ("token", DEMO_TOKEN),
            ("content", "project"),
            ("format", "csv"),
        ],
    )
    .await;
    let mut lines = csv.body.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("project_id,project_title,"));
    assert!(lines.next().unwrap().starts_with("14,Resume demo study,"));

    let xml = post(&sim, &[("token", DEMO_TOKEN), ("content", "project")]).await;
    assert!(
        xml.body.contains("<project_id><![CDATA[14]]></project_id>"),
        "{}",
        xml.body
    );
}

#[tokio::test]
async fn no_rights_token_is_valid_for_exports() {
    let sim = sim().await;
    let a = post(&sim, &[("token", NO_RIGHTS_TOKEN), ("content", "version")]).await;
    assert_eq!(a.status, 200);
}

#[tokio::test]
async fn calls_are_recorded_with_fields_and_ip() {
    let sim = sim().await;
    post(&sim, &[("token", DEMO_TOKEN), ("content", "version")]).await;
    let calls = sim.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].method, "POST");
    assert_eq!(calls[0].path, "/api/");
    assert_eq!(calls[0].content.as_deref(), Some("version"));
    assert_eq!(calls[0].field("token"), Some(DEMO_TOKEN));
    assert!(calls[0].client_ip.is_loopback());
    sim.reset_calls();
    assert_eq!(sim.api_call_count(), 0);
}

#[tokio::test]
async fn base_path_is_honoured() {
    let config = redcap_sim::SimConfig {
        base_path: "/redcap/".into(),
        ..Default::default()
    };
    let sim = redcap_sim::Simulator::start(config).await.unwrap();
    assert!(sim.api_url().as_str().ends_with("/redcap/api/"));
    let a = post(&sim, &[("token", DEMO_TOKEN), ("content", "version")]).await;
    assert_eq!(a.body, REDCAP_VERSION);
    let link = common::survey(
        &sim,
        DEMO_TOKEN,
        "surveyLink",
        &[("record", "1001"), ("instrument", BASELINE)],
    )
    .await;
    assert!(
        link.body
            .starts_with(&format!("{}surveys/?s=", sim.base_url())),
        "{}",
        link.body
    );
    let page = common::client().get(&link.body).send().await.unwrap();
    assert_eq!(
        page.status().as_u16(),
        302,
        "the survey page answers under the base path"
    );
}

/// A REDCap older than a method answers REDCap's `content` sentence for it, before any right,
/// and still knows the others.
#[tokio::test]
async fn an_older_redcap_does_not_know_a_method() {
    let sim = sim().await;
    sim.set_unknown_contents(&["surveyReturnCode"]);
    for token in [DEMO_TOKEN, NO_RIGHTS_TOKEN] {
        let old = post(
            &sim,
            &[
                ("token", token),
                ("content", "surveyReturnCode"),
                ("record", RECORD_IN_PROGRESS),
                ("instrument", "baseline_survey"),
                ("returnFormat", "json"),
            ],
        )
        .await;
        assert_eq!(
            (old.status, json_error(&old.body)),
            (
                400,
                "The value of the parameter \"content\" is not valid".to_owned()
            )
        );
    }
    let version = post(&sim, &[("token", DEMO_TOKEN), ("content", "version")]).await;
    assert_eq!(version.status, 200);
    sim.set_unknown_contents(&[]);
    let code = post(
        &sim,
        &[
            ("token", DEMO_TOKEN),
            ("content", "surveyReturnCode"),
            ("record", RECORD_IN_PROGRESS),
            ("instrument", "baseline_survey"),
            ("returnFormat", "json"),
        ],
    )
    .await;
    assert_eq!(code.status, 200, "{}", code.body);
}

/// API Export without a Data Export right: REDCap's record export refuses with its own 403
/// sentence; the other exports answer.
#[tokio::test]
async fn no_access_data_export_rights_refuse_the_record_export_only() {
    let sim = sim().await;
    let records = post(
        &sim,
        &[
            ("token", NO_DATA_EXPORT_TOKEN),
            ("content", "record"),
            ("format", "json"),
            ("returnFormat", "json"),
        ],
    )
    .await;
    assert_eq!(
        (records.status, json_error(&records.body)),
        (403, "The API request cannot complete because currently you have \"No Access\" data export rights. Higher level data export rights are required for this operation.".to_owned())
    );
    for content in ["project", "metadata", "instrument"] {
        let other = post(
            &sim,
            &[
                ("token", NO_DATA_EXPORT_TOKEN),
                ("content", content),
                ("format", "json"),
            ],
        )
        .await;
        assert_eq!(other.status, 200, "{content}: {}", other.body);
    }
    let full = post(
        &sim,
        &[
            ("token", DEMO_TOKEN),
            ("content", "record"),
            ("format", "json"),
        ],
    )
    .await;
    assert_eq!(full.status, 200);
}

/// REDCap's API/index.php: `content` is checked before the rights, and every call without
/// `data` is an export — the survey methods and `version` need API Export too.
#[tokio::test]
async fn without_api_export_every_call_is_refused_after_the_content_check() {
    let sim = sim().await;
    let refused = "You do not have API Export privileges";
    for (content, extra) in [
        ("version", None),
        ("surveyLink", Some(("instrument", BASELINE))),
        ("surveyReturnCode", Some(("instrument", BASELINE))),
        ("surveyQueueLink", None),
        ("metadata", None),
    ] {
        let mut form = vec![
            ("token", NO_EXPORT_TOKEN),
            ("content", content),
            ("record", RECORD_IN_PROGRESS),
            ("returnFormat", "json"),
        ];
        form.extend(extra);
        let a = post(&sim, &form).await;
        assert_eq!(
            (a.status, json_error(&a.body)),
            (403, refused.to_owned()),
            "{content}"
        );
    }
    let bogus = post(
        &sim,
        &[
            ("token", NO_EXPORT_TOKEN),
            ("content", "nonsense"),
            ("returnFormat", "json"),
        ],
    )
    .await;
    assert_eq!(bogus.status, 400, "content before rights: {}", bogus.body);
    // A content REDCap knows but the simulator does not simulate is not called invalid.
    let known = post(
        &sim,
        &[
            ("token", DEMO_TOKEN),
            ("content", "fileRepository"),
            ("returnFormat", "json"),
        ],
    )
    .await;
    assert!(
        json_error(&known.body).starts_with("redcap-sim does not simulate"),
        "{}",
        known.body
    );
}
