//! One REDCap project (one token) with its caches.
//!
//! Survey links and return codes are cached per response; concurrent requests for the same
//! response share one REDCap call. Answers that will not change soon (record missing, not a
//! survey, REDCap has nothing for this record, a lookup that finds nobody) are remembered
//! briefly too ([`REFUSAL_TTL`]), so a page that keeps asking cannot flood REDCap.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use redcap_client::{
    Client, FieldName, LookupValue, RecordId, ResponseStatus, ReturnCode, SurveyLink,
    SurveyQueueLink, SurveyTarget,
};
use redcap_resume_shared::Shared;

use super::answers::{Answers, LinkHome, Wire};
use super::gate::Gate;

mod purge;
use crate::config::ProjectConfig;
use crate::error::Failure;

/// How long a refusal that will not change soon is remembered.
const REFUSAL_TTL: Duration = Duration::from_secs(60);
/// How long a survey's completion status is believed.
const STATUS_TTL: Duration = Duration::from_secs(30);

/// A survey link and its return code, as REDCap gave them.
#[derive(Clone)]
pub struct Resumable {
    pub link: SurveyLink,
    pub code: ReturnCode,
}

/// One REDCap project (one token), with its caches; every call passes its server's gate.
pub struct Project {
    pub name: String,
    client: Client,
    gate: Arc<Gate>,
    resumables: Answers<SurveyTarget, Resumable>,
    links: Answers<SurveyTarget, SurveyLink>,
    statuses: Answers<SurveyTarget, ResponseStatus>,
    refusals: Answers<SurveyTarget, Failure>,
    lookups: Answers<(FieldName, LookupValue), RecordId>,
    /// Each record's survey queue link (one per record and project, whatever the survey).
    queue_links: Answers<RecordId, SurveyQueueLink>,
    /// Lasting refusals of `surveyQueueLink` (the queue is off, the record is missing).
    queue_refusals: Answers<RecordId, Failure>,
    /// Lookups that found no record (or several): a negative answer, remembered like a
    /// refusal so an SSO user who is not enrolled cannot spend REDCap calls by reloading.
    lookup_misses: Answers<(FieldName, LookupValue), Failure>,
    /// Set once the record-id field is known: learning it is a REDCap call (`metadata`) and
    /// passes the gate like every other.
    record_id_field_known: tokio::sync::OnceCell<()>,
}

