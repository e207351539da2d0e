//! `redcap-resume check-embed URL`: fetches one page of the operator's own site, the hosted
//! page as the iframe snippet frames it, and the API on the page's origin, and says which
//! embedding modes will work on that page and why ([`super::verdict`] decides).
//!
//! Only the operator's own site is fetched: the page's origin must be one of `[embed]
//! frame_ancestors` or `allowed_origins`, or this server's `listen` address (others are
//! refused before any request); the hosted page is on the origin the snippets use
//! (`--public-url`, else the first of `allowed_origins`, else the page's own). No redirect is
//! followed (a redirected page is reported, not read). Of the page, its
//! `Content-Security-Policy` headers and `<meta http-equiv>` policies count;
//! `Content-Security-Policy-Report-Only` enforces nothing, and its own `X-Frame-Options` and
//! `frame-ancestors` only say who may frame the page itself: both are noted, not counted.

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use url::Url;

use super::meta::meta_policies;
use super::snippet::public_origin;
use super::sources::Policy;
use super::verdict::{verdicts, Facts, Framing};
use crate::config::Config;

/// How long each request may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The most of a page's HTML that is read (its head is near the start).
const BODY_LIMIT: usize = 2 << 20;

/// Why the page was not checked.
#[derive(Debug)]
pub enum CheckEmbedError {
    NotAUrl(String),
    NotOurSite(String),
    PublicUrl(String),
    Fetch(String),
}

impl std::fmt::Display for CheckEmbedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckEmbedError::NotAUrl(u) => write!(f, "{u:?} is not an http(s) URL"),
            CheckEmbedError::NotOurSite(origin) => write!(
                f,
                "{origin} is not this deployment's site: check-embed fetches only origins in \
                 [embed] frame_ancestors or allowed_origins (add it there first)"
            ),
            CheckEmbedError::PublicUrl(why) => f.write_str(why),
            CheckEmbedError::Fetch(why) => write!(f, "could not fetch the page: {why}"),
        }
    }
}

/// Whether `url` is on the operator's own site as configured.
pub fn is_own_site(config: &Config, url: &Url) -> bool {
    let origin = url.origin().ascii_serialization();
    config.embed.frame_ancestors.iter().any(|a| a.matches(url))
        || config.allowed_origins.contains(&origin)
        || origin == format!("http://{}", config.listen)
}

/// One answer, its body read up to [`BODY_LIMIT`].
struct Fetched {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Fetched {
    /// Every value of header `name`, as text.
    fn all(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }

    /// The enforced policies of its `Content-Security-Policy` headers.
    fn policies(&self) -> Vec<Policy> {
        self.all("content-security-policy")
            .iter()
            .flat_map(|v| Policy::parse_list(v))
            .collect()
    }
}

async fn fetch(client: &reqwest::Client, url: &Url) -> Result<Fetched, String> {
    let mut response = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| e.without_url().to_string())?;
    let status = response.status();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    while body.len() < BODY_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => return Err(e.without_url().to_string()),
        }
    }
    Ok(Fetched {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// Fetches `url` (the operator's own site only) and reports which modes will work on it;
/// `public_url` is the origin the snippets put this server on, as for `snippet`.
pub async fn check_embed(
    config: &Config,
    url: &str,
    public_url: Option<&str>,
) -> Result<String, CheckEmbedError> {
    let page = Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| CheckEmbedError::NotAUrl(url.to_owned()))?;
    if !is_own_site(config, &page) {
        return Err(CheckEmbedError::NotOurSite(
            page.origin().ascii_serialization(),
        ));
    }
    let server = public_origin(config, public_url)
        .map_err(|e| CheckEmbedError::PublicUrl(e.to_string()))?
        .unwrap_or_else(|| page.clone());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| CheckEmbedError::Fetch(e.to_string()))?;
    let fetched = fetch(&client, &page)
        .await
        .map_err(CheckEmbedError::Fetch)?;
    if fetched.status.is_redirection() {
        return Err(CheckEmbedError::Fetch(format!(
            "{}: it redirects; check the page it redirects to",
            fetched.status
        )));
    }
    let head_metas = meta_policies(&fetched.body);
    let mut policies = fetched.policies();
    policies.extend(head_metas.iter().map(|m| Policy::parse(m)));

    let join = |base: &Url, path: &str| base.join(path).unwrap_or_else(|_| base.clone());
    let hosted = join(&server, &config.embed_path());
    let hosted_answer = match fetch(&client, &hosted).await {
        Err(why) => Err(why),
        Ok(f) if !f.status.is_success() => Err(f.status.to_string()),
        Ok(f) if !f.body.contains("<redcap-resume") => {
            Err(format!("{}, but not the card's page", f.status))
        }
        Ok(f) => Ok(Framing {
            policies: f.policies(),
            x_frame_options: f.all("x-frame-options"),
        }),
    };
    let api = join(&page, &format!("{}/surveys", config.base_path));
    let api_answer = match fetch(&client, &api).await {
        Err(why) => Err(why),
        Ok(f) => serde_json::from_str::<serde_json::Value>(&f.body)
            .ok()
            .filter(|v| v["error"]["code"].is_string())
            .map(drop)
            .ok_or_else(|| format!("{}, not this server's answer", f.status)),
    };
    let mut redcap: Vec<Url> = config
        .projects
        .iter()
        .map(|p| match &p.survey_base_url {
            Some(base) => base.clone(),
            None => join(&p.api_url, "/"),
        })
        .collect();
    redcap.dedup_by(|a, b| a.origin() == b.origin());
    let facts = Facts {
        loads_autoload: fetched.body.contains("redcap-resume-autoload.js"),
        shows_qr: asks_for_qr(&fetched.body),
        policies,
        hosted: hosted.clone(),
        hosted_answer,
        files: join(&server, &config.widget_path()),
        api,
        api_answer,
        redcap,
        page: page.clone(),
    };

    let mut out = format!("{page} ({})\n", fetched.status);
    out.push_str(&format!("the card's page: {hosted}\n"));
    for line in verdicts(&facts) {
        out.push_str(&format!("{line}\n"));
    }
    for note in notes(&fetched, head_metas.len()) {
        out.push_str(&format!("note  {note}\n"));
    }
    Ok(out)
}

