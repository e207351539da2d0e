//! The hosted page: `<redcap-resume>` alone on a minimal page, for a frame of fixed height or
//! a top-level tab. Everything here is a pure function of the configuration and the query.
//!
//! - `survey=KEY` (optional: absent, the card lists every survey); a key that is not
//!   configured gets a plain "not available" page (404), never a stack trace;
//! - `lang=xx` (optional): a language tag (`es`, `pt-BR`), else the page is refused (400);
//! - the element's links and resume form open at the top level (`target="_top"`): inside a
//!   frame REDCap is never framed; at the top level `_top` is the page itself;
//! - in a frame (the browser's `Sec-Fetch-Dest: iframe`), the card's `signed-out` slot says
//!   that the sign-in may not reach a frame on another site (the ticket cookie is
//!   `SameSite=Lax`: a cross-site frame never gets it) and links to this page in a new tab,
//!   where it does — never a dead end. Only a signed-out card shows the slot.

use crate::config::{Config, LanguageTag};
use crate::survey_key::SurveyKey;

/// The hosted page's own stylesheet (served at [`stylesheet_path`]): no margin, the card as
/// wide as the frame, its content close together (the CSP refuses inline styles).
pub const STYLESHEET: &str = "html,body{margin:0;padding:0;background:transparent}\
body{padding:4px}\
redcap-resume{max-width:none}\
main{max-width:40rem;margin:0 auto;padding:1rem;font-family:system-ui,sans-serif;line-height:1.45}\n";

/// What a request for the hosted page gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// 200: the card.
    Card(String),
    /// 404: no such survey is configured here.
    UnknownSurvey(String),
    /// 400: the query is not one this page takes (the reason is safe to show).
    BadQuery(String),
}

/// The query of `{base}/embed`, read from its form-encoded text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EmbedQuery {
    pub survey: Option<String>,
    pub lang: Option<String>,
}

impl EmbedQuery {
    /// Reads `survey` and `lang`; other parameters are ignored (sites add tracking ones).
    pub fn parse(query: Option<&str>) -> EmbedQuery {
        let mut out = EmbedQuery::default();
        for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            match &*k {
                "survey" if out.survey.is_none() => out.survey = Some(v.into_owned()),
                "lang" if out.lang.is_none() => out.lang = Some(v.into_owned()),
                _ => {}
            }
        }
        out
    }
}

/// The stylesheet's path, beside the page: `/redcap-resume/embed.css`.
pub fn stylesheet_path(config: &Config) -> String {
    format!("{}.css", config.embed_path())
}

/// Where the page is shown, from the request's `Sec-Fetch-Dest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// A tab of its own (or a browser that does not say).
    TopLevel,
    /// Inside an `<iframe>` or `<frame>` of another page.
    Framed,
}

impl Shown {
    /// `Sec-Fetch-Dest: iframe` or `frame` is a frame; anything else, or nothing, is not.
    pub fn from_fetch_dest(dest: Option<&str>) -> Shown {
        match dest {
            Some("iframe" | "frame") => Shown::Framed,
            _ => Shown::TopLevel,
        }
    }
}

/// The framed page's `signed-out` text and link, in the page's language (its primary
/// subtag; English for the others).
fn framed_signed_out(lang: &str) -> (&'static str, &'static str) {
    match lang.split('-').next().unwrap_or_default() {
        "es" => (
            "Su sesión no llega a esta tarjeta dentro de otro sitio web.",
            "Ábrala en una pestaña nueva",
        ),
        "fr" => (
            "Votre connexion n’atteint pas cette carte dans un autre site.",
            "Ouvrez-la dans un nouvel onglet",
        ),
        _ => (
            "Your sign-in does not reach this card inside another website.",
            "Open it in a new tab",
        ),
    }
}

