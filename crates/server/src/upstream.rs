//! Talking to REDCap without ever getting the institution banned.
//!
//! Every call goes through the breaker and the call budget of its REDCap server (one per
//! origin: REDCap counts per client IP, so projects on one server share a budget). Survey
//! links and return codes are cached per response; concurrent requests for the same response
//! share one REDCap call. Answers that will not change soon (record missing, not a survey)
//! are remembered briefly too, so a page that keeps asking cannot flood REDCap.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;
use redcap_client::{
    Client, ClientConfig, FieldName, LookupValue, RecordId, RedcapError, ResponseStatus,
    ReturnCode, SurveyLink, SurveyTarget,
};

use crate::breaker::Breaker;
use crate::budget::CallBudget;
use crate::config::ProjectConfig;
use crate::error::Failure;

/// How long a refusal that will not change soon is remembered.
const REFUSAL_TTL: Duration = Duration::from_secs(60);
/// How long a survey's completion status is believed.
const STATUS_TTL: Duration = Duration::from_secs(30);
/// What a participant is told to wait after an outage.
const OUTAGE_RETRY: Duration = Duration::from_secs(30);
const CACHE_CAPACITY: u64 = 100_000;

/// One REDCap server: its budget and breaker.
pub struct RedcapServer {
    pub label: String,
    budget: CallBudget,
    breaker: Breaker,
}

impl RedcapServer {
    pub fn breaker_open(&self) -> bool {
        self.breaker.is_open()
    }
}

/// A survey link and its return code, as REDCap gave them.
#[derive(Clone)]
pub struct Resumable {
    pub link: SurveyLink,
    pub code: ReturnCode,
}

/// One REDCap project (one token), with its caches.
pub struct Project {
    pub name: String,
    client: Client,
    server: Arc<RedcapServer>,
    resumables: Cache<SurveyTarget, Resumable>,
    links: Cache<SurveyTarget, SurveyLink>,
    statuses: Cache<SurveyTarget, ResponseStatus>,
    refusals: Cache<SurveyTarget, Failure>,
    lookups: Cache<(FieldName, LookupValue), RecordId>,
}

/// Builds the projects of a configuration, sharing one budget per REDCap server.
pub fn build_projects(
    projects: &std::collections::BTreeMap<String, ProjectConfig>,
) -> Result<HashMap<String, Arc<Project>>, String> {
    // Projects on one REDCap server share its budget: the smallest one configured for it.
    let mut servers: HashMap<String, Arc<RedcapServer>> = HashMap::new();
    for cfg in projects.values() {
        let origin = cfg.api_url.origin().ascii_serialization();
        let shared = projects
            .values()
            .filter(|p| p.api_url.origin().ascii_serialization() == origin);
        let budget = shared
            .clone()
            .map(|p| p.max_requests_per_minute)
            .min()
            .unwrap_or(cfg.max_requests_per_minute);
        let wait = shared
            .clone()
            .map(|p| p.max_queue_wait)
            .min()
            .unwrap_or(cfg.max_queue_wait);
        let ban_pause = shared.map(|p| p.ban_pause).max().unwrap_or(cfg.ban_pause);
        servers.entry(origin).or_insert_with(|| {
            Arc::new(RedcapServer {
                label: cfg.api_url.to_string(),
                budget: CallBudget::per_minute(budget, wait),
                breaker: Breaker::new(cfg.api_url.to_string(), ban_pause),
            })
        });
    }
    let mut built = HashMap::new();
    for (name, cfg) in projects {
        let server = servers[&cfg.api_url.origin().ascii_serialization()].clone();
        let client = Client::new(ClientConfig {
            api_url: cfg.api_url.clone(),
            token: cfg.token.clone(),
            timeout: cfg.timeout,
        })
        .map_err(|e| format!("project {name}: cannot build the REDCap client: {e}"))?;
        let project = Project {
            name: name.clone(),
            client,
            server,
            resumables: Cache::builder()
                .max_capacity(CACHE_CAPACITY)
                .time_to_live(cfg.cache_ttl)
                .build(),
            links: Cache::builder()
                .max_capacity(CACHE_CAPACITY)
                .time_to_live(cfg.cache_ttl)
                .build(),
            statuses: Cache::builder()
                .max_capacity(CACHE_CAPACITY)
                .time_to_live(STATUS_TTL.min(cfg.cache_ttl))
                .build(),
            refusals: Cache::builder()
                .max_capacity(CACHE_CAPACITY)
                .time_to_live(REFUSAL_TTL)
                .build(),
            lookups: Cache::builder()
                .max_capacity(CACHE_CAPACITY)
                .time_to_live(cfg.cache_ttl)
                .build(),
        };
        built.insert(name.clone(), Arc::new(project));
    }
    Ok(built)
}

impl Project {
    pub fn server(&self) -> &RedcapServer {
        &self.server
    }

    /// The survey link and return code of one response: cached, coalesced, budgeted.
    pub async fn resumable(&self, target: &SurveyTarget) -> Result<Resumable, Failure> {
        self.remembered(&self.resumables, target, async {
            let (link, code) = tokio::try_join!(
                self.call(self.client.survey_link(target)),
                self.call(self.client.survey_return_code(target)),
            )?;
            Ok(Resumable { link, code })
        })
        .await
    }

    /// The survey link alone, for a survey not started yet: no return code is created (REDCap
    /// would create one and write a log entry for nothing).
    pub async fn survey_link(&self, target: &SurveyTarget) -> Result<SurveyLink, Failure> {
        if let Some(resumable) = self.resumables.get(target).await {
            return Ok(resumable.link);
        }
        self.remembered(
            &self.links,
            target,
            self.call(self.client.survey_link(target)),
        )
        .await
    }

