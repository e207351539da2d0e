//! The Content-Security-Policy of the pages this server sends: the strict policy the element
//! must work under, with `frame-ancestors` taken from `[embed] frame_ancestors`.

use axum::http::HeaderValue;

use crate::config::FrameAncestor;

/// The strict policy with only this server's own pages as frame ancestors (no `[embed]`).
pub const STRICT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

/// [`STRICT_CSP`] with each configured frame ancestor added after `'self'`.
pub fn page_csp(frame_ancestors: &[FrameAncestor]) -> String {
    let mut csp = STRICT_CSP.to_owned();
    for source in frame_ancestors {
        csp.push(' ');
        csp.push_str(&source.to_string());
    }
    csp
}

/// [`page_csp`] as a header value. Sources are validated ASCII origins, so it always is one.
pub fn page_csp_header(frame_ancestors: &[FrameAncestor]) -> HeaderValue {
    HeaderValue::from_str(&page_csp(frame_ancestors))
        .unwrap_or_else(|_| HeaderValue::from_static(STRICT_CSP))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_ancestors_is_the_last_directive_so_sources_extend_it() {
        assert!(STRICT_CSP.ends_with("; frame-ancestors 'self'"));
        let csp = page_csp(&[
            FrameAncestor::parse("https://www.example.edu").unwrap(),
            FrameAncestor::parse("https://*.example.edu").unwrap(),
        ]);
        assert!(
            csp.ends_with("; frame-ancestors 'self' https://www.example.edu https://*.example.edu"),
            "{csp}"
        );
        assert_eq!(page_csp(&[]), STRICT_CSP);
    }
}
