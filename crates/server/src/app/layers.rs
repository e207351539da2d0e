//! What wraps every request: the fixed security headers, request logs, size and load limits,
//! the strict CSP on pages.

use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::BoxError;
use redcap_resume_contract::ErrorCode;
use tokio::time::Instant;

use super::STRICT_CSP;
use crate::error::Failure;

/// Requests larger than this are refused (the API takes no body).
pub const MAX_BODY: usize = 16 * 1024;
/// All request headers together may not exceed this.
const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Every API answer: never cached, never sniffed.
pub async fn api_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// Every answer of this server.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// HTML pages of the widget are served under the strict CSP the element must work with.
pub async fn strict_csp_on_pages(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if path.ends_with(".html") || path.ends_with('/') {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(STRICT_CSP),
        );
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

/// One log line per request: method, path (no query: a ticket there must not be logged),
/// status, time taken, and the contract error code if any.
pub async fn log_requests(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path: String = request.uri().path().chars().take(120).collect();
    let started = Instant::now();
    let response = next.run(request).await;
    let code = response
        .extensions()
        .get::<ErrorCode>()
        .map(|c| c.as_str())
        .unwrap_or("-");
    tracing::info!(%method, %path, status = response.status().as_u16(), ms = started.elapsed().as_millis() as u64, code, "request");
    response
}
