//! The assembled HTTP application: `app(state)` builds every route and layer.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{BoxError, Json, Router};
use redcap_client::RecordId;
use redcap_resume_contract::ErrorCode;
use tokio::time::Instant;
use tower::ServiceBuilder;

use crate::audit::{AuditLog, AuditLost, Outcome};
use crate::client_ip::client_ip;
use crate::config::Config;
use crate::error::Failure;
use crate::guard::{cross_site_guard, OriginPolicy};
use crate::limits::RequestLimits;
use crate::participant::{Authenticator, Identity};
use crate::resume::Resumer;
use crate::survey_key::SurveyKey;
use crate::upstream::build_projects;

/// The strict policy the embedding page is served with (and that the widget must work under).
pub const STRICT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";
/// Requests larger than this are refused (the API takes no body).
const MAX_BODY: usize = 16 * 1024;
/// All request headers together may not exceed this.
const MAX_HEADER_BYTES: usize = 16 * 1024;
const READY_TTL: Duration = Duration::from_secs(10);

/// Everything a request needs, built once from the configuration.
pub struct AppState {
    pub config: Arc<Config>,
    pub resumer: Resumer,
    pub auth: Authenticator,
    pub limits: RequestLimits,
    pub audit: Option<AuditLog>,
    /// The longest a whole answer may take: the slowest configured REDCap's timeout.
    deadline: Duration,
    ready: Mutex<Option<(Instant, bool)>>,
}

impl AppState {
    pub fn new(config: Config) -> Result<Arc<Self>, String> {
        let projects = build_projects(&config.projects)?;
        let resumer = Resumer::new(config.surveys.clone(), projects);
        let auth = Authenticator::new(config.auth.clone())?;
        let limits = RequestLimits::new(
            config.limits.per_participant_per_minute,
            config.limits.per_ip_per_minute,
        );
        let audit = match &config.audit {
            Some(a) => Some(AuditLog::open(&a.path, a.fail_closed).map_err(|e| {
                format!(
                    "audit.path: cannot open {} for appending: {e}",
                    a.path.display()
                )
            })?),
            None => None,
        };
        let deadline = config
            .projects
            .values()
            .map(|p| p.timeout)
            .max()
            .unwrap_or(Duration::from_secs(8));
        Ok(Arc::new(Self {
            config: Arc::new(config),
            resumer,
            auth,
            limits,
            audit,
            deadline,
            ready: Mutex::new(None),
        }))
    }

    /// Forgets idle rate-limit keys; the server calls this every minute.
    pub fn housekeeping(&self) {
        self.limits.per_participant.forget_idle();
        self.limits.per_ip.forget_idle();
    }
}

/// Builds the router: the API under the base path, health checks, and the widget files.
pub fn app(state: Arc<AppState>) -> Router {
    let policy = Arc::new(OriginPolicy {
        allowed: state.config.allowed_origins.clone(),
    });
    let api = Router::new()
        .route("/surveys", get(list_surveys))
        .route("/surveys/{key}", get(one_survey))
        .fallback(|| async { Failure::UnknownSurvey })
        .layer(from_fn_with_state(policy, cross_site_guard))
        .layer(from_fn(api_headers));

    let mut router = Router::new()
        .nest(&state.config.base_path, api)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz));
    if let Some(dir) = &state.config.public_dir {
        let files = tower_http::services::ServeDir::new(dir).append_index_html_on_directories(true);
        router = router
            .fallback_service(files)
            .layer(from_fn(strict_csp_on_pages));
    }
    router
        .layer(
            ServiceBuilder::new()
                .layer(from_fn(log_requests))
                .layer(from_fn(security_headers))
                .layer(HandleErrorLayer::new(overloaded))
                .load_shed()
                .concurrency_limit(state.config.limits.max_concurrent_requests)
                .timeout(state.config.limits.request_timeout)
                .layer(from_fn(limit_request_size)),
        )
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// The peer's socket address (absent when driven without a socket, as in `oneshot` tests).
struct Peer(SocketAddr);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0)
            .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
        Ok(Peer(addr))
    }
}

/// The checks every API request passes before REDCap is asked anything.
async fn admit(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    ip: IpAddr,
) -> Result<RecordId, Failure> {
    state
        .limits
        .per_ip
        .check(&ip)
        .map_err(|retry_after| Failure::RateLimited {
            who: "client ip",
            retry_after,
        })?;
    let identity = state.auth.identify(headers, peer)?;
    state
        .limits
        .per_participant
        .check(&identity.limit_key())
        .map_err(|retry_after| Failure::RateLimited {
            who: "participant",
            retry_after,
        })?;
    match identity {
        Identity::Record(record) => Ok(record),
        Identity::Lookup(value) => {
            let lookup = state
                .config
                .auth
                .lookup
                .as_ref()
                .ok_or(Failure::Internal("lookup without configuration".into()))?;
            let project = state
                .resumer
                .project(&lookup.project)
                .ok_or(Failure::Internal("lookup project missing".into()))?;
            within_deadline(
                state,
                project.find_record(&lookup.field, &value, &lookup.record_id_field),
            )
            .await
        }
    }
}

