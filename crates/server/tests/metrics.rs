//! The admin listener: `/metrics` counts what the simulator counted, no label carries a record
//! id, a code or a token, and `cache purge` makes the next request ask REDCap again.
//!
//! The Prometheus recorder is process-wide: HTTP counters are compared as differences between
//! two scrapes; upstream counters are per REDCap server (each test's simulator has its own
//! port, so its own `redcap` label).

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use common::{is_return_code, Harness, Options};
use redcap_resume::app::admin;
use redcap_resume::cache_purge::purge_at;
use redcap_sim::seed;

/// One scrape: `name{labels}` → value, labels as written by the exporter (sorted by it).
type Scrape = BTreeMap<String, f64>;

/// The tests of this file one at a time: they compare HTTP counters between scrapes.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn started() -> (Harness, SocketAddr) {
    let harness = Harness::with(Options {
        extra: "[metrics]\nlisten = \"127.0.0.1:0\"\n".into(),
        ..Options::default()
    })
    .await;
    let (addr, _task) = admin::start(harness.state.clone(), std::future::pending())
        .await
        .expect("admin listener starts")
        .expect("[metrics] is configured");
    (harness, addr)
}

async fn scrape_text(addr: SocketAddr) -> String {
    let answer = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.text().await.unwrap()
}

