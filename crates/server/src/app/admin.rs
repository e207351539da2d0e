//! The admin listener (`[metrics] listen`, never the public one): `GET /metrics` for
//! Prometheus and `POST /admin/cache/purge` for `redcap-resume cache purge`.
//!
//! `/metrics` carries no participant data (see [`crate::metrics`]) and answers any peer
//! that reaches the address. The purge answers loopback peers only (127.0.0.0/8, ::1): the
//! operator runs `redcap-resume cache purge` on the server itself; no token is involved.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use metrics_exporter_prometheus::PrometheusHandle;
use redcap_client::RecordId;
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::metrics::ServerGauges;

/// The path of the purge.
pub const PURGE_PATH: &str = "/admin/cache/purge";

/// What the admin routes need.
#[derive(Clone)]
struct Admin {
    state: Arc<AppState>,
    metrics: PrometheusHandle,
}

/// `POST /admin/cache/purge`'s body.
#[derive(Debug, Serialize, Deserialize)]
pub struct PurgeRequest {
    /// The REDCap record id.
    pub record: String,
    /// A configured survey key; absent: every survey.
    #[serde(default)]
    pub survey: Option<String>,
}

/// `POST /admin/cache/purge`'s answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct PurgeAnswer {
    /// Cache entries dropped.
    pub purged: u64,
}

/// Why a purge was refused; each maps to one status in [`IntoResponse`].
#[derive(Debug, thiserror::Error)]
enum AdminError {
    #[error("the cache purge answers loopback peers only")]
    NotLoopback,
    #[error("not a REDCap record id")]
    BadRecord,
    #[error("no survey is configured with this key")]
    UnknownSurvey,
    #[error("the caches are shared on Redis ([shared]) and Redis is unreachable: entries there expire after their time to live")]
    RedisUnreachable,
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let status = match self {
            AdminError::NotLoopback => StatusCode::FORBIDDEN,
            AdminError::BadRecord => StatusCode::BAD_REQUEST,
            AdminError::UnknownSurvey => StatusCode::NOT_FOUND,
            AdminError::RedisUnreachable => StatusCode::SERVICE_UNAVAILABLE,
        };
        (status, self.to_string()).into_response()
    }
}

/// The admin routes (serve them with `ConnectInfo<SocketAddr>`, as
/// [`crate::serve::serve_router`] does).
pub fn admin(state: Arc<AppState>, metrics: PrometheusHandle) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .route(PURGE_PATH, post(purge))
        .with_state(Admin { state, metrics })
}

/// When `[metrics]` is configured: installs the recorder, binds `[metrics] listen` and serves
/// the admin routes there (within the public listener's socket limits) until `shutdown`.
/// Returns the bound address and the serving task; `Ok(None)` without `[metrics]`.
pub async fn start(
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<Option<(SocketAddr, AdminTask)>, String> {
    let Some(config) = state.config.metrics else {
        return Ok(None);
    };
    let handle = crate::metrics::install()?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("metrics.listen = \"{}\": {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let limits = state.config.limits.socket;
    let router = admin(state, handle);
    let task = tokio::spawn(crate::serve::serve_router(
        listener, router, limits, shutdown,
    ));
    Ok(Some((addr, task)))
}

/// The admin listener's serving task.
pub type AdminTask = tokio::task::JoinHandle<std::io::Result<()>>;

async fn scrape(State(admin): State<Admin>) -> Response {
    let servers = admin.state.redcap.servers().iter().map(|s| ServerGauges {
        redcap: s.label().to_owned(),
        budget_remaining: s.budget_remaining(),
        breaker_open: s.breaker_open(),
    });
    let text = crate::metrics::render(&admin.metrics, servers);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

async fn purge(
    State(admin): State<Admin>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(asked): Json<PurgeRequest>,
) -> Result<Json<PurgeAnswer>, AdminError> {
    if !peer.ip().to_canonical().is_loopback() {
        return Err(AdminError::NotLoopback);
    }
    let record = RecordId::parse(&asked.record).map_err(|_| AdminError::BadRecord)?;
    let survey = match &asked.survey {
        Some(key) => Some(
            admin
                .state
                .config
                .surveys
                .iter()
                .find(|s| s.key.as_str() == key)
                .ok_or(AdminError::UnknownSurvey)?,
        ),
        None => None,
    };
    let purged = admin
        .state
        .redcap
        .purge(&record, survey)
        .await
        .ok_or(AdminError::RedisUnreachable)?;
    tracing::info!(
        survey = asked.survey.as_deref().unwrap_or("*"),
        purged,
        "cache purged for one record"
    );
    Ok(Json(PurgeAnswer { purged }))
}
