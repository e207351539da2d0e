//! Whether a browser shows a response inside a frame of a given parent page: what the
//! *framed* response says decides (its CSP `frame-ancestors`, else its `X-Frame-Options`),
//! never the parent's own headers.
//!
//! As the HTML standard checks it: every enforced policy with `frame-ancestors` must allow
//! the parent's origin, and when any policy has that directive `X-Frame-Options` is ignored.
//! Otherwise `X-Frame-Options`: `DENY` refuses, `SAMEORIGIN` refuses another origin, several
//! different values that include one of those refuse, anything else allows.

use url::Url;

use super::sources::{allows, Policy};

/// Why the response refuses to be framed by that parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// A policy's `frame-ancestors` (its sources, joined) leaves the parent out.
    FrameAncestors(String),
    /// `X-Frame-Options` (its value as sent) refuses it.
    XFrameOptions(String),
}

/// Whether a response at `framed`, sent with enforced `policies` and `x_frame_options`
/// header values, shows in a frame of a page at `parent`.
pub fn may_frame(
    policies: &[Policy],
    x_frame_options: &[String],
    framed: &Url,
    parent: &Url,
) -> Result<(), Refused> {
    let parent_origin = Url::parse(&parent.origin().ascii_serialization()).ok();
    let mut decided_by_csp = false;
    for policy in policies {
        if let Some(sources) = policy.sources(&["frame-ancestors"]) {
            decided_by_csp = true;
            let ok = parent_origin
                .as_ref()
                .is_some_and(|origin| allows(sources, origin, framed));
            if !ok {
                return Err(Refused::FrameAncestors(sources.join(" ")));
            }
        }
    }
    if decided_by_csp {
        return Ok(());
    }
    let sent = x_frame_options.join(", ");
    let mut values: Vec<String> = sent
        .split(',')
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty())
        .collect();
    values.sort();
    values.dedup();
    let refuses = match values.as_slice() {
        [] => false,
        [one] if one == "deny" => true,
        [one] if one == "sameorigin" => framed.origin() != parent.origin(),
        [_] => false,
        many => many
            .iter()
            .any(|v| matches!(v.as_str(), "deny" | "sameorigin" | "allowall")),
    };
    match refuses {
        true => Err(Refused::XFrameOptions(sent)),
        false => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    const FRAMED: &str = "https://study.example.edu/redcap-resume/embed";

    fn check(csp: &str, xfo: &[&str], parent: &str) -> Result<(), Refused> {
        let policies = Policy::parse_list(csp);
        let xfo: Vec<String> = xfo.iter().map(|s| s.to_string()).collect();
        may_frame(&policies, &xfo, &url(FRAMED), &url(parent))
    }

    #[test]
    fn frame_ancestors_decides_and_then_x_frame_options_is_ignored() {
        let csp = "default-src 'self'; frame-ancestors 'self' https://www.example.edu";
        assert_eq!(
            check(csp, &["DENY"], "https://www.example.edu/page"),
            Ok(())
        );
        assert_eq!(check(csp, &[], "https://study.example.edu/other"), Ok(()));
        assert_eq!(
            check(csp, &[], "https://evil.example.org/"),
            Err(Refused::FrameAncestors(
                "'self' https://www.example.edu".into()
            ))
        );
        // A second policy (a proxy's header) must allow it too.
        let two = format!("{csp}, frame-ancestors 'self'");
        assert!(matches!(
            check(&two, &[], "https://www.example.edu/"),
            Err(Refused::FrameAncestors(_))
        ));
    }

    #[test]
    fn without_frame_ancestors_x_frame_options_decides() {
        let other = "https://www.example.edu/";
        let same = "https://study.example.edu/";
        assert_eq!(check("default-src 'self'", &[], other), Ok(()));
        assert_eq!(
            check("", &["DENY"], same),
            Err(Refused::XFrameOptions("DENY".into()))
        );
        assert_eq!(check("", &["SAMEORIGIN"], same), Ok(()));
        assert!(check("", &["sameorigin"], other).is_err());
        assert!(check("", &["SAMEORIGIN", "DENY"], same).is_err());
        assert_eq!(
            check("", &["ALLOW-FROM https://www.example.edu"], other),
            Ok(())
        );
        assert_eq!(check("", &["SAMEORIGIN, SAMEORIGIN"], same), Ok(()));
    }
}