async fn scrape(addr: SocketAddr) -> Scrape {
    scrape_text(addr)
        .await
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// The sum of every series of `name` whose labels include all of `with` (`key="value"`).
fn sum(scrape: &Scrape, name: &str, with: &[String]) -> f64 {
    scrape
        .iter()
        .filter(|(series, _)| {
            let labels = series.strip_prefix(name).unwrap_or("");
            (series.as_str() == name || labels.starts_with('{'))
                && series.starts_with(name)
                && with.iter().all(|w| labels.contains(w.as_str()))
        })
        .map(|(_, v)| v)
        .sum()
}

fn label(key: &str, value: &str) -> String {
    format!("{key}=\"{value}\"")
}

#[tokio::test]
async fn counters_match_what_redcap_received_and_labels_carry_no_participant_data() {
    let _serial = SERIAL.lock().await;
    let (h, admin) = started().await;
    let redcap = label("redcap", h.sim.api_url().as_str());
    let before = scrape(admin).await;

    let first = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline")
        .await;
    assert_eq!(first.status, 200);
    let code = first.json()["return_code"].as_str().unwrap().to_owned();
    assert!(is_return_code(&code));
    let again = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline")
        .await;
    assert_eq!(again.status, 200);
    let list = h.as_participant(seed::RECORD_COMPLETED, "/surveys").await;
    assert_eq!(list.status, 200);
    let unknown = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/nope")
        .await;
    assert_eq!(unknown.status, 404);
    let files = h.http.get(h.url("/no/such/file")).send().await.unwrap();
    assert_eq!(files.status(), 404);

    let after = scrape(admin).await;
    let delta = |name: &str, with: &[String]| sum(&after, name, with) - sum(&before, name, with);

    // Every call the simulator received, by content, and no other.
    let calls = h.sim.calls();
    assert!(!calls.is_empty());
    let mut by_content: BTreeMap<String, f64> = BTreeMap::new();
    for call in &calls {
        *by_content
            .entry(call.content.clone().unwrap_or_default())
            .or_default() += 1.0;
    }
    for (content, count) in &by_content {
        let counted = sum(
            &after,
            "redcap_resume_upstream_requests_total",
            &[redcap.clone(), label("content", content)],
        );
        assert_eq!(counted, *count, "content={content}");
    }
    let total = sum(
        &after,
        "redcap_resume_upstream_requests_total",
        std::slice::from_ref(&redcap),
    );
    assert_eq!(total, calls.len() as f64);
    let timed = sum(
        &after,
        "redcap_resume_upstream_request_duration_seconds_count",
        std::slice::from_ref(&redcap),
    );
    assert_eq!(timed, calls.len() as f64);

    // The public listener's answers, by route template and status.
    let one = label("route", "/redcap-resume/api/surveys/{key}");
    assert_eq!(
        delta(
            "redcap_resume_http_requests_total",
            &[one.clone(), label("status", "200")]
        ),
        2.0
    );
    assert_eq!(
        delta(
            "redcap_resume_http_requests_total",
            &[one, label("status", "404")]
        ),
        1.0
    );
    let list_route = label("route", "/redcap-resume/api/surveys");
    assert_eq!(
        delta(
            "redcap_resume_http_requests_total",
            &[list_route.clone(), label("status", "200")]
        ),
        1.0
    );
    assert_eq!(
        delta(
            "redcap_resume_http_requests_total",
            &[label("route", "unmatched"), label("status", "404")]
        ),
        1.0
    );
    assert_eq!(
        delta("redcap_resume_http_request_duration_seconds_count", &[]),
        5.0
    );

    // The second baseline request was answered from the cache.
    assert!(
        delta(
            "redcap_resume_cache_requests_total",
            &[label("result", "hit")]
        ) >= 1.0
    );
    assert!(
        delta(
            "redcap_resume_cache_requests_total",
            &[label("result", "miss")]
        ) >= 1.0
    );
    // Gauges: this server's budget (300 a minute) less the calls that passed it (at most the
    // calls REDCap received); breaker closed.
    let remaining = sum(
        &after,
        "redcap_resume_upstream_budget_remaining",
        std::slice::from_ref(&redcap),
    );
    assert!(remaining < 300.0, "{remaining}");
    assert!(
        remaining >= 300.0 - calls.len() as f64,
        "{remaining} {by_content:?}"
    );
    assert_eq!(
        sum(
            &after,
            "redcap_resume_breaker_open",
            std::slice::from_ref(&redcap)
        ),
        0.0
    );
    assert!(after.contains_key(&format!("redcap_resume_breaker_open{{{redcap}}}")));
    assert!(after.contains_key("redcap_resume_audit_write_failures_total"));
    assert!(after
        .get("process_resident_memory_bytes")
        .is_some_and(|v| *v > 1e6));
    assert!(after.contains_key("process_cpu_seconds_total"));

    // No label value is a record id, a code, a token or a raw path.
    let text = scrape_text(admin).await;
    let values: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            l.split_once('{')
                .and_then(|(_, rest)| rest.rsplit_once('}'))
        })
        .flat_map(|(labels, _)| labels.split(','))
        .filter_map(|kv| kv.split_once('='))
        .map(|(_, v)| v.trim_matches('"'))
        .collect();
    assert!(!values.is_empty());
    for value in &values {
        for record in [seed::RECORD_IN_PROGRESS, seed::RECORD_COMPLETED] {
            assert_ne!(*value, record, "a record id in a label");
        }
        assert!(!value.contains(&code), "a return code in a label: {value}");
        assert!(!is_return_code(value), "a code-like label value: {value}");
        assert!(!value.contains(seed::DEMO_TOKEN), "a token in a label");
        assert!(
            !value.contains("nope") && !value.contains("/no/such"),
            "a raw path: {value}"
        );
    }
    h.stop().await;
}

