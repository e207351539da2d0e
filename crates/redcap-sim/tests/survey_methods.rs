//! `surveyLink`, `surveyReturnCode`, `surveyQueueLink`: answers, every error, wording variants.

mod common;

use common::{json_error, post, sim, survey};
use redcap_sim::seed::*;
use redcap_sim::{ResponseKey, RETURN_CODE_CHARS};

async fn err(
    sim: &redcap_sim::Simulator,
    token: &str,
    content: &str,
    extra: &[(&str, &str)],
) -> (u16, String) {
    let a = survey(sim, token, content, extra).await;
    (a.status, json_error(&a.body))
}

#[tokio::test]
async fn survey_link_is_a_bare_stable_url() {
    let sim = sim().await;
    let params = [("record", RECORD_IN_PROGRESS), ("instrument", BASELINE)];
    let first = survey(&sim, DEMO_TOKEN, "surveyLink", &params).await;
    assert_eq!(first.status, 200);
    assert!(!first.body.ends_with('\n'));
    let url = url::Url::parse(&first.body).unwrap();
    assert_eq!(url.path(), "/surveys/");
    let hash = url
        .query_pairs()
        .find(|(k, _)| k == "s")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(hash.len(), 16);
    assert!(hash.chars().all(|c| c.is_ascii_alphanumeric()));
    let again = survey(&sim, DEMO_TOKEN, "surveyLink", &params).await;
    assert_eq!(again.body, first.body);
    let other = survey(
        &sim,
        DEMO_TOKEN,
        "surveyLink",
        &[("record", RECORD_COMPLETED), ("instrument", BASELINE)],
    )
    .await;
    assert_ne!(other.body, first.body, "one hash per participant response");
}

#[tokio::test]
async fn return_code_is_created_once_and_stable() {
    let sim = sim().await;
    let key = ResponseKey::classic(RECORD_NOT_STARTED, BASELINE);
    assert_eq!(
        sim.return_code(DEMO_PROJECT, &key),
        None,
        "not created before the first request"
    );
    let params = [("record", RECORD_NOT_STARTED), ("instrument", BASELINE)];
    let code = survey(&sim, DEMO_TOKEN, "surveyReturnCode", &params)
        .await
        .body;
    assert_eq!(code.len(), 8);
    assert!(
        code.chars().all(|c| RETURN_CODE_CHARS.contains(c)),
        "{code}"
    );
    assert_eq!(
        sim.return_code(DEMO_PROJECT, &key).as_deref(),
        Some(code.as_str())
    );
    for rf in ["xml", "csv"] {
        let again = post(
            &sim,
            &[
                ("token", DEMO_TOKEN),
                ("content", "surveyReturnCode"),
                ("record", RECORD_NOT_STARTED),
                ("instrument", BASELINE),
                ("returnFormat", rf),
            ],
        )
        .await;
        assert_eq!(again.body, code, "bare string whatever returnFormat says");
    }
}

#[tokio::test]
async fn missing_survey_rights_is_403() {
    let sim = sim().await;
    let params = [("record", RECORD_IN_PROGRESS), ("instrument", BASELINE)];
    for content in ["surveyLink", "surveyReturnCode", "surveyQueueLink"] {
        let (status, msg) = err(&sim, NO_RIGHTS_TOKEN, content, &params).await;
        assert_eq!(status, 403);
        assert_eq!(msg, "The API request cannot complete because currently you do not have \"Manage Survey Participants\" privileges, which are required for this operation.");
    }
}

#[tokio::test]
async fn parameter_errors_in_redcaps_order_and_wording() {
    let sim = sim().await;
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        ("surveyLink", &[], "The parameter 'record' is missing"),
        (
            "surveyLink",
            &[("record", MISSING_RECORD), ("instrument", "nope")],
            "The record \"9999\" does not exist",
        ),
        (
            "surveyLink",
            &[("record", "1001")],
            "The parameter 'instrument' is missing",
        ),
        (
            "surveyLink",
            &[("record", "1001"), ("instrument", "nope")],
            "Invalid instrument",
        ),
        (
            "surveyLink",
            &[("record", "1001"), ("instrument", CONTACT_INFO)],
            "The instrument 'contact_info' has not been enabled as a survey",
        ),
        (
            "surveyReturnCode",
            &[("record", "1001"), ("instrument", CONTACT_INFO)],
            "The instrument \"contact_info\" has not been enabled as a survey",
        ),
        (
            "surveyReturnCode",
            &[("record", "1001"), ("instrument", CONSENT)],
            "The 'Save & Return Later' feature has not been enabled for this survey",
        ),
        (
            "surveyReturnCode",
            &[("record", "<b>"), ("instrument", BASELINE)],
            "The record \"&lt;b&gt;\" does not exist",
        ),
    ];
    for (content, params, expected) in cases {
        let (status, msg) = err(&sim, DEMO_TOKEN, content, params).await;
        assert_eq!(
            (status, msg.as_str()),
            (400, *expected),
            "{content} {params:?}"
        );
    }
}

#[tokio::test]
async fn save_and_return_error_is_malformed_xml_like_redcap() {
    let sim = sim().await;
    let a = post(
        &sim,
        &[
            ("token", DEMO_TOKEN),
            ("content", "surveyReturnCode"),
            ("record", "1001"),
            ("instrument", CONSENT),
        ],
    )
    .await;
    assert_eq!(a.status, 400);
    assert_eq!(a.body, "<?xml version=\"1.0\" encoding=\"UTF-8\" ?><hash><error>The 'Save & Return Later' feature has not been enabled for this survey</error></hash>");
}

