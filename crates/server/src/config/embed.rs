//! `[embed]`: who may show the hosted page (`{base}/embed?survey=KEY`) in a frame, and where
//! that page loads the widget files from.
//!
//! ```toml
//! [embed]
//! frame_ancestors = ["https://www.example.edu", "https://*.example.edu"]
//! widget_path = "/redcap-resume/"   # optional
//! ```
//!
//! Each `frame_ancestors` entry becomes a source of the hosted page's CSP `frame-ancestors`,
//! after `'self'` (which is always there). Accepted: an origin, `scheme://host[:port]`, with
//! `http` or `https`; or CSP's one wildcard for hosts, a leftmost `*.` label
//! (`https://*.example.edu` matches `https://www.example.edu`, not `https://example.edu`).
//! Refused, so that a typo never opens the page to every site: paths, queries, `*` alone,
//! scheme-only sources (`https:`), keywords (`'none'`, `'self'`), port wildcards (`:*`), a
//! wildcard anywhere but the leftmost label or over a public suffix of one label (`*.edu`).

use std::fmt;

use serde::Deserialize;
use url::Url;

use super::error::{invalid, ConfigError};

/// The validated `[embed]` table; the default (no table) lets only this server's own pages
/// frame the hosted page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmbedConfig {
    /// Other origins whose pages may frame the hosted page, in the file's order.
    pub frame_ancestors: Vec<FrameAncestor>,
    /// Where the hosted page loads `redcap-resume.js` and its files from, a path on this
    /// server's origin ending in `/`; `None`: see [`super::Config::widget_path`].
    pub widget_path: Option<String>,
}

/// One `frame_ancestors` entry: an origin, or a `*.`-wildcard over its host's leftmost label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameAncestor {
    scheme: String,
    /// The host in lower case; with `wildcard`, the part after `*.`.
    host: String,
    wildcard: bool,
    /// The explicit port, when the entry names one that is not the scheme's default.
    port: Option<u16>,
}

impl FrameAncestor {
    /// Parses one entry; the error says why it is refused.
    pub fn parse(text: &str) -> Result<FrameAncestor, String> {
        let (scheme, rest) = text.split_once("://").ok_or_else(|| {
            format!("`{text}` must be an origin like https://www.example.edu (scheme, host, optional port)")
        })?;
        if scheme != "https" && scheme != "http" {
            return Err(format!(
                "`{text}`: only http and https origins can frame a page"
            ));
        }
        let (wildcard, without) = match rest.strip_prefix("*.") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        if without.contains('*') {
            return Err(format!(
                "`{text}`: CSP allows `*` only as the leftmost label of a host (https://*.example.edu)"
            ));
        }
        let url = Url::parse(&format!("{scheme}://{without}"))
            .map_err(|e| format!("`{text}` is not an origin ({e})"))?;
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| format!("`{text}` has no host"))?;
        if url.path() != "/"
            || rest.trim_end_matches('/').contains('/')
            || url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
        {
            return Err(format!("`{text}` must be an origin only, without a path"));
        }
        if wildcard && !host.contains('.') {
            return Err(format!(
                "`{text}`: a wildcard needs at least two labels after `*.` (like *.example.edu)"
            ));
        }
        Ok(FrameAncestor {
            scheme: scheme.to_owned(),
            host: host.to_owned(),
            wildcard,
            port: url.port(),
        })
    }

    /// Whether a page at `url` (its origin) is this entry, as a browser would match the CSP
    /// source: same scheme (an `http` entry also matches `https`, as CSP upgrades), the host
    /// itself or, for a wildcard, any host ending in `.host`, and the same port.
    pub fn matches(&self, url: &Url) -> bool {
        let scheme_ok =
            url.scheme() == self.scheme || (self.scheme == "http" && url.scheme() == "https");
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.to_ascii_lowercase();
        let host_ok = match self.wildcard {
            true => host
                .strip_suffix(&self.host)
                .is_some_and(|head| head.len() > 1 && head.ends_with('.')),
            false => host == self.host,
        };
        let default_port = |s: &str| if s == "https" { 443 } else { 80 };
        let port_ok = url.port_or_known_default()
            == Some(self.port.unwrap_or_else(|| default_port(url.scheme())));
        scheme_ok && host_ok && port_ok
    }
}

