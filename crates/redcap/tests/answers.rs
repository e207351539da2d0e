//! Validation of what REDCap answers, typed names, and redaction of secrets in `Debug`.

use std::time::Duration;

use redcap_client::{
    ApiToken, Client, ClientConfig, Event, FieldName, Instrument, ProjectInfo, RecordId,
    RedcapError, RedcapVersion, RepeatInstance, ResponseStatus, ReturnCode, SurveyLink,
    SurveyQueueLink, SurveyTarget, TokenError, Url,
};

const TOKEN: &str = "0123456789ABCDEF0123456789ABCDEF";

fn api() -> Url {
    Url::parse("https://redcap.example.edu/redcap/api/").unwrap()
}

#[test]
fn survey_links_on_the_redcap_origin_are_accepted() {
    for (answer, hash) in [
        (
            "https://redcap.example.edu/redcap/surveys/?s=AbCdEfGhJkLmNpQr",
            "AbCdEfGhJkLmNpQr",
        ),
        (
            "https://redcap.example.edu/redcap/surveys/?s=AbCdEfGhJkLmNpQr\n",
            "AbCdEfGhJkLmNpQr",
        ),
        (
            "  https://redcap.example.edu/redcap/surveys/?s=ABC123defg ",
            "ABC123defg",
        ),
        (
            "https://REDCAP.example.edu:443/redcap/surveys/?s=ABC123defg",
            "ABC123defg",
        ),
        (
            "https://redcap.example.edu/surveys/?s=ABC123defg",
            "ABC123defg",
        ),
    ] {
        let link = SurveyLink::parse(answer, &api()).unwrap_or_else(|e| panic!("{answer:?}: {e}"));
        assert_eq!(link.hash_expose(), hash);
        assert_eq!(link.expose().host_str(), Some("redcap.example.edu"));
    }
    // REDCap at the root and on a non-default port.
    let api = Url::parse("http://127.0.0.1:8085/api/").unwrap();
    assert!(SurveyLink::parse("http://127.0.0.1:8085/surveys/?s=AbCdEfGhJk", &api).is_ok());
}

#[test]
fn survey_links_elsewhere_are_refused() {
    let s = "s=AbCdEfGhJkLmNpQr";
    let bad = [
        String::new(),
        "   ".into(),
        format!("http://redcap.example.edu/redcap/surveys/?{s}"),
        format!("https://evil.example/redcap/surveys/?{s}"),
        format!("https://evil.redcap.example.edu/redcap/surveys/?{s}"),
        format!("https://redcap.example.edu.evil.example/redcap/surveys/?{s}"),
        format!("https://redcap.example.edu:8443/redcap/surveys/?{s}"),
        format!("https://user:pw@redcap.example.edu/redcap/surveys/?{s}"),
        format!("https://redcap.example.edu@evil.example/redcap/surveys/?{s}"),
        format!("https://evil.example\\@redcap.example.edu/redcap/surveys/?{s}"),
        format!("//redcap.example.edu/redcap/surveys/?{s}"),
        format!("/redcap/surveys/?{s}"),
        format!("javascript:alert(1)//redcap.example.edu/redcap/surveys/?{s}"),
        "javascript:alert(document.cookie)".into(),
        format!("data:text/html,<script>alert(1)</script>?{s}"),
        format!("https://redcap.example.edu/redcap/api/?{s}"),
        format!("https://redcap.example.edu/redcap/surveys/index.php?{s}"),
        format!("https://redcap.example.edu/redcap/surveysX/?{s}"),
        format!("https://redcap.example.edu/redcap/surveys?{s}"),
        "https://redcap.example.edu/redcap/surveys/".into(),
        "https://redcap.example.edu/redcap/surveys/?s=".into(),
        "https://redcap.example.edu/redcap/surveys/?hash=AbCdEfGhJkLmNpQr".into(),
        "https://redcap.example.edu/redcap/surveys/?s=AbCd-EfGh!".into(),
        "https://redcap.example.edu/redcap/surveys/?s=AbCd%20EfGh".into(),
        "https://redcap.example.edu/redcap/surveys/?%73=AbCdEfGhJk".into(),
        "https://redcap.example.edu/redcap/surveys/?s=AbCdE".into(),
        format!(
            "https://redcap.example.edu/redcap/surveys/?s={}",
            "A".repeat(33)
        ),
        format!("https://redcap.example.edu/redcap/surveys/?{s}&__return=1"),
        format!("https://redcap.example.edu/redcap/surveys/?{s}&s=OtherHash12"),
        format!("https://redcap.example.edu/redcap/surveys/?{s}#frag"),
        format!("https://redcap.example.edu/red\ncap/surveys/?{s}"),
        format!("https://redcap.example.edu/redcap/surveys/?{s} trailing words"),
        "The record '17' does not exist".into(),
        format!("{{\"error\":\"https://redcap.example.edu/redcap/surveys/?{s}\"}}"),
    ];
    for answer in &bad {
        // A well-formed link on another host names where it points (a survey base URL the
        // operator may configure); anything else is not an answer.
        match SurveyLink::parse(answer, &api()) {
            Err(
                RedcapError::InvalidAnswer(reason) | RedcapError::LinkOnOtherHost { base: reason },
            ) => {
                assert!(
                    !reason.contains("AbCdEfGhJkLmNpQr"),
                    "the reason leaks the hash: {reason}"
                );
            }
            other => panic!("{answer:?} → {other:?}"),
        }
    }
}