async fn within_deadline<T>(
    state: &AppState,
    work: impl std::future::Future<Output = Result<T, Failure>>,
) -> Result<T, Failure> {
    tokio::time::timeout(state.deadline, work)
        .await
        .unwrap_or_else(|_| {
            Err(Failure::UpstreamUnavailable {
                cause: "REDCap did not answer in time".into(),
                retry_after: Duration::from_secs(30),
            })
        })
}

async fn one_survey(
    State(state): State<Arc<AppState>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let ip = client_ip(peer, &headers, &state.config.auth.trusted_proxies);
    // The key as sent, not percent-decoded: an encoded spelling is not a key.
    let raw_key = uri.path().rsplit('/').next().unwrap_or_default();
    let survey_label: String = raw_key.chars().take(SurveyKey::MAX_LEN).collect();
    let mut record_seen: Option<RecordId> = None;
    let result = async {
        let record = admit(&state, &headers, peer, ip).await?;
        record_seen = Some(record.clone());
        let key = SurveyKey::parse(raw_key).map_err(|_| Failure::UnknownSurvey)?;
        within_deadline(&state, state.resumer.answer(&record, key.as_str())).await
    }
    .await;
    let outcome = result.as_ref().map_or(Outcome::Refused, Outcome::of);
    let error_code = result.as_ref().err().map(|f| f.code().as_str());
    let record = record_seen.as_ref().map(RecordId::as_str);
    let audited = state.audit.as_ref().map_or(Ok(()), |audit| {
        audit.record(&survey_label, record, outcome, error_code, ip)
    });
    respond(result, audited)
}

async fn list_surveys(
    State(state): State<Arc<AppState>>,
    Peer(peer): Peer,
    headers: HeaderMap,
) -> Response {
    let ip = client_ip(peer, &headers, &state.config.auth.trusted_proxies);
    let mut record_seen: Option<RecordId> = None;
    let result = async {
        let record = admit(&state, &headers, peer, ip).await?;
        record_seen = Some(record.clone());
        within_deadline(&state, state.resumer.list(&record)).await
    }
    .await;
    let record = record_seen.as_ref().map(RecordId::as_str);
    let audited = state.audit.as_ref().map_or(Ok(()), |audit| match &result {
        Ok(list) => list
            .surveys
            .iter()
            .try_for_each(|a| audit.record(&a.key, record, Outcome::of(a), None, ip)),
        Err(f) => audit.record("*", record, Outcome::Refused, Some(f.code().as_str()), ip),
    });
    respond(result, audited)
}

/// The answer, once its audit lines are written: when a line was lost and the log is
/// fail-closed, no code leaves.
fn respond<T: serde::Serialize>(
    result: Result<T, Failure>,
    audited: Result<(), AuditLost>,
) -> Response {
    match result {
        Ok(_) if audited.is_err() => {
            Failure::Internal("audit log not writable (fail_closed)".into()).into_response()
        }
        Ok(answer) => Json(answer).into_response(),
        Err(failure) => failure.into_response(),
    }
}

/// 200 when every configured REDCap answers (asked at most every 10 s), else 503.
async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let cached = *state.ready.lock().unwrap_or_else(|e| e.into_inner());
    let ready = match cached {
        Some((at, ready)) if at.elapsed() < READY_TTL => ready,
        _ => {
            let mut seen = std::collections::HashSet::new();
            let mut ready = true;
            for project in state.resumer.projects() {
                if !seen.insert(project.server().label.clone()) {
                    continue;
                }
                if project.server().breaker_open() || project.ping().await.is_err() {
                    ready = false;
                }
            }
            *state.ready.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), ready));
            ready
        }
    };
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(serde_json::json!({ "ready": ready }))).into_response()
}

/// Every API answer: never cached, never sniffed.
async fn api_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// Every answer of this server.
pub(crate) async fn security_headers(request: Request, next: Next) -> Response {
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
async fn strict_csp_on_pages(request: Request, next: Next) -> Response {
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
async fn limit_request_size(request: Request, next: Next) -> Response {
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

async fn overloaded(error: BoxError) -> Response {
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
pub(crate) async fn log_requests(request: Request, next: Next) -> Response {
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