impl fmt::Display for FrameAncestor {
    /// The CSP source expression, like `https://*.example.edu:8443`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let star = if self.wildcard { "*." } else { "" };
        write!(f, "{}://{star}{}", self.scheme, self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEmbed {
    #[serde(default)]
    frame_ancestors: Vec<String>,
    widget_path: Option<String>,
}

impl RawEmbed {
    pub(super) fn validate(self) -> Result<EmbedConfig, ConfigError> {
        let frame_ancestors = self
            .frame_ancestors
            .iter()
            .enumerate()
            .map(|(i, text)| {
                FrameAncestor::parse(text.trim())
                    .map_err(|reason| invalid(format!("embed.frame_ancestors[{i}]"), reason))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let widget_path = self
            .widget_path
            .map(|p| {
                let ok = p.starts_with('/')
                    && p.ends_with('/')
                    && !p.contains("//")
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "/-_.~".contains(c))
                    && !p.split('/').any(|s| s == "..");
                ok.then_some(p).ok_or_else(|| {
                    invalid(
                        "embed.widget_path",
                        "must be a path on this server's origin ending in `/`, like \"/redcap-resume/\"",
                    )
                })
            })
            .transpose()?;
        Ok(EmbedConfig {
            frame_ancestors,
            widget_path,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_leftmost_wildcards_are_accepted_and_printed_as_csp_sources() {
        for (text, csp) in [
            ("https://www.example.edu", "https://www.example.edu"),
            ("https://WWW.Example.edu/", "https://www.example.edu"),
            ("https://*.example.edu", "https://*.example.edu"),
            (
                "http://portal.example.test:8080",
                "http://portal.example.test:8080",
            ),
            ("https://www.example.edu:443", "https://www.example.edu"),
        ] {
            assert_eq!(
                FrameAncestor::parse(text).unwrap().to_string(),
                csp,
                "{text}"
            );
        }
    }

    #[test]
    fn anything_broader_or_with_a_path_is_refused() {
        for text in [
            "*",
            "https:",
            "https://",
            "'self'",
            "'none'",
            "www.example.edu",
            "ftp://www.example.edu",
            "https://www.example.edu/studies",
            "https://www.example.edu/?a=1",
            "https://www.*.edu",
            "https://*.*.example.edu",
            "https://*.edu",
            "https://www.example.edu:*",
            "https://user@www.example.edu",
        ] {
            assert!(FrameAncestor::parse(text).is_err(), "{text} was accepted");
        }
    }

    #[test]
    fn matching_follows_csp_host_sources() {
        let url = |s: &str| Url::parse(s).unwrap();
        let exact = FrameAncestor::parse("https://www.example.edu").unwrap();
        assert!(exact.matches(&url("https://www.example.edu/page?x=1")));
        assert!(!exact.matches(&url("http://www.example.edu/")));
        assert!(!exact.matches(&url("https://www.example.edu:8443/")));
        assert!(!exact.matches(&url("https://evil.example.edu/")));
        let wild = FrameAncestor::parse("https://*.example.edu").unwrap();
        assert!(wild.matches(&url("https://a.b.example.edu/")));
        assert!(!wild.matches(&url("https://example.edu/")));
        assert!(!wild.matches(&url("https://notexample.edu/")));
        let plain = FrameAncestor::parse("http://portal.example.test:8080").unwrap();
        assert!(plain.matches(&url("http://portal.example.test:8080/x")));
        assert!(!plain.matches(&url("http://portal.example.test/x")));
    }

    #[test]
    fn a_bad_entry_names_its_index() {
        let raw = RawEmbed {
            frame_ancestors: vec!["https://ok.example.edu".into(), "*".into()],
            widget_path: None,
        };
        let err = raw.validate().unwrap_err().to_string();
        assert!(err.contains("embed.frame_ancestors[1]"), "{err}");
    }

    #[test]
    fn widget_path_is_a_folder_on_this_origin() {
        for (path, ok) in [
            ("/redcap-resume/", true),
            ("/", true),
            ("/redcap-resume", false),
            ("https://cdn.example.edu/", false),
            ("//cdn.example.edu/", false),
            ("/a/../b/", false),
        ] {
            let raw = RawEmbed {
                frame_ancestors: vec![],
                widget_path: Some(path.into()),
            };
            assert_eq!(raw.validate().is_ok(), ok, "{path}");
        }
    }
}