/// The page for `query` under `config`, shown as `shown`.
pub fn render(config: &Config, query: &EmbedQuery, shown: Shown) -> Page {
    let lang = match query.lang.as_deref().filter(|l| !l.is_empty()) {
        None => None,
        Some(text) => match LanguageTag::parse(text) {
            Some(tag) => Some(tag),
            None => {
                return Page::BadQuery(plain(
                    "en",
                    "This link is not quite right",
                    "The lang parameter must be a language tag like es or pt-BR.",
                    config,
                ))
            }
        },
    };
    let lang_attr = lang.as_ref().map_or("en", LanguageTag::as_str);
    let survey =
        match query.survey.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(text) => {
                let known = SurveyKey::parse(text)
                    .ok()
                    .and_then(|key| config.surveys.iter().find(|s| s.key == key));
                match known {
                    Some(s) => Some(s),
                    None => return Page::UnknownSurvey(plain(
                        lang_attr,
                        "Survey not available",
                        "This page does not know that survey. Please check the link you followed, \
                         or contact the study team.",
                        config,
                    )),
                }
            }
        };
    let files = config.widget_path();
    let title = survey.map_or("Resume your survey", |s| s.title.as_str());
    let survey_attr = survey.map_or(String::new(), |s| format!(" survey=\"{}\"", s.key));
    let lang_el = lang
        .as_ref()
        .map_or(String::new(), |l| format!(" lang=\"{}\"", l.as_str()));
    let signed_out = match shown {
        Shown::TopLevel => String::new(),
        Shown::Framed => {
            // This very page, rebuilt from what was checked above (never the raw query).
            let mut here = config.embed_path();
            let mut sep = '?';
            if let Some(s) = survey {
                here = format!("{here}{sep}survey={}", s.key);
                sep = '&';
            }
            if let Some(l) = &lang {
                here = format!("{here}{sep}lang={}", l.as_str());
            }
            let (text, link) = framed_signed_out(lang_attr);
            format!(
                "<span slot=\"signed-out\">{text} <a href=\"{}\" target=\"_blank\" \
                 rel=\"noopener\">{link}</a></span>",
                escape(&here)
            )
        }
    };
    Page::Card(format!(
        r#"<!doctype html>
<html lang="{lang_attr}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>{title}</title>
<link rel="stylesheet" href="{css}">
<link rel="modulepreload" href="{files}redcap-resume.js">
<link rel="modulepreload" href="{files}redcap-resume-widget.js">
<link rel="preload" href="{files}redcap-resume-widget_bg.wasm" as="fetch" type="application/wasm" crossorigin>
<script type="module" src="{files}redcap-resume.js"></script>
</head>
<body>
<redcap-resume{survey_attr}{lang_el} endpoint="{endpoint}" target="_top">{signed_out}</redcap-resume>
</body>
</html>
"#,
        title = escape(title),
        css = stylesheet_path(config),
        endpoint = config.base_path,
    ))
}

/// A page with one heading and one sentence, under the same stylesheet.
fn plain(lang: &str, heading: &str, text: &str, config: &Config) -> String {
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>{heading}</title>
<link rel="stylesheet" href="{css}">
</head>
<body>
<main>
<h1>{heading}</h1>
<p>{text}</p>
</main>
</body>
</html>
"#,
        css = stylesheet_path(config),
    )
}

/// Text for HTML content and quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_takes_the_first_survey_and_lang() {
        let q = EmbedQuery::parse(Some("survey=baseline&utm_source=x&lang=es&survey=other"));
        assert_eq!(q.survey.as_deref(), Some("baseline"));
        assert_eq!(q.lang.as_deref(), Some("es"));
        assert_eq!(EmbedQuery::parse(None), EmbedQuery::default());
    }

    #[test]
    fn a_framed_page_offers_itself_in_a_new_tab_when_signed_out() {
        assert_eq!(Shown::from_fetch_dest(Some("iframe")), Shown::Framed);
        assert_eq!(Shown::from_fetch_dest(Some("document")), Shown::TopLevel);
        assert_eq!(Shown::from_fetch_dest(None), Shown::TopLevel);
        use crate::config::fixtures::{env, GOOD};
        let config = Config::parse(GOOD, &env()).unwrap();
        let query = EmbedQuery {
            survey: Some(config.surveys[0].key.to_string()),
            lang: Some("es-MX".into()),
        };
        let Page::Card(framed) = render(&config, &query, Shown::Framed) else {
            panic!("a card");
        };
        let here = format!(
            "{}?survey={}&amp;lang=es-mx",
            config.embed_path(),
            config.surveys[0].key
        );
        assert!(
            framed.contains(&format!(
                "<span slot=\"signed-out\">Su sesión no llega a esta tarjeta dentro de otro sitio web. \
                 <a href=\"{here}\" target=\"_blank\" rel=\"noopener\">Ábrala en una pestaña nueva</a></span>"
            )),
            "{framed}"
        );
        let Page::Card(top) = render(&config, &query, Shown::TopLevel) else {
            panic!("a card");
        };
        assert!(!top.contains("slot="), "{top}");
    }

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<b title="x">Tom & 'Jerry'</b>"#),
            "&lt;b title=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }
}
