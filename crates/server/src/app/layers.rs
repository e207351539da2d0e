//! What wraps every request. Library layers where they exist: tower-http's
//! `SetSensitiveRequestHeadersLayer` (credentials never reach a log), `TraceLayer` (one line
//! per request) and `SetResponseHeaderLayer` (fixed headers); tower's load shedding,
//! concurrency limit and timeout. Only what no library provides is written here: the
//! request-size limit, the CSP on pages (by path), and the cross-site guard (`crate::guard`).

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{BoxError, Router};
use redcap_resume_contract::ErrorCode;
use tower::ServiceBuilder;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::error::Failure;

/// The strict policy the embedding page is served with (and that the widget must work under).
pub use crate::embed::csp::STRICT_CSP;
/// Requests larger than this are refused (the API takes no body).
pub const MAX_BODY: usize = 16 * 1024;
/// All request headers together may not exceed this.
const MAX_HEADER_BYTES: usize = 16 * 1024;
/// How much of a path a log line keeps.
const LOGGED_PATH_CHARS: usize = 120;

/// Every API answer: never cached (`Cache-Control: no-store`, `Pragma: no-cache`).
pub fn no_store<S>(router: Router<S>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.layer(
        ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::PRAGMA,
                HeaderValue::from_static("no-cache"),
            )),
    )
}

/// Every answer of this server: credentials marked sensitive, then one log line per request
/// (method, path without the query — a ticket there must not be logged — status, time taken
/// in ms, and the contract error code or `-`), and `nosniff` and `no-referrer` on the answer.
/// `also_sensitive` adds a header to the credentials (header mode's SSO header).
pub fn hardened<S>(router: Router<S>, also_sensitive: Option<HeaderName>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let sensitive: Vec<HeaderName> = [header::AUTHORIZATION, header::COOKIE]
        .into_iter()
        .chain(also_sensitive)
        .collect();
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            let path: String = request
                .uri()
                .path()
                .chars()
                .take(LOGGED_PATH_CHARS)
                .collect();
            tracing::info_span!("request", method = %request.method(), path = %path)
        })
        .on_request(())
        .on_response(
            |response: &Response, latency: Duration, _: &tracing::Span| {
                let code = response
                    .extensions()
                    .get::<ErrorCode>()
                    .map(|c| c.as_str())
                    .unwrap_or("-");
                tracing::info!(
                    status = response.status().as_u16(),
                    ms = latency.as_millis() as u64,
                    code,
                    "request"
                );
            },
        )
        .on_body_chunk(())
        .on_eos(())
        .on_failure(());
    router.layer(
        ServiceBuilder::new()
            .layer(SetSensitiveRequestHeadersLayer::new(sensitive))
            .layer(trace)
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            )),
    )
}

/// HTML pages of the widget are served under the strict CSP the element must work with
/// (`csp`: with the `[embed] frame_ancestors`, see `crate::embed::csp`).
pub async fn strict_csp_on_pages(
    State(csp): State<HeaderValue>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if path.ends_with(".html") || path.ends_with('/') {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// Oversized requests are refused before anything reads them.
pub async fn limit_request_size(request: Request, next: Next) -> Response {
    let size: usize = request
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if size > MAX_HEADER_BYTES || request.uri().to_string().len() > MAX_HEADER_BYTES {
        return (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request headers too large",
        )
            .into_response();
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    }
    next.run(request).await
}

/// The answer when the request timed out, or was shed because too many run at once.
pub async fn overloaded(error: BoxError) -> Response {
    if error.is::<tower::timeout::error::Elapsed>() {
        Failure::UpstreamUnavailable {
            cause: "request timed out".into(),
            retry_after: Duration::from_secs(30),
        }
        .into_response()
    } else if error.is::<tower::load_shed::error::Overloaded>() {
        Failure::UpstreamUnavailable {
            cause: "server overloaded (load shed)".into(),
            retry_after: Duration::from_secs(5),
        }
        .into_response()
    } else {
        Failure::Internal(format!("unhandled: {error}")).into_response()
    }
}
