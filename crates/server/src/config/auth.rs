//! `[auth]`: how a request proves which participant it speaks for.
//!
//! Two modes, each carrying only its own settings: signed tickets from the study portal
//! ([`TicketAuth`]), or a single sign-on header set by a trusted reverse proxy
//! ([`HeaderAuth`]), optionally looked up in a REDCap field ([`LookupConfig`]).

use std::path::PathBuf;
use std::time::Duration;

use axum::http::HeaderName;
use ipnet::IpNet;
use redcap_client::FieldName;
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::error::{invalid, ConfigError};
use super::projects::{find_name, ProjectId, DEFAULT_PROJECT};
use super::secrets::SecretSource;
use super::ticket_key::{KeySettings, TicketKey};
use crate::ticket::DEFAULT_MAX_LIFETIME;

/// The ticket cookie's name unless `[auth] cookie_name` says otherwise. The `__Host-` prefix
/// makes browsers refuse it unless it was set by this very host over HTTPS with `Secure`,
/// `Path=/` and no `Domain`: a sibling subdomain cannot plant one.
pub const DEFAULT_COOKIE: &str = "__Host-redcap_resume_ticket";

/// The validated `[auth]` table.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub mode: AuthMode,
    /// Peers whose headers (`X-Forwarded-For`, the SSO header) are believed. Never empty in
    /// header mode.
    pub trusted_proxies: Vec<IpNet>,
}

/// How participants are identified, with the settings of that way only.
#[derive(Debug, Clone)]
pub enum AuthMode {
    /// `mode = "ticket"` (the default).
    Ticket(TicketAuth),
    /// `mode = "header"`.
    Header(HeaderAuth),
}

/// Signed tickets, from `Authorization: Bearer` or the ticket cookie.
#[derive(Debug, Clone)]
pub struct TicketAuth {
    pub key: TicketKey,
    pub cookie_name: String,
    /// Clock skew allowed on `exp`, `nbf` and `iat` (at most 60 s).
    pub leeway: Duration,
    /// The longest a ticket may live (`exp - iat`); `max_ticket_lifetime_seconds`, 1 h by
    /// default, between 1 min and 1 day.
    pub max_lifetime: Duration,
}

/// The SSO header a trusted reverse proxy sets.
#[derive(Debug, Clone)]
pub struct HeaderAuth {
    /// e.g. `X-Remote-User` (the default).
    pub header_name: HeaderName,
    /// Find the record whose field holds the header's value, instead of taking the header as
    /// the record id.
    pub lookup: Option<LookupConfig>,
}

/// Header mode with a lookup: `[auth] lookup_field`, `record_id_field`, `lookup_project`.
#[derive(Debug, Clone)]
pub struct LookupConfig {
    pub project: ProjectId,
    pub field: FieldName,
    pub record_id_field: FieldName,
}

impl AuthConfig {
    /// Ticket mode: the longest a ticket may live (`ticket --ttl` refuses more).
    pub fn ticket_max_lifetime(&self) -> Option<Duration> {
        match &self.mode {
            AuthMode::Ticket(t) => Some(t.max_lifetime),
            AuthMode::Header(_) => None,
        }
    }

