//! Who is asking: a ticket (cookie or `Authorization: Bearer`) or, behind a trusted reverse
//! proxy, an SSO header. The browser never names a record id; a ticket in the query string is
//! ignored.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderName};
use ipnet::IpNet;
use redcap_client::{FieldName, LookupValue, RecordId};

use crate::client_ip::peer_is_trusted;
use crate::config::{AuthConfig, AuthMode, HeaderAuth, TicketAuth};
use crate::cookies::{self, Found};
use crate::error::Failure;
use crate::ticket::TicketVerifier;
use crate::upstream::{CallerCap, Project, Redcap};

/// Tells who a request speaks for, the way the configuration decided.
pub struct Authenticator {
    scheme: Scheme,
    trusted_proxies: Vec<IpNet>,
}

enum Scheme {
    Ticket {
        /// Boxed: a verifier holds decoding keys, far larger than the header variant.
        verifier: Box<TicketVerifier>,
        cookie_name: String,
    },
    Header {
        name: HeaderName,
        lookup: Option<Lookup>,
    },
}

/// Header mode with a lookup: the project and fields to find the record in.
pub struct Lookup {
    project: Arc<Project>,
    field: FieldName,
    record_id_field: FieldName,
    /// The lookup's REDCap call is charged to the user it is made for.
    callers: CallerCap,
}

impl Lookup {
    /// The one record whose lookup field holds `value` (asks REDCap, cached; a miss is
    /// remembered briefly and the call counts toward this user's cap).
    pub async fn record(&self, value: &LookupValue) -> Result<RecordId, Failure> {
        let key = format!("lookup:{}", value.as_str());
        self.callers
            .on_behalf_of(
                key,
                self.project
                    .find_record(&self.field, value, &self.record_id_field),
            )
            .await
    }
}

impl Authenticator {
    /// `redcap` must be built from the configuration `auth` comes from (the lookup project).
    pub fn new(auth: &AuthConfig, redcap: &Redcap) -> Result<Self, String> {
        let scheme = match &auth.mode {
            AuthMode::Ticket(TicketAuth {
                key,
                cookie_name,
                leeway,
                max_lifetime,
            }) => Scheme::Ticket {
                verifier: Box::new(
                    TicketVerifier::new(key, *leeway)
                        .map_err(|e| format!("ticket key: {e}"))?
                        .with_max_lifetime(*max_lifetime),
                ),
                cookie_name: cookie_name.clone(),
            },
            AuthMode::Header(HeaderAuth {
                header_name,
                lookup,
            }) => Scheme::Header {
                name: header_name.clone(),
                lookup: lookup.as_ref().map(|l| Lookup {
                    project: redcap.project(l.project).clone(),
                    field: l.field.clone(),
                    record_id_field: l.record_id_field.clone(),
                    callers: redcap.callers().clone(),
                }),
            },
        };
        Ok(Self {
            scheme,
            trusted_proxies: auth.trusted_proxies.clone(),
        })
    }

    /// Peers whose `X-Forwarded-For` and SSO header are believed.
    pub fn trusted_proxies(&self) -> &[IpNet] {
        &self.trusted_proxies
    }

    /// Who this request speaks for.
    pub fn identify(&self, headers: &HeaderMap, peer: SocketAddr) -> Result<Identity<'_>, Failure> {
        match &self.scheme {
            Scheme::Ticket {
                verifier,
                cookie_name,
            } => ticket_record(verifier, cookie_name, headers).map(Identity::Record),
            Scheme::Header { name, lookup } => {
                let value = self.proxy_header_value(name, headers, peer)?;
                match lookup {
                    Some(lookup) => LookupValue::parse(&value)
                        .map(|v| Identity::Lookup(v, lookup))
                        .map_err(|_| Failure::NotSignedIn("SSO header value cannot be looked up")),
                    None => RecordId::parse(&value)
                        .map(Identity::Record)
                        .map_err(|_| Failure::NotSignedIn("SSO header is not a record id")),
                }
            }
        }
    }

    fn proxy_header_value(
        &self,
        name: &HeaderName,
        headers: &HeaderMap,
        peer: SocketAddr,
    ) -> Result<String, Failure> {
        if !peer_is_trusted(peer, &self.trusted_proxies) {
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

fn ticket_record(
    verifier: &TicketVerifier,
    cookie_name: &str,
    headers: &HeaderMap,
) -> Result<RecordId, Failure> {
    let ticket = match bearer(headers) {
        Some(ticket) => ticket,
        None => match cookies::find(headers, cookie_name) {
            Found::One(ticket) => ticket,
            Found::None => return Err(Failure::NotSignedIn("no ticket")),
            Found::Ambiguous => {
                return Err(Failure::NotSignedIn(
                    "several different ticket cookies (one may be planted by a sibling site)",
                ))
            }
            Found::Unreadable => return Err(Failure::NotSignedIn("ticket cookie not ASCII")),
        },
    };
    verifier
        .verify(&ticket)
        .map_err(|e| Failure::NotSignedIn(e.reason()))
}

/// Who a request speaks for, before any REDCap lookup.
pub enum Identity<'a> {
    Record(RecordId),
    /// An SSO user to find with the configured lookup.
    Lookup(LookupValue, &'a Lookup),
}

impl Identity<'_> {
    /// The key for per-participant limits.
    pub fn limit_key(&self) -> String {
        match self {
            Identity::Record(r) => format!("record:{}", r.as_str()),
            Identity::Lookup(v, _) => format!("user:{}", v.as_str()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn tickets_come_from_bearer() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer T2"));
        assert_eq!(bearer(&h).as_deref(), Some("T2"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic dXNlcjpwdw=="),
        );
        assert_eq!(bearer(&h), None);
    }
}
