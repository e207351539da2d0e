//! The HTTP client: one form-encoded `POST` per call, the answer read and classified.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, ACCEPT, LOCATION};
use url::Url;

use crate::classify::{classify, is_answer};
use crate::config::{BuildError, ClientConfig};
use crate::error::RedcapError;
use crate::lookup::FieldName;
use crate::redact::excerpt;
use crate::token::ApiToken;

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("redcap-client/", env!("CARGO_PKG_VERSION"));

/// The largest answer read; REDCap's answers to the calls of this client are far smaller
/// (except the metadata: see [`Content::max_answer_bytes`]).
const MAX_ANSWER_BYTES: usize = 1 << 20;

/// A REDCap API client for one project (one token).
///
/// Cheap to clone (clones share the connection pool and the learnt record-id field). Every
/// call is one form-encoded `POST` to the API URL, built from a fixed list of fields —
/// `token`, `content`, `format=json`, `returnFormat=json`, and, as the method needs them,
/// `record`, `instrument`, `event`, `repeat_instance` (the record export for
/// [`Client::response_status`] uses `type`, `records[0]`, `fields[0]`, `fields[1]`,
/// `events[0]` and `exportSurveyFields`) — whose values come from validated types only.
/// Redirects are not followed. Each call logs, at `debug` level, the `content`, the HTTP
/// status and the elapsed time; never the token, a code or a link.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    api_url: Url,
    token: ApiToken,
    timeout: Duration,
    pub(crate) survey_base_url: Option<Url>,
    /// The record-id field: set from the configuration, or learnt once from REDCap.
    pub(crate) record_id_field: Arc<tokio::sync::OnceCell<FieldName>>,
    /// Whether `record_id_field` came from the configuration (then REDCap never confirmed it).
    pub(crate) record_id_field_configured: bool,
    /// Told about every call sent (see [`Client::observed`]).
    observer: Option<CallObserver>,
}

/// What one call sent to REDCap came to, for an observer (metrics): the `content`, how it
/// ended and how long it took. Never the token, a record, a code or a link.
#[derive(Debug, Clone, Copy)]
pub struct CallEvent {
    /// The `content` sent, e.g. `surveyLink`.
    pub content: &'static str,
    /// `ok` (an answer), `error` (REDCap answered with an error or an unexpected status),
    /// `no_answer` (no HTTP answer: timeout, connection refused, or an answer too large),
    /// `cancelled` (the caller gave up waiting: the request may have reached REDCap).
    pub outcome: &'static str,
    /// From sending the request to the end of the answer.
    pub elapsed: Duration,
}

/// Called once per call sent to REDCap, after its answer (or its failure).
pub type CallObserver = Arc<dyn Fn(CallEvent) + Send + Sync>;

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_url", &self.api_url.as_str())
            .field("token", &self.token)
            .field("timeout", &self.timeout)
            .field(
                "survey_base_url",
                &self.survey_base_url.as_ref().map(Url::as_str),
            )
            .field("record_id_field", &self.record_id_field.get())
            .field("observed", &self.observer.is_some())
            .finish()
    }
}

/// The `content` values this client sends.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Content {
    Version,
    Project,
    Metadata,
    SurveyLink,
    SurveyReturnCode,
    SurveyQueueLink,
    Record,
    /// `record`, asked for every record's id (a large answer).
    RecordList,
    Instrument,
    Event,
    FormEventMapping,
}

impl Content {
    fn as_str(self) -> &'static str {
        match self {
            Self::Version => "version",
            Self::Project => "project",
            Self::Metadata => "metadata",
            Self::SurveyLink => "surveyLink",
            Self::SurveyReturnCode => "surveyReturnCode",
            Self::SurveyQueueLink => "surveyQueueLink",
            Self::Record | Self::RecordList => "record",
            Self::Instrument => "instrument",
            Self::Event => "event",
            Self::FormEventMapping => "formEventMapping",
        }
    }

    /// The largest answer read: 1 MiB, but 16 MiB for the metadata (a data dictionary of
    /// thousands of fields, asked for once per project) and for a list of every record's id.
    fn max_answer_bytes(self) -> usize {
        match self {
            Self::Metadata | Self::RecordList => 16 * MAX_ANSWER_BYTES,
            _ => MAX_ANSWER_BYTES,
        }
    }
}

impl Client {
    /// Builds a client (rustls trusting the bundled Mozilla roots, the operating system's store
    /// and the configured CA file; the configured timeout; no redirects; `User-Agent:
    /// redcap-client/…`). Checks the API URL — http(s), a host, no credentials, no query or
    /// fragment — and the survey base URL the same way (it must also end in `/`).
    pub fn new(config: ClientConfig) -> Result<Self, BuildError> {
        config.check()?;
        let ClientConfig {
            api_url,
            token,
            timeout,
            survey_base_url,
            record_id_field,
            ca_file,
        } = config;
        let mut builder = reqwest::Client::builder();
        if let Some(path) = &ca_file {
            for root in crate::tls::extra_roots(path)? {
                builder = builder.add_root_certificate(root);
            }
        }
        let http = builder
            .use_rustls_tls()
            .user_agent(USER_AGENT)
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .build()
            .map_err(|e| BuildError::Http(excerpt(&e.to_string())))?;
        let record_id_field_configured = record_id_field.is_some();
        let learnt = tokio::sync::OnceCell::new_with(record_id_field);
        Ok(Self {
            http,
            api_url,
            token,
            timeout,
            survey_base_url,
            record_id_field: Arc::new(learnt),
            record_id_field_configured,
            observer: None,
        })
    }

