//! The assembled server on a real socket against the REDCap simulator: every contract answer.

mod common;

use common::{is_return_code, Harness, Options};
use redcap_sim::seed;

#[tokio::test]
async fn classic_survey_in_progress() {
    let h = Harness::start().await;
    let a = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline")
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let j = a.json();
    assert_eq!(j["key"], "baseline");
    assert_eq!(j["title"], "Baseline questionnaire");
    assert_eq!(j["status"], "in_progress");
    let code = j["return_code"].as_str().unwrap();
    assert!(is_return_code(code), "{code}");
    let link = j["survey_link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}surveys/?s=", h.sim.base_url())),
        "{link}"
    );
    assert_eq!(
        j["resume_link"].as_str().unwrap(),
        format!("{link}&__return=1")
    );
    assert_eq!(j["resume_form"]["action"].as_str().unwrap(), link);
    assert_eq!(j["resume_form"]["field"], "__code");
    // Every API answer carries these.
    assert_eq!(a.header("cache-control"), Some("no-store"));
    assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(a.header("referrer-policy"), Some("no-referrer"));
    assert!(a
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    assert!(a.header("access-control-allow-origin").is_none());

    // The code really resumes: POST it as __code to the form action, as the widget does.
    let page = h
        .http
        .post(link)
        .form(&[("__code", code.to_lowercase())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("resumed-record") && page.contains(seed::RECORD_IN_PROGRESS),
        "{page}"
    );
    h.stop().await;
}

#[tokio::test]
async fn longitudinal_event_and_repeat_instance() {
    let h = Harness::start().await;
    let m3 = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/month3")
        .await;
    assert_eq!(m3.status, 200, "{}", m3.body);
    assert_eq!(m3.json()["status"], "in_progress");
    let diary = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/diary")
        .await;
    assert_eq!(diary.status, 200, "{}", diary.body);
    assert_eq!(diary.json()["status"], "in_progress");
    // The simulator saw the event and the instance, and the codes differ per response.
    let calls = h.sim.calls();
    assert!(
        calls
            .iter()
            .any(|c| c.field("event") == Some(seed::EVENT_MONTH_3)),
        "{calls:?}"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.field("repeat_instance") == Some("2")),
        "{calls:?}"
    );
    assert_ne!(m3.json()["return_code"], diary.json()["return_code"]);
    for answer in [&m3, &diary] {
        let j = answer.json();
        let page = h
            .http
            .post(j["resume_form"]["action"].as_str().unwrap())
            .form(&[("__code", j["return_code"].as_str().unwrap())])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("resumed-record"), "{page}");
    }
    h.stop().await;
}

#[tokio::test]
async fn completed_surveys_get_no_code_unless_editing_is_allowed() {
    let h = Harness::start().await;
    let a = h
        .as_participant(seed::RECORD_COMPLETED, "/surveys/baseline")
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.json(),
        serde_json::json!({"key":"baseline","title":"Baseline questionnaire","status":"completed"})
    );
    let exit = h
        .as_participant(seed::RECORD_COMPLETED, "/surveys/exit")
        .await;
    assert_eq!(exit.json()["status"], "completed");
    assert!(is_return_code(exit.json()["return_code"].as_str().unwrap()));
    let calls_before = h
        .sim
        .calls()
        .iter()
        .filter(|c| c.content.as_deref() == Some("surveyReturnCode"))
        .count();
    let fresh = h
        .as_participant(seed::RECORD_NOT_STARTED, "/surveys/baseline")
        .await;
    let j = fresh.json();
    assert_eq!(j["status"], "not_started");
    // A survey not started gets its link to start, and no return code is created for it.
    assert!(
        j["survey_link"].as_str().unwrap().contains("/surveys/?s="),
        "{j}"
    );
    assert!(
        j.get("return_code").is_none()
            && j.get("resume_link").is_none()
            && j.get("resume_form").is_none(),
        "{j}"
    );
    let calls_after = h
        .sim
        .calls()
        .iter()
        .filter(|c| c.content.as_deref() == Some("surveyReturnCode"))
        .count();
    assert_eq!(
        calls_after, calls_before,
        "no surveyReturnCode call for a survey not started"
    );
    let plain = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/plain")
        .await;
    assert_eq!(plain.json()["status"], "unknown");
    h.stop().await;
}

