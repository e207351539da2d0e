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
//! assert_eq!(config.project(config.surveys[0].project).name, "default");
//! // Secrets never print:
//! assert!(!format!("{config:?}").contains("0123456789ABCDEF"));
//! ```
//!
//! Every mistake stops start-up with a [`ConfigError`] that names the key and the reason.
//! One file per subject: [`secrets`], [`projects`] (and the REDCap servers they share, with
//! the REDCap site keys in `redcap_site` and [`languages`]), [`auth`] and [`ticket_key`],
//! [`surveys`], [`limits`], [`audit`], [`shared`], [`metrics`], [`study`], [`embed`]; [`error`] is what they all answer with.
//! This file only assembles them.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

pub mod audit;
pub mod auth;
pub mod embed;
pub mod error;
pub mod languages;
pub mod limits;
pub mod metrics;
pub mod projects;
mod redcap_site;
pub mod secrets;
pub mod shared;
pub mod study;
pub mod surveys;
pub mod ticket_key;

pub use audit::AuditConfig;
pub use auth::{AuthConfig, AuthMode, HeaderAuth, LookupConfig, TicketAuth, DEFAULT_COOKIE};
pub use embed::{EmbedConfig, FrameAncestor};
use error::invalid;
pub use error::ConfigError;
pub use languages::{LanguageTag, Languages, MlmLanguageId};
pub use limits::{LimitsConfig, SocketLimits};
pub use metrics::MetricsConfig;
pub use projects::{
    ProjectConfig, ProjectId, RedcapServerConfig, DEFAULT_PROJECT, MAX_BUDGET_PER_MINUTE,
};
pub use secrets::{ProcessEnv, SecretSource};
pub use shared::SharedConfig;
pub use study::{Contact, StudyConfig};
pub use surveys::{LinkStyle, SurveyConfig};
pub use ticket_key::TicketKey;

/// Where the API lives unless `base_path` says otherwise.
pub const DEFAULT_BASE_PATH: &str = "/redcap-resume/api";

/// The whole, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub public_dir: Option<PathBuf>,
    /// Origins (scheme://host[:port]) whose pages may call the API.
    pub allowed_origins: Vec<String>,
    /// Where the API lives, e.g. `/redcap-resume/api` (no trailing slash).
    pub base_path: String,
    /// Every project, in name order; a [`ProjectId`] indexes it. The `[redcap]` table is the
    /// project named `default`. Never empty.
    pub projects: Vec<ProjectConfig>,
    /// The REDCap servers the projects live on (one per origin), each project on exactly one.
    pub servers: Vec<RedcapServerConfig>,
    pub auth: AuthConfig,
    /// In the order of the file; never empty, keys unique.
    pub surveys: Vec<SurveyConfig>,
    pub limits: LimitsConfig,
    pub audit: Option<AuditConfig>,
    /// Replicas sharing their state on Redis; `None`: this process keeps it in memory.
    pub shared: Option<SharedConfig>,
    /// The admin listener (`/metrics`, cache purge); `None`: none.
    pub metrics: Option<MetricsConfig>,
    /// `[study]`: the contact line every answer and error carries.
    pub study: StudyConfig,
    /// The hosted page's framing and files (`[embed]`); default: framed by this origin only.
    pub embed: EmbedConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: Option<String>,
    public_dir: Option<PathBuf>,
    #[serde(default)]
    allowed_origins: Vec<String>,
    base_path: Option<String>,
    redcap: Option<projects::RawProject>,
    #[serde(default)]
    projects: BTreeMap<String, projects::RawProject>,
    auth: Option<auth::RawAuth>,
    #[serde(default)]
    surveys: toml::Table,
    limits: Option<limits::RawLimits>,
    audit: Option<audit::RawAudit>,
    shared: Option<shared::RawShared>,
    metrics: Option<metrics::RawMetrics>,
    study: Option<study::RawStudy>,
    embed: Option<embed::RawEmbed>,
}

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

    /// Only `[auth]` of a configuration file, validated; the REDCap projects are not (their
    /// tokens are not read): for commands that never call REDCap, like `ticket`. The rest of
    /// the file must still be valid TOML with known keys.
    pub fn load_auth(path: &Path) -> Result<AuthConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse_auth(&text, &ProcessEnv)
    }

    /// [`Config::load_auth`] of a text, with secrets from the given source.
    pub fn parse_auth(text: &str, secrets: &dyn SecretSource) -> Result<AuthConfig, ConfigError> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| ConfigError::Syntax(e.to_string()))?;
        let names = projects::names_of(raw.redcap.is_some(), &raw.projects);
        raw.auth.unwrap_or_default().validate(secrets, &names)
    }

    /// The project a [`ProjectId`] of this configuration names.
    pub fn project(&self, id: ProjectId) -> &ProjectConfig {
        &self.projects[id.index()]
    }

    /// The hosted page's path, beside the API: `/redcap-resume/embed` for the default
    /// `base_path` (`/redcap-resume/api`), `/embed` for a one-segment `base_path`.
    pub fn embed_path(&self) -> String {
        let parent = self.base_path.rsplit_once('/').map_or("", |(p, _)| p);
        format!("{parent}/embed")
    }

    /// Where the hosted page loads the widget files from: `[embed] widget_path`; else `/`
    /// when this server serves them itself (`public_dir`), else the folder beside the API
    /// (`/redcap-resume/` for the default `base_path`, where README's nginx snippet serves them).
    pub fn widget_path(&self) -> String {
        if let Some(path) = &self.embed.widget_path {
            return path.clone();
        }
        if self.public_dir.is_some() {
            return "/".to_owned();
        }
        let parent = self.base_path.rsplit_once('/').map_or("", |(p, _)| p);
        format!("{parent}/")
    }

    /// The project called `name` (`default` for `[redcap]`).
    pub fn project_named(&self, name: &str) -> Option<ProjectId> {
        projects::find(&self.projects, name)
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
        let base_path = parse_base_path(self.base_path)?;
        let projects::Projects { projects, servers } =
            projects::validate(self.redcap, self.projects, secrets)?;
        let names: Vec<String> = projects.iter().map(|p| p.name.clone()).collect();
        let auth = self.auth.unwrap_or_default().validate(secrets, &names)?;
        let surveys = surveys::validate(self.surveys, &projects)?;
        let limits = self.limits.unwrap_or_default().validate()?;
        let audit = self.audit.map(audit::RawAudit::validate);
        let shared = self.shared.map(|s| s.validate(secrets)).transpose()?;
        let metrics = self.metrics.map(|m| m.validate(listen)).transpose()?;
        let study = self.study.unwrap_or_default().validate()?;
        let embed = self.embed.unwrap_or_default().validate()?;
        Ok(Config {
            listen,
            public_dir: self.public_dir,
            allowed_origins,
            base_path,
            projects,
            servers,
            auth,
            surveys,
            limits,
            audit,
            shared,
            metrics,
            study,
            embed,
        })
    }
}

fn parse_base_path(path: Option<String>) -> Result<String, ConfigError> {
    let Some(p) = path else {
        return Ok(DEFAULT_BASE_PATH.to_owned());
    };
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
    Ok(trimmed.to_owned())
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

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
