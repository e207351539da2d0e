//! Configuration: TOML parsed once at start-up into typed, validated values.
//!
//! ```
//! # std::env::set_var("DOC_TOKEN", "0123456789ABCDEF0123456789ABCDEF");
//! # std::env::set_var("DOC_SECRET", "a-long-random-secret-of-32-bytes!");
//! let config = redcap_resume::config::Config::from_toml_str(r#"
//!     listen = "127.0.0.1:8080"
//!     allowed_origins = ["https://study.example.edu"]
//!     [redcap]
//!     url = "https://redcap.example.edu/api/"
//!     token_env = "DOC_TOKEN"
//!     [auth]
//!     ticket_secret_env = "DOC_SECRET"
//!     [surveys.baseline]
//!     title = "Baseline questionnaire"
//!     instrument = "baseline_survey"
//! "#).unwrap();
//! assert_eq!(config.surveys[0].key.as_str(), "baseline");
//! // Secrets never print:
//! assert!(!format!("{config:?}").contains("0123456789ABCDEF"));
//! ```
//!
//! Every mistake stops start-up with a [`ConfigError`] that names the key and the reason.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ipnet::IpNet;
use redcap_client::{ApiToken, Event, Instrument, RepeatInstance};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use crate::survey_key::SurveyKey;

/// A configuration mistake: which key, and why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the configuration is not valid TOML or has an unknown or mistyped key: {0}")]
    Syntax(String),
    #[error("configuration key `{key}`: {reason}")]
    Invalid { key: String, reason: String },
}

fn invalid(key: impl Into<String>, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        reason: reason.into(),
    }
}

/// The whole, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub public_dir: Option<PathBuf>,
    /// Origins (scheme://host[:port]) whose pages may call the API.
    pub allowed_origins: Vec<String>,
    /// Where the API lives, e.g. `/redcap-resume/api` (no trailing slash).
    pub base_path: String,
    /// Project name → project. The `[redcap]` table is the project named `default`.
    pub projects: BTreeMap<String, ProjectConfig>,
    pub auth: AuthConfig,
    /// In the order of the file.
    pub surveys: Vec<SurveyConfig>,
    pub limits: LimitsConfig,
    pub audit: Option<AuditConfig>,
}

/// One REDCap project: where it is and the token of its API user.
#[derive(Debug, Clone)]
pub struct ProjectConfig {
    pub name: String,
    pub api_url: Url,
    pub token: ApiToken,
    pub timeout: Duration,
    /// The budget of calls per minute to this REDCap server. Projects on the same server
    /// share one budget (REDCap counts per client IP): the smallest configured value applies.
    pub max_requests_per_minute: u32,
    /// How long a call may wait for the budget before the participant is told to retry.
    pub max_queue_wait: Duration,
    /// How long a survey link and return code stay cached.
    pub cache_ttl: Duration,
    /// How long after REDCap's ban (429) this server stops calling it.
    pub ban_pause: Duration,
}

/// Which link the answer carries in `resume_link`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkStyle {
    /// `survey_link&__return=1`: REDCap's "Returning?" page where the code is typed.
    ReturnPage,
    /// `survey_link&rc=CODE`, for installations that rewrite it.
    RcParam,
}

/// One survey the widget may ask for.
#[derive(Debug, Clone)]
pub struct SurveyConfig {
    pub key: SurveyKey,
    pub project: String,
    pub title: String,
    pub instrument: Instrument,
    pub event: Option<Event>,
    pub repeat_instance: Option<RepeatInstance>,
    pub status: bool,
    pub allow_completed_edit: bool,
    pub link_style: LinkStyle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    Ticket,
    Header,
}

/// How tickets are verified; the algorithm comes from here, never from the ticket.
#[derive(Clone)]
pub enum TicketKey {
    /// HS256: the secret's bytes exactly as configured.
    Hs256(SecretString),
    /// EdDSA (Ed25519) public key, PEM.
    EdDsa(Vec<u8>),
    /// RS256 public key, PEM.
    Rs256(Vec<u8>),
}