#[test]
fn survey_queue_links() {
    let link = SurveyQueueLink::parse(
        "https://redcap.example.edu/redcap/surveys/?sq=Q1w2E3r4T5",
        &api(),
    )
    .unwrap();
    assert_eq!(link.expose().query(), Some("sq=Q1w2E3r4T5"));
    assert!(!format!("{link:?}").contains("Q1w2E3r4T5"));
    assert!(SurveyQueueLink::parse(
        "https://redcap.example.edu/redcap/surveys/?s=Q1w2E3r4T5",
        &api()
    )
    .is_err());
    assert!(
        SurveyQueueLink::parse("https://evil.example/redcap/surveys/?sq=Q1w2E3r4T5", &api())
            .is_err()
    );
}

#[test]
fn return_codes() {
    for (answer, code) in [
        ("KX7HD3LW", "KX7HD3LW"),
        (" kx7hd3lw\r\n", "kx7hd3lw"),
        ("ABC123", "ABC123"),
        ("ABCDEFGH12345678", "ABCDEFGH12345678"),
    ] {
        assert_eq!(ReturnCode::parse(answer).unwrap().expose(), code);
    }
    for answer in [
        "",
        "   \n",
        "KX7HD",
        "ABCDEFGH123456789",
        "KX7-HD3LW",
        "KX7 HD3LW",
        "KX7HD3LÜ",
        "<script>",
        "KX7HD3LW\0",
        "{\"error\":\"x\"}",
    ] {
        match ReturnCode::parse(answer) {
            Err(RedcapError::InvalidAnswer(reason)) => assert!(!reason.contains("KX7"), "{reason}"),
            other => panic!("{answer:?} → {other:?}"),
        }
    }
}

#[test]
fn secrets_never_show_in_debug_or_display() {
    let token = ApiToken::parse(TOKEN).unwrap();
    assert_eq!(format!("{token:?}"), "ApiToken([REDACTED])");
    assert_eq!(format!("{token}"), "[REDACTED]");
    assert_eq!(format!("{token:#?}"), "ApiToken([REDACTED])");
    let code = ReturnCode::parse("KX7HD3LW").unwrap();
    assert_eq!(format!("{code:?}"), "ReturnCode([REDACTED])");
    let link = SurveyLink::parse(
        "https://redcap.example.edu/redcap/surveys/?s=AbCdEfGhJkLmNpQr",
        &api(),
    )
    .unwrap();
    assert_eq!(
        format!("{link:?}"),
        r#"SurveyLink("https://redcap.example.edu/redcap/surveys/?s=[REDACTED]")"#
    );
    let config = ClientConfig {
        timeout: Duration::from_secs(5),
        ..ClientConfig::new(api(), token.clone())
    };
    let shown = format!("{config:?} {:?}", Client::new(config.clone()).unwrap());
    assert!(
        !shown.contains(TOKEN) && !shown.contains("0123456789"),
        "{shown}"
    );
    assert!(shown.contains("[REDACTED]"));
    // Errors about a token never repeat it.
    for bad in ["sk-0123456789ABCDEF", &"A".repeat(65)] {
        let e = ApiToken::parse(bad).unwrap_err();
        assert!(
            !e.to_string().contains("0123456789ABCDEF") && !e.to_string().contains("AAAAAAAA"),
            "{e}"
        );
    }
}

