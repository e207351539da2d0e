//! Cross-site protection for every API route.
//!
//! A request must carry `X-CSRF: 1` (a custom header: a cross-site page cannot send it
//! without a CORS preflight, which this server never approves). Fetch Metadata must say
//! `same-origin`; when the browser sends none, an `Origin` from the allow-list is required.
//! An `Origin` that is present must be allowed (`null` never is). No CORS headers are ever set.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use redcap_resume_contract::CSRF_HEADER;

use crate::error::Failure;

/// Which page origins may call the API.
#[derive(Debug, Clone, Default)]
pub struct OriginPolicy {
    /// Serialized origins (`https://study.example.edu`). When empty, only the server's own
    /// origin (from the `Host` header) is allowed.
    pub allowed: Vec<String>,
}

impl OriginPolicy {
    pub fn check(&self, headers: &HeaderMap) -> Result<(), Failure> {
        if headers.get(CSRF_HEADER).map(|v| v.as_bytes()) != Some(b"1") {
            return Err(Failure::Forbidden("missing X-CSRF: 1"));
        }
        let origin = match headers.get(header::ORIGIN) {
            None => None,
            Some(v) => Some(
                v.to_str()
                    .map_err(|_| Failure::Forbidden("unreadable Origin"))?,
            ),
        };
        if let Some(origin) = origin {
            if !self.allows(origin, headers) {
                return Err(Failure::Forbidden("Origin not allowed"));
            }
        }
        match headers.get("sec-fetch-site").map(|v| v.as_bytes()) {
            Some(b"same-origin") => Ok(()),
            Some(_) => Err(Failure::Forbidden("Sec-Fetch-Site is not same-origin")),
            None if origin.is_some() => Ok(()),
            None => Err(Failure::Forbidden("neither Sec-Fetch-Site nor Origin")),
        }
    }

    fn allows(&self, origin: &str, headers: &HeaderMap) -> bool {
        if origin == "null" {
            return false;
        }
        if !self.allowed.is_empty() {
            return self.allowed.iter().any(|a| a == origin);
        }
        // Same origin as the server itself.
        let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
            return false;
        };
        origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .is_some_and(|rest| rest.eq_ignore_ascii_case(host))
    }
}

/// The middleware form of [`OriginPolicy::check`].
pub async fn cross_site_guard(
    State(policy): State<Arc<OriginPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    match policy.check(request.headers()) {
        Ok(()) => next.run(request).await,
        Err(failure) => failure.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("study.example.edu"));
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn the_table() {
        let allow = OriginPolicy {
            allowed: vec!["https://study.example.edu".into()],
        };
        let own = OriginPolicy::default();
        type Case<'a> = (&'a OriginPolicy, &'a [(&'static str, &'static str)], bool);
        let cases: &[Case] = &[
            (
                &allow,
                &[("x-csrf", "1"), ("sec-fetch-site", "same-origin")],
                true,
            ),
            (&allow, &[("sec-fetch-site", "same-origin")], false),
            (
                &allow,
                &[("x-csrf", "0"), ("sec-fetch-site", "same-origin")],
                false,
            ),
            (
                &allow,
                &[("x-csrf", "1"), ("sec-fetch-site", "cross-site")],
                false,
            ),
            (
                &allow,
                &[("x-csrf", "1"), ("sec-fetch-site", "same-site")],
                false,
            ),
            (
                &allow,
                &[("x-csrf", "1"), ("sec-fetch-site", "none")],
                false,
            ),
            (
                &allow,
                &[("x-csrf", "1"), ("origin", "https://study.example.edu")],
                true,
            ),
            (
                &allow,
                &[("x-csrf", "1"), ("origin", "https://evil.example")],
                false,
            ),
            (&allow, &[("x-csrf", "1"), ("origin", "null")], false),
            (
                &allow,
                &[
                    ("x-csrf", "1"),
                    ("origin", "https://study.example.edu"),
                    ("sec-fetch-site", "cross-site"),
                ],
                false,
            ),
            (
                &allow,
                &[
                    ("x-csrf", "1"),
                    ("origin", "https://evil.example"),
                    ("sec-fetch-site", "same-origin"),
                ],
                false,
            ),
            (&allow, &[("x-csrf", "1")], false),
            (
                &own,
                &[("x-csrf", "1"), ("origin", "https://study.example.edu")],
                true,
            ),
            (
                &own,
                &[
                    ("x-csrf", "1"),
                    ("origin", "https://study.example.edu.evil.example"),
                ],
                false,
            ),
            (&own, &[("x-csrf", "1"), ("origin", "null")], false),
        ];
        for (policy, pairs, ok) in cases {
            assert_eq!(policy.check(&headers(pairs)).is_ok(), *ok, "{pairs:?}");
        }
    }
}