    /// The HS256 secret, for minting tickets (the `ticket` command and the demo).
    pub fn hs256_secret(&self) -> Option<&str> {
        match &self.mode {
            AuthMode::Ticket(TicketAuth {
                key: TicketKey::Hs256(s),
                ..
            }) => Some(s.expose_secret()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawMode {
    Ticket,
    Header,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAuth {
    mode: Option<RawMode>,
    algorithm: Option<String>,
    ticket_secret_env: Option<String>,
    ticket_secret_file: Option<PathBuf>,
    ticket_public_key_file: Option<PathBuf>,
    cookie_name: Option<String>,
    leeway_seconds: Option<u64>,
    max_ticket_lifetime_seconds: Option<u64>,
    header_name: Option<String>,
    #[serde(default)]
    trusted_proxies: Vec<String>,
    lookup_field: Option<String>,
    record_id_field: Option<String>,
    lookup_project: Option<String>,
}

impl RawAuth {
    pub(super) fn validate(
        self,
        secrets: &dyn SecretSource,
        projects: &[String],
    ) -> Result<AuthConfig, ConfigError> {
        let mode = self.mode.unwrap_or(RawMode::Ticket);
        let lookup = self.lookup(mode, projects)?;
        let cookie_name = self
            .cookie_name
            .clone()
            .unwrap_or_else(|| DEFAULT_COOKIE.to_owned());
        if cookie_name.is_empty()
            || !cookie_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(invalid("auth.cookie_name", "use letters, digits, - and _"));
        }
        let leeway = self.leeway_seconds.unwrap_or(30);
        if leeway > 60 {
            return Err(invalid("auth.leeway_seconds", "must be at most 60"));
        }
        let max_lifetime = self
            .max_ticket_lifetime_seconds
            .unwrap_or(DEFAULT_MAX_LIFETIME.as_secs());
        if !(60..=86_400).contains(&max_lifetime) {
            return Err(invalid(
                "auth.max_ticket_lifetime_seconds",
                "must be between 60 and 86400 (keep tickets short-lived: minutes)",
            ));
        }
        let trusted_proxies = self
            .trusted_proxies
            .iter()
            .enumerate()
            .map(|(i, t)| {
                parse_cidr(t).map_err(|r| invalid(format!("auth.trusted_proxies[{i}]"), r))
            })
            .collect::<Result<Vec<_>, _>>()?;

        let mode = match mode {
            RawMode::Ticket => AuthMode::Ticket(TicketAuth {
                key: KeySettings {
                    algorithm: self.algorithm.as_deref(),
                    secret_env: self.ticket_secret_env.as_deref(),
                    secret_file: self.ticket_secret_file.as_deref(),
                    public_key_file: self.ticket_public_key_file.as_deref(),
                }
                .read(secrets)?,
                cookie_name,
                leeway: Duration::from_secs(leeway),
                max_lifetime: Duration::from_secs(max_lifetime),
            }),
            RawMode::Header => {
                let name = self.header_name.as_deref().unwrap_or("X-Remote-User");
                let header_name = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| invalid("auth.header_name", "not a valid HTTP header name"))?;
                if trusted_proxies.is_empty() {
                    return Err(invalid(
                        "auth.trusted_proxies",
                        "header mode needs the addresses of the reverse proxy that sets the header (CIDRs, like \"127.0.0.1/32\")",
                    ));
                }
                AuthMode::Header(HeaderAuth {
                    header_name,
                    lookup,
                })
            }
        };
        Ok(AuthConfig {
            mode,
            trusted_proxies,
        })
    }

    fn lookup(
        &self,
        mode: RawMode,
        projects: &[String],
    ) -> Result<Option<LookupConfig>, ConfigError> {
        let Some(field) = &self.lookup_field else {
            if self.record_id_field.is_some() || self.lookup_project.is_some() {
                return Err(invalid("auth.lookup_field", "missing: record_id_field and lookup_project only make sense with a lookup_field"));
            }
            return Ok(None);
        };
        if mode != RawMode::Header {
            return Err(invalid(
                "auth.lookup_field",
                "a lookup only applies to mode = \"header\"",
            ));
        }
        let field = FieldName::parse(field).map_err(|_| {
            invalid(
                "auth.lookup_field",
                "a REDCap field name uses a-z, 0-9 and _, starting with a letter",
            )
        })?;
        let record_id_field = FieldName::parse(
            self.record_id_field.as_deref().unwrap_or("record_id"),
        )
        .map_err(|_| {
            invalid(
                "auth.record_id_field",
                "a REDCap field name uses a-z, 0-9 and _, starting with a letter",
            )
        })?;
        let name = self.lookup_project.as_deref().unwrap_or(DEFAULT_PROJECT);
        let project = find_name(projects, name).ok_or_else(|| {
            invalid(
                "auth.lookup_project",
                format!("there is no project `{name}` to look the header up in"),
            )
        })?;
        Ok(Some(LookupConfig {
            project,
            field,
            record_id_field,
        }))
    }
}

fn parse_cidr(text: &str) -> Result<IpNet, String> {
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{text}` is not an IP address or CIDR like 10.0.0.0/8"))
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{assert_mistakes_name_the_key, env, GOOD};
    use super::super::Config;
    use super::*;

    #[test]
    fn auth_mistakes_name_the_key() {
        assert_mistakes_name_the_key(&[
            (
                "ticket_secret_env = \"SECRET\"",
                "ticket_secret_env = \"TOKEN\"\nalgorithm = \"none\"",
                "`auth.algorithm`",
            ),
            (
                "mode = \"ticket\"",
                "mode = \"header\"",
                "`auth.trusted_proxies`",
            ),
            (
                "mode = \"ticket\"",
                "mode = \"ticket\"\nlookup_field = \"email\"",
                "`auth.lookup_field`",
            ),
            (
                "mode = \"ticket\"",
                "mode = \"ticket\"\nmax_ticket_lifetime_seconds = 864000",
                "`auth.max_ticket_lifetime_seconds`",
            ),
        ]);
    }

    #[test]
    fn a_short_secret_is_refused() {
        let mut e = env();
        e.insert("SECRET".into(), "short".into());
        let err = Config::parse(GOOD, &e).unwrap_err().to_string();
        assert!(
            err.contains("auth.ticket_secret") && err.contains("32"),
            "{err}"
        );
    }

    #[test]
    fn ticket_mode_is_the_default_with_the_default_cookie() {
        let c = Config::parse(&GOOD.replace("mode = \"ticket\"\n", ""), &env()).unwrap();
        let AuthMode::Ticket(ticket) = &c.auth.mode else {
            panic!("not ticket mode: {:?}", c.auth.mode);
        };
        assert_eq!(ticket.cookie_name, DEFAULT_COOKIE);
        assert_eq!(ticket.leeway, Duration::from_secs(30));
        assert_eq!(ticket.max_lifetime, Duration::from_secs(3600));
        assert_eq!(DEFAULT_COOKIE, "__Host-redcap_resume_ticket");
        let named = GOOD.replace("mode = \"ticket\"\n", "cookie_name = \"portal_ticket\"\n");
        let AuthMode::Ticket(named) = Config::parse(&named, &env()).unwrap().auth.mode else {
            panic!("not ticket mode");
        };
        assert_eq!(named.cookie_name, "portal_ticket");
    }

    #[test]
    fn header_mode_needs_trusted_proxies_and_no_secret() {
        let text = GOOD.replace("mode = \"ticket\"\nticket_secret_env = \"SECRET\"", "mode = \"header\"\nheader_name = \"X-Remote-User\"\ntrusted_proxies = [\"127.0.0.1/32\", \"10.0.0.1\"]");
        let c = Config::parse(&text, &env()).unwrap();
        assert!(matches!(c.auth.mode, AuthMode::Header(_)));
        assert_eq!(c.auth.trusted_proxies.len(), 2);
        assert!(c.auth.hs256_secret().is_none());
    }

    #[test]
    fn a_lookup_names_its_project() {
        let text = GOOD.replace(
            "mode = \"ticket\"\nticket_secret_env = \"SECRET\"",
            "mode = \"header\"\ntrusted_proxies = [\"127.0.0.1\"]\nlookup_field = \"email\"\nlookup_project = \"cohort\"",
        );
        let c = Config::parse(&text, &env()).unwrap();
        let AuthMode::Header(HeaderAuth {
            lookup: Some(lookup),
            ..
        }) = &c.auth.mode
        else {
            panic!("no lookup: {:?}", c.auth.mode);
        };
        assert_eq!(c.project(lookup.project).name, "cohort");
        assert_eq!(lookup.record_id_field.as_str(), "record_id");
        let missing = Config::parse(&text.replace("\"cohort\"", "\"nope\""), &env())
            .unwrap_err()
            .to_string();
        assert!(missing.contains("`auth.lookup_project`"), "{missing}");
    }
}