#[test]
fn tokens() {
    assert_eq!(
        ApiToken::parse(&format!("{TOKEN}\n"))
            .unwrap()
            .expose_secret(),
        TOKEN
    );
    assert!(!ApiToken::parse(TOKEN).unwrap().is_super_token());
    assert!(ApiToken::parse(&TOKEN.repeat(2)).unwrap().is_super_token());
    assert!(
        ApiToken::parse("abc").is_ok(),
        "REDCap only checks alphanumerics"
    );
    assert_eq!(ApiToken::parse("").unwrap_err(), TokenError::Empty);
    assert_eq!(ApiToken::parse(" \n").unwrap_err(), TokenError::Empty);
    assert_eq!(
        ApiToken::parse("0123-4567").unwrap_err(),
        TokenError::NotAlphanumeric
    );
    assert_eq!(
        ApiToken::parse("0123 4567").unwrap_err(),
        TokenError::NotAlphanumeric
    );
    assert_eq!(
        ApiToken::parse("ÄBC").unwrap_err(),
        TokenError::NotAlphanumeric
    );
    assert_eq!(
        ApiToken::parse(&"A".repeat(65)).unwrap_err(),
        TokenError::TooLong
    );
}

#[test]
fn names() {
    assert!(RecordId::parse("17").is_ok());
    assert!(RecordId::parse("S-0042 b").is_ok());
    assert!(RecordId::parse("Ünïcödé").is_ok());
    assert!(RecordId::parse(&"x".repeat(100)).is_ok());
    for bad in [
        "",
        " 17",
        "17 ",
        "1\n7",
        "1\t7",
        "1\u{0}7",
        "1\u{202E}7",
        "1\u{200B}7",
    ] {
        assert!(RecordId::parse(bad).is_err(), "{bad:?}");
    }
    assert!(RecordId::parse(&"x".repeat(101)).is_err());
    for good in ["baseline_survey", "month_3", "a"] {
        assert!(
            Instrument::parse(good).is_ok() && Event::parse(good).is_ok(),
            "{good}"
        );
    }
    for bad in [
        "",
        "Baseline",
        "base line",
        "base-line",
        "baseline;drop",
        "bäseline",
        "baseline\n",
    ] {
        assert!(
            Instrument::parse(bad).is_err() && Event::parse(bad).is_err(),
            "{bad:?}"
        );
    }
    assert_eq!(
        Instrument::parse("baseline").unwrap().complete_field(),
        "baseline_complete"
    );
    assert!(RepeatInstance::new(0).is_none());
    assert_eq!(RepeatInstance::try_from(3).unwrap().get(), 3);
    assert_eq!(RepeatInstance::FIRST.get(), 1);
    // The error message never repeats the value.
    assert!(!RecordId::parse("secret\nname")
        .unwrap_err()
        .to_string()
        .contains("secret"));
}

