//! `redcap-resume check-embed URL` (issue 16) against servers on 127.0.0.1, port 0: this
//! server (its hosted page and API, and a study page from its `public_dir`) and small sites
//! standing for the CMS and for a proxy. What decides each mode is what a browser would
//! use: the hosted page's own frame headers, the page's CSP (headers and `<meta>`), and
//! whether page and server are on one site (the ticket cookie).

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::http::header;
use axum::response::IntoResponse;
use axum::Router;
use redcap_resume::app::AppState;
use redcap_resume::config::Config;
use redcap_resume::embed::check::{check_embed, CheckEmbedError};

const BASE: &str = r#"
[redcap]
url = "http://127.0.0.1:9/api/"
token_env = "TOKEN"
timeout_ms = 500
[auth]
ticket_secret_env = "SECRET"
[surveys.baseline]
title = "Baseline questionnaire"
instrument = "baseline_survey"
"#;

fn config(extra: &str) -> Config {
    let secrets: HashMap<String, String> = [
        ("TOKEN", "0123456789ABCDEF0123456789ABCDEF"),
        ("SECRET", "embed-secret-embed-secret-embed-secret-4"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    Config::parse(&format!("{extra}\n{BASE}"), &secrets).unwrap()
}

async fn listener() -> (tokio::net::TcpListener, SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// This server, with `config`, on `listener`.
fn run_server(listener: tokio::net::TcpListener, config: Config) {
    let state = AppState::new(config).unwrap();
    tokio::spawn(redcap_resume::serve::serve(
        listener,
        state,
        std::future::pending::<()>(),
    ));
}

/// A CMS page at `/study` sent with `headers` and `html`; `/redcap-resume/embed` answers as
/// a proxy would that adds `X-Frame-Options: SAMEORIGIN` to everything.
fn run_site(
    listener: tokio::net::TcpListener,
    headers: Vec<(&'static str, String)>,
    html: &'static str,
) {
    let page = move || {
        let headers = headers.clone();
        async move {
            let mut response = html.into_response();
            for (k, v) in headers {
                response.headers_mut().append(k, v.parse().unwrap());
            }
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                "text/html; charset=utf-8".parse().unwrap(),
            );
            response
        }
    };
    let proxied = || async {
        (
            [(header::X_FRAME_OPTIONS, "SAMEORIGIN")],
            "<!doctype html><redcap-resume></redcap-resume>",
        )
    };
    let app = Router::new()
        .route("/study", axum::routing::get(page))
        .route("/redcap-resume/embed", axum::routing::get(proxied));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
}

/// The report's lines for `mode`.
fn lines<'a>(report: &'a str, mode: &str) -> Vec<&'a str> {
    report
        .lines()
        .filter(|l| {
            l.get(6..)
                .is_some_and(|rest| rest.starts_with(&format!("{mode}:")))
        })
        .collect()
}

#[tokio::test]
async fn a_listed_page_of_the_same_site_frames_the_card_with_the_cookie() {
    let (server_listener, server) = listener().await;
    let (site_listener, site) = listener().await;
    let (site2_listener, site2) = listener().await;
    // The CMS allows frames from this server only, and sets its own X-Frame-Options: DENY,
    // which says nothing about frames inside it.
    run_site(
        site_listener,
        vec![
            (
                "content-security-policy",
                format!("frame-src http://{server}; script-src 'self'"),
            ),
            ("x-frame-options", "DENY".into()),
        ],
        "<!doctype html><html><head></head><body><p>study</p></body></html>",
    );
    let cfg = config(&format!(
        "[embed]\nframe_ancestors = [\"http://{site}\", \"http://{site2}\"]"
    ));
    run_server(server_listener, cfg.clone());

    let public = format!("http://{server}");
    let report = check_embed(&cfg, &format!("http://{site}/study"), Some(&public))
        .await
        .unwrap();
    assert!(
        report.contains(&format!(
            "the card's page: http://{server}/redcap-resume/embed"
        )),
        "{report}"
    );
    assert_eq!(
        lines(&report, "link"),
        ["ok    link: the hosted page opens at the top level, where the ticket cookie is sent"],
        "{report}"
    );
    let iframe = lines(&report, "iframe");
    assert_eq!(iframe.len(), 1, "{report}");
    assert!(iframe[0].starts_with("ok    iframe:"), "{report}");
    assert!(
        iframe[0].contains("same site (http://127.0.0.1)"),
        "{report}"
    );
    // The API is not proxied onto the CMS's origin: the element could not call it there.
    let module = lines(&report, "module");
    assert!(
        module
            .iter()
            .any(|l| l.starts_with("FAIL  module: the API does not answer on this page's origin")),
        "{report}"
    );
    assert!(
        module
            .iter()
            .any(|l| l.contains("lacks 'wasm-unsafe-eval'")),
        "{report}"
    );
    assert!(
        report.contains(
            "note  about framing this page itself only, so not counted: its X-Frame-Options (DENY)"
        ),
        "{report}"
    );

    // The same page with the frame-src left out of its policy cannot frame the card.
    run_site(
        site2_listener,
        vec![("content-security-policy", "default-src 'self'".into())],
        "<!doctype html><p>study</p>",
    );
    let report = check_embed(&cfg, &format!("http://{site2}/study"), Some(&public))
        .await
        .unwrap();
    assert_eq!(lines(&report, "iframe"), [format!(
        "FAIL  iframe: this page's Content-Security-Policy frame-src ('self') does not allow http://{server}: add that origin to it"
    )], "{report}");
}

#[tokio::test]
async fn an_unlisted_origin_fails_and_a_cross_site_page_is_warned_about_the_cookie() {
    let (server_listener, server) = listener().await;
    let (site_listener, site) = listener().await;
    run_site(site_listener, vec![], "<!doctype html><p>study</p>");
    // `localhost` and `127.0.0.1` are two sites.
    let cross = format!("http://localhost:{}", site.port());
    let cfg = config(&format!(
        "allowed_origins = [\"http://{server}\", \"http://{site}\"]\n[embed]\nframe_ancestors = [\"{cross}\"]"
    ));
    run_server(server_listener, cfg.clone());

    // Listed in allowed_origins only: the hosted page's frame-ancestors leaves it out.
    let report = check_embed(&cfg, &format!("http://{site}/study"), None)
        .await
        .unwrap();
    assert_eq!(lines(&report, "iframe"), [format!(
        "FAIL  iframe: the hosted page's frame-ancestors ('self' {cross}) leaves out http://{site}: add it to [embed] frame_ancestors (a proxy that sends its own policy must allow it too)"
    )], "{report}");

    let report = check_embed(&cfg, &format!("{cross}/study"), None)
        .await
        .unwrap();
    let iframe = lines(&report, "iframe");
    assert_eq!(iframe.len(), 1, "{report}");
    assert!(iframe[0].starts_with("warn  iframe: the frame is cross-site (this page on http://localhost, the card on http://127.0.0.1)"), "{report}");
    assert!(
        iframe[0].contains("offers to open in a new tab"),
        "{report}"
    );
}

#[tokio::test]
async fn a_proxy_that_adds_x_frame_options_breaks_the_iframe() {
    // The card's page as the site's proxy serves it (no CSP, X-Frame-Options: SAMEORIGIN).
    let (site_listener, site) = listener().await;
    run_site(site_listener, vec![], "<!doctype html><p>study</p>");
    let (other_listener, other) = listener().await;
    run_site(other_listener, vec![], "<!doctype html><p>other</p>");
    let cfg = config(&format!(
        "[embed]\nframe_ancestors = [\"http://{site}\", \"http://{other}\"]"
    ));
    let report = check_embed(
        &cfg,
        &format!("http://{other}/study"),
        Some(&format!("http://{site}")),
    )
    .await
    .unwrap();
    assert_eq!(lines(&report, "iframe"), [
        "FAIL  iframe: the hosted page arrives with X-Frame-Options: SAMEORIGIN and no frame-ancestors: something in front of this server adds it; let it pass this server's Content-Security-Policy instead"
    ], "{report}");
    // Same origin: SAMEORIGIN lets it through.
    let report = check_embed(&cfg, &format!("http://{site}/study"), None)
        .await
        .unwrap();
    assert!(
        lines(&report, "iframe")[0].starts_with("ok    iframe"),
        "{report}"
    );
}

#[tokio::test]
async fn a_page_of_this_servers_own_folder_reads_its_meta_policy_and_the_api_answers() {
    let dir = tempdir("meta");
    std::fs::write(
        dir.join("study.html"),
        "<!doctype html><html><head><meta charset=utf-8>\
         <meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self'; form-action 'self'\">\
         <script src=\"/redcap-resume-autoload.js\" defer></script></head><body></body></html>",
    )
    .unwrap();
    let (server_listener, server) = listener().await;
    let cfg = config(&format!(
        "allowed_origins = [\"http://{server}\"]\npublic_dir = {dir:?}"
    ));
    run_server(server_listener, cfg.clone());
    let report = check_embed(&cfg, &format!("http://{server}/study.html"), None)
        .await
        .unwrap();
    // The header policy allows WebAssembly, the <meta> one does not: both are enforced.
    let module = lines(&report, "module");
    assert_eq!(module.len(), 2, "{report}");
    assert!(
        module[0].starts_with("warn  module: script-src ('self') lacks 'wasm-unsafe-eval'"),
        "{report}"
    );
    assert_eq!(module[1], "warn  module: form-action ('self') does not allow REDCap at http://127.0.0.1:9: the card shows the code and the Returning? link instead of the Resume button", "{report}");
    // The page loads the autoload script, so the placeholder has only the module's limits.
    assert_eq!(lines(&report, "placeholder").len(), 2, "{report}");
    assert!(
        report.contains("note  1 <meta http-equiv=\"Content-Security-Policy\">"),
        "{report}"
    );
    assert!(report.contains("note  about framing this page itself only, so not counted: its frame-ancestors ('self')"), "{report}");
    assert!(
        lines(&report, "iframe")[0].starts_with("ok    iframe"),
        "{report}"
    );
}

#[tokio::test]
async fn another_site_is_refused_before_any_request() {
    let (site_listener, site) = listener().await;
    run_site(site_listener, vec![], "<p>study</p>");
    let cfg = config("[embed]\nframe_ancestors = [\"https://www.example.edu\"]");
    let err = check_embed(&cfg, &format!("http://{site}/study"), None)
        .await
        .unwrap_err();
    assert!(matches!(err, CheckEmbedError::NotOurSite(_)), "{err}");
    assert!(err.to_string().contains("frame_ancestors"), "{err}");
    assert!(matches!(
        check_embed(&cfg, "file:///etc/passwd", None).await,
        Err(CheckEmbedError::NotAUrl(_))
    ));
    assert!(matches!(
        check_embed(
            &cfg,
            "https://www.example.edu/",
            Some("https://x.example.edu/path")
        )
        .await,
        Err(CheckEmbedError::PublicUrl(_))
    ));
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "redcap-resume-check-embed-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
