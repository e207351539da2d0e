//! The hosted page `{base}/embed?survey=KEY&lang=xx` (issue 16): its headers, its CSP with the
//! `[embed] frame_ancestors`, the plain pages for an unknown survey and a bad `lang`, the page's
//! own words in the card's eleven languages (Arabic right to left), and `[embed]` mistakes
//! stopping start-up. Driven with `oneshot`, no socket.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use redcap_resume::app::{app, AppState, STRICT_CSP};
use redcap_resume::config::Config;
use tower::ServiceExt;

const BASE: &str = r#"
[redcap]
url = "http://127.0.0.1:9/api/"
token_env = "TOKEN"
timeout_ms = 500
[auth]
ticket_secret_env = "SECRET"
[surveys.baseline]
title = "Baseline <questionnaire> & more"
instrument = "baseline_survey"
"#;

fn secrets() -> HashMap<String, String> {
    [
        ("TOKEN", "0123456789ABCDEF0123456789ABCDEF"),
        ("SECRET", "embed-secret-embed-secret-embed-secret-4"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn config(extra: &str) -> Result<Config, String> {
    Config::parse(&format!("{extra}\n{BASE}"), &secrets()).map_err(|e| e.to_string())
}

fn router(extra: &str) -> Router {
    app(AppState::new(config(extra).unwrap()).unwrap())
}

struct Page {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn get(router: &Router, path: &str) -> Page {
    get_as(router, path, None).await
}

/// The page as a browser asks for it with `Sec-Fetch-Dest: {dest}` (`iframe`: in a frame).
async fn get_as(router: &Router, path: &str, dest: Option<&str>) -> Page {
    let mut request = Request::get(path);
    if let Some(dest) = dest {
        request = request.header("sec-fetch-dest", dest);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Page {
        status,
        headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

impl Page {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

const FRAMED: &str = r#"[embed]
frame_ancestors = ["https://www.example.edu", "https://*.study.example.edu"]"#;

#[tokio::test]
async fn the_hosted_page_is_the_element_alone_under_the_strict_csp_with_the_configured_ancestors() {
    let router = router(FRAMED);
    let page = get(&router, "/redcap-resume/embed?survey=baseline&lang=es").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    let csp = page.header("content-security-policy");
    assert!(
        csp.starts_with(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self';"
        ),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(
        csp.ends_with("frame-ancestors 'self' https://www.example.edu https://*.study.example.edu"),
        "{csp}"
    );
    // No X-Frame-Options: it cannot list several origins, and CSP decides where it is present.
    assert_eq!(page.header("x-frame-options"), "");
    let body = &page.body;
    assert!(body.contains("<html lang=\"es\">\n"), "{body}");
    assert!(
        body.contains(r#"<redcap-resume survey="baseline" lang="es" endpoint="/redcap-resume/api" target="_top"></redcap-resume>"#),
        "{body}"
    );
    assert!(
        body.contains(r#"<script type="module" src="/redcap-resume/redcap-resume.js"></script>"#),
        "{body}"
    );
    assert!(
        body.contains(r#"<link rel="stylesheet" href="/redcap-resume/embed.css">"#),
        "{body}"
    );
    // The survey's title is escaped, and the page has no inline script or style.
    assert!(
        body.contains("<title>Baseline &lt;questionnaire&gt; &amp; more</title>"),
        "{body}"
    );
    assert!(
        !body.contains("<script>") && !body.contains("<style") && !body.contains("style="),
        "{body}"
    );

    let css = get(&router, "/redcap-resume/embed.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
    assert!(css.body.contains("redcap-resume{max-width:none}"));
}

#[tokio::test]
async fn without_embed_only_this_origin_may_frame_it_and_no_survey_is_the_list() {
    let router = router("");
    let page = get(&router, "/redcap-resume/embed").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("content-security-policy"), STRICT_CSP);
    assert!(
        page.body
            .contains(r#"<redcap-resume endpoint="/redcap-resume/api" target="_top">"#),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn an_unknown_survey_is_a_plain_page_that_says_so() {
    let router = router(FRAMED);
    for query in [
        "survey=nope",
        "survey=..%2F..%2Fetc",
        "survey=%3Cscript%3E",
        "survey=Baseline",
    ] {
        let page = get(&router, &format!("/redcap-resume/embed?{query}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{query}");
        assert!(
            page.body.contains("<h1>Survey not available</h1>"),
            "{query}: {}",
            page.body
        );
        assert!(!page.body.contains("<script"), "{query}");
        assert!(
            !page.body.contains("nope") && !page.body.contains("etc"),
            "the key is not echoed"
        );
        assert!(page
            .header("content-security-policy")
            .contains("frame-ancestors 'self' https://www.example.edu"));
    }
    // In the page's language, when the card speaks it; Arabic right to left.
    for (lang, html, heading) in [
        (
            "fr",
            "<html lang=\"fr\">",
            "<h1>Questionnaire non disponible</h1>",
        ),
        (
            "pt-BR",
            "<html lang=\"pt-br\">",
            "<h1>Questionário não disponível</h1>",
        ),
        (
            "ar",
            "<html lang=\"ar\" dir=\"rtl\">",
            "<h1>الاستبيان غير متاح</h1>",
        ),
        (
            "zh-TW",
            "<html lang=\"en\">",
            "<h1>Survey not available</h1>",
        ),
    ] {
        let page = get(
            &router,
            &format!("/redcap-resume/embed?survey=nope&lang={lang}"),
        )
        .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{lang}");
        assert!(page.body.contains(html), "{lang}: {}", page.body);
        assert!(page.body.contains(heading), "{lang}: {}", page.body);
    }
}

/// The page's own words (its title, the framed `signed-out` slot) in each of the card's
/// languages, chosen as the card chooses: `pt-BR` → Portuguese, `zh-CN` → Simplified Chinese,
/// `zh-TW` (no Traditional file) and others → English, with `<html lang="en">`.
#[tokio::test]
async fn the_page_speaks_the_cards_eleven_languages() {
    let router = router("");
    let framed = |lang: &str| {
        let router = router.clone();
        let path = format!("/redcap-resume/embed?lang={lang}");
        async move { get_as(&router, &path, Some("iframe")).await }
    };
    let english = framed("en").await;
    assert!(
        english.body.contains("<html lang=\"en\">"),
        "{}",
        english.body
    );
    assert!(english.body.contains("<title>Resume your survey</title>"));
    let english_slot = slot(&english.body);
    assert!(
        english_slot
            .starts_with("Your sign-in does not reach this card inside another website. <a "),
        "{english_slot}"
    );
    let mut seen = vec![english_slot.clone()];
    for lang in [
        "es", "fr", "pt", "de", "zh-Hans", "vi", "ko", "ru", "ht", "ar",
    ] {
        let page = framed(lang).await;
        assert_eq!(page.status, StatusCode::OK, "{lang}");
        let dir = if lang == "ar" { " dir=\"rtl\"" } else { "" };
        let html = format!("<html lang=\"{}\"{dir}>", lang.to_ascii_lowercase());
        assert!(page.body.contains(&html), "{lang}: {}", page.body);
        assert!(
            !page.body.contains("<title>Resume your survey</title>"),
            "{lang}"
        );
        let text = slot(&page.body);
        assert!(!seen.contains(&text), "{lang} has words of its own: {text}");
        assert!(text.contains("target=\"_blank\""), "{lang}: {text}");
        seen.push(text);
    }
    for (lang, html, words) in [
        ("pt-BR", "<html lang=\"pt-br\">", "Abra-o em uma nova aba"),
        ("zh-CN", "<html lang=\"zh-cn\">", "在新标签页中打开"),
        ("zh", "<html lang=\"zh\">", "在新标签页中打开"),
        (
            "ar-EG",
            "<html lang=\"ar-eg\" dir=\"rtl\">",
            "افتحها في علامة تبويب جديدة",
        ),
        ("zh-TW", "<html lang=\"en\">", "Open it in a new tab"),
        ("he", "<html lang=\"en\">", "Open it in a new tab"),
    ] {
        let page = framed(lang).await;
        assert!(page.body.contains(html), "{lang}: {}", page.body);
        assert!(slot(&page.body).contains(words), "{lang}: {}", page.body);
        let element = format!(" lang=\"{}\" endpoint=", lang.to_ascii_lowercase());
        assert!(
            page.body.contains(&element),
            "{lang}: the element keeps the tag"
        );
    }
}

/// The text of the card's `signed-out` slot in `body`.
fn slot(body: &str) -> String {
    let start = body
        .find("<span slot=\"signed-out\">")
        .unwrap_or_else(|| panic!("no signed-out slot: {body}"));
    let rest = &body[start + "<span slot=\"signed-out\">".len()..];
    rest[..rest.find("</span>").expect("the slot ends")].to_owned()
}

#[tokio::test]
async fn lang_must_be_a_language_tag() {
    let router = router("");
    for (lang, ok) in [
        ("fr", true),
        ("pt-BR", true),
        ("", true),
        ("e", false),
        ("es\"><script>", false),
        ("es_MX", false),
        ("toolonglanguage", false),
    ] {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("survey", "baseline")
            .append_pair("lang", lang)
            .finish();
        let page = get(&router, &format!("/redcap-resume/embed?{query}")).await;
        let expected = if ok {
            StatusCode::OK
        } else {
            StatusCode::BAD_REQUEST
        };
        assert_eq!(page.status, expected, "{lang:?}: {}", page.body);
        assert!(!page.body.contains("<script>"), "{lang:?}");
        if ok && !lang.is_empty() {
            assert!(page
                .body
                .contains(&format!(" lang=\"{}\"", lang.to_ascii_lowercase())));
        }
    }
}

#[tokio::test]
async fn the_page_follows_base_path_and_widget_path() {
    let router =
        router("base_path = \"/study/resume-api\"\n[embed]\nwidget_path = \"/static/rr/\"");
    let page = get(&router, "/study/embed?survey=baseline").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(r#"src="/static/rr/redcap-resume.js""#),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(r#"endpoint="/study/resume-api""#),
        "{}",
        page.body
    );
    assert_eq!(
        get(&router, "/study/embed.css").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn public_dir_pages_get_the_configured_frame_ancestors_too() {
    let dir = std::env::temp_dir().join(format!("redcap-resume-embed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
    let text = format!("public_dir = {:?}\n{FRAMED}", dir);
    let router = router(&text);
    let page = get(&router, "/index.html").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .header("content-security-policy")
        .ends_with("frame-ancestors 'self' https://www.example.edu https://*.study.example.edu"));
    // The files the page loads come from public_dir's root then.
    let embed = get(&router, "/redcap-resume/embed").await;
    assert!(
        embed.body.contains(r#"src="/redcap-resume.js""#),
        "{}",
        embed.body
    );
}

#[test]
fn embed_mistakes_stop_start_up_naming_the_key() {
    for (entry, why) in [
        ("\"*\"", "origin"),
        ("\"https:\"", "origin"),
        ("\"https://www.example.edu/study\"", "without a path"),
        ("\"https://*.edu\"", "wildcard"),
        ("\"https://www.*.example.edu\"", "leftmost"),
    ] {
        let err = config(&format!(
            "[embed]\nframe_ancestors = [\"https://ok.example.edu\", {entry}]"
        ))
        .unwrap_err();
        assert!(err.contains("embed.frame_ancestors[1]"), "{entry}: {err}");
        assert!(err.contains(why), "{entry}: {err}");
    }
    let err = config("[embed]\nframe_ancestor = []").unwrap_err();
    assert!(err.contains("frame_ancestor"), "{err}");
}

mod snippets {
    use redcap_resume::embed::snippet::{snippet, Mode, SnippetError};

    use super::*;

    #[test]
    fn each_mode_prints_the_html_for_this_deployment() {
        let config = config("allowed_origins = [\"https://study.example.edu\"]").unwrap();
        let html = |mode| snippet(&config, "baseline", mode, None).unwrap();
        assert_eq!(
            html(Mode::Iframe),
            "<iframe src=\"https://study.example.edu/redcap-resume/embed?survey=baseline\" \
             title=\"Baseline &lt;questionnaire&gt; &amp; more\" width=\"100%\" height=\"300\" loading=\"lazy\"></iframe>\n"
        );
        assert_eq!(
            html(Mode::Link),
            "<a href=\"https://study.example.edu/redcap-resume/embed?survey=baseline\">Baseline &lt;questionnaire&gt; &amp; more</a>\n"
        );
        let placeholder = html(Mode::Placeholder);
        assert!(placeholder.contains(
            "<script src=\"https://study.example.edu/redcap-resume/redcap-resume-autoload.js\" defer></script>\n"
        ));
        assert!(placeholder.contains("<div data-redcap-resume data-survey=\"baseline\"><a href=\"https://study.example.edu/redcap-resume/embed?survey=baseline\">"));
        let module = html(Mode::Module);
        assert!(module.contains("<script type=\"module\" src=\"https://study.example.edu/redcap-resume/redcap-resume.js\"></script>\n"));
        assert!(module.ends_with(
            "<redcap-resume survey=\"baseline\" endpoint=\"/redcap-resume/api\"></redcap-resume>\n"
        ));
    }

    #[test]
    fn public_url_overrides_and_no_origin_gives_paths() {
        let config = config("").unwrap();
        assert_eq!(
            snippet(&config, "baseline", Mode::Link, None).unwrap(),
            "<a href=\"/redcap-resume/embed?survey=baseline\">Baseline &lt;questionnaire&gt; &amp; more</a>\n"
        );
        let iframe = snippet(
            &config,
            "baseline",
            Mode::Iframe,
            Some("http://portal.example.test:8080"),
        )
        .unwrap();
        assert!(iframe.starts_with(
            "<iframe src=\"http://portal.example.test:8080/redcap-resume/embed?survey=baseline\""
        ));
        assert_eq!(
            snippet(&config, "nope", Mode::Link, None),
            Err(SnippetError::UnknownSurvey("nope".into()))
        );
        assert!(matches!(
            snippet(
                &config,
                "baseline",
                Mode::Link,
                Some("https://x.example.edu/path")
            ),
            Err(SnippetError::BadPublicUrl(_))
        ));
        assert!("frame".parse::<Mode>().is_err());
        assert_eq!("placeholder".parse::<Mode>(), Ok(Mode::Placeholder));
    }
}
