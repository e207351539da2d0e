//! Who is asking: a ticket (cookie or `Authorization: Bearer`) or, behind a trusted reverse
//! proxy, an SSO header. The browser never names a record id; a ticket in the query string is
//! ignored.

use std::net::SocketAddr;

use axum::http::{header, HeaderMap};
use redcap_client::{LookupValue, RecordId};

use crate::client_ip::peer_is_trusted;
use crate::config::{AuthConfig, AuthMode};
use crate::error::Failure;
use crate::ticket::{TicketError, TicketVerifier};

pub struct Authenticator {
    config: AuthConfig,
    verifier: Option<TicketVerifier>,
}

impl Authenticator {
    pub fn new(config: AuthConfig) -> Result<Self, String> {
        let verifier = match &config.ticket_key {
            Some(key) => Some(
                TicketVerifier::new(key, config.leeway).map_err(|e| format!("ticket key: {e}"))?,
            ),
            None => None,
        };
        Ok(Self { config, verifier })
    }

    /// Who this request speaks for.
    pub fn identify(&self, headers: &HeaderMap, peer: SocketAddr) -> Result<Identity, Failure> {
        match (&self.config.mode, &self.config.lookup) {
            (AuthMode::Header, Some(_)) => {
                let value = self.proxy_header_value(headers, peer)?;
                LookupValue::parse(&value)
                    .map(Identity::Lookup)
                    .map_err(|_| Failure::NotSignedIn("SSO header value cannot be looked up"))
            }
            _ => self.participant(headers, peer).map(Identity::Record),
        }
    }

    /// The record id this request speaks for (ticket mode, or header mode without lookup).
    pub fn participant(&self, headers: &HeaderMap, peer: SocketAddr) -> Result<RecordId, Failure> {
        match self.config.mode {
            AuthMode::Ticket => self.ticket_record(headers),
            AuthMode::Header => self.proxy_header_record(headers, peer),
        }
    }

    fn ticket_record(&self, headers: &HeaderMap) -> Result<RecordId, Failure> {
        let verifier = self
            .verifier
            .as_ref()
            .ok_or(Failure::Internal("ticket mode without a key".into()))?;
        let ticket = bearer(headers)
            .or_else(|| cookie(headers, &self.config.cookie_name))
            .ok_or(Failure::NotSignedIn("no ticket"))?;
        verifier.verify(&ticket).map_err(|e| {
            Failure::NotSignedIn(match e {
                TicketError::TooLong => "ticket too long",
                TicketError::Expired => "ticket expired",
                TicketError::NotYetValid => "ticket not yet valid",
                TicketError::WrongAudience => "ticket for another audience",
                TicketError::BadSignature => "ticket signature refused",
                TicketError::Malformed => "ticket malformed",
                TicketError::BadSubject => "ticket subject not a record id",
            })
        })
    }

    fn proxy_header_record(
        &self,
        headers: &HeaderMap,
        peer: SocketAddr,
    ) -> Result<RecordId, Failure> {
        let text = self.proxy_header_value(headers, peer)?;
        RecordId::parse(&text).map_err(|_| Failure::NotSignedIn("SSO header is not a record id"))
    }

    fn proxy_header_value(&self, headers: &HeaderMap, peer: SocketAddr) -> Result<String, Failure> {
        let name = self
            .config
            .header_name
            .as_deref()
            .ok_or(Failure::Internal("header mode without a header".into()))?;
        if !peer_is_trusted(peer, &self.config.trusted_proxies) {
            return Err(Failure::NotSignedIn(
                "SSO header ignored: peer is not a trusted proxy",
            ));
        }
        let mut values = headers.get_all(name).iter();
        let value = values.next().ok_or(Failure::NotSignedIn("no SSO header"))?;
        if values.next().is_some() {
            return Err(Failure::NotSignedIn("SSO header sent more than once"));
        }
        let text = value
            .to_str()
            .map_err(|_| Failure::NotSignedIn("SSO header not readable"))?;
        Ok(text.trim().to_owned())
    }
}

/// Who a request speaks for, before any REDCap lookup.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Identity {
    Record(RecordId),
    /// An SSO user to find in the configured lookup field.
    Lookup(LookupValue),
}

impl Identity {
    /// The key for per-participant limits.
    pub fn limit_key(&self) -> String {
        match self {
            Identity::Record(r) => format!("record:{}", r.as_str()),
            Identity::Lookup(v) => format!("user:{}", v.as_str()),
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn tickets_come_from_bearer_or_the_named_cookie() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; redcap_resume_ticket=T1; b=2"),
        );
        assert_eq!(cookie(&h, "redcap_resume_ticket").as_deref(), Some("T1"));
        assert_eq!(cookie(&h, "other"), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer T2"));
        assert_eq!(bearer(&h).as_deref(), Some("T2"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic dXNlcjpwdw=="),
        );
        assert_eq!(bearer(&h), None);
    }
}
