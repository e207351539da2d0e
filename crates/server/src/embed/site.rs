//! "Same site" as browsers decide it for `SameSite` cookies: the same scheme and the same
//! registrable domain (the public suffix, from the Public Suffix List, plus one label).
//! `www.example.edu` and `study.example.edu` are one site; `a.github.io` and `b.github.io`,
//! or `canvas.instructure.com` and `study.example.edu`, are not. Ports do not count.

use url::{Host, Url};

/// The site of `url`, like `https://example.edu` (an IP address or a host without a
/// registrable domain, such as `localhost`, is its own site).
pub fn site(url: &Url) -> Option<String> {
    let host = match url.host()? {
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            psl::domain_str(&name).map(str::to_owned).unwrap_or(name)
        }
        Host::Ipv4(ip) => ip.to_string(),
        Host::Ipv6(ip) => format!("[{ip}]"),
    };
    Some(format!("{}://{host}", url.scheme()))
}

/// Whether pages at `a` and `b` are on the same site.
pub fn same_site(a: &Url, b: &Url) -> bool {
    site(a).is_some_and(|s| Some(s) == site(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        same_site(&Url::parse(a).unwrap(), &Url::parse(b).unwrap())
    }

    #[test]
    fn registrable_domains_decide() {
        assert!(same(
            "https://www.example.edu/",
            "https://study.example.edu/x"
        ));
        assert!(same(
            "https://example.edu/",
            "https://a.b.example.edu:8443/"
        ));
        assert!(same(
            "http://www.example.test:4000/",
            "http://resume.example.test:4001/"
        ));
        assert!(same("http://127.0.0.1:1/", "http://127.0.0.1:2/"));
        assert!(!same("https://www.example.edu/", "http://www.example.edu/"));
        assert!(!same(
            "https://canvas.instructure.com/",
            "https://study.example.edu/"
        ));
        assert!(!same("https://a.github.io/", "https://b.github.io/"));
        assert!(same(
            "https://www.example.ac.uk/",
            "https://study.example.ac.uk/"
        ));
        assert!(!same("https://one.ac.uk/", "https://two.ac.uk/"));
        assert!(!same("http://localhost:1/", "http://127.0.0.1:1/"));
        assert_eq!(
            site(&Url::parse("https://WWW.Example.EDU./").unwrap()).as_deref(),
            Some("https://example.edu")
        );
    }
}