#[test]
fn versions_and_project_info() {
    assert_eq!(
        "14.5.1".parse::<RedcapVersion>().unwrap(),
        RedcapVersion::new(14, 5, 1)
    );
    assert_eq!(
        "13.1\n".parse::<RedcapVersion>().unwrap(),
        RedcapVersion::new(13, 1, 0)
    );
    for bad in [
        "",
        "v14",
        "14.5.1.2",
        "14..1",
        "<html>",
        "{\"error\":\"x\"}",
    ] {
        assert!(bad.parse::<RedcapVersion>().is_err(), "{bad}");
    }
    let info = ProjectInfo::from_json(
        r#"{"project_id":12,"project_title":"Demo & Co","in_production":"1","is_longitudinal":0,
            "has_repeating_instruments_or_events":1,"surveys_enabled":"1"}"#,
    )
    .unwrap();
    assert_eq!(
        (info.project_id, info.title.as_str()),
        (Some(12), "Demo & Co")
    );
    assert!(
        info.in_production && !info.is_longitudinal && info.has_repeating && info.surveys_enabled
    );
    assert!(ProjectInfo::from_json("[]").is_err());
    assert!(ProjectInfo::from_json("{}").is_err());
}

fn rid() -> FieldName {
    FieldName::parse("record_id").unwrap()
}

fn target() -> SurveyTarget {
    SurveyTarget::new(
        RecordId::parse("17").unwrap(),
        Instrument::parse("baseline").unwrap(),
    )
}

#[test]
fn response_status_from_record_exports() {
    use ResponseStatus::*;
    let row = |ts: &str, complete: &str| {
        format!(
            r#"[{{"record_id":"17","redcap_survey_identifier":"","baseline_timestamp":"{ts}","baseline_complete":"{complete}"}}]"#
        )
    };
    let t = target();
    assert_eq!(
        ResponseStatus::from_record_export(&row("", "0"), &t, &rid()).unwrap(),
        NotStarted
    );
    assert_eq!(
        ResponseStatus::from_record_export(&row("[not completed]", "0"), &t, &rid()).unwrap(),
        InProgress
    );
    assert_eq!(
        ResponseStatus::from_record_export(&row("2024-03-01 10:22:13", "2"), &t, &rid()).unwrap(),
        Completed
    );
    assert_eq!(
        ResponseStatus::from_record_export(&row("", "2"), &t, &rid()).unwrap(),
        Completed
    );
    assert_eq!(
        ResponseStatus::from_record_export("[]", &t, &rid()).unwrap_err(),
        RedcapError::RecordNotFound
    );
    assert!(matches!(
        ResponseStatus::from_record_export("{\"x\":1}", &t, &rid()),
        Err(RedcapError::InvalidAnswer(_))
    ));
    // Not a survey: no timestamp column.
    assert_eq!(
        ResponseStatus::from_record_export(
            r#"[{"record_id":"17","baseline_complete":"1"}]"#,
            &t,
            &rid()
        )
        .unwrap(),
        InProgress
    );

    // Longitudinal: the event's row.
    let rows = r#"[{"record_id":"17","redcap_event_name":"baseline_arm_1","baseline_timestamp":"2024-01-01 00:00:00","baseline_complete":"2"},
                   {"record_id":"17","redcap_event_name":"month_3_arm_1","baseline_timestamp":"[not completed]","baseline_complete":"0"}]"#;
    let in_month_3 = target().in_event(Event::parse("month_3_arm_1").unwrap());
    assert_eq!(
        ResponseStatus::from_record_export(rows, &in_month_3, &rid()).unwrap(),
        InProgress
    );
    assert_eq!(
        ResponseStatus::from_record_export(rows, &t, &rid()).unwrap_err(),
        RedcapError::EventMissing
    );
    let in_month_6 = target().in_event(Event::parse("month_6_arm_1").unwrap());
    assert_eq!(
        ResponseStatus::from_record_export(rows, &in_month_6, &rid()).unwrap(),
        NotStarted
    );

    // Repeating instrument: the instance's row; the plain row does not count for it.
    let rows = r#"[{"record_id":"17","redcap_repeat_instrument":"","redcap_repeat_instance":"","baseline_timestamp":"","baseline_complete":""},
                   {"record_id":"17","redcap_repeat_instrument":"baseline","redcap_repeat_instance":1,"baseline_timestamp":"2024-01-01 00:00:00","baseline_complete":"2"},
                   {"record_id":"17","redcap_repeat_instrument":"baseline","redcap_repeat_instance":"2","baseline_timestamp":"[not completed]","baseline_complete":"0"},
                   {"record_id":"17","redcap_repeat_instrument":"other","redcap_repeat_instance":"3","baseline_timestamp":"","baseline_complete":""}]"#;
    let instance = |n| target().with_repeat_instance(RepeatInstance::new(n).unwrap());
    assert_eq!(
        ResponseStatus::from_record_export(rows, &t, &rid()).unwrap(),
        Completed,
        "no instance means 1"
    );
    assert_eq!(
        ResponseStatus::from_record_export(rows, &instance(1), &rid()).unwrap(),
        Completed
    );
    assert_eq!(
        ResponseStatus::from_record_export(rows, &instance(2), &rid()).unwrap(),
        InProgress
    );
    assert_eq!(
        ResponseStatus::from_record_export(rows, &instance(3), &rid()).unwrap(),
        NotStarted
    );
    // Repeating event: empty repeat instrument with an instance number.
    let rows = r#"[{"record_id":"17","redcap_repeat_instrument":"","redcap_repeat_instance":"1","baseline_timestamp":"2024-01-01","baseline_complete":"2"},
                   {"record_id":"17","redcap_repeat_instrument":"","redcap_repeat_instance":"2","baseline_timestamp":"[not completed]","baseline_complete":"0"}]"#;
    assert_eq!(
        ResponseStatus::from_record_export(rows, &instance(2), &rid()).unwrap(),
        InProgress
    );
    // A non-repeating survey asked for instance 1 (REDCap falls back to 1 silently).
    assert_eq!(
        ResponseStatus::from_record_export(&row("[not completed]", "0"), &instance(1), &rid())
            .unwrap(),
        InProgress
    );
}