#[tokio::test]
async fn purge_makes_the_next_request_ask_redcap_again() {
    let _serial = SERIAL.lock().await;
    let (h, admin) = started().await;
    let ask = || h.as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline");
    assert_eq!(ask().await.status, 200);
    let first = h.sim.api_call_count();
    assert_eq!(ask().await.status, 200);
    assert_eq!(
        h.sim.api_call_count(),
        first,
        "the second answer came from the cache"
    );

    // Another participant's purge leaves this one cached.
    let other = purge_at(admin, seed::RECORD_COMPLETED, None).await.unwrap();
    assert_eq!(other, 0);
    assert_eq!(ask().await.status, 200);
    assert_eq!(h.sim.api_call_count(), first);

    // This participant's other survey: nothing of baseline goes.
    assert_eq!(
        purge_at(admin, seed::RECORD_IN_PROGRESS, Some("exit".into()))
            .await
            .unwrap(),
        0
    );
    assert_eq!(ask().await.status, 200);
    assert_eq!(h.sim.api_call_count(), first);

    // Baseline purged: REDCap is asked again.
    let purged = purge_at(admin, seed::RECORD_IN_PROGRESS, Some("baseline".into()))
        .await
        .unwrap();
    assert!(purged >= 1, "{purged}");
    assert_eq!(ask().await.status, 200);
    let second = h.sim.api_call_count();
    assert!(second > first, "{second} > {first}");

    // The whole record, every survey.
    assert!(
        purge_at(admin, seed::RECORD_IN_PROGRESS, None)
            .await
            .unwrap()
            >= 1
    );
    assert_eq!(ask().await.status, 200);
    assert!(h.sim.api_call_count() > second);

    // Refusals, each with its reason.
    let unknown = purge_at(admin, seed::RECORD_IN_PROGRESS, Some("nope".into()))
        .await
        .unwrap_err();
    assert!(unknown.contains("404"), "{unknown}");
    let bad = purge_at(admin, "not a record\n", None).await.unwrap_err();
    assert!(bad.contains("400"), "{bad}");
    h.stop().await;
}

#[tokio::test]
async fn the_queue_and_qr_routes_are_labelled_by_their_templates_and_the_queue_purged() {
    let _serial = SERIAL.lock().await;
    let (h, admin) = started().await;
    let before = scrape(admin).await;
    let queue = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue")
        .await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let link = queue.json()["queue_link"].as_str().unwrap().to_owned();
    let hash = link.rsplit('=').next().unwrap().to_owned();
    let unknown = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/nope/queue")
        .await;
    assert_eq!(unknown.status, 404);
    let qr = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/qr.svg")
        .await;
    assert_eq!(qr.status, 200, "{}", qr.body);
    let not_started = h
        .as_participant(seed::RECORD_NOT_STARTED, "/surveys/baseline/qr.svg")
        .await;
    assert_eq!(not_started.status, 409);
    let after = scrape(admin).await;
    let delta = |name: &str, with: &[String]| sum(&after, name, with) - sum(&before, name, with);
    let route = label("route", "/redcap-resume/api/surveys/{key}/queue");
    for (status, count) in [("200", 1.0), ("404", 1.0)] {
        assert_eq!(
            delta(
                "redcap_resume_http_requests_total",
                &[route.clone(), label("status", status)]
            ),
            count,
            "{status}"
        );
    }
    let qr_route = label("route", "/redcap-resume/api/surveys/{key}/qr.svg");
    for status in ["200", "409"] {
        assert_eq!(
            delta(
                "redcap_resume_http_requests_total",
                &[qr_route.clone(), label("status", status)]
            ),
            1.0,
            "{status}"
        );
    }
    let text = scrape_text(admin).await;
    assert!(!text.contains(&hash), "the queue hash in a label");
    assert!(!text.contains("/surveys/baseline/queue") && !text.contains("nope"));

    // `cache purge` of the whole record forgets its queue link too; of one survey it does not.
    let calls = h.sim.api_call_count();
    assert_eq!(
        purge_at(admin, seed::RECORD_IN_PROGRESS, Some("exit".into()))
            .await
            .unwrap(),
        0
    );
    h.as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue")
        .await;
    assert_eq!(h.sim.api_call_count(), calls, "still cached");
    assert!(
        purge_at(admin, seed::RECORD_IN_PROGRESS, None)
            .await
            .unwrap()
            >= 1
    );
    let again = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue")
        .await;
    assert_eq!(again.json()["queue_link"], link.as_str());
    assert_eq!(h.sim.api_call_count(), calls + 1, "asked REDCap again");
    h.stop().await;
}