    /// A cached answer about `target`, or a refusal remembered from a moment ago; otherwise
    /// `ask` (once, however many requests wait for it), remembering a lasting refusal.
    async fn remembered<T: Clone + Send + Sync + 'static>(
        &self,
        cache: &Cache<SurveyTarget, T>,
        target: &SurveyTarget,
        ask: impl Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        if let Some(refusal) = self.refusals.get(target).await {
            return Err(refusal);
        }
        let result = cache
            .try_get_with_by_ref(target, ask)
            .await
            .map_err(|e| (*e).clone());
        self.remember_refusal(target, result).await
    }

    /// Where the participant stands with the survey (cached briefly).
    pub async fn status(&self, target: &SurveyTarget) -> Result<ResponseStatus, Failure> {
        if let Some(refusal) = self.refusals.get(target).await {
            return Err(refusal);
        }
        // Not remembered as a refusal: an empty export can mean "no data in this event yet".
        self.statuses
            .try_get_with_by_ref(target, self.call(self.client.response_status(target)))
            .await
            .map_err(|e| (*e).clone())
    }

    /// The one record whose `field` holds `value` (cached, budgeted).
    pub async fn find_record(
        &self,
        field: &FieldName,
        value: &LookupValue,
        record_id_field: &FieldName,
    ) -> Result<RecordId, Failure> {
        let key = (field.clone(), value.clone());
        self.lookups
            .try_get_with(key, async {
                let records = self.call(self.client.find_records(field, value, record_id_field)).await?;
                match records.as_slice() {
                    [one] => Ok(one.clone()),
                    [] => Err(Failure::RecordNotFound),
                    _ => Err(Failure::UpstreamMisconfigured(format!(
                        "project {}: {} records hold this value in field {}: the lookup field must be unique",
                        self.name,
                        records.len(),
                        field.as_str()
                    ))),
                }
            })
            .await
            .map_err(|e| (*e).clone())
    }

    /// Asks REDCap its version through the budget (for `/readyz`).
    pub async fn ping(&self) -> Result<String, Failure> {
        self.call(self.client.version())
            .await
            .map(|v| v.to_string())
    }

    async fn remember_refusal<T>(
        &self,
        target: &SurveyTarget,
        result: Result<T, Failure>,
    ) -> Result<T, Failure> {
        if let Err(failure) = &result {
            if matches!(
                failure,
                Failure::RecordNotFound
                    | Failure::ResumeNotAvailable(_)
                    | Failure::UpstreamMisconfigured(_)
            ) {
                self.refusals.insert(target.clone(), failure.clone()).await;
            }
        }
        result
    }

    /// One REDCap call: breaker, budget, then the answer classified.
    async fn call<T>(
        &self,
        request: impl Future<Output = Result<T, RedcapError>>,
    ) -> Result<T, Failure> {
        let server = &self.server;
        if let Err(retry_after) = server.breaker.check() {
            return Err(Failure::UpstreamUnavailable {
                cause: format!("calls to {} paused (breaker open)", server.label),
                retry_after,
            });
        }
        if let Err(retry_after) = server.budget.acquire().await {
            tracing::warn!(redcap = %server.label, "call budget exhausted: a participant was asked to retry");
            return Err(Failure::UpstreamUnavailable {
                cause: "REDCap call budget exhausted".into(),
                retry_after,
            });
        }
        match request.await {
            Ok(value) => {
                server.breaker.record_answer();
                Ok(value)
            }
            Err(error) => Err(self.classify(error)),
        }
    }

    fn classify(&self, error: RedcapError) -> Failure {
        let server = &self.server;
        let project = &self.name;
        match error {
            RedcapError::Banned => {
                server.breaker.record_ban();
                Failure::UpstreamUnavailable {
                    cause: "REDCap banned this server's IP".into(),
                    retry_after: server.breaker.check().err().unwrap_or(OUTAGE_RETRY),
                }
            }
            e @ (RedcapError::Unavailable { .. }
            | RedcapError::Timeout
            | RedcapError::RateLimited) => {
                server.breaker.record_failure();
                Failure::UpstreamUnavailable {
                    cause: format!("project {project}: {e}"),
                    retry_after: OUTAGE_RETRY,
                }
            }
            RedcapError::RecordNotFound => {
                server.breaker.record_answer();
                Failure::RecordNotFound
            }
            e @ (RedcapError::NotASurvey | RedcapError::SaveAndReturnDisabled) => {
                server.breaker.record_answer();
                tracing::warn!(project = %project, hint = e.hint(), "{e}");
                Failure::ResumeNotAvailable(e.to_string())
            }
            e @ RedcapError::InvalidAnswer(_) => {
                server.breaker.record_failure();
                Failure::UpstreamMisconfigured(format!(
                    "project {project}: REDCap's answer was refused: {e}"
                ))
            }
            e @ RedcapError::Unexpected { .. } => {
                server.breaker.record_failure();
                Failure::UpstreamUnavailable {
                    cause: format!("project {project}: {e}"),
                    retry_after: OUTAGE_RETRY,
                }
            }
            e => {
                server.breaker.record_answer();
                Failure::UpstreamMisconfigured(format!("project {project}: {e} — {}", e.hint()))
            }
        }
    }
}

/// Convenience for building a target from configuration values.
pub fn target(record: &RecordId, survey: &crate::config::SurveyConfig) -> SurveyTarget {
    SurveyTarget {
        record: record.clone(),
        instrument: survey.instrument.clone(),
        event: survey.event.clone(),
        repeat_instance: survey.repeat_instance,
    }
}
