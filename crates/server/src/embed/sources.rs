//! A page's Content-Security-Policy read the way a browser applies it to one URL: the
//! policies (several headers, comma-separated lists, `<meta>` ones), a directive's sources in
//! CSP's fallback order, and whether a source list allows a URL (CSP Level 3, "Does url match
//! source list in origin").
//!
//! Every enforced policy must allow a load; a policy without the directive (nor its
//! fallbacks) does not restrict it.

use url::Url;

/// One policy: its directives in order, names in lower case. A repeated directive is
/// ignored, as browsers do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    directives: Vec<(String, Vec<String>)>,
}

impl Policy {
    /// Parses one serialized policy (`name source source; name …`).
    pub fn parse(text: &str) -> Policy {
        let mut directives: Vec<(String, Vec<String>)> = Vec::new();
        for part in text.split(';') {
            let mut words = part.split_ascii_whitespace();
            let Some(name) = words.next() else {
                continue;
            };
            let name = name.to_ascii_lowercase();
            if directives.iter().all(|(n, _)| *n != name) {
                directives.push((name, words.map(str::to_owned).collect()));
            }
        }
        Policy { directives }
    }

    /// The policies of one header value: a comma separates policies (several
    /// `Content-Security-Policy` headers are one comma-separated list).
    pub fn parse_list(value: &str) -> Vec<Policy> {
        value
            .split(',')
            .map(Policy::parse)
            .filter(|p| !p.directives.is_empty())
            .collect()
    }

    /// The sources of the first of `names` the policy has (a fallback list such as
    /// `["frame-src", "child-src", "default-src"]`); `None`: the policy does not restrict it.
    pub fn sources(&self, names: &[&str]) -> Option<&[String]> {
        names.iter().find_map(|name| {
            self.directives
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, s)| s.as_slice())
        })
    }
}

/// Whether `sources` allow `url` on a page (or response) whose own URL is `protected`
/// (what `'self'` and a source without a scheme refer to).
pub fn allows(sources: &[String], url: &Url, protected: &Url) -> bool {
    sources.iter().any(|s| matches(s, url, protected))
}

/// Whether `sources` hold the keyword `word` (`'wasm-unsafe-eval'`), in any letter case.
pub fn has_keyword(sources: &[String], word: &str) -> bool {
    sources.iter().any(|s| s.eq_ignore_ascii_case(word))
}

fn matches(source: &str, url: &Url, protected: &Url) -> bool {
    let source = source.to_ascii_lowercase();
    match source.as_str() {
        "*" => {
            matches!(url.scheme(), "http" | "https" | "ws" | "wss")
                || url.scheme() == protected.scheme()
        }
        "'self'" => matches_self(url, protected),
        // 'none', 'unsafe-inline', nonces, hashes…: no URL is one of them.
        s if s.starts_with('\'') => false,
        s if s.ends_with(':') && !s.contains('/') => {
            scheme_matches(&s[..s.len() - 1], url.scheme())
        }
        s => host_source_matches(s, url, protected),
    }
}

/// CSP's scheme-part match: the same scheme, or the secure variant of it.
fn scheme_matches(source: &str, scheme: &str) -> bool {
    source == scheme
        || matches!(
            (source, scheme),
            ("http", "https") | ("ws", "wss" | "http" | "https") | ("wss", "https")
        )
}

/// `'self'`: the same origin, or the same host and port upgraded from http to https.
fn matches_self(url: &Url, protected: &Url) -> bool {
    if url.origin() == protected.origin() {
        return true;
    }
    let upgraded = matches!(
        (protected.scheme(), url.scheme()),
        ("http", "https" | "wss") | ("ws", "wss")
    );
    upgraded && url.host_str() == protected.host_str() && url.port() == protected.port()
}