impl std::fmt::Debug for TicketKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TicketKey::Hs256(_) => f.write_str("Hs256([REDACTED])"),
            TicketKey::EdDsa(_) => f.write_str("EdDsa(public key)"),
            TicketKey::Rs256(_) => f.write_str("Rs256(public key)"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub mode: AuthMode,
    pub ticket_key: Option<TicketKey>,
    pub cookie_name: String,
    pub leeway: Duration,
    /// Header mode: the header the reverse proxy sets (e.g. `X-Remote-User`).
    pub header_name: Option<String>,
    /// Peers whose headers (`X-Forwarded-For`, the SSO header) are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Header mode: find the record whose field holds the header's value, instead of taking
    /// the header as the record id.
    pub lookup: Option<LookupConfig>,
}

/// Header mode with a lookup: `[auth] lookup_field`, `record_id_field`, `lookup_project`.
#[derive(Debug, Clone)]
pub struct LookupConfig {
    pub project: String,
    pub field: redcap_client::FieldName,
    pub record_id_field: redcap_client::FieldName,
}

/// Limits that protect this server itself.
#[derive(Debug, Clone)]
pub struct LimitsConfig {
    /// Requests per minute one participant may make.
    pub per_participant_per_minute: u32,
    /// Requests per minute one client IP may make.
    pub per_ip_per_minute: u32,
    /// Requests handled at once; more are shed with 503.
    pub max_concurrent_requests: usize,
    /// An answer is given within this time, whatever REDCap does.
    pub request_timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct AuditConfig {
    pub path: PathBuf,
    /// Refuse to hand out a code when the audit line cannot be written.
    pub fail_closed: bool,
}

// ---- the file as written ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: Option<String>,
    public_dir: Option<PathBuf>,
    #[serde(default)]
    allowed_origins: Vec<String>,
    base_path: Option<String>,
    redcap: Option<RawProject>,
    #[serde(default)]
    projects: BTreeMap<String, RawProject>,
    auth: Option<RawAuth>,
    #[serde(default)]
    surveys: toml::Table,
    limits: Option<RawLimits>,
    audit: Option<RawAudit>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    url: Option<String>,
    token_env: Option<String>,
    token_file: Option<PathBuf>,
    timeout_ms: Option<u64>,
    max_requests_per_minute: Option<u32>,
    max_queue_wait_ms: Option<u64>,
    cache_ttl_seconds: Option<u64>,
    ban_pause_seconds: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAuth {
    mode: Option<AuthMode>,
    algorithm: Option<String>,
    ticket_secret_env: Option<String>,
    ticket_secret_file: Option<PathBuf>,
    ticket_public_key_file: Option<PathBuf>,
    cookie_name: Option<String>,
    leeway_seconds: Option<u64>,
    header_name: Option<String>,
    #[serde(default)]
    trusted_proxies: Vec<String>,
    lookup_field: Option<String>,
    record_id_field: Option<String>,
    lookup_project: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSurvey {
    title: Option<String>,
    project: Option<String>,
    instrument: Option<String>,
    event: Option<String>,
    repeat_instance: Option<u32>,
    #[serde(default)]
    status: bool,
    #[serde(default)]
    allow_completed_edit: bool,
    link_style: Option<LinkStyle>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    per_participant_per_minute: Option<u32>,
    per_ip_per_minute: Option<u32>,
    max_concurrent_requests: Option<usize>,
    request_timeout_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAudit {
    path: PathBuf,
    #[serde(default)]
    fail_closed: bool,
}

/// Where secrets come from; tests replace the process environment with a map.
pub trait SecretSource {
    fn env(&self, name: &str) -> Option<String>;
    fn file(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
}

/// The real process environment and file system.
pub struct ProcessEnv;

impl SecretSource for ProcessEnv {
    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl<S: std::hash::BuildHasher> SecretSource for std::collections::HashMap<String, String, S> {
    fn env(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

pub const DEFAULT_BASE_PATH: &str = "/redcap-resume/api";
pub const DEFAULT_COOKIE: &str = "redcap_resume_ticket";
/// The name of the project given by the `[redcap]` table.
pub const DEFAULT_PROJECT: &str = "default";
/// REDCap bans at 600 per minute by default; never allow a budget close to that.
pub const MAX_BUDGET_PER_MINUTE: u32 = 500;

impl Config {
    /// Reads and validates a configuration file; secrets come from the process environment.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, &ProcessEnv)
    }

    /// Parses with secrets from the process environment.
    pub fn from_toml_str(text: &str) -> Result<Config, ConfigError> {
        Self::parse(text, &ProcessEnv)
    }

    /// Parses with secrets from the given source.
    pub fn parse(text: &str, secrets: &dyn SecretSource) -> Result<Config, ConfigError> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| ConfigError::Syntax(e.to_string()))?;
        raw.validate(secrets)
    }

    /// The survey configured under `key`.
    pub fn survey(&self, key: &str) -> Option<&SurveyConfig> {
        self.surveys.iter().find(|s| s.key.as_str() == key)
    }
}

impl RawConfig {
    fn validate(self, secrets: &dyn SecretSource) -> Result<Config, ConfigError> {
        let listen = self
            .listen
            .as_deref()
            .unwrap_or("127.0.0.1:8080")
            .parse::<SocketAddr>()
            .map_err(|_| {
                invalid(
                    "listen",
                    "must be an address and port, like \"127.0.0.1:8080\"",
                )
            })?;

        let allowed_origins = self
            .allowed_origins
            .iter()
            .enumerate()
            .map(|(i, o)| parse_origin(o).map_err(|r| invalid(format!("allowed_origins[{i}]"), r)))
            .collect::<Result<Vec<_>, _>>()?;

        let base_path = match self.base_path {
            None => DEFAULT_BASE_PATH.to_owned(),
            Some(p) => {
                let trimmed = p.trim_end_matches('/');
                let ok = trimmed.starts_with('/')
                    && trimmed.len() > 1
                    && trimmed
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "/-_.".contains(c))
                    && !trimmed.contains("//")
                    && !trimmed.split('/').any(|s| s == "." || s == "..");
                if !ok {
                    return Err(invalid(
                        "base_path",
                        "must be a path like \"/redcap-resume/api\"",
                    ));
                }
                trimmed.to_owned()
            }
        };

        let mut projects = BTreeMap::new();
        if let Some(redcap) = self.redcap {
            projects.insert(
                DEFAULT_PROJECT.to_owned(),
                redcap.validate("redcap", DEFAULT_PROJECT, secrets)?,
            );
        }
        for (name, raw) in self.projects {
            if name == DEFAULT_PROJECT {
                return Err(invalid(
                    "projects.default",
                    "the name `default` is taken by [redcap]",
                ));
            }
            if !is_name(&name) {
                return Err(invalid(
                    format!("projects.{name}"),
                    "project names use a-z, 0-9, - and _",
                ));
            }
            let project = raw.validate(&format!("projects.{name}"), &name, secrets)?;
            projects.insert(name, project);
        }
        if projects.is_empty() {
            return Err(invalid(
                "redcap",
                "missing: say where REDCap is ([redcap] url and token_env or token_file)",
            ));
        }

        let auth = self.auth.unwrap_or_default().validate(secrets, &projects)?;

        let mut surveys = Vec::new();
        if self.surveys.is_empty() {
            return Err(invalid(
                "surveys",
                "configure at least one survey, like [surveys.baseline]",
            ));
        }
        for (key, value) in self.surveys {
            let prefix = format!("surveys.{key}");
            let survey_key = SurveyKey::parse(&key)
                .map_err(|_| invalid(&prefix, "survey keys use a-z, 0-9, - and _ (at most 64)"))?;
            let raw: RawSurvey = value
                .try_into()
                .map_err(|e: toml::de::Error| invalid(&prefix, e.message().to_owned()))?;
            surveys.push(raw.validate(&prefix, survey_key, &projects)?);
        }

        let limits = self.limits.unwrap_or_default().validate()?;
        let audit = self.audit.map(|a| AuditConfig {
            path: a.path,
            fail_closed: a.fail_closed,
        });

        Ok(Config {
            listen,
            public_dir: self.public_dir,
            allowed_origins,
            base_path,
            projects,
            auth,
            surveys,
            limits,
            audit,
        })
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// `https://study.example.edu` (no path), normalised the way browsers send `Origin`.
fn parse_origin(text: &str) -> Result<String, String> {
    let url = Url::parse(text).map_err(|e| format!("`{text}` is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "`{text}` must be an http(s) origin like https://study.example.edu"
        ));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!("`{text}` must be an origin only, without a path"));
    }
    Ok(url.origin().ascii_serialization())
}

fn read_secret(
    key: &str,
    env: Option<&str>,
    file: Option<&Path>,
    secrets: &dyn SecretSource,
    what: &str,
) -> Result<String, ConfigError> {
    let value = match (env, file) {
        (Some(_), Some(_)) => {
            return Err(invalid(key, format!("give the {what} with either `_env` or `_file`, not both")))
        }
        (None, None) => {
            return Err(invalid(key, format!("missing: name an environment variable (`{key}_env`) or a file (`{key}_file`) holding the {what}")))
        }
        (Some(var), None) => secrets
            .env(var)
            .ok_or_else(|| invalid(format!("{key}_env"), format!("the environment variable {var} is not set")))?,
        (None, Some(path)) => secrets.file(path).map_err(|e| {
            invalid(format!("{key}_file"), format!("cannot read {}: {e}", path.display()))
        })?,
    };
    let value = value.trim_end_matches(['\r', '\n']).to_owned();
    if value.is_empty() {
        return Err(invalid(key, format!("the {what} is empty")));
    }
    Ok(value)
}

impl RawProject {
    fn validate(
        self,
        prefix: &str,
        name: &str,
        secrets: &dyn SecretSource,
    ) -> Result<ProjectConfig, ConfigError> {
        let url_text = self.url.ok_or_else(|| {
            invalid(
                format!("{prefix}.url"),
                "missing: the REDCap API URL, like https://redcap.example.edu/api/",
            )
        })?;
        let api_url = Url::parse(&url_text)
            .map_err(|e| invalid(format!("{prefix}.url"), format!("not a URL ({e})")))?;
        if !matches!(api_url.scheme(), "http" | "https") || api_url.host_str().is_none() {
            return Err(invalid(format!("{prefix}.url"), "must be an http(s) URL"));
        }
        if !api_url.path().ends_with("/api/") {
            return Err(invalid(
                format!("{prefix}.url"),
                "must end with /api/ (REDCap's API endpoint), like https://redcap.example.edu/api/",
            ));
        }
        if !api_url.username().is_empty()
            || api_url.password().is_some()
            || api_url.query().is_some()
        {
            return Err(invalid(
                format!("{prefix}.url"),
                "must not carry credentials or a query; the token goes in token_env or token_file",
            ));
        }
        let token_text = read_secret(
            &format!("{prefix}.token"),
            self.token_env.as_deref(),
            self.token_file.as_deref(),
            secrets,
            "REDCap API token",
        )?;
        let token = ApiToken::parse(token_text.trim()).map_err(|_| {
            invalid(
                format!("{prefix}.token"),
                "a REDCap API token is 32 (or 64) letters and digits; check the value you set",
            )
        })?;
        let timeout_ms = self.timeout_ms.unwrap_or(8000);
        if !(100..=120_000).contains(&timeout_ms) {
            return Err(invalid(
                format!("{prefix}.timeout_ms"),
                "must be between 100 and 120000",
            ));
        }
        let budget = self.max_requests_per_minute.unwrap_or(300);
        if budget == 0 || budget > MAX_BUDGET_PER_MINUTE {
            return Err(invalid(
                format!("{prefix}.max_requests_per_minute"),
                format!("must be between 1 and {MAX_BUDGET_PER_MINUTE}: REDCap bans an IP that passes its limit (600 per minute by default)"),
            ));
        }
        let wait_ms = self.max_queue_wait_ms.unwrap_or(2000);
        if wait_ms > 60_000 {
            return Err(invalid(
                format!("{prefix}.max_queue_wait_ms"),
                "must be at most 60000",
            ));
        }
        let ttl = self.cache_ttl_seconds.unwrap_or(600);
        if !(1..=86_400).contains(&ttl) {
            return Err(invalid(
                format!("{prefix}.cache_ttl_seconds"),
                "must be between 1 and 86400",
            ));
        }
        let ban_pause = self.ban_pause_seconds.unwrap_or(600);
        if !(1..=86_400).contains(&ban_pause) {
            return Err(invalid(
                format!("{prefix}.ban_pause_seconds"),
                "must be between 1 and 86400",
            ));
        }
        Ok(ProjectConfig {
            name: name.to_owned(),
            api_url,
            token,
            timeout: Duration::from_millis(timeout_ms),
            max_requests_per_minute: budget,
            max_queue_wait: Duration::from_millis(wait_ms),
            cache_ttl: Duration::from_secs(ttl),
            ban_pause: Duration::from_secs(ban_pause),
        })
    }
}

impl RawAuth {
    fn validate(
        self,
        secrets: &dyn SecretSource,
        projects: &BTreeMap<String, ProjectConfig>,
    ) -> Result<AuthConfig, ConfigError> {
        let mode = self.mode.unwrap_or(AuthMode::Ticket);
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
        let trusted_proxies = self
            .trusted_proxies
            .iter()
            .enumerate()
            .map(|(i, t)| {
                parse_cidr(t).map_err(|r| invalid(format!("auth.trusted_proxies[{i}]"), r))
            })
            .collect::<Result<Vec<_>, _>>()?;

        let ticket_key = match mode {
            AuthMode::Header => None,
            AuthMode::Ticket => Some(self.ticket_key(secrets)?),
        };
        let header_name = match mode {
            AuthMode::Ticket => None,
            AuthMode::Header => {
                let name = self
                    .header_name
                    .clone()
                    .unwrap_or_else(|| "X-Remote-User".to_owned());
                if axum::http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                    return Err(invalid("auth.header_name", "not a valid HTTP header name"));
                }
                if trusted_proxies.is_empty() {
                    return Err(invalid(
                        "auth.trusted_proxies",
                        "header mode needs the addresses of the reverse proxy that sets the header (CIDRs, like \"127.0.0.1/32\")",
                    ));
                }
                Some(name)
            }
        };
        Ok(AuthConfig {
            mode,
            ticket_key,
            cookie_name,
            leeway: Duration::from_secs(leeway),
            header_name,
            trusted_proxies,
            lookup,
        })
    }

    fn lookup(
        &self,
        mode: AuthMode,
        projects: &BTreeMap<String, ProjectConfig>,
    ) -> Result<Option<LookupConfig>, ConfigError> {
        let Some(field) = &self.lookup_field else {
            if self.record_id_field.is_some() || self.lookup_project.is_some() {
                return Err(invalid("auth.lookup_field", "missing: record_id_field and lookup_project only make sense with a lookup_field"));
            }
            return Ok(None);
        };
        if mode != AuthMode::Header {
            return Err(invalid(
                "auth.lookup_field",
                "a lookup only applies to mode = \"header\"",
            ));
        }
        let field = redcap_client::FieldName::parse(field).map_err(|_| {
            invalid(
                "auth.lookup_field",
                "a REDCap field name uses a-z, 0-9 and _, starting with a letter",
            )
        })?;
        let record_id_field =
            redcap_client::FieldName::parse(self.record_id_field.as_deref().unwrap_or("record_id"))
                .map_err(|_| {
                    invalid(
                        "auth.record_id_field",
                        "a REDCap field name uses a-z, 0-9 and _, starting with a letter",
                    )
                })?;
        let project = self
            .lookup_project
            .clone()
            .unwrap_or_else(|| DEFAULT_PROJECT.to_owned());
        if !projects.contains_key(&project) {
            return Err(invalid(
                "auth.lookup_project",
                format!("there is no project `{project}` to look the header up in"),
            ));
        }
        Ok(Some(LookupConfig {
            project,
            field,
            record_id_field,
        }))
    }

    fn ticket_key(&self, secrets: &dyn SecretSource) -> Result<TicketKey, ConfigError> {
        let algorithm = self.algorithm.as_deref().unwrap_or("HS256");
        match algorithm {
            "HS256" => {
                if self.ticket_public_key_file.is_some() {
                    return Err(invalid("auth.ticket_public_key_file", "HS256 uses a shared secret (ticket_secret_env or ticket_secret_file), not a public key"));
                }
                let secret = read_secret(
                    "auth.ticket_secret",
                    self.ticket_secret_env.as_deref(),
                    self.ticket_secret_file.as_deref(),
                    secrets,
                    "ticket secret",
                )?;
                if secret.len() < 32 {
                    return Err(invalid(
                        "auth.ticket_secret",
                        "must be at least 32 bytes long (use a random value)",
                    ));
                }
                Ok(TicketKey::Hs256(SecretString::from(secret)))
            }
            "EdDSA" | "RS256" => {
                if self.ticket_secret_env.is_some() || self.ticket_secret_file.is_some() {
                    return Err(invalid("auth.ticket_secret_env", format!("{algorithm} uses a public key (ticket_public_key_file), not a shared secret")));
                }
                let path = self.ticket_public_key_file.as_ref().ok_or_else(|| {
                    invalid(
                        "auth.ticket_public_key_file",
                        format!("missing: {algorithm} needs the portal's public key (PEM)"),
                    )
                })?;
                let pem = secrets.file(path).map_err(|e| {
                    invalid(
                        "auth.ticket_public_key_file",
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?;
                let check = if algorithm == "EdDSA" {
                    jsonwebtoken::DecodingKey::from_ed_pem(pem.as_bytes()).map(|_| ())
                } else {
                    jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_bytes()).map(|_| ())
                };
                check.map_err(|_| {
                    invalid(
                        "auth.ticket_public_key_file",
                        format!("not a PEM {algorithm} public key"),
                    )
                })?;
                Ok(if algorithm == "EdDSA" {
                    TicketKey::EdDsa(pem.into_bytes())
                } else {
                    TicketKey::Rs256(pem.into_bytes())
                })
            }
            other => Err(invalid(
                "auth.algorithm",
                format!("`{other}` is not supported; use \"HS256\", \"EdDSA\" or \"RS256\""),
            )),
        }
    }
}

fn parse_cidr(text: &str) -> Result<IpNet, String> {
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{text}` is not an IP address or CIDR like 10.0.0.0/8"))
}

impl RawSurvey {
    fn validate(
        self,
        prefix: &str,
        key: SurveyKey,
        projects: &BTreeMap<String, ProjectConfig>,
    ) -> Result<SurveyConfig, ConfigError> {
        let project = self.project.unwrap_or_else(|| DEFAULT_PROJECT.to_owned());
        if !projects.contains_key(&project) {
            let reason = if project == DEFAULT_PROJECT {
                "no `project` named and there is no [redcap] table".to_owned()
            } else {
                format!("there is no [projects.{project}]")
            };
            return Err(invalid(format!("{prefix}.project"), reason));
        }
        let title = self
            .title
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                invalid(
                    format!("{prefix}.title"),
                    "missing: the title participants see",
                )
            })?;
        let instrument_text = self.instrument.ok_or_else(|| {
            invalid(
                format!("{prefix}.instrument"),
                "missing: the REDCap instrument's unique name, like baseline_survey",
            )
        })?;
        let instrument = Instrument::parse(&instrument_text).map_err(|_| {
            invalid(
                format!("{prefix}.instrument"),
                "an instrument's unique name uses a-z, 0-9 and _ (see REDCap's Codebook)",
            )
        })?;
        let event = self
            .event
            .map(|e| {
                Event::parse(&e).map_err(|_| {
                    invalid(
                        format!("{prefix}.event"),
                        "an event's unique name uses a-z, 0-9 and _, like baseline_arm_1",
                    )
                })
            })
            .transpose()?;
        let repeat_instance = self
            .repeat_instance
            .map(|n| {
                RepeatInstance::new(n).ok_or_else(|| {
                    invalid(format!("{prefix}.repeat_instance"), "must be 1 or more")
                })
            })
            .transpose()?;
        Ok(SurveyConfig {
            key,
            project,
            title,
            instrument,
            event,
            repeat_instance,
            status: self.status,
            allow_completed_edit: self.allow_completed_edit,
            link_style: self.link_style.unwrap_or(LinkStyle::ReturnPage),
        })
    }
}

impl RawLimits {
    fn validate(self) -> Result<LimitsConfig, ConfigError> {
        let per_participant = self.per_participant_per_minute.unwrap_or(60);
        let per_ip = self.per_ip_per_minute.unwrap_or(600);
        let concurrent = self.max_concurrent_requests.unwrap_or(512);
        let timeout_ms = self.request_timeout_ms.unwrap_or(15_000);
        if per_participant == 0 {
            return Err(invalid(
                "limits.per_participant_per_minute",
                "must be 1 or more",
            ));
        }
        if per_ip == 0 {
            return Err(invalid("limits.per_ip_per_minute", "must be 1 or more"));
        }
        if concurrent == 0 {
            return Err(invalid(
                "limits.max_concurrent_requests",
                "must be 1 or more",
            ));
        }
        if !(100..=300_000).contains(&timeout_ms) {
            return Err(invalid(
                "limits.request_timeout_ms",
                "must be between 100 and 300000",
            ));
        }
        Ok(LimitsConfig {
            per_participant_per_minute: per_participant,
            per_ip_per_minute: per_ip,
            max_concurrent_requests: concurrent,
            request_timeout: Duration::from_millis(timeout_ms),
        })
    }
}

impl AuthConfig {
    /// The HS256 secret, for minting tickets (the `ticket` command and the demo).
    pub fn hs256_secret(&self) -> Option<&str> {
        match &self.ticket_key {
            Some(TicketKey::Hs256(s)) => Some(s.expose_secret()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
