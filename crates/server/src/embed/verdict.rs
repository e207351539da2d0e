//! From what `check-embed` saw to one verdict per embedding mode, each with its reason.
//! Pure: [`Facts`] holds everything the verdicts depend on, so each rule is tested alone.
//!
//! What decides each mode:
//! - `link`: only that the hosted page answers; it opens at the top level, where the
//!   `SameSite=Lax` ticket cookie is sent.
//! - `iframe`: the *hosted page's* response (its CSP `frame-ancestors`, else `X-Frame-Options`,
//!   as sent through any proxy) must let the page frame it; the *page's* `frame-src` (or
//!   `child-src`, `default-src`) must allow the hosted page's URL; and the ticket cookie
//!   reaches the frame only when page and hosted page are on the same site. The page's own
//!   `X-Frame-Options` and `frame-ancestors` say who may frame the page itself: they decide
//!   nothing here.
//! - `module` and `placeholder`: the page's `script-src-elem`/`script-src` must allow the
//!   widget files, `connect-src` the API on the page's own origin (which must answer there)
//!   and the wasm file, `script-src` `'wasm-unsafe-eval'` for more than the plain card, and a
//!   `form-action` REDCap's survey origin for the Resume button; a placeholder needs the
//!   site-wide autoload script. A card asking for the QR code (`qr`, `data-qr`) needs
//!   `img-src` to allow `data:` images.

use url::Url;

use super::framing::{may_frame, Refused};
use super::site::{same_site, site};
use super::sources::{allows, has_keyword, Policy};

/// How a mode comes out on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Ok,
    /// Works, but less than fully (the plain card, no ticket, an admin step missing).
    Warn,
    Fail,
}

/// One line of the report: a mode, how it comes out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub level: Level,
    pub mode: &'static str,
    pub reason: String,
}

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = match self.level {
            Level::Ok => "ok  ",
            Level::Warn => "warn",
            Level::Fail => "FAIL",
        };
        write!(f, "{label}  {}: {}", self.mode, self.reason)
    }
}

/// What the hosted page's answer said about framing.
#[derive(Debug, Clone, Default)]
pub struct Framing {
    /// Its enforced Content-Security-Policy headers.
    pub policies: Vec<Policy>,
    /// Its `X-Frame-Options` header values.
    pub x_frame_options: Vec<String>,
}

/// Everything the verdicts depend on.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The checked page.
    pub page: Url,
    /// The page's enforced policies: its `Content-Security-Policy` headers and `<meta>`s.
    pub policies: Vec<Policy>,
    /// Whether the page loads `redcap-resume-autoload.js`.
    pub loads_autoload: bool,
    /// Whether a card on the page asks for the QR code (`qr`, `data-qr`): shown as a `data:`
    /// image.
    pub shows_qr: bool,
    /// The hosted page (what the iframe snippet frames, the link opens).
    pub hosted: Url,
    /// Its framing headers, or why it did not answer with a page.
    pub hosted_answer: Result<Framing, String>,
    /// The folder of the widget files as the module and placeholder snippets load them.
    pub files: Url,
    /// The API on the page's own origin.
    pub api: Url,
    /// Whether this server's API answered there, or what did.
    pub api_answer: Result<(), String>,
    /// Where the resume form posts: each project's REDCap survey origin.
    pub redcap: Vec<Url>,
}

/// One or more lines per mode, in the order link, iframe, placeholder, module.
pub fn verdicts(facts: &Facts) -> Vec<Line> {
    let mut lines = Vec::new();
    lines.extend(link(facts));
    lines.extend(iframe(facts));
    let script = script_problems(facts);
    let mut placeholder = script.clone();
    if !facts.loads_autoload {
        placeholder.push((
            Level::Warn,
            "this page does not load redcap-resume-autoload.js yet: a site admin adds it once, \
             site-wide (README, Placeholders)"
                .to_owned(),
        ));
    }
    lines.extend(mode_lines(
        "placeholder",
        placeholder,
        "the autoload script turns the div into the card",
    ));
    lines.extend(mode_lines(
        "module",
        script,
        "the page may load the widget, its WebAssembly and the API",
    ));
    lines
}

