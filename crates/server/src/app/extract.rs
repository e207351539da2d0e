//! What a handler takes from a request: the peer, the client IP, the participant, and the
//! survey key as sent.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use redcap_client::RecordId;

use super::state::AppState;
use crate::client_ip::client_ip;
use crate::error::Failure;
use crate::participant::Identity;
use crate::survey_key::SurveyKey;

/// The peer's socket address (0.0.0.0:0 when driven without a socket, as in `oneshot` tests).
pub struct Peer(pub SocketAddr);

impl Peer {
    fn of(parts: &Parts) -> SocketAddr {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0)
            .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(Peer::of(parts)))
    }
}

/// The client's IP: the peer, or what trusted proxies say in `X-Forwarded-For`.
#[derive(Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    fn of(parts: &Parts, state: &AppState) -> IpAddr {
        client_ip(
            Peer::of(parts),
            &parts.headers,
            state.auth.trusted_proxies(),
        )
    }
}

impl FromRequestParts<Arc<AppState>> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(ClientIp::of(parts, state)))
    }
}

/// The participant a request speaks for, once it passed the checks every API request passes
/// before REDCap is asked anything: the client IP's limit, authentication, the participant's
/// limit, and (header mode with a lookup) finding the record.
pub struct Participant(pub RecordId);

impl FromRequestParts<Arc<AppState>> for Participant {
    type Rejection = Failure;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let ip = ClientIp::of(parts, state);
        state
            .limits
            .check_ip(ip)
            .await
            .map_err(|retry_after| Failure::RateLimited {
                who: "client ip",
                retry_after,
            })?;
        let identity = state.auth.identify(&parts.headers, Peer::of(parts))?;
        state
            .limits
            .per_participant
            .check(&identity.limit_key())
            .await
            .map_err(|retry_after| Failure::RateLimited {
                who: "participant",
                retry_after,
            })?;
        match identity {
            Identity::Record(record) => Ok(Participant(record)),
            Identity::Lookup(value, lookup) => state
                .within_deadline(lookup.record(&value))
                .await
                .map(Participant),
        }
    }
}

/// The survey key as sent: the last segment of the raw path, not percent-decoded (an encoded
/// spelling is not a key).
pub struct AskedSurvey {
    /// At most [`SurveyKey::MAX_LEN`] characters of what was sent, for the audit log.
    pub label: String,
    /// `None` when what was sent is not a key.
    pub key: Option<SurveyKey>,
}

impl AskedSurvey {
    /// The survey key `depth` segments before the end of the raw path (0: the last one).
    fn of(parts: &Parts, depth: usize) -> AskedSurvey {
        let raw = parts.uri.path().rsplit('/').nth(depth).unwrap_or_default();
        AskedSurvey {
            label: raw.chars().take(SurveyKey::MAX_LEN).collect(),
            key: SurveyKey::parse(raw).ok(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AskedSurvey {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(AskedSurvey::of(parts, 0))
    }
}

/// The survey key of a survey's sub-resource (`…/surveys/{key}/queue`, `…/{key}/qr.svg`): the
/// segment before the last, as [`AskedSurvey`] reads it.
pub struct AskedSurveyOf(pub AskedSurvey);

impl<S: Send + Sync> FromRequestParts<S> for AskedSurveyOf {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(AskedSurveyOf(AskedSurvey::of(parts, 1)))
    }
}
