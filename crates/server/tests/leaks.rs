//! The leak scan: across many flows (answers, every error, faults), the API token and every
//! return code handed out appear in no log line and in no response other than the
//! participant's own answer.

mod common;

use common::{log_text, Answer, Harness, Options};
use redcap_sim::{seed, Failure, Faults};

#[tokio::test]
async fn neither_token_nor_codes_leak() {
    let audit =
        std::env::temp_dir().join(format!("redcap-resume-leaks-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&audit);
    let extra = format!("[audit]\npath = {:?}\n", audit.display().to_string());
    let h = Harness::with(Options {
        extra,
        ..Options::default()
    })
    .await;

    let mut own_answers: Vec<Answer> = Vec::new();
    let mut other_answers: Vec<Answer> = Vec::new();
    for record in [
        seed::RECORD_IN_PROGRESS,
        seed::RECORD_COMPLETED,
        seed::RECORD_NOT_STARTED,
        seed::RECORD_IN_PROGRESS_2,
    ] {
        for key in ["baseline", "plain", "rc", "month3", "diary", "exit"] {
            own_answers.push(h.as_participant(record, &format!("/surveys/{key}")).await);
        }
        own_answers.push(h.as_participant(record, "/surveys").await);
        own_answers.push(h.as_participant(record, "/surveys/baseline/queue").await);
        // The QR code of the return page: an answer of theirs that carries no code.
        for key in ["baseline", "rc"] {
            let qr = h
                .as_participant(record, &format!("/surveys/{key}/qr.svg"))
                .await;
            other_answers.push(qr);
        }
    }
    for key in ["consent", "contact", "rights", "nope", "..%2F..%2Fetc"] {
        other_answers.push(
            h.as_participant(seed::RECORD_IN_PROGRESS, &format!("/surveys/{key}"))
                .await,
        );
    }
    other_answers.push(
        h.as_participant(seed::MISSING_RECORD, "/surveys/plain")
            .await,
    );
    other_answers.push(Answer::read(h.widget_get("/surveys/plain").send().await.unwrap()).await);
    other_answers.push(Answer::read(h.http.get(h.url("/readyz")).send().await.unwrap()).await);
    for failure in [
        Failure::ServerError,
        Failure::Malformed,
        Failure::Truncated,
        Failure::DropConnection,
    ] {
        h.sim.add_record(seed::DEMO_PROJECT, "leak-probe");
        h.sim.set_faults(Faults::failing(failure));
        other_answers.push(h.as_participant("leak-probe", "/surveys/plain").await);
        h.sim.clear_faults();
    }

    // Every code REDCap handed out in this test.
    let codes: Vec<String> = own_answers
        .iter()
        .filter(|a| a.status == 200)
        .flat_map(|a| {
            let j = a.json();
            let mut found: Vec<String> = j["return_code"]
                .as_str()
                .map(str::to_owned)
                .into_iter()
                .collect();
            if let Some(list) = j["surveys"].as_array() {
                found.extend(
                    list.iter()
                        .filter_map(|s| s["return_code"].as_str().map(str::to_owned)),
                );
            }
            found
        })
        .collect();
    // Every survey queue hash handed out: as secret as a code.
    let queue_hashes: Vec<String> = own_answers
        .iter()
        .filter_map(|a| serde_json::from_str::<serde_json::Value>(&a.body).ok())
        .filter_map(|j| j["queue_link"].as_str().map(str::to_owned))
        .filter_map(|link| link.split_once("?sq=").map(|(_, hash)| hash.to_owned()))
        .collect();
    assert_eq!(
        queue_hashes.len(),
        4,
        "each record's queue link was handed out"
    );
    assert!(
        codes.len() >= 10,
        "the scan covers real codes ({})",
        codes.len()
    );

    let logs = log_text();
    assert!(logs.contains("request"), "the logs were captured");
    let audit_text = std::fs::read_to_string(&audit).unwrap();
    assert!(audit_text.lines().count() >= own_answers.len());
    for secret in codes
        .iter()
        .chain(&queue_hashes)
        .map(String::as_str)
        .chain([seed::DEMO_TOKEN, seed::COHORT_TOKEN, seed::NO_RIGHTS_TOKEN])
    {
        assert!(!logs.contains(secret), "a secret is in the logs");
        assert!(!audit_text.contains(secret), "a secret is in the audit log");
        for a in &other_answers {
            assert!(
                !a.everything().contains(secret),
                "a secret is in a refusal: {}",
                a.body
            );
        }
        for a in &own_answers {
            let headers: String = a
                .headers
                .iter()
                .map(|(k, v)| format!("{k}: {v:?}\n"))
                .collect();
            assert!(
                !headers.contains(secret),
                "a secret is in a response header"
            );
        }
    }
    // The token never reaches a participant, even in their own answer.
    for a in &own_answers {
        assert!(!a.body.contains(seed::DEMO_TOKEN) && !a.body.contains(seed::COHORT_TOKEN));
    }
    h.stop().await;
    let _ = std::fs::remove_file(&audit);
}
