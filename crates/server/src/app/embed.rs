//! Serves the hosted page (`crate::embed::page`) and its stylesheet, each under the page CSP
//! with the configured `frame-ancestors`.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::config::Config;
use crate::embed::csp::page_csp_header;
use crate::embed::page::{self, EmbedQuery, Page, Shown};

use super::state::AppState;

/// `GET {embed_path}` and `GET {embed_path}.css`.
pub fn routes(config: &Config) -> Router<Arc<AppState>> {
    Router::new()
        .route(&config.embed_path(), get(hosted_page))
        .route(&page::stylesheet_path(config), get(stylesheet))
}

async fn hosted_page(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let config = &state.config;
    let dest = headers.get("sec-fetch-dest").and_then(|v| v.to_str().ok());
    let shown = Shown::from_fetch_dest(dest);
    let (status, html) = match page::render(config, &EmbedQuery::parse(query.as_deref()), shown) {
        Page::Card(html) => (StatusCode::OK, html),
        Page::UnknownSurvey(html) => (StatusCode::NOT_FOUND, html),
        Page::BadQuery(html) => (StatusCode::BAD_REQUEST, html),
    };
    let csp = page_csp_header(&config.embed.frame_ancestors);
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CONTENT_SECURITY_POLICY, csp),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            // The framed page differs (its signed-out line): caches must tell them apart.
            (header::VARY, HeaderValue::from_static("Sec-Fetch-Dest")),
        ],
        html,
    )
        .into_response()
}

async fn stylesheet() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        page::STYLESHEET,
    )
        .into_response()
}