fn link(facts: &Facts) -> Vec<Line> {
    let problems = match &facts.hosted_answer {
        Err(why) => vec![(Level::Fail, unreachable(facts, why))],
        Ok(_) => vec![],
    };
    mode_lines(
        "link",
        problems,
        "the hosted page opens at the top level, where the ticket cookie is sent",
    )
}

fn unreachable(facts: &Facts, why: &str) -> String {
    format!(
        "the hosted page {} did not answer with the card ({why}): serve or proxy it there",
        facts.hosted
    )
}

fn iframe(facts: &Facts) -> Vec<Line> {
    let framing = match &facts.hosted_answer {
        Err(why) => return mode_lines("iframe", vec![(Level::Fail, unreachable(facts, why))], ""),
        Ok(framing) => framing,
    };
    let page_origin = facts.page.origin().ascii_serialization();
    let mut problems = Vec::new();
    match may_frame(
        &framing.policies,
        &framing.x_frame_options,
        &facts.hosted,
        &facts.page,
    ) {
        Ok(()) => {}
        Err(Refused::FrameAncestors(sources)) => problems.push((
            Level::Fail,
            format!(
                "the hosted page's frame-ancestors ({sources}) leaves out {page_origin}: add it \
                 to [embed] frame_ancestors (a proxy that sends its own policy must allow it too)"
            ),
        )),
        Err(Refused::XFrameOptions(value)) => problems.push((
            Level::Fail,
            format!(
                "the hosted page arrives with X-Frame-Options: {value} and no frame-ancestors: \
                 something in front of this server adds it; let it pass this server's \
                 Content-Security-Policy instead"
            ),
        )),
    }
    for policy in &facts.policies {
        if let Some(sources) = policy.sources(&["frame-src", "child-src", "default-src"]) {
            if !allows(sources, &facts.hosted, &facts.page) {
                problems.push((
                    Level::Fail,
                    format!(
                        "this page's Content-Security-Policy frame-src ({}) does not allow {}: \
                         add that origin to it",
                        sources.join(" "),
                        facts.hosted.origin().ascii_serialization()
                    ),
                ));
            }
        }
    }
    if problems.is_empty() && !same_site(&facts.page, &facts.hosted) {
        problems.push((
            Level::Warn,
            format!(
                "the frame is cross-site (this page on {}, the card on {}): browsers send it no \
                 ticket cookie (SameSite=Lax), so the card offers to open in a new tab; prefer \
                 link, or give the card a ticket",
                site(&facts.page).unwrap_or_default(),
                site(&facts.hosted).unwrap_or_default()
            ),
        ));
    }
    mode_lines(
        "iframe",
        problems,
        &format!(
            "the hosted page may be framed here, and the frame is on the same site ({}): it gets \
             the ticket cookie",
            site(&facts.page).unwrap_or_default()
        ),
    )
}

