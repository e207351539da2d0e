//! `GET {base}/surveys/{key}/qr.svg` (issue 13, "continue on a phone"): REDCap's return page of
//! the participant's answer as an SVG QR code, with the same checks and cache as the answer.
//! The test reads the code back the way a phone would: the SVG's dark modules drawn into a
//! bitmap, then `rqrr`.

mod common;

use common::{config_text, is_return_code, secrets, Answer, Harness};
use redcap_resume::config::Config;
use redcap_sim::{seed, SimConfig, Simulator, RETURN_PROMPT};

/// The text a QR reader finds in `svg`: its `<path>` of dark modules (`M x y h w v h H x V y`
/// rectangles, as the renderer writes them) drawn into a bitmap of the SVG's size.
fn decode(svg: &str) -> String {
    let number = |attr: &str| -> usize {
        let start = svg.find(&format!(" {attr}=\"")).expect(attr) + attr.len() + 3;
        svg[start..].split('"').next().unwrap().parse().unwrap()
    };
    let (width, height) = (number("width"), number("height"));
    let mut dark = vec![false; width * height];
    let d_start = svg.find(" d=\"").expect("a path") + 4;
    let d = svg[d_start..].split('"').next().unwrap();
    for rect in d.split('M').filter(|r| !r.is_empty()) {
        let nums: Vec<usize> = rect
            .split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().unwrap())
            .collect();
        // x y w h x y
        let (x, y, w, h) = (nums[0], nums[1], nums[2], nums[3]);
        for row in y..y + h {
            for col in x..x + w {
                dark[row * width + col] = true;
            }
        }
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        if dark[y * width + x] {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().expect("the QR code decodes").1
}

async fn qr(h: &Harness, record: &str, key: &str) -> Answer {
    h.as_participant(record, &format!("/surveys/{key}/qr.svg"))
        .await
}

#[tokio::test]
async fn the_qr_code_decodes_to_the_return_page_link_which_asks_for_the_code() {
    let h = Harness::start().await;
    let answer = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline")
        .await;
    let j = answer.json();
    let code = j["return_code"].as_str().unwrap().to_owned();
    assert!(is_return_code(&code));
    let calls = h.sim.api_call_count();

    let image = qr(&h, seed::RECORD_IN_PROGRESS, "baseline").await;
    assert_eq!(image.status, 200, "{}", image.body);
    assert_eq!(image.header("content-type"), Some("image/svg+xml"));
    assert_eq!(image.header("cache-control"), Some("no-store"));
    assert_eq!(image.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(
        image.header("content-security-policy"),
        Some("default-src 'none'; sandbox")
    );
    assert_eq!(
        h.sim.api_call_count(),
        calls,
        "served from the answer's cache"
    );

    let link = decode(&image.body);
    assert_eq!(link, j["resume_link"].as_str().unwrap());
    assert!(link.ends_with("&__return=1"), "{link}");
    // The image carries no code and no link in text: only squares.
    let everything = image.everything();
    assert!(!everything.contains(&code));
    assert!(!image.body.contains("surveys/?s="), "{}", image.body);
    for banned in ["<script", "style", "<text", "href", "<image"] {
        assert!(!image.body.to_lowercase().contains(banned), "{banned}");
    }

    // What a phone opens: REDCap's "Returning?" page, where the code is typed.
    let page = h.http.get(&link).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains(RETURN_PROMPT));
    h.stop().await;
}

#[tokio::test]
async fn the_rc_param_style_still_encodes_the_return_page_never_the_code() {
    let h = Harness::start().await;
    let answer = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/rc")
        .await;
    let j = answer.json();
    let code = j["return_code"].as_str().unwrap();
    assert!(j["resume_link"].as_str().unwrap().contains(code));
    let image = qr(&h, seed::RECORD_IN_PROGRESS, "rc").await;
    assert_eq!(image.status, 200, "{}", image.body);
    let link = decode(&image.body);
    assert_eq!(
        link,
        format!("{}&__return=1", j["survey_link"].as_str().unwrap())
    );
    assert!(!link.contains(code));
    h.stop().await;
}

#[tokio::test]
async fn a_qr_code_first_asks_redcap_like_the_answer_and_then_the_answer_is_cached() {
    let h = Harness::start().await;
    h.sim.reset_calls();
    let image = qr(&h, seed::RECORD_IN_PROGRESS_2, "baseline").await;
    assert_eq!(image.status, 200, "{}", image.body);
    let asked = h.sim.api_call_count();
    assert!(asked >= 2, "link and code (and status) asked: {asked}");
    let again = qr(&h, seed::RECORD_IN_PROGRESS_2, "baseline").await;
    let answer = h
        .as_participant(seed::RECORD_IN_PROGRESS_2, "/surveys/baseline")
        .await;
    assert_eq!(h.sim.api_call_count(), asked, "both from the cache");
    assert_eq!(
        decode(&again.body),
        answer.json()["resume_link"].as_str().unwrap()
    );
    h.stop().await;
}

#[tokio::test]
async fn only_a_survey_with_a_code_has_a_qr_code() {
    let h = Harness::start().await;
    for (record, key, why) in [
        (seed::RECORD_NOT_STARTED, "baseline", "not started"),
        (seed::RECORD_COMPLETED, "baseline", "completed"),
    ] {
        let a = qr(&h, record, key).await;
        assert_eq!(
            (a.status, a.error_code().as_str()),
            (409, "resume_not_available"),
            "{why}: {}",
            a.body
        );
        assert_eq!(a.header("content-type"), Some("application/json"));
        assert_eq!(a.header("cache-control"), Some("no-store"));
    }
    let missing = qr(&h, seed::MISSING_RECORD, "baseline").await;
    assert_eq!(missing.error_code(), "record_not_found");
    h.sim.reset_calls();
    let unknown = qr(&h, seed::RECORD_IN_PROGRESS, "nope").await;
    assert_eq!(
        (unknown.status, unknown.error_code().as_str()),
        (404, "unknown_survey")
    );
    let anonymous = h
        .widget_get("/surveys/baseline/qr.svg")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    let no_csrf = h
        .http
        .get(h.api("/surveys/baseline/qr.svg"))
        .header("Sec-Fetch-Site", "same-origin")
        .header("Cookie", h.ticket_cookie(seed::RECORD_IN_PROGRESS))
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status().as_u16(), 403);
    assert_eq!(h.sim.api_call_count(), 0, "none of these reached REDCap");
    h.stop().await;
}

