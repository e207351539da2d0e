//! REDCap projects (`[redcap]`, `[projects.NAME]`) and the REDCap servers they live on.
//!
//! A project is one API token on one REDCap. REDCap counts API calls per client IP and bans
//! an IP that passes its limit, so every project on one server (one origin) shares a single
//! call budget and breaker: [`RedcapServerConfig`] is that server, its settings merged from
//! its projects' by the rules in [`RedcapServerConfig::join`] and nowhere else.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use redcap_client::{ApiToken, FieldName};
use serde::Deserialize;
use url::Url;

use super::error::{invalid, ConfigError};
use super::languages::Languages;
use super::redcap_site;
use super::secrets::{read_secret, SecretSource};

/// The name of the project given by the `[redcap]` table.
pub const DEFAULT_PROJECT: &str = "default";
/// REDCap bans at 600 per minute by default; never allow a budget close to that.
pub const MAX_BUDGET_PER_MINUTE: u32 = 500;

/// A project of one configuration: its index in [`Config::projects`](super::Config::projects).
/// Only validation makes one, so it always names a configured project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjectId(usize);

impl ProjectId {
    /// The position in [`Config::projects`](super::Config::projects) (and in anything built
    /// from it in the same order).
    pub fn index(self) -> usize {
        self.0
    }
}

/// One REDCap project: where it is and the token of its API user.
#[derive(Debug, Clone)]
pub struct ProjectConfig {
    /// `default` for `[redcap]`, else the `NAME` of `[projects.NAME]`.
    pub name: String,
    /// Ends with `/api/`; no credentials, no query.
    pub api_url: Url,
    pub token: ApiToken,
    /// How long one REDCap call may take.
    pub timeout: Duration,
    /// The budget of calls per minute as configured for this project (1..=500). Its server
    /// applies the smallest of its projects' values.
    pub max_requests_per_minute: u32,
    /// How long a call may wait for the budget before the participant is told to retry.
    pub max_queue_wait: Duration,
    /// How long a survey link and return code stay cached.
    pub cache_ttl: Duration,
    /// How long after REDCap's ban (429) this server stops calling it.
    pub ban_pause: Duration,
    /// REDCap's survey base URL when survey links are not on the API's host (an admin
    /// setting): links under it are accepted, and the resume form posts there. Ends in `/`.
    /// `None`: links must be on the API's origin.
    pub survey_base_url: Option<Url>,
    /// The project's record-id field (its first field). `None`: learnt from REDCap's metadata
    /// on first use.
    pub record_id_field: Option<FieldName>,
    /// A PEM file of extra certificate authorities to trust for this REDCap (checked readable
    /// at start-up).
    pub ca_file: Option<PathBuf>,
    /// Element language → REDCap MLM language id (`__lang`); empty when not configured.
    pub languages: Languages,
}

/// One REDCap server (one origin) and what its projects share.
#[derive(Debug, Clone)]
pub struct RedcapServerConfig {
    /// `https://redcap.example.edu`: REDCap counts calls per client IP, per server.
    pub origin: String,
    /// The API URL of its first project (in name order), for log lines.
    pub label: String,
    /// The smallest budget configured by one of its projects.
    pub max_requests_per_minute: u32,
    /// The shortest wait for the budget configured by one of its projects.
    pub max_queue_wait: Duration,
    /// The longest ban pause configured by one of its projects.
    pub ban_pause: Duration,
    /// Its projects, in name order; never empty.
    pub projects: Vec<ProjectId>,
}

impl RedcapServerConfig {
    fn first(id: ProjectId, project: &ProjectConfig) -> Self {
        Self {
            origin: project.api_url.origin().ascii_serialization(),
            label: project.api_url.to_string(),
            max_requests_per_minute: project.max_requests_per_minute,
            max_queue_wait: project.max_queue_wait,
            ban_pause: project.ban_pause,
            projects: vec![id],
        }
    }

    /// The merge rules: the strictest budget, the longest pause after a ban.
    fn join(&mut self, id: ProjectId, project: &ProjectConfig) {
        self.max_requests_per_minute = self
            .max_requests_per_minute
            .min(project.max_requests_per_minute);
        self.max_queue_wait = self.max_queue_wait.min(project.max_queue_wait);
        self.ban_pause = self.ban_pause.max(project.ban_pause);
        self.projects.push(id);
    }
}

/// The projects, in name order, and the servers they live on.
pub(super) struct Projects {
    pub projects: Vec<ProjectConfig>,
    pub servers: Vec<RedcapServerConfig>,
}