/// What the page sends that decides nothing here, said so that nobody chases it.
fn notes(page: &Fetched, metas: usize) -> Vec<String> {
    let mut notes = Vec::new();
    let xfo = page.all("x-frame-options");
    let own_ancestors = page
        .policies()
        .iter()
        .filter_map(|p| p.sources(&["frame-ancestors"]).map(|s| s.join(" ")))
        .collect::<Vec<_>>();
    if !xfo.is_empty() || !own_ancestors.is_empty() {
        notes.push(format!(
            "about framing this page itself only, so not counted: its {}; the card's frame \
             obeys the hosted page's headers",
            [
                (!xfo.is_empty()).then(|| format!("X-Frame-Options ({})", xfo.join(", "))),
                (!own_ancestors.is_empty())
                    .then(|| format!("frame-ancestors ({})", own_ancestors.join("; "))),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" and ")
        ));
    }
    if metas > 0 {
        notes.push(format!(
            "{metas} <meta http-equiv=\"Content-Security-Policy\"> in the page's head counted with its headers"
        ));
    }
    if !page.all("content-security-policy-report-only").is_empty() {
        notes.push(
            "Content-Security-Policy-Report-Only enforces nothing: not counted (it will when it \
             becomes Content-Security-Policy)"
                .to_owned(),
        );
    }
    notes
}

/// Whether the page's HTML has a card asking for the QR code: a `<redcap-resume>` with the
/// `qr` attribute, or a placeholder with `data-qr`.
fn asks_for_qr(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    lower.split("<redcap-resume").skip(1).any(|rest| {
        let tag = rest.split('>').next().unwrap_or_default();
        tag.split(|c: char| c.is_ascii_whitespace() || c == '/')
            .any(|attr| attr == "qr" || attr.starts_with("qr="))
    }) || lower
        .split("data-qr")
        .skip(1)
        .any(|rest| rest.starts_with(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>'))
}

#[cfg(test)]
mod tests {
    use super::asks_for_qr;

    #[test]
    fn a_card_or_placeholder_asking_for_the_qr_code_is_seen() {
        for html in [
            r#"<redcap-resume survey="baseline" qr></redcap-resume>"#,
            r#"<REDCAP-RESUME qr="" survey="x">"#,
            r#"<redcap-resume qr/>"#,
            r#"<div data-redcap-resume data-survey="baseline" data-qr>…</div>"#,
            r#"<div data-redcap-resume data-qr="">"#,
        ] {
            assert!(asks_for_qr(html), "{html}");
        }
        for html in [
            r#"<redcap-resume survey="qr"></redcap-resume>"#,
            r#"<redcap-resume survey="baseline" queue></redcap-resume><p>qr</p>"#,
            r#"<div data-redcap-resume data-qrcode="x">"#,
            "",
        ] {
            assert!(!asks_for_qr(html), "{html}");
        }
    }
}