/// What stops or limits the widget itself on the page (module and placeholder alike).
fn script_problems(facts: &Facts) -> Vec<(Level, String)> {
    let mut problems = Vec::new();
    let file = |name: &str| {
        facts
            .files
            .join(name)
            .unwrap_or_else(|_| facts.files.clone())
    };
    let loader = file("redcap-resume.js");
    let wasm = file("redcap-resume-widget_bg.wasm");
    let page = &facts.page;
    for policy in &facts.policies {
        if let Some(s) = policy.sources(&["script-src-elem", "script-src", "default-src"]) {
            if has_keyword(s, "'strict-dynamic'") {
                problems.push((Level::Fail, format!(
                    "script-src ({}) has 'strict-dynamic': only scripts carrying the page's nonce run, and a pasted script has none",
                    s.join(" ")
                )));
            } else if !allows(s, &loader, page) {
                problems.push((
                    Level::Fail,
                    format!(
                        "script-src ({}) does not allow the widget's files at {}",
                        s.join(" "),
                        facts.files
                    ),
                ));
            }
        }
        if let Some(s) = policy.sources(&["connect-src", "default-src"]) {
            if !allows(s, &facts.api, page) {
                problems.push((
                    Level::Fail,
                    format!(
                        "connect-src ({}) does not allow the API at {}",
                        s.join(" "),
                        facts.api
                    ),
                ));
            } else if !allows(s, &wasm, page) {
                problems.push((Level::Warn, format!(
                    "connect-src ({}) does not allow {wasm}: only the plain card (no WebAssembly) shows",
                    s.join(" ")
                )));
            }
        }
        if let Some(s) = policy.sources(&["script-src", "default-src"]) {
            if !has_keyword(s, "'wasm-unsafe-eval'") && !has_keyword(s, "'unsafe-eval'") {
                problems.push((Level::Warn, format!(
                    "script-src ({}) lacks 'wasm-unsafe-eval': only the plain card (no WebAssembly) shows",
                    s.join(" ")
                )));
            }
        }
        if facts.shows_qr {
            if let Some(s) = policy.sources(&["img-src", "default-src"]) {
                let image = Url::parse("data:image/svg+xml;base64,").expect("a data: URL");
                if !allows(s, &image, page) {
                    problems.push((Level::Warn, format!(
                        "img-src ({}) does not allow data: images: the card's QR code (qr) cannot show; the code and the link still work",
                        s.join(" ")
                    )));
                }
            }
        }
        if let Some(s) = policy.sources(&["form-action"]) {
            for redcap in &facts.redcap {
                if !allows(s, redcap, page) {
                    problems.push((Level::Warn, format!(
                        "form-action ({}) does not allow REDCap at {}: the card shows the code and the Returning? link instead of the Resume button",
                        s.join(" "),
                        redcap.origin().ascii_serialization()
                    )));
                }
            }
        }
    }
    if let Err(why) = &facts.api_answer {
        problems.push((
            Level::Fail,
            format!(
                "the API does not answer on this page's origin at {} ({why}): proxy it to this \
                 server (deploy/nginx-location.conf); the card calls only its own origin",
                facts.api
            ),
        ));
    }
    problems
}

