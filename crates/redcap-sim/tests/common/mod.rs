//! Helpers shared by the integration tests: a simulator and a form-POST that returns
//! (status, content type, body).
#![allow(dead_code)]

use redcap_sim::{SimConfig, Simulator};

pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

pub async fn sim() -> Simulator {
    Simulator::start(SimConfig::default())
        .await
        .expect("simulator starts")
}

/// A client that does not follow redirects (the survey pages redirect like REDCap).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn post(sim: &Simulator, form: &[(&str, &str)]) -> Answer {
    let response = client()
        .post(sim.api_url())
        .form(form)
        .send()
        .await
        .expect("answered");
    answer(response).await
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.text().await.expect("a body");
    Answer {
        status,
        content_type,
        body,
    }
}

/// A survey method call with `returnFormat=json` and extra fields.
pub async fn survey(sim: &Simulator, token: &str, content: &str, extra: &[(&str, &str)]) -> Answer {
    let mut form = vec![
        ("token", token),
        ("content", content),
        ("returnFormat", "json"),
    ];
    form.extend_from_slice(extra);
    post(sim, &form).await
}

/// The `error` of a json error body.
pub fn json_error(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).expect("json");
    v["error"].as_str().expect("an error string").to_owned()
}