#[tokio::test]
async fn rc_param_link_style() {
    let h = Harness::start().await;
    let j = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/rc")
        .await
        .json();
    let expected = format!(
        "{}&rc={}",
        j["survey_link"].as_str().unwrap(),
        j["return_code"].as_str().unwrap()
    );
    assert_eq!(j["resume_link"].as_str().unwrap(), expected);
    h.stop().await;
}

#[tokio::test]
async fn every_contract_error_code() {
    let h = Harness::with(Options {
        per_participant: 30,
        ..Options::default()
    })
    .await;
    let ticket = h.ticket(seed::RECORD_IN_PROGRESS);
    let cookie = format!("__Host-redcap_resume_ticket={ticket}");

    let no_ticket =
        common::Answer::read(h.widget_get("/surveys/baseline").send().await.unwrap()).await;
    assert_eq!(
        (no_ticket.status, no_ticket.error_code().as_str()),
        (401, "not_signed_in")
    );
    let no_csrf = common::Answer::read(
        h.http
            .get(h.api("/surveys/baseline"))
            .header("Cookie", &cookie)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (no_csrf.status, no_csrf.error_code().as_str()),
        (403, "forbidden")
    );
    let unknown = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/nope")
        .await;
    assert_eq!(
        (unknown.status, unknown.error_code().as_str()),
        (404, "unknown_survey")
    );
    let missing = h
        .as_participant(seed::MISSING_RECORD, "/surveys/plain")
        .await;
    assert_eq!(
        (missing.status, missing.error_code().as_str()),
        (404, "record_not_found")
    );
    let consent = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/consent")
        .await;
    assert_eq!(
        (consent.status, consent.error_code().as_str()),
        (409, "resume_not_available")
    );
    let contact = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/contact")
        .await;
    assert_eq!(
        (contact.status, contact.error_code().as_str()),
        (409, "resume_not_available")
    );
    let rights = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/rights")
        .await;
    assert_eq!(
        (rights.status, rights.error_code().as_str()),
        (502, "upstream_misconfigured")
    );

    h.sim.go_down();
    let down = h
        .as_participant(seed::RECORD_IN_PROGRESS_2, "/surveys/plain")
        .await;
    assert_eq!(
        (down.status, down.error_code().as_str()),
        (503, "upstream_unavailable")
    );
    assert!(down.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    h.sim.come_up();

    // The participant's allowance (30 per minute here) runs out.
    let mut limited = None;
    for _ in 0..40 {
        let a = h
            .as_participant(seed::RECORD_NOT_STARTED, "/surveys/plain")
            .await;
        if a.status == 429 {
            limited = Some(a);
            break;
        }
    }
    let limited = limited.expect("the participant limit answers 429");
    assert_eq!(limited.error_code(), "rate_limited");
    assert!(limited.header("retry-after").is_some());

    // Messages are for participants: nothing of REDCap's wording or internals.
    for a in [
        &no_ticket, &no_csrf, &unknown, &missing, &consent, &rights, &down, &limited,
    ] {
        let message = a.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_lowercase();
        for word in [
            "redcap",
            "token",
            "instrument",
            "permission",
            "record \"",
            "api",
        ] {
            assert!(!message.contains(word), "{message}");
        }
        assert_eq!(a.header("cache-control"), Some("no-store"));
    }
    h.stop().await;
}

#[tokio::test]
async fn bad_tickets_are_401_and_cross_site_is_403() {
    use serde_json::json;
    let h = Harness::start().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let sign = |claims: serde_json::Value, secret: &str| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    };
    let good = h.ticket(seed::RECORD_IN_PROGRESS);
    let mut tampered = good.clone();
    tampered.insert(good.rfind('.').unwrap() + 1, 'x');
    let none = format!(
        "{}.{}.",
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0",
        // {"sub":"1001","aud":"redcap-resume","exp":4102444800}
        "eyJzdWIiOiIxMDAxIiwiYXVkIjoicmVkY2FwLXJlc3VtZSIsImV4cCI6NDEwMjQ0NDgwMH0"
    );
    let tickets = [
        (
            "expired",
            sign(
                json!({"sub":"1001","aud":"redcap-resume","exp":now - 300}),
                common::SECRET,
            ),
        ),
        (
            "wrong audience",
            sign(
                json!({"sub":"1001","aud":"someone-else","exp":now + 300}),
                common::SECRET,
            ),
        ),
        ("tampered", tampered),
        ("alg none", none),
        (
            "other secret",
            sign(
                json!({"sub":"1001","aud":"redcap-resume","exp":now + 300}),
                "another-secret-another-secret-000",
            ),
        ),
    ];
    for (what, ticket) in tickets {
        for via_cookie in [true, false] {
            let request = h.widget_get("/surveys/baseline");
            let request = if via_cookie {
                request.header("Cookie", format!("__Host-redcap_resume_ticket={ticket}"))
            } else {
                request.bearer_auth(&ticket)
            };
            let a = common::Answer::read(request.send().await.unwrap()).await;
            assert_eq!(
                (a.status, a.error_code().as_str()),
                (401, "not_signed_in"),
                "{what}"
            );
            assert_eq!(
                a.json()["error"]["message"],
                "Your session has ended. Please sign in again."
            );
        }
    }
    // A ticket in the query string is ignored.
    let q = common::Answer::read(
        h.widget_get(&format!("/surveys/baseline?ticket={good}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(q.status, 401);

    let cookie = format!("__Host-redcap_resume_ticket={good}");
    let cross = [
        vec![("Sec-Fetch-Site", "cross-site"), ("X-CSRF", "1")],
        vec![("Sec-Fetch-Site", "same-site"), ("X-CSRF", "1")],
        vec![("Origin", "https://evil.example"), ("X-CSRF", "1")],
        vec![("Origin", "null"), ("X-CSRF", "1")],
        vec![("Sec-Fetch-Site", "same-origin")],
    ];
    for headers in cross {
        let mut request = h
            .http
            .get(h.api("/surveys/baseline"))
            .header("Cookie", &cookie);
        for (k, v) in &headers {
            request = request.header(*k, *v);
        }
        let a = common::Answer::read(request.send().await.unwrap()).await;
        assert_eq!(
            (a.status, a.error_code().as_str()),
            (403, "forbidden"),
            "{headers:?}"
        );
    }
    // Without Fetch Metadata, the server's own origin is accepted.
    let own = h
        .http
        .get(h.api("/surveys/plain"))
        .header("Cookie", &cookie)
        .header("X-CSRF", "1")
        .header("Origin", format!("http://{}", h.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    assert_eq!(
        h.sim.api_call_count(),
        2,
        "only the last request reached REDCap"
    );
    h.stop().await;
}

#[tokio::test]
async fn a_hundred_card_loads_cost_two_redcap_calls() {
    let h = Harness::start().await;
    let mut loads = Vec::new();
    for _ in 0..100 {
        loads.push(h.as_participant(seed::RECORD_IN_PROGRESS_2, "/surveys/plain"));
    }
    let answers = futures_util::future::join_all(loads).await;
    assert!(answers.iter().all(|a| a.status == 200));
    let codes: std::collections::HashSet<_> = answers
        .iter()
        .map(|a| a.json()["return_code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 1);
    assert!(
        h.sim.api_call_count() <= 2,
        "{} REDCap calls",
        h.sim.api_call_count()
    );
    h.stop().await;
}

#[tokio::test]
async fn the_list_holds_what_this_participant_can_resume() {
    let h = Harness::start().await;
    let a = h.as_participant(seed::RECORD_IN_PROGRESS, "/surveys").await;
    assert_eq!(a.status, 200, "{}", a.body);
    let keys: Vec<String> = a.json()["surveys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap().to_owned())
        .collect();
    for expected in ["baseline", "plain", "rc", "month3", "diary"] {
        assert!(keys.contains(&expected.to_owned()), "{keys:?}");
    }
    for left_out in ["consent", "contact", "rights"] {
        assert!(!keys.contains(&left_out.to_owned()), "{keys:?}");
    }
    h.stop().await;
}

#[tokio::test]
async fn health_and_readiness() {
    let h = Harness::start().await;
    assert_eq!(
        h.http.get(h.url("/healthz")).send().await.unwrap().status(),
        200
    );
    let ready = h.http.get(h.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let sim = h.stop().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn readiness_fails_when_redcap_is_down() {
    let h = Harness::start().await;
    h.sim.go_down();
    let ready = h.http.get(h.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    h.stop().await;
}

#[tokio::test]
async fn longitudinal_record_without_data_in_the_event_is_not_started() {
    let h = Harness::start().await;
    // A new record (arm 1); the seed's 2001 is in arm 2, where month_3_arm_1 does not exist.
    assert!(h.sim.add_record(seed::COHORT_PROJECT, "2050"));
    let a = h.as_participant("2050", "/surveys/month3").await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["status"], "not_started");
    let missing = h
        .as_participant(seed::MISSING_RECORD, "/surveys/month3")
        .await;
    assert_eq!(missing.error_code(), "record_not_found");
    h.stop().await;
}