/// DESIGN.md, "Record export drops its plumbing columns": the field case of a repeating survey
/// (instance 1 complete, instance 2 saved half-way), with and without the columns REDCap adds
/// when the record-id field is asked for.
#[test]
fn repeating_instances_are_told_apart_only_with_the_plumbing_columns() {
    use ResponseStatus::*;
    let t = target().with_repeat_instance(RepeatInstance::new(2).unwrap());
    // Asked with the record-id field: REDCap names each row's instance.
    let with_columns = r#"[
        {"record_id":"17","redcap_repeat_instrument":"","redcap_repeat_instance":"","redcap_survey_identifier":"","baseline_timestamp":"","baseline_complete":""},
        {"record_id":"17","redcap_repeat_instrument":"baseline","redcap_repeat_instance":1,"redcap_survey_identifier":"","baseline_timestamp":"2024-01-01 10:00:00","baseline_complete":"2"},
        {"record_id":"17","redcap_repeat_instrument":"baseline","redcap_repeat_instance":2,"redcap_survey_identifier":"","baseline_timestamp":"[not completed]","baseline_complete":"0"}]"#;
    assert_eq!(
        ResponseStatus::from_record_export(with_columns, &t, &rid()).unwrap(),
        InProgress
    );
    assert_eq!(
        ResponseStatus::from_record_export(
            with_columns,
            &target().with_repeat_instance(RepeatInstance::new(1).unwrap()),
            &rid()
        )
        .unwrap(),
        Completed
    );
    // Asked without it: the same three rows, no record id, event or repeat columns. Never
    // read (it used to come out as `NotStarted`).
    let without = r#"[
        {"redcap_survey_identifier":"","baseline_timestamp":"","baseline_complete":""},
        {"redcap_survey_identifier":"","baseline_timestamp":"2024-01-01 10:00:00","baseline_complete":"2"},
        {"redcap_survey_identifier":"","baseline_timestamp":"[not completed]","baseline_complete":"0"}]"#;
    for target in [t.clone(), target()] {
        match ResponseStatus::from_record_export(without, &target, &rid()) {
            Err(RedcapError::InvalidAnswer(reason)) => {
                assert!(reason.contains("record_id"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }
    // A single row without the column is not read either: it could be any instance's.
    assert!(ResponseStatus::from_record_export(
        r#"[{"baseline_timestamp":"[not completed]","baseline_complete":"0"}]"#,
        &target(),
        &rid()
    )
    .is_err());
    // The configured record-id field is the one looked for.
    let custom = FieldName::parse("participant_id").unwrap();
    let rows = r#"[{"participant_id":"17","baseline_timestamp":"[not completed]","baseline_complete":"0"}]"#;
    assert_eq!(
        ResponseStatus::from_record_export(rows, &target(), &custom).unwrap(),
        InProgress
    );
    assert!(ResponseStatus::from_record_export(rows, &target(), &rid()).is_err());
    // Rows of another record, or two rows for one instance, are not guessed at.
    let other = r#"[{"record_id":"18","baseline_timestamp":"","baseline_complete":"2"}]"#;
    assert!(ResponseStatus::from_record_export(other, &target(), &rid()).is_err());
    let twice = r#"[{"record_id":"17","baseline_timestamp":"","baseline_complete":"2"},
                    {"record_id":"17","baseline_timestamp":"[not completed]","baseline_complete":"0"}]"#;
    assert!(ResponseStatus::from_record_export(twice, &target(), &rid()).is_err());
}

/// DESIGN.md, "Survey links can live on another host".
#[test]
fn survey_links_under_the_configured_survey_base_url() {
    let api = Url::parse("http://127.0.0.1:8085/api/").unwrap();
    let link = "http://localhost:8085/surveys/?s=AbCdEfGhJk";
    // Without a survey base URL: refused, naming the base to configure (not the hash).
    match SurveyLink::parse(link, &api) {
        Err(e @ RedcapError::LinkOnOtherHost { .. }) => {
            let RedcapError::LinkOnOtherHost { base } = &e else {
                unreachable!()
            };
            assert_eq!(base, "http://localhost:8085/");
            let shown = e.to_string();
            assert!(
                shown.contains("survey_base_url") && shown.contains("http://localhost:8085/"),
                "{shown}"
            );
            assert!(!shown.contains("AbCdEfGhJk"), "{shown}");
            assert_eq!(e.fault(), redcap_client::Fault::ServerSetup);
            assert!(!e.is_retryable());
        }
        other => panic!("{other:?}"),
    }
    // With it: accepted; links on the API's origin still are.
    let base = Url::parse("http://localhost:8085/").unwrap();
    let ok = SurveyLink::parse_with_base(link, &api, Some(&base)).unwrap();
    assert_eq!(ok.expose().as_str(), link);
    assert!(SurveyLink::parse_with_base(
        "http://127.0.0.1:8085/surveys/?s=AbCdEfGhJk",
        &api,
        Some(&base)
    )
    .is_ok());
    // A base with a path: only links under it.
    let base = Url::parse("https://surveys.example.edu/redcap/").unwrap();
    let api = Url::parse("https://redcap.internal.example.edu/redcap/api/").unwrap();
    assert!(SurveyLink::parse_with_base(
        "https://surveys.example.edu/redcap/surveys/?s=AbCdEfGhJk",
        &api,
        Some(&base)
    )
    .is_ok());
    assert!(SurveyQueueLink::parse_with_base(
        "https://surveys.example.edu/redcap/surveys/?sq=AbCdEfGhJk",
        &api,
        Some(&base)
    )
    .is_ok());
    for elsewhere in [
        "https://surveys.example.edu/other/surveys/?s=AbCdEfGhJk",
        "http://surveys.example.edu/redcap/surveys/?s=AbCdEfGhJk",
        "https://surveys.example.edu:8443/redcap/surveys/?s=AbCdEfGhJk",
        "https://evil.example/redcap/surveys/?s=AbCdEfGhJk",
    ] {
        assert!(
            matches!(
                SurveyLink::parse_with_base(elsewhere, &api, Some(&base)),
                Err(RedcapError::LinkOnOtherHost { .. })
            ),
            "{elsewhere}"
        );
    }
    let e = SurveyLink::parse_with_base(
        "https://evil.example/redcap/surveys/?s=AbCdEfGhJk",
        &api,
        Some(&base),
    )
    .unwrap_err();
    assert_eq!(
        e,
        RedcapError::LinkOnOtherHost {
            base: "https://evil.example/redcap/".into()
        }
    );
}
