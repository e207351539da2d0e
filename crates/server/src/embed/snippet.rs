//! `redcap-resume snippet --survey KEY --mode MODE`: the exact HTML to paste for one survey, in
//! each embedding mode, for the configured deployment (API path, hosted page, widget files).
//!
//! URLs are absolute when a public URL is known (`--public-url`, else the first of
//! `allowed_origins`), else paths on the page's own origin.

use std::fmt;
use std::str::FromStr;

use crate::config::Config;
use crate::survey_key::SurveyKey;

/// How the card gets onto a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// An `<iframe>` of the hosted page: editors that keep iframes (most), another origin.
    Iframe,
    /// A `<div data-redcap-resume>` upgraded by the site-wide autoload script.
    Placeholder,
    /// The module `<script>` and the `<redcap-resume>` element: "Full HTML" editors, same origin.
    Module,
    /// A plain link to the hosted page: works everywhere.
    Link,
}

impl FromStr for Mode {
    type Err = String;

    fn from_str(text: &str) -> Result<Mode, String> {
        match text {
            "iframe" => Ok(Mode::Iframe),
            "placeholder" => Ok(Mode::Placeholder),
            "module" => Ok(Mode::Module),
            "link" => Ok(Mode::Link),
            other => Err(format!(
                "--mode {other:?}: one of iframe, placeholder, module, link"
            )),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Iframe => "iframe",
            Mode::Placeholder => "placeholder",
            Mode::Module => "module",
            Mode::Link => "link",
        })
    }
}

/// Why no snippet can be printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnippetError {
    UnknownSurvey(String),
    BadPublicUrl(String),
}

impl fmt::Display for SnippetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnippetError::UnknownSurvey(key) => write!(
                f,
                "--survey {key:?} is not a survey of this configuration (a key of [surveys])"
            ),
            SnippetError::BadPublicUrl(url) => write!(
                f,
                "--public-url {url:?} must be an origin like https://study.example.edu"
            ),
        }
    }
}

/// The height the iframe snippet gives the hosted page, in CSS pixels (one survey's card).
pub const IFRAME_HEIGHT: u32 = 300;

/// The HTML for `survey` in `mode`; `public_url` overrides the origin the URLs are on.
pub fn snippet(
    config: &Config,
    survey: &str,
    mode: Mode,
    public_url: Option<&str>,
) -> Result<String, SnippetError> {
    let known = SurveyKey::parse(survey)
        .ok()
        .and_then(|key| config.surveys.iter().find(|s| s.key == key))
        .ok_or_else(|| SnippetError::UnknownSurvey(survey.to_owned()))?;
    let origin = public_origin(config, public_url)?
        .map_or(String::new(), |u| u.origin().ascii_serialization());
    let key = known.key.as_str();
    let page = format!("{origin}{}?survey={key}", config.embed_path());
    let files = format!("{origin}{}", config.widget_path());
    let title = escape(&known.title);
    Ok(match mode {
        Mode::Iframe => format!(
            "<iframe src=\"{page}\" title=\"{title}\" width=\"100%\" height=\"{IFRAME_HEIGHT}\" loading=\"lazy\"></iframe>\n"
        ),
        Mode::Placeholder => format!(
            "<!-- once, site-wide (a site admin: theme or footer scripts) -->\n\
             <script src=\"{files}redcap-resume-autoload.js\" defer></script>\n\
             <!-- on the study page -->\n\
             <div data-redcap-resume data-survey=\"{key}\"><a href=\"{page}\">{title}</a></div>\n"
        ),
        Mode::Module => format!(
            "<link rel=\"modulepreload\" href=\"{files}redcap-resume.js\">\n\
             <link rel=\"modulepreload\" href=\"{files}redcap-resume-widget.js\">\n\
             <link rel=\"preload\" href=\"{files}redcap-resume-widget_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin>\n\
             <script type=\"module\" src=\"{files}redcap-resume.js\"></script>\n\
             <redcap-resume survey=\"{key}\" endpoint=\"{}\"></redcap-resume>\n",
            config.base_path
        ),
        Mode::Link => format!("<a href=\"{page}\">{title}</a>\n"),
    })
}

/// The origin the snippets' URLs are on: `public_url`, else the first of `allowed_origins`;
/// `None`: paths, on the page's own origin.
pub fn public_origin(
    config: &Config,
    public_url: Option<&str>,
) -> Result<Option<url::Url>, SnippetError> {
    match public_url.or(config.allowed_origins.first().map(String::as_str)) {
        None => Ok(None),
        Some(text) => url::Url::parse(text)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.path() == "/")
            .map(Some)
            .ok_or_else(|| SnippetError::BadPublicUrl(text.to_owned())),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
