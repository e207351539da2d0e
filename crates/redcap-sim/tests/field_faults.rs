//! The faults institutions see in the field: REDCap's database-offline page with status 200, an
//! empty 200, a front end's own pages answering `/api/`, and maintenance text in REDCap's
//! envelope.

mod common;

use common::{json_error, post, sim};
use redcap_sim::seed::*;
use redcap_sim::{Failure, Faults, FrontEndPage};

const LINK: [(&str, &str); 5] = [
    ("token", DEMO_TOKEN),
    ("content", "surveyLink"),
    ("record", RECORD_IN_PROGRESS),
    ("instrument", BASELINE),
    ("returnFormat", "json"),
];

#[tokio::test]
async fn database_offline_page_answers_200_html() {
    let sim = sim().await;
    sim.set_faults(Faults::failing(Failure::DatabaseOffline).times(1));
    let a = post(&sim, &LINK).await;
    assert_eq!(a.status, 200);
    assert!(
        a.content_type.starts_with("text/html"),
        "{}",
        a.content_type
    );
    assert!(
        a.body.contains("CRITICAL ERROR: REDCap server is offline!"),
        "{}",
        a.body
    );
    assert!(!a.body.contains("\"error\""), "not an API envelope");
    let next = post(&sim, &LINK).await;
    assert!(
        next.body.contains("/surveys/?s="),
        "back to normal: {}",
        next.body
    );
}

#[tokio::test]
async fn empty_200() {
    let sim = sim().await;
    sim.set_faults(Faults::failing(Failure::EmptyOk));
    let a = post(&sim, &LINK).await;
    assert_eq!((a.status, a.body.as_str()), (200, ""));
}

#[tokio::test]
async fn front_end_pages_answer_api() {
    let sim = sim().await;
    for status in [401, 403, 404, 405, 502, 503, 504] {
        for page in [FrontEndPage::nginx(status), FrontEndPage::apache(status)] {
            sim.set_faults(Faults::failing(Failure::FrontEnd(page)).times(1));
            let a = post(&sim, &LINK).await;
            assert_eq!(a.status, status, "{page:?}");
            assert!(a.content_type.starts_with("text/html"), "{page:?}");
            assert!(a.body.contains(&format!("<title>{status} ")), "{}", a.body);
            assert!(
                !a.body.contains("REDCap"),
                "a front end's page says nothing of REDCap"
            );
        }
    }
    let nginx = FrontEndPage::nginx(403).body();
    assert!(
        nginx.contains("<center><h1>403 Forbidden</h1></center>"),
        "{nginx}"
    );
    assert!(nginx.contains("<hr><center>nginx</center>"));
    assert!(FrontEndPage::apache(403)
        .body()
        .contains("You don't have permission"));
}

#[tokio::test]
async fn maintenance_text_in_the_requested_envelope() {
    let sim = sim().await;
    let text = "REDCap is offline for an upgrade tonight. The survey token you were sent is \
                not enabled until the record is restored.";
    sim.set_faults(Faults::failing(Failure::Maintenance(text.into())));
    let json = post(&sim, &LINK).await;
    assert_eq!(json.status, 400);
    assert!(json.content_type.starts_with("application/json"));
    assert_eq!(json_error(&json.body), text);
    let csv = post(
        &sim,
        &[
            ("token", DEMO_TOKEN),
            ("content", "version"),
            ("format", "csv"),
        ],
    )
    .await;
    assert_eq!(
        (csv.status, csv.body.clone()),
        (400, format!("ERROR: {text}"))
    );
    let xml = post(&sim, &[("token", "not a token"), ("content", "version")]).await;
    assert_eq!(
        xml.status, 400,
        "maintenance answers before the token is checked"
    );
    assert_eq!(
        xml.body,
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\" ?><hash><error>{text}</error></hash>")
    );
}