    /// This client, telling `observer` about every call it sends (one [`CallEvent`] per HTTP
    /// request REDCap receives, including the metadata call that learns the record-id field).
    pub fn observed(mut self, observer: CallObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The configured API URL.
    pub fn api_url(&self) -> &Url {
        &self.api_url
    }

    /// The configured survey base URL, if any.
    pub fn survey_base_url(&self) -> Option<&Url> {
        self.survey_base_url.as_ref()
    }

    /// The configured timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends one call and returns the body of a successful (200, not an error envelope) answer.
    pub(crate) async fn post(
        &self,
        content: Content,
        fields: Vec<(&'static str, String)>,
    ) -> Result<String, RedcapError> {
        let started = Instant::now();
        let mut observed = Observed {
            observer: self.observer.as_ref(),
            content,
            started,
        };
        let result = self.exchange(content, &fields).await;
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        observed.report(match &result {
            Ok((status, _, body)) if is_answer(*status, body) => "ok",
            Ok(_) => "error",
            Err(_) => "no_answer",
        });
        match &result {
            Ok((status, _, _)) => tracing::debug!(
                content = content.as_str(),
                status,
                elapsed_ms,
                "REDCap call"
            ),
            Err(error) => {
                tracing::debug!(content = content.as_str(), elapsed_ms, %error, "REDCap call failed")
            }
        }
        let (status, location, body) = result?;
        if is_answer(status, &body) {
            return Ok(body);
        }
        // REDCap does not echo the token; make sure no excerpt could carry it anyway.
        let body = body.replace(self.token.expose_secret(), "[REDACTED]");
        let mut error = classify(status, &body);
        if let RedcapError::Redirected { location: slot, .. } = &mut error {
            *slot = location;
        }
        Err(error)
    }

    /// The HTTP exchange: status, sanitized `Location`, body (at most 1 MiB, lossy UTF-8).
    async fn exchange(
        &self,
        content: Content,
        fields: &[(&'static str, String)],
    ) -> Result<(u16, Option<String>, String), RedcapError> {
        let mut form: Vec<(&str, &str)> = vec![
            ("token", self.token.expose_secret()),
            ("content", content.as_str()),
            ("format", "json"),
            ("returnFormat", "json"),
        ];
        form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let mut response = self
            .http
            .post(self.api_url.clone())
            .header(
                ACCEPT,
                HeaderValue::from_static("application/json, text/plain;q=0.9, */*;q=0.5"),
            )
            .form(&form)
            .send()
            .await
            .map_err(transport_error)?;
        let limit = content.max_answer_bytes();
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|l| sanitize_location(l, &self.api_url));
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large(limit));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len() + chunk.len() > limit {
                return Err(too_large(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((
            status,
            location,
            String::from_utf8_lossy(&body).into_owned(),
        ))
    }
}

/// One call's report to the observer: once with its outcome, or `cancelled` when the caller
/// dropped the call before its answer (a sibling call failed, a deadline passed) — REDCap may
/// well have received it, so it is counted all the same.
struct Observed<'a> {
    observer: Option<&'a CallObserver>,
    content: Content,
    started: Instant,
}

impl Observed<'_> {
    fn report(&mut self, outcome: &'static str) {
        if let Some(observe) = self.observer.take() {
            observe(CallEvent {
                content: self.content.as_str(),
                outcome,
                elapsed: self.started.elapsed(),
            });
        }
    }
}

impl Drop for Observed<'_> {
    fn drop(&mut self) {
        self.report("cancelled");
    }
}

fn too_large(limit: usize) -> RedcapError {
    RedcapError::InvalidAnswer(format!(
        "the answer is larger than {} MiB",
        limit / MAX_ANSWER_BYTES
    ))
}

/// A redirect target for the log: resolved against the API URL, without query or fragment.
fn sanitize_location(value: &HeaderValue, base: &Url) -> Option<String> {
    let mut url = base.join(value.to_str().ok()?).ok()?;
    url.set_query(None);
    url.set_fragment(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    Some(excerpt(url.as_str()))
}

/// Maps a transport failure: timeouts apart, everything is "unavailable" with a short detail.
fn transport_error(error: reqwest::Error) -> RedcapError {
    let error = error.without_url();
    let mut innermost: &dyn std::error::Error = &error;
    let mut timed_out = error.is_timeout();
    while let Some(source) = innermost.source() {
        innermost = source;
        if let Some(io) = source.downcast_ref::<std::io::Error>() {
            timed_out |= io.kind() == std::io::ErrorKind::TimedOut;
        }
    }
    if timed_out {
        return RedcapError::Timeout;
    }
    let stage = if error.is_connect() {
        "connect"
    } else if error.is_body() || error.is_decode() {
        "reading the answer"
    } else {
        "request"
    };
    RedcapError::Unavailable {
        status: None,
        detail: format!("{stage}: {}", excerpt(&innermost.to_string())),
    }
}
