//! Survey behaviours institutions report: the survey base URL on another host, `An unknown
//! error occurred` for an event of another arm, Survey Login, Multi-Language Management's
//! `__lang`, the survey queue, and closed surveys.

mod common;

use common::{answer, client, survey};
use redcap_sim::seed::*;
use redcap_sim::{
    SimConfig, Simulator, QUEUE_LINK_INVALID, RETURN_PROMPT, SURVEY_CLOSED, SURVEY_LOGIN_FAILED,
    SURVEY_LOGIN_PROMPT,
};

async fn sim() -> Simulator {
    common::sim().await
}

async fn get(url: &str) -> common::Answer {
    answer(client().get(url).send().await.unwrap()).await
}

async fn post_code(url: &str, code: &str) -> common::Answer {
    answer(
        client()
            .post(url)
            .form(&[("__code", code)])
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn target<'a>(record: &'a str, instrument: &'a str) -> [(&'a str, &'a str); 2] {
    [("record", record), ("instrument", instrument)]
}

#[tokio::test]
async fn survey_links_on_another_host() {
    let sim = Simulator::start(SimConfig {
        survey_host: Some("localhost".into()),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let port = sim.addr().port();
    assert_eq!(
        sim.api_url().as_str(),
        format!("http://127.0.0.1:{port}/api/")
    );
    assert_eq!(
        sim.survey_base_url().as_str(),
        format!("http://localhost:{port}/")
    );
    let link = survey(
        &sim,
        DEMO_TOKEN,
        "surveyLink",
        &target(RECORD_IN_PROGRESS, BASELINE),
    )
    .await;
    assert!(
        link.body
            .starts_with(&format!("http://localhost:{port}/surveys/?s=")),
        "{}",
        link.body
    );
    let queue = survey(
        &sim,
        DEMO_TOKEN,
        "surveyQueueLink",
        &[("record", RECORD_IN_PROGRESS)],
    )
    .await;
    assert!(queue
        .body
        .starts_with(&format!("http://localhost:{port}/surveys/?sq=")));

    // The pages answer on the survey host…
    let code = survey(
        &sim,
        DEMO_TOKEN,
        "surveyReturnCode",
        &target(RECORD_IN_PROGRESS, BASELINE),
    )
    .await
    .body;
    let resumed = post_code(&link.body, &code).await;
    assert!(
        resumed.body.contains("<title>Resumed</title>"),
        "{}",
        resumed.body
    );
    let return_page = get(&format!("{}&__return=1", link.body)).await;
    assert!(return_page
        .body
        .contains(&format!("action=\"http://localhost:{port}/surveys/?s=")));
    // …and not on the API's host.
    let on_api_host = link.body.replace("localhost", "127.0.0.1");
    let refused = post_code(&on_api_host, &code).await;
    assert_eq!(refused.status, 404, "{}", refused.body);
    assert!(sim
        .survey_link(
            DEMO_PROJECT,
            &redcap_sim::ResponseKey::classic(RECORD_IN_PROGRESS, BASELINE)
        )
        .is_some_and(|u| u.host_str() == Some("localhost")));
}

/// A survey base URL with its own path: `http://localhost:PORT/` in front of a REDCap whose
/// API is `http://127.0.0.1:PORT/redcap/api/`.
#[tokio::test]
async fn survey_base_url_with_another_path() {
    let sim = Simulator::start(SimConfig {
        base_path: "/redcap/".into(),
        survey_host: Some("localhost".into()),
        survey_base_path: Some("/".into()),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let port = sim.addr().port();
    assert_eq!(
        sim.api_url().as_str(),
        format!("http://127.0.0.1:{port}/redcap/api/")
    );
    let t = target(RECORD_IN_PROGRESS, BASELINE);
    let link = survey(&sim, DEMO_TOKEN, "surveyLink", &t).await.body;
    assert!(
        link.starts_with(&format!("http://localhost:{port}/surveys/?s=")),
        "{link}"
    );
    let code = survey(&sim, DEMO_TOKEN, "surveyReturnCode", &t).await.body;
    assert!(post_code(&link, &code)
        .await
        .body
        .contains("<title>Resumed</title>"));
    let under_redcap = link.replace("/surveys/", "/redcap/surveys/");
    assert_eq!(post_code(&under_redcap, &code).await.status, 404);
}

#[tokio::test]
async fn event_of_another_arm_is_an_unknown_error() {
    let sim = sim().await;
    let in_arm_1 = [
        ("record", RECORD_IN_PROGRESS),
        ("instrument", INTAKE),
        ("event", EVENT_ARM_2),
    ];
    for content in ["surveyLink", "surveyReturnCode"] {
        let a = survey(&sim, COHORT_TOKEN, content, &in_arm_1).await;
        assert_eq!(a.status, 400, "{content}");
        assert_eq!(
            common::json_error(&a.body),
            "An unknown error occurred",
            "{content}"
        );
        let csv = common::post(
            &sim,
            &[
                ("token", COHORT_TOKEN),
                ("content", content),
                ("returnFormat", "csv"),
                in_arm_1[0],
                in_arm_1[1],
                in_arm_1[2],
            ],
        )
        .await;
        assert_eq!(csv.body, "ERROR: An unknown error occurred");
    }
    let in_arm_2 = [
        ("record", RECORD_ARM_2),
        ("instrument", INTAKE),
        ("event", EVENT_ARM_2),
    ];
    let code = survey(&sim, COHORT_TOKEN, "surveyReturnCode", &in_arm_2).await;
    assert_eq!((code.status, code.body.len()), (200, 8));
    let link = survey(&sim, COHORT_TOKEN, "surveyLink", &in_arm_2).await;
    let resumed = post_code(&link.body, &code.body).await;
    assert!(
        resumed
            .body
            .contains(&format!("<dd id=\"resumed-event\">{EVENT_ARM_2}</dd>")),
        "{}",
        resumed.body
    );
}

#[tokio::test]
async fn survey_login_ignores_a_posted_code() {
    let sim = sim().await;
    let t = target(RECORD_IN_PROGRESS, CHECKIN);
    let code = survey(&sim, DEMO_TOKEN, "surveyReturnCode", &t).await;
    assert_eq!(
        (code.status, code.body.len()),
        (200, 8),
        "codes are still issued"
    );
    let link = survey(&sim, DEMO_TOKEN, "surveyLink", &t).await.body;
    for page in [
        post_code(&link, &code.body).await,
        get(&link).await,
        get(&format!("{link}&__return=1")).await,
    ] {
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Survey Login"), "{}", page.body);
        assert!(page.body.contains(SURVEY_LOGIN_PROMPT));
        assert!(page.body.contains(CHECKIN_TITLE));
        assert!(!page.body.contains("Resumed"));
        assert!(
            !page.body.contains("name=\"__code\""),
            "no return-code form"
        );
        assert!(!page.body.contains(RETURN_PROMPT));
    }
}

/// The login fields (here the SSO user name) continue the response; a wrong one does not.
#[tokio::test]
async fn survey_login_continues_after_logging_in() {
    let sim = sim().await;
    let link = survey(
        &sim,
        DEMO_TOKEN,
        "surveyLink",
        &target(RECORD_IN_PROGRESS, CHECKIN),
    )
    .await
    .body;
    let login = |fields: Vec<(&'static str, &'static str)>| {
        let link = link.clone();
        async move { answer(client().post(&link).form(&fields).send().await.unwrap()).await }
    };
    let page = get(&link).await;
    assert!(
        page.body.contains(&format!("name=\"{SSO_FIELD}\"")),
        "{}",
        page.body
    );
    let wrong = login(vec![(SSO_FIELD, "ben.okafor")]).await;
    assert!(wrong.body.contains(SURVEY_LOGIN_FAILED), "{}", wrong.body);
    assert!(!wrong.body.contains("Resumed"));
    let right = login(vec![(SSO_FIELD, " Ana.Garcia ")]).await;
    assert!(
        right.body.contains("<title>Resumed</title>"),
        "{}",
        right.body
    );
    assert!(right.body.contains("<dd id=\"resumed-page\">2</dd>"));
    let code_only = login(vec![("__code", "ABCDEFGH")]).await;
    assert!(code_only.body.contains(SURVEY_LOGIN_PROMPT));
    assert!(
        !code_only.body.contains(SURVEY_LOGIN_FAILED),
        "a code is not a login attempt"
    );
}

#[tokio::test]
async fn pages_honour_lang() {
    let sim = sim().await;
    let t = target(RECORD_IN_PROGRESS, BASELINE);
    let link = survey(&sim, DEMO_TOKEN, "surveyLink", &t).await.body;
    let code = survey(&sim, DEMO_TOKEN, "surveyReturnCode", &t).await.body;
    let spanish = format!("{link}&__lang=es-MX");
    let redirect = client().get(&spanish).send().await.unwrap();
    assert_eq!(
        redirect.headers()["location"].to_str().unwrap(),
        format!("{spanish}&__return=1"),
        "the language survives the redirect"
    );
    let returning = get(&format!("{spanish}&__return=1")).await;
    assert!(
        returning.body.contains("<html lang=\"es-MX\">"),
        "{}",
        returning.body
    );
    assert!(returning
        .body
        .contains("<p id=\"survey-language\" hidden>es-MX</p>"));
    assert!(returning
        .body
        .contains(&format!("action=\"{}\"", spanish.replace('&', "&amp;"))));
    let resumed = post_code(&spanish, &code).await;
    assert!(resumed.body.contains("<title>Resumed</title>"));
    assert!(resumed.body.contains("<html lang=\"es-MX\">"));
    for default in [link.clone(), format!("{link}&__lang=de-DE")] {
        let page = post_code(&default, &code).await;
        assert!(
            page.body.contains("<html lang=\"en\">"),
            "default language: {}",
            page.body
        );
    }
    let cohort_link = survey(
        &sim,
        COHORT_TOKEN,
        "surveyLink",
        &[
            ("record", RECORD_IN_PROGRESS),
            ("instrument", MONTH_3),
            ("event", EVENT_MONTH_3),
        ],
    )
    .await
    .body;
    let no_mlm = get(&format!("{cohort_link}&__return=1&__lang=es-MX")).await;
    assert!(
        no_mlm.body.contains("<html lang=\"en\">"),
        "a project without MLM"
    );
}

#[tokio::test]
async fn survey_queue_page_lists_the_records_surveys() {
    let sim = sim().await;
    let queue = survey(
        &sim,
        DEMO_TOKEN,
        "surveyQueueLink",
        &[("record", RECORD_COMPLETED)],
    )
    .await
    .body;
    assert!(
        !queue.contains('&') && queue.contains("/surveys/?sq="),
        "a bare link: {queue}"
    );
    let page = get(&queue).await;
    assert_eq!(page.status, 200);
    let row = |instrument: &str| {
        let start = page
            .body
            .find(&format!("data-instrument=\"{instrument}\""))
            .expect(instrument);
        page.body[start..].split("</tr>").next().unwrap().to_owned()
    };
    assert!(row(BASELINE).contains("Completed"));
    assert!(row(EXIT_SURVEY).contains("Completed"));
    let consent = row(CONSENT);
    let href = consent
        .split("href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(href.contains("/surveys/?s="), "{consent}");
    assert!(
        !page
            .body
            .contains(&format!("data-instrument=\"{CONTACT_INFO}\"")),
        "not a survey"
    );
    let spanish = get(&format!("{queue}&__lang=es-MX")).await;
    assert!(spanish.body.contains("<html lang=\"es-MX\">"));
    assert!(
        spanish.body.contains("&amp;__lang=es-MX\""),
        "links keep the language"
    );

    assert!(get(&format!("{queue}X"))
        .await
        .body
        .contains(QUEUE_LINK_INVALID));
    assert!(sim.set_survey_queue(DEMO_PROJECT, false));
    assert!(
        get(&queue).await.body.contains(QUEUE_LINK_INVALID),
        "queue switched off"
    );
    let off = survey(
        &sim,
        DEMO_TOKEN,
        "surveyQueueLink",
        &[("record", RECORD_COMPLETED)],
    )
    .await;
    assert_eq!(off.status, 400);
    assert_eq!(
        common::json_error(&off.body),
        "The Survey Queue has not been enabled in this project. You will need to enable the \
         Survey Queue before using this method."
    );
    assert!(!sim.set_survey_queue("nope", true));
}

/// A closed survey is invisible through the API; only its page says so.
#[tokio::test]
async fn closed_survey_hands_out_link_and_code_then_its_page_says_closed() {
    let sim = sim().await;
    assert!(sim.set_survey_closed(DEMO_PROJECT, BASELINE, true));
    assert!(
        !sim.set_survey_closed(DEMO_PROJECT, CONTACT_INFO, true),
        "not a survey"
    );
    let t = target(RECORD_IN_PROGRESS, BASELINE);
    let link = survey(&sim, DEMO_TOKEN, "surveyLink", &t).await;
    let code = survey(&sim, DEMO_TOKEN, "surveyReturnCode", &t).await;
    assert_eq!((link.status, code.status, code.body.len()), (200, 200, 8));
    for page in [
        get(&link.body).await,
        post_code(&link.body, &code.body).await,
    ] {
        assert_eq!(page.status, 200);
        assert!(page.body.contains(SURVEY_CLOSED), "{}", page.body);
        assert!(!page.body.contains("Resumed"));
    }
    assert!(sim.set_survey_closed(DEMO_PROJECT, BASELINE, false));
    assert!(post_code(&link.body, &code.body)
        .await
        .body
        .contains("<title>Resumed</title>"));
}