/// `[scheme://]host[:port][/path]`, the host possibly starting with `*.`.
fn host_source_matches(source: &str, url: &Url, protected: &Url) -> bool {
    let (scheme, rest) = match source.split_once("://") {
        Some((scheme, rest)) => (scheme, rest),
        None => (protected.scheme(), source),
    };
    if !scheme_matches(scheme, url.scheme()) {
        return false;
    }
    let (host_port, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (host_port, None),
    };
    let Some(url_host) = url.host_str().map(str::to_ascii_lowercase) else {
        return false;
    };
    let host_ok = match host.strip_prefix('*') {
        Some(tail) => tail.starts_with('.') && url_host.ends_with(tail),
        None => url_host == host,
    };
    let port_ok = match port {
        Some("*") => true,
        // Absent: the URL is on its scheme's default port (`Url::port` is then `None`).
        None => url.port().is_none(),
        Some(digits) => digits.parse::<u16>().ok().is_some_and(|p| {
            Some(p) == url.port()
                || (url.port().is_none() && Some(p) == url.port_or_known_default())
        }),
    };
    let path_ok = match path {
        "" => true,
        p if p.ends_with('/') => url.path().starts_with(p),
        p => url.path() == p,
    };
    host_ok && port_ok && path_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn allowed(list: &str, target: &str, page: &str) -> bool {
        let sources: Vec<String> = list.split_whitespace().map(str::to_owned).collect();
        allows(&sources, &url(target), &url(page))
    }

    #[test]
    fn sources_follow_csps_rules() {
        let page = "https://www.example.edu/study";
        for (list, target, expected) in [
            ("'self'", "https://www.example.edu/x", true),
            ("'self'", "https://study.example.edu/x", false),
            ("'self'", "http://www.example.edu/x", false),
            ("'none'", "https://www.example.edu/x", false),
            ("*", "https://anything.example.org/", true),
            ("https:", "https://study.example.edu/", true),
            ("http:", "https://study.example.edu/", true),
            ("https:", "http://study.example.edu/", false),
            ("study.example.edu", "https://study.example.edu/e", true),
            (
                "https://study.example.edu",
                "https://study.example.edu/e",
                true,
            ),
            (
                "http://study.example.edu",
                "https://study.example.edu/e",
                true,
            ),
            (
                "https://study.example.edu",
                "http://study.example.edu/e",
                false,
            ),
            ("https://*.example.edu", "https://study.example.edu/e", true),
            ("https://*.example.edu", "https://example.edu/e", false),
            (
                "https://*.example.edu",
                "https://study.notexample.edu/e",
                false,
            ),
            (
                "https://study.example.edu:8443",
                "https://study.example.edu/e",
                false,
            ),
            (
                "https://study.example.edu:443",
                "https://study.example.edu/e",
                true,
            ),
            (
                "https://study.example.edu:*",
                "https://study.example.edu:8443/e",
                true,
            ),
            (
                "https://study.example.edu",
                "https://study.example.edu:8443/e",
                false,
            ),
            (
                "https://study.example.edu/redcap-resume/",
                "https://study.example.edu/redcap-resume/embed",
                true,
            ),
            (
                "https://study.example.edu/other/",
                "https://study.example.edu/redcap-resume/embed",
                false,
            ),
            (
                "'unsafe-inline' 'nonce-abc'",
                "https://www.example.edu/x",
                false,
            ),
            (
                "'none' https://study.example.edu",
                "https://study.example.edu/",
                true,
            ),
            ("'SELF'", "https://www.example.edu/x", true),
        ] {
            assert_eq!(allowed(list, target, page), expected, "{list} / {target}");
        }
        // 'self' on an http page also takes the https upgrade of the same host and port.
        assert!(allowed("'self'", "https://localhost/", "http://localhost/"));
    }

    #[test]
    fn policies_fall_back_and_split_on_commas() {
        let list = Policy::parse_list(
            "default-src 'self'; frame-src https://a.example.edu, script-src 'none'",
        );
        assert_eq!(list.len(), 2);
        let frame = list[0]
            .sources(&["frame-src", "child-src", "default-src"])
            .unwrap();
        assert_eq!(frame, ["https://a.example.edu"]);
        assert_eq!(
            list[0].sources(&["connect-src", "default-src"]).unwrap(),
            ["'self'"]
        );
        assert!(list[1]
            .sources(&["frame-src", "child-src", "default-src"])
            .is_none());
        // The first of a repeated directive counts; names are case-insensitive.
        let p = Policy::parse("Script-Src 'self'; script-src *");
        assert_eq!(p.sources(&["script-src"]).unwrap(), ["'self'"]);
        assert!(Policy::parse_list(" , ;").is_empty());
        assert!(has_keyword(
            &["'WASM-unsafe-eval'".into()],
            "'wasm-unsafe-eval'"
        ));
    }
}
