//! Issue 9's six field inputs (and more members of each kind) as server answers against the
//! simulator's fault switches: status, error code, `Retry-After`, whether the breaker counts
//! it, whether the refusal is remembered, and whether the list leaves the survey out.

mod common;

use common::{Answer, Harness, Options};
use redcap_resume::breaker::FAILURES_TO_OPEN;
use redcap_sim::{seed, Failure, Faults, FrontEndPage};

/// What a fault must give the participant.
struct Expect {
    status: u16,
    code: &'static str,
    retry_after: bool,
    /// The breaker counts it (enough of them in a row open it).
    counted: bool,
}

const OUTAGE: Expect = Expect {
    status: 503,
    code: "upstream_unavailable",
    retry_after: true,
    counted: true,
};
const MISCONFIGURED: Expect = Expect {
    status: 502,
    code: "upstream_misconfigured",
    retry_after: false,
    counted: false,
};

async fn ask(h: &Harness, record: &str) -> Answer {
    h.as_participant(record, "/surveys/plain").await
}

/// One fault on every REDCap call: the answer, then the breaker after FAILURES_TO_OPEN
/// participants, then (fault cleared) whether the answer was remembered.
async fn check(what: &str, failure: Failure, expect: Expect) {
    let h = Harness::start().await;
    for i in 0..FAILURES_TO_OPEN {
        h.sim.add_record(seed::DEMO_PROJECT, &format!("f-{i}"));
    }
    h.sim.set_faults(Faults::failing(failure));
    let a = ask(&h, "f-0").await;
    assert_eq!(a.status, expect.status, "{what}: {}", a.body);
    assert_eq!(a.error_code(), expect.code, "{what}");
    assert_eq!(
        a.header("retry-after").is_some(),
        expect.retry_after,
        "{what}"
    );
    for i in 1..FAILURES_TO_OPEN {
        ask(&h, &format!("f-{i}")).await;
    }
    let open = h.state.redcap.servers()[0].breaker_open();
    assert_eq!(open, expect.counted, "{what}: breaker open");
    h.sim.clear_faults();
    if !open {
        // Never remembered as a refusal: REDCap healthy again answers this participant at once.
        let again = ask(&h, "f-0").await;
        let remembered = again.status != 200;
        assert_eq!(remembered, expect.status == 502, "{what}: {}", again.body);
    }
    h.stop().await;
}

#[tokio::test]
async fn a_200_that_is_not_an_answer_is_an_outage() {
    // Input 4: the database-offline page, status 200.
    check("database offline page", Failure::DatabaseOffline, OUTAGE).await;
    // Other members: an empty 200, a PHP warning instead of the answer.
    check("empty 200", Failure::EmptyOk, OUTAGE).await;
    check("200 with a PHP warning", Failure::Malformed, OUTAGE).await;
}

#[tokio::test]
async fn a_front_end_page_is_configuration_or_outage_by_its_status() {
    // Input 5: the web server's own 403 page.
    check(
        "nginx 403",
        Failure::FrontEnd(FrontEndPage::nginx(403)),
        MISCONFIGURED,
    )
    .await;
    // Other members: Apache's 404 and 405 (configuration), a load balancer's 502 and a WAF's 503.
    check(
        "apache 404",
        Failure::FrontEnd(FrontEndPage::apache(404)),
        MISCONFIGURED,
    )
    .await;
    check(
        "apache 405",
        Failure::FrontEnd(FrontEndPage::apache(405)),
        MISCONFIGURED,
    )
    .await;
    check(
        "nginx 502",
        Failure::FrontEnd(FrontEndPage::nginx(502)),
        OUTAGE,
    )
    .await;
    check(
        "apache 503",
        Failure::FrontEnd(FrontEndPage::apache(503)),
        OUTAGE,
    )
    .await;
    check(
        "nginx 504",
        Failure::FrontEnd(FrontEndPage::nginx(504)),
        OUTAGE,
    )
    .await;
}

#[tokio::test]
async fn an_administrators_maintenance_text_is_an_outage_whatever_its_words() {
    // Input 6, and texts that use REDCap's own words or another language.
    for text in [
        "REDCap is offline for maintenance until 6 pm.",
        "The record \"all\" does not exist until the upgrade is done; the survey has not been enabled",
        "You do not have permissions to use the API during maintenance",
        "REDCap está fuera de servicio por mantenimiento. Vuelva a intentarlo a las 18:00.",
        "The 'Save & Return Later' feature has not been enabled for this survey until Monday",
    ] {
        check(text, Failure::Maintenance(text.into()), OUTAGE).await;
    }
}

#[tokio::test]
async fn an_unknown_error_is_lasting_for_that_participant_and_survey() {
    // Input 3: cohort's record 1001 asked about an event of arm 2, which it is not in.
    let h = Harness::with(Options {
        extra: "[surveys.arm2]\nproject = \"cohort\"\ntitle = \"Arm 2 intake\"\ninstrument = \"intake\"\nevent = \"baseline_arm_2\"\n".into(),
        ..Options::default()
    })
    .await;
    let mut after_first = None;
    for _ in 0..FAILURES_TO_OPEN + 1 {
        let a = h
            .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/arm2")
            .await;
        assert_eq!(a.status, 404, "{}", a.body);
        assert_eq!(a.error_code(), "record_not_found");
        assert!(a.header("retry-after").is_none());
        after_first.get_or_insert(h.sim.api_call_count());
    }
    // Remembered: the repeats did not reach REDCap; not counted: the breaker stays closed.
    assert_eq!(Some(h.sim.api_call_count()), after_first);
    assert!(!h.state.redcap.servers()[0].breaker_open());
    // The list leaves that survey out and shows the others.
    let list = h.as_participant(seed::RECORD_IN_PROGRESS, "/surveys").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let keys: Vec<String> = list.json()["surveys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap().to_owned())
        .collect();
    assert!(!keys.iter().any(|k| k == "arm2"), "{keys:?}");
    assert!(keys.iter().any(|k| k == "baseline"), "{keys:?}");
    h.stop().await;
}
