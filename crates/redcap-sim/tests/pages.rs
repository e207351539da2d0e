//! The survey pages a returning participant sees.

mod common;

use common::{answer, client, sim, survey};
use redcap_sim::seed::*;
use redcap_sim::{Simulator, ALREADY_COMPLETED, NOT_A_PARTICIPANT, WRONG_CODE};

async fn link_and_code(
    sim: &Simulator,
    record: &str,
    instrument: &str,
    extra: &[(&str, &str)],
) -> (String, String) {
    let mut params = vec![("record", record), ("instrument", instrument)];
    params.extend_from_slice(extra);
    let link = survey(sim, DEMO_TOKEN, "surveyLink", &params).await.body;
    let code = survey(sim, DEMO_TOKEN, "surveyReturnCode", &params)
        .await
        .body;
    (link, code)
}

async fn post_code(link: &str, code: &str) -> common::Answer {
    answer(
        client()
            .post(link)
            .form(&[("__code", code)])
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn in_progress_link_redirects_to_the_return_page() {
    let sim = sim().await;
    let (link, _) = link_and_code(&sim, RECORD_IN_PROGRESS, BASELINE, &[]).await;
    let r = client().get(&link).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("{link}&__return=1")
    );
}

#[tokio::test]
async fn return_page_has_a_code_form_posting_to_the_link() {
    let sim = sim().await;
    let (link, _) = link_and_code(&sim, RECORD_IN_PROGRESS, BASELINE, &[]).await;
    let page = answer(
        client()
            .get(format!("{link}&__return=1"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    assert!(page.body.contains("Returning?"));
    assert!(page.body.contains("type=\"password\""));
    assert!(page.body.contains("name=\"__code\""));
    assert!(page
        .body
        .contains(&format!("action=\"{}\"", link.replace('&', "&amp;"))));
    assert!(page.body.contains(BASELINE_TITLE));
}

#[tokio::test]
async fn correct_code_resumes_at_the_saved_page_case_insensitive_and_trimmed() {
    let sim = sim().await;
    let (link, code) = link_and_code(&sim, RECORD_IN_PROGRESS, BASELINE, &[]).await;
    let page = post_code(&link, &format!("  {}\n", code.to_lowercase())).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<title>Resumed</title>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<dd id=\"resumed-record\">1001</dd>"));
    assert!(page
        .body
        .contains("<dd id=\"resumed-instrument\">baseline_survey</dd>"));
    assert!(page.body.contains("<dd id=\"resumed-instance\">1</dd>"));
    assert!(page.body.contains("<dd id=\"resumed-page\">2</dd>"));
}

#[tokio::test]
async fn multipart_posts_work_like_redcaps_own_form() {
    let sim = sim().await;
    let (link, code) = link_and_code(
        &sim,
        RECORD_IN_PROGRESS,
        WEEKLY_DIARY,
        &[("repeat_instance", "2")],
    )
    .await;
    let boundary = "----sim";
    let body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"__code\"\r\n\r\n{code}\r\n--{boundary}--\r\n");
    let r = client()
        .post(&link)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let page = answer(r).await;
    assert!(
        page.body.contains("<dd id=\"resumed-instance\">2</dd>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<dd id=\"resumed-page\">3</dd>"));
}

#[tokio::test]
async fn wrong_code_shows_redcaps_text_and_the_form_again() {
    let sim = sim().await;
    let (link, _) = link_and_code(&sim, RECORD_IN_PROGRESS, BASELINE, &[]).await;
    let page = post_code(&link, "AAAAAAAA").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(WRONG_CODE));
    assert!(page.body.contains("name=\"__code\""));
    // another participant's code is wrong here too
    let (_, other_code) = link_and_code(&sim, RECORD_IN_PROGRESS_2, BASELINE, &[]).await;
    assert!(post_code(&link, &other_code)
        .await
        .body
        .contains(WRONG_CODE));
}

#[tokio::test]
async fn completed_response_says_already_completed() {
    let sim = sim().await;
    let (link, code) = link_and_code(&sim, RECORD_COMPLETED, BASELINE, &[]).await;
    assert!(answer(client().get(&link).send().await.unwrap())
        .await
        .body
        .contains(ALREADY_COMPLETED));
    assert!(post_code(&link, &code)
        .await
        .body
        .contains(ALREADY_COMPLETED));
    let r = client()
        .get(format!("{link}&__return=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        302,
        "the return page sends a completed response back"
    );
}

#[tokio::test]
async fn completed_but_editable_response_can_be_resumed() {
    let sim = sim().await;
    let (link, code) = link_and_code(&sim, RECORD_COMPLETED, EXIT_SURVEY, &[]).await;
    let page = post_code(&link, &code).await;
    assert!(page.body.contains("<title>Resumed</title>"));
    assert!(page
        .body
        .contains("<dd id=\"resumed-instrument\">exit_survey</dd>"));
}

#[tokio::test]
async fn not_started_survey_shows_page_one() {
    let sim = sim().await;
    let (link, code) = link_and_code(&sim, RECORD_NOT_STARTED, BASELINE, &[]).await;
    let page = answer(client().get(&link).send().await.unwrap()).await;
    assert!(page.body.contains("Page 1 of 3"), "{}", page.body);
    let resumed = post_code(&link, &code).await;
    assert!(resumed.body.contains("<dd id=\"resumed-page\">1</dd>"));
}

#[tokio::test]
async fn longitudinal_resume_shows_the_event() {
    let sim = sim().await;
    let params = [
        ("record", RECORD_IN_PROGRESS),
        ("instrument", MONTH_3),
        ("event", EVENT_MONTH_3),
    ];
    let link = survey(&sim, COHORT_TOKEN, "surveyLink", &params).await.body;
    let code = survey(&sim, COHORT_TOKEN, "surveyReturnCode", &params)
        .await
        .body;
    let page = post_code(&link, &code).await;
    assert!(
        page.body
            .contains("<dd id=\"resumed-event\">month_3_arm_1</dd>"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn unknown_hash_is_not_a_participant() {
    let sim = sim().await;
    let url = sim.base_url().join("surveys/?s=ZZZZZZZZZZZZZZZZ").unwrap();
    let page = answer(client().get(url).send().await.unwrap()).await;
    assert!(page.body.contains(NOT_A_PARTICIPANT));
    let url = sim.base_url().join("surveys/?s=ZZZZZZZZZZZZZZZZ").unwrap();
    let page = answer(
        client()
            .post(url)
            .form(&[("__code", "ABCDEFGH")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.body.contains(NOT_A_PARTICIPANT));
}
