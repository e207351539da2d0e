//! The assembled HTTP application: `app(state)` builds every route and layer.
//!
//! [`state`] holds what requests need, [`extract`] what a handler takes from a request,
//! [`handlers`] answers, [`layers`] what wraps them, [`lang`] the asked language and
//! [`contact`] the study's contact line on every error.

use std::sync::Arc;

use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use axum::Router;
use tower::ServiceBuilder;

use crate::config::AuthMode;
use crate::error::Failure;
use crate::guard::{cross_site_guard, OriginPolicy};

pub mod admin;
mod contact;
mod embed;
pub mod extract;
mod handlers;
pub mod lang;
pub mod layers;
mod public_dir;
mod readiness;
mod state;

pub use layers::STRICT_CSP;
pub use state::{AppState, SHARED_PREFIX};

/// Builds the router: the API under the base path, health checks, and the widget files.
pub fn app(state: Arc<AppState>) -> Router {
    let policy = Arc::new(OriginPolicy {
        allowed: state.config.allowed_origins.clone(),
    });
    let api = Router::new()
        .route("/surveys", get(handlers::list_surveys))
        .route("/surveys/{key}", get(handlers::one_survey))
        .route("/surveys/{key}/queue", get(handlers::survey_queue))
        .route("/surveys/{key}/qr.svg", get(handlers::survey_qr))
        .fallback(|| async { Failure::UnknownSurvey })
        .layer(from_fn_with_state(policy, cross_site_guard));
    let api = layers::no_store(api);

    let mut router = Router::new()
        .nest(&state.config.base_path, api)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(handlers::readyz))
        .merge(embed::routes(&state.config));
    if let Some(dir) = &state.config.public_dir {
        let files = Arc::new(public_dir::PublicDir::new(dir));
        let csp = crate::embed::csp::page_csp_header(&state.config.embed.frame_ancestors);
        router = router
            .fallback(move |request: axum::extract::Request| {
                let files = files.clone();
                async move { files.serve(request).await }
            })
            .layer(from_fn_with_state(csp, layers::strict_csp_on_pages));
    }
    let router = router.layer(
        ServiceBuilder::new()
            .layer(axum::error_handling::HandleErrorLayer::new(
                layers::overloaded,
            ))
            .load_shed()
            .concurrency_limit(state.config.limits.max_concurrent_requests)
            .timeout(state.config.limits.request_timeout)
            .layer(from_fn(layers::limit_request_size)),
    );
    // Outside the overload layers: their refusals carry the contact line too.
    let router = router.layer(from_fn_with_state(state.clone(), contact::on_errors));
    let sso_header = match &state.config.auth.mode {
        AuthMode::Header(header) => Some(header.header_name.clone()),
        AuthMode::Ticket(_) => None,
    };
    layers::hardened(router, sso_header)
        .layer(axum::extract::DefaultBodyLimit::max(layers::MAX_BODY))
        .layer(from_fn(crate::metrics::track_http))
        .with_state(state)
}