impl Project {
    /// With `shared`, its answers are remembered on Redis for every replica.
    pub(super) fn new(
        config: &ProjectConfig,
        client: Client,
        gate: Arc<Gate>,
        shared: Option<&Shared>,
    ) -> Self {
        let name = &config.name;
        let url = &Arc::new(LinkHome {
            api_url: config.api_url.clone(),
            survey_base_url: config.survey_base_url.clone(),
        });
        let ttl = config.cache_ttl;
        Self {
            name: name.clone(),
            client,
            gate,
            resumables: Answers::new(shared, name, "resumable", ttl, url),
            links: Answers::new(shared, name, "link", ttl, url),
            statuses: Answers::new(shared, name, "status", STATUS_TTL.min(ttl), url),
            refusals: Answers::new(shared, name, "refusal", REFUSAL_TTL, url),
            lookups: Answers::new(shared, name, "lookup", ttl, url),
            lookup_misses: Answers::new(shared, name, "lookup-miss", REFUSAL_TTL, url),
            queue_links: Answers::new(shared, name, "queue", ttl, url),
            queue_refusals: Answers::new(shared, name, "queue-refusal", REFUSAL_TTL, url),
            record_id_field_known: tokio::sync::OnceCell::new(),
        }
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

    /// The record's survey queue link: cached, coalesced, budgeted like a survey link; a
    /// lasting refusal (the project's queue is off, no such record) is remembered briefly.
    /// (Written out like [`Project::remembered`], not through a shared helper: each level of
    /// `async` nesting adds to every request's future, and debug builds run near their stack.)
    pub async fn queue_link(&self, record: &RecordId) -> Result<SurveyQueueLink, Failure> {
        if let Some(refusal) = self.queue_refusals.get(record).await {
            return Err(refusal);
        }
        let result = self
            .queue_links
            .get_or_fetch(record, self.call(self.client.survey_queue_link(record)))
            .await;
        if let Err(failure) = &result {
            if failure.lasts() {
                self.queue_refusals.insert(record, failure.clone()).await;
            }
        }
        result
    }

    /// Where the participant stands with the survey (cached briefly). A lasting refusal is
    /// remembered for the target, except "record not found": an export filtered to an event
    /// comes back empty when the record has no data there yet (the caller asks for the link).
    pub async fn status(&self, target: &SurveyTarget) -> Result<ResponseStatus, Failure> {
        if let Some(refusal) = self.refusals.get(target).await {
            return Err(refusal);
        }
        self.learn_record_id_field().await?;
        let result = self
            .statuses
            .get_or_fetch(target, self.call(self.client.response_status(target)))
            .await;
        if let Err(failure) = &result {
            if failure.lasts() && !matches!(failure, Failure::RecordNotFound) {
                self.refusals.insert(target, failure.clone()).await;
            }
        }
        result
    }

    /// Learns the record-id field through the gate (once; a configured one costs nothing), so
    /// the status export that needs it makes no call the budget did not count.
    async fn learn_record_id_field(&self) -> Result<(), Failure> {
        self.record_id_field_known
            .get_or_try_init(|| async {
                self.call(self.client.record_id_field()).await.map(|_| ())
            })
            .await
            .map(|_| ())
    }

    /// The one record whose `field` holds `value` (cached, budgeted).
    pub async fn find_record(
        &self,
        field: &FieldName,
        value: &LookupValue,
        record_id_field: &FieldName,
    ) -> Result<RecordId, Failure> {
        let key = (field.clone(), value.clone());
        if let Some(miss) = self.lookup_misses.get(&key).await {
            return Err(miss);
        }
        let result = self
            .lookups
            .get_or_fetch(&key, async {
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
            .await;
        if let Err(failure) = &result {
            if failure.lasts() {
                self.lookup_misses.insert(&key, failure.clone()).await;
            }
        }
        result
    }

    /// This project's REDCap client, for the operator's tools: pass what it asks through
    /// [`Project::for_operator`].
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// `request` (which makes `calls` REDCap calls) through this project's breaker and call
    /// budget, for `check` and `serve`'s start-up probe: `Err` when they refused (nothing was
    /// sent), else REDCap's answer with its own error, for the operator's report.
    pub async fn for_operator<T>(
        &self,
        calls: u32,
        request: impl Future<Output = Result<T, redcap_client::RedcapError>>,
    ) -> Result<Result<T, redcap_client::RedcapError>, Failure> {
        self.gate
            .call_for_operator(&self.name, calls, request)
            .await
    }

    /// Asks REDCap its version through the budget (for `/readyz`).
    pub async fn ping(&self) -> Result<String, Failure> {
        self.call(self.client.version())
            .await
            .map(|v| v.to_string())
    }

    /// A cached answer about `target`, or a refusal remembered from a moment ago; otherwise
    /// `ask` (once, however many requests wait for it), remembering a lasting refusal.
    async fn remembered<T: Wire + Clone + Send + Sync + 'static>(
        &self,
        cache: &Answers<SurveyTarget, T>,
        target: &SurveyTarget,
        ask: impl Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        if let Some(refusal) = self.refusals.get(target).await {
            return Err(refusal);
        }
        let result = cache.get_or_fetch(target, ask).await;
        if let Err(failure) = &result {
            if failure.lasts() {
                self.refusals.insert(target, failure.clone()).await;
            }
        }
        result
    }

    async fn call<T>(
        &self,
        request: impl Future<Output = Result<T, redcap_client::RedcapError>>,
    ) -> Result<T, Failure> {
        self.gate.call(&self.name, request).await
    }
}