/// The lines of one mode: its problems, or one `ok` line saying why it works.
fn mode_lines(mode: &'static str, problems: Vec<(Level, String)>, ok: &str) -> Vec<Line> {
    if problems.is_empty() {
        return vec![Line {
            level: Level::Ok,
            mode,
            reason: ok.to_owned(),
        }];
    }
    problems
        .into_iter()
        .map(|(level, reason)| Line {
            level,
            mode,
            reason,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    /// A page on www.example.edu with `csp`, the server on study.example.edu with the
    /// hosted page sent under `hosted_csp`, everything answering.
    fn facts(csp: &str, hosted_csp: &str) -> Facts {
        Facts {
            page: url("https://www.example.edu/study/"),
            policies: Policy::parse_list(csp),
            loads_autoload: true,
            shows_qr: false,
            hosted: url("https://study.example.edu/redcap-resume/embed"),
            hosted_answer: Ok(Framing {
                policies: Policy::parse_list(hosted_csp),
                x_frame_options: vec![],
            }),
            files: url("https://www.example.edu/redcap-resume/"),
            api: url("https://www.example.edu/redcap-resume/api/surveys"),
            api_answer: Ok(()),
            redcap: vec![url("https://redcap.example.edu/surveys/")],
        }
    }

    fn levels(lines: &[Line], mode: &str) -> Vec<Level> {
        lines
            .iter()
            .filter(|l| l.mode == mode)
            .map(|l| l.level)
            .collect()
    }

    const LISTED: &str = "default-src 'self'; frame-ancestors 'self' https://www.example.edu";

    #[test]
    fn a_page_without_policies_gets_every_mode() {
        let lines = verdicts(&facts("", LISTED));
        for mode in ["link", "iframe", "placeholder", "module"] {
            assert_eq!(levels(&lines, mode), [Level::Ok], "{mode}: {lines:#?}");
        }
    }

    #[test]
    fn the_hosted_pages_headers_decide_the_iframe_not_the_pages_own() {
        // The page's own X-Frame-Options / frame-ancestors are not in the facts at all; the
        // hosted page's are.
        let mut f = facts(
            "frame-ancestors 'none'",
            "default-src 'self'; frame-ancestors 'self'",
        );
        let lines = verdicts(&f);
        assert_eq!(levels(&lines, "iframe"), [Level::Fail]);
        assert!(
            lines[1]
                .reason
                .contains("add it to [embed] frame_ancestors"),
            "{}",
            lines[1]
        );
        f.hosted_answer = Ok(Framing {
            policies: vec![],
            x_frame_options: vec!["SAMEORIGIN".into()],
        });
        let lines = verdicts(&f);
        assert!(
            lines[1].reason.contains("X-Frame-Options: SAMEORIGIN"),
            "{}",
            lines[1]
        );
        f.hosted_answer = Err("404 Not Found".into());
        let lines = verdicts(&f);
        assert_eq!(levels(&lines, "link"), [Level::Fail]);
        assert_eq!(levels(&lines, "iframe"), [Level::Fail]);
    }

    #[test]
    fn the_pages_frame_src_must_allow_the_hosted_page() {
        let lines = verdicts(&facts("frame-src 'self'", LISTED));
        assert_eq!(levels(&lines, "iframe"), [Level::Fail]);
        assert!(
            lines[1].reason.contains("frame-src ('self')"),
            "{}",
            lines[1]
        );
        let lines = verdicts(&facts("default-src 'self' https://*.example.edu", LISTED));
        assert_eq!(levels(&lines, "iframe"), [Level::Ok], "{lines:#?}");
    }

    #[test]
    fn a_cross_site_frame_is_a_warning_about_the_cookie() {
        let mut f = facts("", "frame-ancestors https://uni.sharepoint.com");
        f.page = url("https://uni.sharepoint.com/sites/study");
        let lines = verdicts(&f);
        assert_eq!(levels(&lines, "iframe"), [Level::Warn]);
        assert!(lines[1].reason.contains("cross-site"), "{}", lines[1]);
        assert!(
            lines[1].reason.contains("https://sharepoint.com")
                || lines[1].reason.contains("https://uni.sharepoint.com")
        );
    }

    #[test]
    fn script_policies_decide_module_and_placeholder() {
        let lines = verdicts(&facts("script-src 'self'", LISTED));
        assert_eq!(levels(&lines, "module"), [Level::Warn]);
        assert!(lines
            .iter()
            .any(|l| l.reason.contains("lacks 'wasm-unsafe-eval'")));
        let lines = verdicts(&facts(
            "script-src https://cdn.example.edu 'wasm-unsafe-eval'",
            LISTED,
        ));
        assert_eq!(levels(&lines, "module"), [Level::Fail]);
        let lines = verdicts(&facts(
            "script-src 'nonce-x' 'strict-dynamic' 'self'",
            LISTED,
        ));
        assert!(levels(&lines, "module").contains(&Level::Fail));
        let lines = verdicts(&facts(
            "default-src 'self' 'wasm-unsafe-eval'; form-action 'self'",
            LISTED,
        ));
        assert_eq!(levels(&lines, "module"), [Level::Warn]);
        assert!(lines.iter().any(|l| l
            .reason
            .contains("form-action ('self') does not allow REDCap at https://redcap.example.edu")));
        // The QR code is a data: image: only a page asking for it needs img-src data:.
        let strict_images =
            "default-src 'self' 'wasm-unsafe-eval'; form-action 'self' https://redcap.example.edu";
        assert_eq!(
            levels(&verdicts(&facts(strict_images, LISTED)), "module"),
            [Level::Ok]
        );
        let mut f = facts(strict_images, LISTED);
        f.shows_qr = true;
        let lines = verdicts(&f);
        assert_eq!(levels(&lines, "module"), [Level::Warn]);
        assert!(lines.iter().any(|l| l
            .reason
            .contains("img-src ('self' 'wasm-unsafe-eval') does not allow data: images")));
        f.policies = Policy::parse_list(&(strict_images.to_owned() + "; img-src 'self' data:"));
        assert_eq!(levels(&verdicts(&f), "module"), [Level::Ok]);
        let mut f = facts("", LISTED);
        f.api_answer = Err("404 Not Found".into());
        f.loads_autoload = false;
        let lines = verdicts(&f);
        assert_eq!(levels(&lines, "module"), [Level::Fail]);
        assert_eq!(levels(&lines, "placeholder"), [Level::Fail, Level::Warn]);
        assert!(lines
            .iter()
            .any(|l| l.reason.contains("redcap-resume-autoload.js")));
    }
}
