//! `redcap-resume check-embed URL`: fetches one page of the operator's own site and says, from
//! its Content-Security-Policy header, which embedding modes will work on it.
//!
//! Only the operator's own pages are fetched: the URL's origin must be one of `[embed]
//! frame_ancestors` or `allowed_origins`, or this server's `listen` address; others are
//! refused before any request. No redirect is followed (a redirect is reported). `<meta>`
//! policies in the page body are not read.

use std::time::Duration;

use url::Url;

use crate::config::Config;

/// How long the page may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Why the page was not checked.
#[derive(Debug)]
pub enum CheckEmbedError {
    NotAUrl(String),
    NotOurSite(String),
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

/// The sources of the first of `directives` that `csp` has (CSP's fallback order);
/// `None`: not restricted.
fn sources<'a>(csp: &'a str, directives: &[&str]) -> Option<Vec<&'a str>> {
    directives.iter().find_map(|name| {
        csp.split(';').find_map(|d| {
            let mut words = d.split_whitespace();
            (words.next()?.eq_ignore_ascii_case(name)).then(|| words.collect::<Vec<_>>())
        })
    })
}

/// The report lines for a page's CSP (`None`: the page sends none), one per mode.
pub fn report(csp: Option<&str>, framable: bool) -> Vec<String> {
    let mut lines = vec!["ok    link: a plain link works on every page".to_owned()];
    let script = csp.and_then(|c| sources(c, &["script-src", "default-src"]));
    let frame = csp.and_then(|c| sources(c, &["frame-src", "child-src", "default-src"]));
    match &frame {
        _ if !framable => lines.push(
            "FAIL  iframe: the page's origin is not in [embed] frame_ancestors: the hosted page refuses to be framed there".into(),
        ),
        Some(s) if !s.iter().any(|x| x.starts_with("http") || *x == "*") => lines.push(format!(
            "FAIL  iframe: the page's CSP frame-src ({}) does not list this server's origin",
            s.join(" ")
        )),
        _ => lines.push("ok    iframe: the page may frame the hosted page".into()),
    }
    match &script {
        None => {
            lines.push("ok    module and placeholder: the page sends no script-src limit".into())
        }
        Some(s) if !s.contains(&"'self'") => lines.push(
            "FAIL  module and placeholder: script-src lacks 'self' (the widget's files are served from the site's own origin)".into(),
        ),
        Some(s) if !s.contains(&"'wasm-unsafe-eval'") && !s.contains(&"'unsafe-eval'") => lines.push(
            "warn  module and placeholder: script-src lacks 'wasm-unsafe-eval': only the plain card (no WebAssembly) shows".into(),
        ),
        Some(_) => lines.push("ok    module and placeholder: script-src allows the widget and WebAssembly".into()),
    }
    lines
}

/// Fetches `url` (the operator's own site only) and reports which modes will work on it.
pub async fn check_embed(config: &Config, url: &str) -> Result<String, CheckEmbedError> {
    let parsed = Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| CheckEmbedError::NotAUrl(url.to_owned()))?;
    if !is_own_site(config, &parsed) {
        return Err(CheckEmbedError::NotOurSite(
            parsed.origin().ascii_serialization(),
        ));
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| CheckEmbedError::Fetch(e.to_string()))?;
    let response = client
        .get(parsed.clone())
        .send()
        .await
        .map_err(|e| CheckEmbedError::Fetch(e.without_url().to_string()))?;
    let status = response.status();
    if status.is_redirection() {
        return Err(CheckEmbedError::Fetch(format!(
            "{status}: it redirects; check the page it redirects to"
        )));
    }
    let header = |name: &str| {
        response
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let csp = header("content-security-policy");
    let framable = config
        .embed
        .frame_ancestors
        .iter()
        .any(|a| a.matches(&parsed));
    let mut out = format!("{parsed} ({status})\n");
    for line in report((!csp.is_empty()).then_some(csp.as_str()), framable) {
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csp_without_wasm_unsafe_eval_gets_the_plain_card() {
        let lines = report(Some("default-src 'self'; script-src 'self'"), true);
        assert!(lines[2].starts_with("warn  module"), "{lines:?}");
        let lines = report(
            Some("script-src 'self' 'wasm-unsafe-eval'; frame-src 'none'"),
            true,
        );
        assert!(lines[1].starts_with("FAIL  iframe"), "{lines:?}");
        assert!(lines[2].starts_with("ok    module"), "{lines:?}");
        let lines = report(None, false);
        assert!(lines[1].starts_with("FAIL  iframe"), "{lines:?}");
    }
}