#[tokio::test]
async fn legacy_wording_uses_single_quotes() {
    let sim = sim().await;
    sim.set_legacy_wording(true);
    let (_, msg) = err(
        &sim,
        DEMO_TOKEN,
        "surveyReturnCode",
        &[("record", MISSING_RECORD), ("instrument", BASELINE)],
    )
    .await;
    assert_eq!(msg, "The record '9999' does not exist");
    let (_, msg) = err(
        &sim,
        DEMO_TOKEN,
        "surveyReturnCode",
        &[("record", "1001"), ("instrument", CONTACT_INFO)],
    )
    .await;
    assert_eq!(
        msg,
        "The instrument 'contact_info' has not been enabled as a survey"
    );
    sim.set_legacy_wording(false);
    let (_, msg) = err(
        &sim,
        DEMO_TOKEN,
        "surveyReturnCode",
        &[("record", MISSING_RECORD), ("instrument", BASELINE)],
    )
    .await;
    assert_eq!(msg, "The record \"9999\" does not exist");
}

#[tokio::test]
async fn longitudinal_event_checks() {
    let sim = sim().await;
    let base = [("record", RECORD_IN_PROGRESS), ("instrument", MONTH_3)];
    let (s, m) = err(&sim, COHORT_TOKEN, "surveyLink", &base).await;
    assert_eq!((s, m.as_str()), (400, "The parameter 'event' is missing"));
    let (s, m) = err(
        &sim,
        COHORT_TOKEN,
        "surveyReturnCode",
        &[base[0], base[1], ("event", "month_9_arm_1")],
    )
    .await;
    assert_eq!((s, m.as_str()), (400, "Invalid event"));
    let (s, m) = err(
        &sim,
        COHORT_TOKEN,
        "surveyLink",
        &[base[0], base[1], ("event", EVENT_BASELINE)],
    )
    .await;
    assert_eq!(
        (s, m.as_str()),
        (
            400,
            "The instrument \"month_3\" has not been designated for the event \"baseline_arm_1\""
        )
    );
    let ok = survey(
        &sim,
        COHORT_TOKEN,
        "surveyReturnCode",
        &[base[0], base[1], ("event", EVENT_MONTH_3)],
    )
    .await;
    assert_eq!((ok.status, ok.body.len()), (200, 8));
    let key = ResponseKey::new(RECORD_IN_PROGRESS, MONTH_3, Some(EVENT_MONTH_3), 1);
    assert_eq!(sim.return_code(COHORT_PROJECT, &key), Some(ok.body));
}

#[tokio::test]
async fn event_is_ignored_in_classic_projects() {
    let sim = sim().await;
    let plain = survey(
        &sim,
        DEMO_TOKEN,
        "surveyReturnCode",
        &[("record", "1001"), ("instrument", BASELINE)],
    )
    .await;
    let with_event = survey(
        &sim,
        DEMO_TOKEN,
        "surveyReturnCode",
        &[
            ("record", "1001"),
            ("instrument", BASELINE),
            ("event", "whatever_arm_9"),
        ],
    )
    .await;
    assert_eq!((with_event.status, with_event.body), (200, plain.body));
}

#[tokio::test]
async fn repeat_instance_falls_back_to_1() {
    let sim = sim().await;
    let code = |instrument: &'static str, instance: &'static str| {
        let sim = &sim;
        async move {
            survey(
                sim,
                DEMO_TOKEN,
                "surveyReturnCode",
                &[
                    ("record", "1001"),
                    ("instrument", instrument),
                    ("repeat_instance", instance),
                ],
            )
            .await
            .body
        }
    };
    let diary2 = code(WEEKLY_DIARY, "2").await;
    let diary1 = code(WEEKLY_DIARY, "1").await;
    assert_ne!(diary1, diary2, "each instance is its own response");
    assert_eq!(code(WEEKLY_DIARY, "abc").await, diary1);
    assert_eq!(code(WEEKLY_DIARY, "-3").await, diary1);
    assert_eq!(
        code(BASELINE, "5").await,
        code(BASELINE, "1").await,
        "non-repeating: always 1"
    );
    let key = ResponseKey::new("1001", WEEKLY_DIARY, None, 2);
    assert_eq!(sim.return_code(DEMO_PROJECT, &key), Some(diary2));
}

#[tokio::test]
async fn survey_queue_link() {
    let sim = sim().await;
    let a = survey(&sim, DEMO_TOKEN, "surveyQueueLink", &[("record", "1001")]).await;
    assert_eq!(a.status, 200);
    assert!(
        a.body
            .starts_with(&format!("{}surveys/?sq=", sim.base_url())),
        "{}",
        a.body
    );
    let (s, m) = err(
        &sim,
        DEMO_TOKEN,
        "surveyQueueLink",
        &[("record", MISSING_RECORD)],
    )
    .await;
    assert_eq!((s, m.as_str()), (400, "The record \"9999\" does not exist"));
    let (s, m) = err(&sim, COHORT_TOKEN, "surveyQueueLink", &[("record", "1001")]).await;
    assert_eq!(s, 400);
    assert!(
        m.starts_with("The Survey Queue has not been enabled"),
        "{m}"
    );
}

#[tokio::test]
async fn record_and_instrument_are_trimmed() {
    let sim = sim().await;
    let a = survey(
        &sim,
        DEMO_TOKEN,
        "surveyLink",
        &[("record", " 1001 "), ("instrument", " baseline_survey")],
    )
    .await;
    assert_eq!(a.status, 200);
}