/// The project named `name`, if configured.
pub(super) fn find(projects: &[ProjectConfig], name: &str) -> Option<ProjectId> {
    projects.iter().position(|p| p.name == name).map(ProjectId)
}

/// The project named `name` among `names` (in [`ProjectId`] order, as [`names_of`] gives them).
pub(super) fn find_name(names: &[String], name: &str) -> Option<ProjectId> {
    names.iter().position(|n| n == name).map(ProjectId)
}

/// The projects' names in [`ProjectId`] order (name order, `[redcap]` as `default`), without
/// validating them: for what needs no REDCap token (minting a ticket).
pub(super) fn names_of(redcap: bool, named: &BTreeMap<String, RawProject>) -> Vec<String> {
    let mut names: Vec<String> = named.keys().cloned().collect();
    if redcap {
        names.push(DEFAULT_PROJECT.to_owned());
    }
    names.sort();
    names.dedup();
    names
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProject {
    url: Option<String>,
    token_env: Option<String>,
    token_file: Option<PathBuf>,
    timeout_ms: Option<u64>,
    max_requests_per_minute: Option<u32>,
    max_queue_wait_ms: Option<u64>,
    cache_ttl_seconds: Option<u64>,
    ban_pause_seconds: Option<u64>,
    survey_base_url: Option<String>,
    record_id_field: Option<String>,
    ca_file: Option<PathBuf>,
    languages: Option<BTreeMap<String, String>>,
}

/// `[redcap]` (the project `default`) and `[projects.*]`, validated and grouped by server.
pub(super) fn validate(
    redcap: Option<RawProject>,
    named: BTreeMap<String, RawProject>,
    secrets: &dyn SecretSource,
) -> Result<Projects, ConfigError> {
    let mut by_name = BTreeMap::new();
    if let Some(redcap) = redcap {
        by_name.insert(
            DEFAULT_PROJECT.to_owned(),
            redcap.validate("redcap", DEFAULT_PROJECT, secrets)?,
        );
    }
    for (name, raw) in named {
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
        by_name.insert(name, project);
    }
    if by_name.is_empty() {
        return Err(invalid(
            "redcap",
            "missing: say where REDCap is ([redcap] url and token_env or token_file)",
        ));
    }
    let projects: Vec<ProjectConfig> = by_name.into_values().collect();
    let servers = servers_of(&projects);
    Ok(Projects { projects, servers })
}

/// Groups projects by the origin of their API URL.
fn servers_of(projects: &[ProjectConfig]) -> Vec<RedcapServerConfig> {
    let mut servers: Vec<RedcapServerConfig> = Vec::new();
    let mut by_origin: HashMap<String, usize> = HashMap::new();
    for (i, project) in projects.iter().enumerate() {
        let origin = project.api_url.origin().ascii_serialization();
        match by_origin.get(&origin) {
            Some(&s) => servers[s].join(ProjectId(i), project),
            None => {
                by_origin.insert(origin, servers.len());
                servers.push(RedcapServerConfig::first(ProjectId(i), project));
            }
        }
    }
    servers
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
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
        let survey_base_url = redcap_site::survey_base_url(
            &format!("{prefix}.survey_base_url"),
            self.survey_base_url.as_deref(),
        )?;
        let record_id_field = redcap_site::record_id_field(
            &format!("{prefix}.record_id_field"),
            self.record_id_field.as_deref(),
        )?;
        let ca_file = redcap_site::ca_file(&format!("{prefix}.ca_file"), self.ca_file)?;
        let languages = Languages::validate(&format!("{prefix}.languages"), self.languages)?;
        Ok(ProjectConfig {
            name: name.to_owned(),
            api_url,
            token,
            timeout: Duration::from_millis(timeout_ms),
            max_requests_per_minute: budget,
            max_queue_wait: Duration::from_millis(wait_ms),
            cache_ttl: Duration::from_secs(ttl),
            ban_pause: Duration::from_secs(ban_pause),
            survey_base_url,
            record_id_field,
            ca_file,
            languages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{assert_mistakes_name_the_key, env, GOOD};
    use super::super::Config;
    use super::*;

    #[test]
    fn project_mistakes_name_the_key() {
        assert_mistakes_name_the_key(&[
            (
                "url = \"https://redcap.example.edu/api/\"\ntoken_env = \"TOKEN\"",
                "url = \"https://redcap.example.edu/\"\ntoken_env = \"TOKEN\"",
                "`redcap.url`",
            ),
            (
                "token_env = \"TOKEN\"",
                "token_env = \"NOT_SET\"",
                "`redcap.token_env`",
            ),
            (
                "max_requests_per_minute = 300",
                "max_requests_per_minute = 900",
                "`redcap.max_requests_per_minute`",
            ),
            (
                "[projects.cohort]",
                "[projects.default]",
                "`projects.default`",
            ),
        ]);
    }

    #[test]
    fn redcap_site_keys_parse_per_project() {
        let text = GOOD.replace(
            "token_env = \"COHORT\"",
            "token_env = \"COHORT\"\nsurvey_base_url = \"https://surveys.example.edu/redcap\"\nrecord_id_field = \"participant_id\"\nlanguages = { es = \"es-MX\", fr = \"fr\" }",
        );
        let c = Config::parse(&text, &env()).unwrap();
        let cohort = c.project(c.project_named("cohort").unwrap());
        assert_eq!(
            cohort.survey_base_url.as_ref().unwrap().as_str(),
            "https://surveys.example.edu/redcap/"
        );
        assert_eq!(
            cohort.record_id_field.as_ref().unwrap().as_str(),
            "participant_id"
        );
        assert_eq!(cohort.languages.mlm_id("es").unwrap().as_str(), "es-MX");
        assert_eq!(cohort.ca_file, None);
        // [redcap] keeps the defaults: nothing configured there.
        let default = c.project(c.project_named("default").unwrap());
        assert!(default.survey_base_url.is_none() && default.record_id_field.is_none());
        assert!(default.languages.is_empty());
    }

    #[test]
    fn redcap_site_mistakes_name_the_key() {
        let base = "url = \"https://redcap.example.edu/api/\"\ntoken_env = \"TOKEN\"";
        assert_mistakes_name_the_key(&[
            (
                base,
                &format!("{base}\nsurvey_base_url = \"surveys.example.edu\""),
                "`redcap.survey_base_url`",
            ),
            (
                base,
                &format!("{base}\nrecord_id_field = \"Record-ID\""),
                "`redcap.record_id_field`",
            ),
            (
                base,
                &format!("{base}\nca_file = \"/nonexistent/ca.pem\""),
                "`redcap.ca_file`",
            ),
            (
                base,
                &format!("{base}\nlanguages = {{ es = \"es MX\" }}"),
                "`redcap.languages.es`",
            ),
            (
                "token_env = \"COHORT\"",
                "token_env = \"COHORT\"\nlanguages = { \"Español\" = \"es\" }",
                "`projects.cohort.languages.Español`",
            ),
        ]);
    }

    #[test]
    fn a_bad_token_is_refused_without_echoing_it() {
        let mut e = env();
        e.insert("TOKEN".into(), "not a token!".into());
        let err = Config::parse(GOOD, &e).unwrap_err().to_string();
        assert!(
            err.contains("redcap.token") && !err.contains("not a token!"),
            "{err}"
        );
    }

    #[test]
    fn projects_on_one_origin_share_one_server_with_the_strictest_settings() {
        let text = GOOD
            .replace(
                "url = \"https://redcap.example.edu/api/\"\ntoken_env = \"COHORT\"",
                "url = \"https://redcap.example.edu/other/api/\"\ntoken_env = \"COHORT\"\nmax_requests_per_minute = 100\nban_pause_seconds = 3600",
            )
            + "\n[projects.elsewhere]\nurl = \"https://redcap.other.edu/api/\"\ntoken_env = \"TOKEN\"\nmax_requests_per_minute = 50\n";
        let c = Config::parse(&text, &env()).unwrap();
        assert_eq!(c.servers.len(), 2);
        let here = &c.servers[0];
        assert_eq!(here.origin, "https://redcap.example.edu");
        assert_eq!(here.max_requests_per_minute, 100);
        assert_eq!(here.ban_pause, Duration::from_secs(3600));
        let names: Vec<&str> = here
            .projects
            .iter()
            .map(|&id| c.project(id).name.as_str())
            .collect();
        assert_eq!(names, ["cohort", "default"]);
        assert_eq!(here.label, "https://redcap.example.edu/other/api/");
        let there = &c.servers[1];
        assert_eq!(there.max_requests_per_minute, 50);
        assert_eq!(there.projects.len(), 1);
        // Each project keeps its own configured value.
        let default = c.project_named("default").unwrap();
        assert_eq!(c.project(default).max_requests_per_minute, 300);
    }
}
