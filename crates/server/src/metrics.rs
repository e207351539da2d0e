//! Prometheus metrics: names and labels are part of the contract (DESIGN.md, "Metrics").
//!
//! Recorded through the `metrics` facade; [`install`] sets up the Prometheus recorder once per
//! process (only when `[metrics]` is configured: without it every call here is a no-op) and
//! [`render`] writes the text exposition format for `GET /metrics` on the admin listener.
//!
//! | name | labels | what |
//! |---|---|---|
//! | `redcap_resume_http_requests_total` | `route`, `status` | answers of the public listener |
//! | `redcap_resume_http_request_duration_seconds` | `route` | their time, histogram |
//! | `redcap_resume_upstream_requests_total` | `redcap`, `content`, `outcome` | calls REDCap received |
//! | `redcap_resume_upstream_request_duration_seconds` | `redcap`, `content` | their time, histogram |
//! | `redcap_resume_upstream_budget_remaining` | `redcap` | calls left in the current minute |
//! | `redcap_resume_breaker_open` | `redcap` | 1 while calls are paused, else 0 |
//! | `redcap_resume_cache_requests_total` | `result` = `hit`/`miss` | cache look-ups |
//! | `redcap_resume_audit_write_failures_total` | | audit lines lost |
//! | `process_resident_memory_bytes`, `process_cpu_seconds_total`, … | | [`crate::process`] |
//!
//! Label values come from a closed set or from the configuration — `route` is the matched
//! route template (`/redcap-resume/api/surveys/{key}`, else `unmatched`), `redcap` the REDCap
//! server's configured API URL, `content` a REDCap `content` name — never from a record id, a
//! code, a token or a raw path.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use redcap_client::{CallEvent, CallObserver};

pub const HTTP_REQUESTS: &str = "redcap_resume_http_requests_total";
pub const HTTP_DURATION: &str = "redcap_resume_http_request_duration_seconds";
pub const UPSTREAM_REQUESTS: &str = "redcap_resume_upstream_requests_total";
pub const UPSTREAM_DURATION: &str = "redcap_resume_upstream_request_duration_seconds";
pub const BUDGET_REMAINING: &str = "redcap_resume_upstream_budget_remaining";
pub const BREAKER_OPEN: &str = "redcap_resume_breaker_open";
pub const CACHE_REQUESTS: &str = "redcap_resume_cache_requests_total";
pub const AUDIT_FAILURES: &str = "redcap_resume_audit_write_failures_total";

/// The `route` of a request no route template matched (widget files, unknown paths).
pub const UNMATCHED: &str = "unmatched";

/// Histogram buckets, in seconds: from a cache hit to REDCap's slowest allowed answer.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// Installs the process-wide Prometheus recorder (the first call does; later calls return the
/// same handle). `Err` when another recorder was installed first.
pub fn install() -> Result<PrometheusHandle, String> {
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .and_then(|b| b.install_recorder())
                .map_err(|e| format!("cannot install the metrics recorder: {e}"))
                .inspect(|_| {
                    // Series an alert or a ratio reads exist from the start, at 0.
                    ::metrics::counter!(AUDIT_FAILURES).absolute(0);
                    for result in ["hit", "miss"] {
                        ::metrics::counter!(CACHE_REQUESTS, "result" => result).absolute(0);
                    }
                })
        })
        .clone()
}

/// One REDCap server's gauges at scrape time.
#[derive(Debug, Clone)]
pub struct ServerGauges {
    /// The REDCap server's label (its origin, as in the `redcap` label of every metric).
    pub redcap: String,
    /// Calls left in the current window (`None` with `[shared]`: the budget is on Redis).
    pub budget_remaining: Option<usize>,
    /// Whether its breaker is open (no call goes out).
    pub breaker_open: bool,
}

/// The metrics in Prometheus' text format, after setting the gauges of each REDCap server.
pub fn render(
    handle: &PrometheusHandle,
    servers: impl IntoIterator<Item = ServerGauges>,
) -> String {
    for server in servers {
        if let Some(remaining) = server.budget_remaining {
            ::metrics::gauge!(BUDGET_REMAINING, "redcap" => server.redcap.clone())
                .set(remaining as f64);
        }
        ::metrics::gauge!(BREAKER_OPEN, "redcap" => server.redcap).set(if server.breaker_open {
            1.0
        } else {
            0.0
        });
    }
    crate::process::record();
    handle.render()
}

/// Middleware: counts and times every answer by matched route template and status.
pub async fn track_http(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str())
        .filter(|p| !p.contains("__private__"))
        .unwrap_or(UNMATCHED)
        .to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    ::metrics::counter!(HTTP_REQUESTS, "route" => route.clone(), "status" => status).increment(1);
    ::metrics::histogram!(HTTP_DURATION, "route" => route).record(started.elapsed());
    response
}

/// The observer a REDCap server's clients report their calls to (`redcap` = its label).
pub fn upstream_observer(redcap: &str) -> CallObserver {
    let redcap: Arc<str> = Arc::from(redcap);
    Arc::new(move |event: CallEvent| {
        let redcap = redcap.to_string();
        ::metrics::counter!(
            UPSTREAM_REQUESTS,
            "redcap" => redcap.clone(),
            "content" => event.content,
            "outcome" => event.outcome
        )
        .increment(1);
        ::metrics::histogram!(UPSTREAM_DURATION, "redcap" => redcap, "content" => event.content)
            .record(event.elapsed);
    })
}

/// One cache look-up: `hit` when the answer was there.
pub fn cache_lookup(hit: bool) {
    let result = if hit { "hit" } else { "miss" };
    ::metrics::counter!(CACHE_REQUESTS, "result" => result).increment(1);
}

/// One audit line lost.
pub fn audit_write_failed() {
    ::metrics::counter!(AUDIT_FAILURES).increment(1);
}