#[tokio::test]
async fn a_mapped_language_reaches_the_qr_link() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let text = config_text(sim.api_url().as_str(), &Default::default());
    let marker = "[projects.cohort]";
    let text = text.replacen(
        marker,
        &format!("languages = {{ es = \"es-MX\" }}\n\n{marker}"),
        1,
    );
    let config = Config::parse(&text, &secrets()).expect("valid");
    let h = Harness::serve(sim, config).await;
    let answer = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline?lang=es")
        .await;
    let image = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/qr.svg?lang=es")
        .await;
    let link = decode(&image.body);
    assert_eq!(link, answer.json()["resume_link"].as_str().unwrap());
    assert!(link.contains("__lang=es-MX&__return=1"), "{link}");
    h.stop().await;
}

#[tokio::test]
async fn a_survey_login_survey_has_no_qr_code_and_asks_no_code_of_redcap() {
    let h = Harness::with(common::Options {
        extra: "[surveys.checkin]\ntitle = \"Clinic check-in\"\ninstrument = \"clinic_checkin\"\nstatus = true\nsurvey_login = true\n".into(),
        ..Default::default()
    })
    .await;
    let a = qr(&h, seed::RECORD_IN_PROGRESS, "checkin").await;
    assert_eq!(
        (a.status, a.error_code().as_str()),
        (409, "resume_not_available"),
        "{}",
        a.body
    );
    assert!(h
        .sim
        .calls()
        .iter()
        .all(|c| c.content.as_deref() != Some("surveyReturnCode")));
    h.stop().await;
}

#[tokio::test]
async fn the_audit_log_says_what_left_and_holds_no_code_or_link() {
    let audit = std::env::temp_dir().join(format!(
        "redcap-resume-qr-audit-{}.jsonl",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&audit);
    let h = Harness::with(common::Options {
        extra: format!("[audit]\npath = {:?}\n", audit.display().to_string()),
        ..Default::default()
    })
    .await;
    let answer = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline")
        .await;
    let code = answer.json()["return_code"].as_str().unwrap().to_owned();
    let image = qr(&h, seed::RECORD_IN_PROGRESS, "baseline").await;
    assert_eq!(image.status, 200);
    let queue = h
        .as_participant(seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue")
        .await;
    let queue_link = queue.json()["queue_link"].as_str().unwrap().to_owned();
    let refused = qr(&h, seed::RECORD_NOT_STARTED, "baseline").await;
    assert_eq!(refused.status, 409);
    h.stop().await;

    let text = std::fs::read_to_string(&audit).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let outcomes: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["survey"].as_str().unwrap(),
                l["record"].as_str().unwrap(),
                l["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("baseline", seed::RECORD_IN_PROGRESS, "code_issued"),
            ("baseline", seed::RECORD_IN_PROGRESS, "return_link_issued"),
            ("baseline", seed::RECORD_IN_PROGRESS, "queue_link_issued"),
            ("baseline", seed::RECORD_NOT_STARTED, "refused"),
        ]
    );
    assert_eq!(lines[3]["error"], "resume_not_available");
    let hash = queue_link.split_once("?sq=").unwrap().1;
    assert!(!text.contains(&code) && !text.contains(hash), "{text}");
    let _ = std::fs::remove_file(&audit);
}
