//! The HTTP client.

use std::fmt;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, ACCEPT, LOCATION};
use url::Url;

use crate::answers::{
    ProjectInfo, RedcapVersion, ResponseStatus, ReturnCode, SurveyLink, SurveyQueueLink,
};
use crate::classify::{classify, looks_like_error};
use crate::error::RedcapError;
use crate::names::{RecordId, SurveyTarget};
use crate::redact::excerpt;
use crate::token::ApiToken;

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("redcap-client/", env!("CARGO_PKG_VERSION"));

/// The largest answer read; REDCap's answers to the calls of this client are far smaller.
const MAX_ANSWER_BYTES: usize = 1 << 20;

/// Where REDCap is and how to talk to it.
///
/// ```
/// use redcap_client::{ApiToken, ClientConfig};
/// use std::time::Duration;
///
/// let config = ClientConfig {
///     api_url: "https://redcap.example.edu/api/".parse().unwrap(),
///     token: ApiToken::parse("0123456789ABCDEF0123456789ABCDEF").unwrap(),
///     timeout: Duration::from_secs(8),
/// };
/// assert!(!format!("{config:?}").contains("0123456789ABCDEF"));
/// ```
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The API endpoint, e.g. `https://redcap.example.edu/api/` or `https://host/redcap/api/`.
    /// Use the final URL: redirects are not followed.
    pub api_url: Url,
    /// The project's API token.
    pub token: ApiToken,
    /// The longest a call may take, connecting and reading the answer included.
    pub timeout: Duration,
}

impl ClientConfig {
    /// The timeout of [`ClientConfig::new`].
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

    /// A configuration with [`ClientConfig::DEFAULT_TIMEOUT`].
    pub fn new(api_url: Url, token: ApiToken) -> Self {
        Self {
            api_url,
            token,
            timeout: Self::DEFAULT_TIMEOUT,
        }
    }
}

/// Why a [`Client`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// Only `http` and `https` URLs are accepted.
    #[error("the REDCap API URL must use https (or http)")]
    UnsupportedScheme,
    /// The URL has no host.
    #[error("the REDCap API URL has no host")]
    NoHost,
    /// Credentials in the URL would end up in logs.
    #[error("the REDCap API URL must not contain a user name or password")]
    Credentials,
    /// REDCap's API takes everything in the POST body.
    #[error("the REDCap API URL must not have a query or a fragment")]
    QueryOrFragment,
    /// A zero timeout would fail every call.
    #[error("the timeout must be more than zero")]
    ZeroTimeout,
    /// The HTTP stack refused the configuration.
    #[error("the HTTP client could not be built: {0}")]
    Http(String),
}

/// A REDCap API client for one project (one token).
///
/// Cheap to clone (clones share the connection pool). Every call is one form-encoded `POST` to
/// the API URL, built from a fixed list of fields — `token`, `content`, `format=json`,
/// `returnFormat=json`, and, as the method needs them, `record`, `instrument`, `event`,
/// `repeat_instance` (the record export for [`Client::response_status`] uses `type`,
/// `records[0]`, `fields[0]`, `events[0]` and `exportSurveyFields`) — whose values come from
/// validated types only. Redirects are not followed. Each call logs, at `debug` level, the
/// `content`, the HTTP status and the elapsed time; never the token, a code or a link.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    api_url: Url,
    token: ApiToken,
    timeout: Duration,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_url", &self.api_url.as_str())
            .field("token", &self.token)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The `content` values this client sends.
#[derive(Debug, Clone, Copy)]
enum Content {
    Version,
    Project,
    SurveyLink,
    SurveyReturnCode,
    SurveyQueueLink,
    Record,
}

impl Content {
    fn as_str(self) -> &'static str {
        match self {
            Self::Version => "version",
            Self::Project => "project",
            Self::SurveyLink => "surveyLink",
            Self::SurveyReturnCode => "surveyReturnCode",
            Self::SurveyQueueLink => "surveyQueueLink",
            Self::Record => "record",
        }
    }
}

impl Client {
    /// Builds a client (rustls, the configured timeout, no redirects, `User-Agent:
    /// redcap-client/…`). Checks the API URL: http(s), a host, no credentials, no query or
    /// fragment.
    pub fn new(config: ClientConfig) -> Result<Self, BuildError> {
        let ClientConfig {
            api_url,
            token,
            timeout,
        } = config;
        if !matches!(api_url.scheme(), "https" | "http") {
            return Err(BuildError::UnsupportedScheme);
        }
        if api_url.host_str().is_none_or(str::is_empty) {
            return Err(BuildError::NoHost);
        }
        if !api_url.username().is_empty() || api_url.password().is_some() {
            return Err(BuildError::Credentials);
        }
        if api_url.query().is_some() || api_url.fragment().is_some() {
            return Err(BuildError::QueryOrFragment);
        }
        if timeout.is_zero() {
            return Err(BuildError::ZeroTimeout);
        }
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(USER_AGENT)
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .build()
            .map_err(|e| BuildError::Http(excerpt(&e.to_string())))?;
        Ok(Self {
            http,
            api_url,
            token,
            timeout,
        })
    }

    /// The configured API URL.
    pub fn api_url(&self) -> &Url {
        &self.api_url
    }

    /// The configured timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// `content=version`: REDCap's version. Needs only a valid token.
    ///
    /// # Errors
    /// Any [`RedcapError`]; typically [`RedcapError::InvalidToken`], the transport errors
    /// ([`RedcapError::Unavailable`], [`RedcapError::Timeout`]) and
    /// [`RedcapError::InvalidAnswer`] for a body that is not a version.
    pub async fn version(&self) -> Result<RedcapVersion, RedcapError> {
        let body = self.post(Content::Version, Vec::new()).await?;
        body.parse()
    }

    /// `content=project`: the project's title and shape.
    ///
    /// # Errors
    /// As [`Client::version`]; [`RedcapError::InvalidAnswer`] when the body is not REDCap's
    /// project JSON.
    pub async fn project_info(&self) -> Result<ProjectInfo, RedcapError> {
        let body = self.post(Content::Project, Vec::new()).await?;
        ProjectInfo::from_json(&body)
    }

    /// `content=surveyLink`: the participant's link to the survey, checked to be on the
    /// configured REDCap origin, under `/surveys/`, with an `s=` hash.
    /// Needs the Survey Distribution Tools right.
    ///
    /// # Errors
    /// Besides the transport and token errors: [`RedcapError::MissingSurveyRights`],
    /// [`RedcapError::RecordNotFound`], [`RedcapError::InvalidInstrument`],
    /// [`RedcapError::NotASurvey`], [`RedcapError::EventMissing`], [`RedcapError::InvalidEvent`],
    /// [`RedcapError::InstrumentNotInEvent`], and [`RedcapError::InvalidAnswer`] for a link that
    /// fails validation.
    pub async fn survey_link(&self, target: &SurveyTarget) -> Result<SurveyLink, RedcapError> {
        let body = self
            .post(Content::SurveyLink, target_fields(target))
            .await?;
        SurveyLink::parse(&body, &self.api_url)
    }

    /// `content=surveyReturnCode`: the participant's return code. REDCap creates the code when
    /// none exists yet and writes a log entry: cache it. Needs the Survey Distribution Tools
    /// right and Save & Return Later enabled for the survey.
    ///
    /// # Errors
    /// As [`Client::survey_link`], plus [`RedcapError::SaveAndReturnDisabled`];
    /// [`RedcapError::InvalidAnswer`] for an answer that does not look like a code.
    pub async fn survey_return_code(
        &self,
        target: &SurveyTarget,
    ) -> Result<ReturnCode, RedcapError> {
        let body = self
            .post(Content::SurveyReturnCode, target_fields(target))
            .await?;
        ReturnCode::parse(&body)
    }

    /// `content=surveyQueueLink`: the participant's survey queue link (the project must use
    /// the survey queue).
    ///
    /// # Errors
    /// As [`Client::survey_link`].
    pub async fn survey_queue_link(
        &self,
        record: &RecordId,
    ) -> Result<SurveyQueueLink, RedcapError> {
        let body = self
            .post(
                Content::SurveyQueueLink,
                vec![("record", record.as_str().to_owned())],
            )
            .await?;
        SurveyQueueLink::parse(&body, &self.api_url)
    }

    /// Where the participant stands with the survey, from a record export of
    /// `{instrument}_complete` with the survey fields (see
    /// [`ResponseStatus::from_record_export`] for how rows are read). Needs API Export rights.
    ///
    /// # Errors
    /// Besides the transport and token errors: [`RedcapError::MissingExportRights`],
    /// [`RedcapError::RecordNotFound`] (an empty export), [`RedcapError::EventMissing`],
    /// [`RedcapError::InvalidEvent`], [`RedcapError::InvalidInstrument`] (REDCap does not know
    /// the field `{instrument}_complete`).
    pub async fn response_status(
        &self,
        target: &SurveyTarget,
    ) -> Result<ResponseStatus, RedcapError> {
        let mut fields = vec![
            ("type", String::from("flat")),
            ("records[0]", target.record.as_str().to_owned()),
            ("fields[0]", target.instrument.complete_field()),
            ("exportSurveyFields", String::from("true")),
        ];
        if let Some(event) = &target.event {
            fields.push(("events[0]", event.as_str().to_owned()));
        }
        let body = match self.post(Content::Record, fields).await {
            // The only field asked for is `{instrument}_complete`: if REDCap does not know it
            // ("The following values in the parameter "fields" are not valid: …"), it does not
            // know the instrument.
            Err(RedcapError::Unexpected {
                status: 400,
                excerpt,
            }) if excerpt.to_lowercase().contains("fields")
                && excerpt.to_lowercase().contains("not valid") =>
            {
                return Err(RedcapError::InvalidInstrument);
            }
            other => other?,
        };
        ResponseStatus::from_record_export(&body, target)
    }

    /// The records whose `field` equals `value` (a `filterLogic` export), for example the one
    /// whose `sso_username` is the user a single sign-on vouches for. `record_id_field` is the
    /// project's first field (REDCap's default name is `record_id`). Needs API Export rights.
    ///
    /// # Errors
    /// Besides the transport and token errors: [`RedcapError::MissingExportRights`];
    /// [`RedcapError::InvalidAnswer`] when the rows lack the record id field.
    pub async fn find_records(
        &self,
        field: &crate::FieldName,
        value: &crate::LookupValue,
        record_id_field: &crate::FieldName,
    ) -> Result<Vec<RecordId>, RedcapError> {
        let fields = vec![
            ("type", String::from("flat")),
            ("fields[0]", record_id_field.as_str().to_owned()),
            ("fields[1]", field.as_str().to_owned()),
            ("filterLogic", crate::lookup::filter_logic(field, value)),
        ];
        let body = self.post(Content::Record, fields).await?;
        let rows: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(&body)
            .map_err(|_| {
                RedcapError::InvalidAnswer("the record export is not a JSON array of rows".into())
            })?;
        let mut records: Vec<RecordId> = Vec::new();
        for row in rows {
            let id = row
                .get(record_id_field.as_str())
                .and_then(|v| v.as_str())
                .and_then(|v| RecordId::parse(v).ok())
                .ok_or_else(|| {
                    RedcapError::InvalidAnswer("a row has no readable record id field".into())
                })?;
            if row.get(field.as_str()).and_then(|v| v.as_str()) != Some(value.as_str()) {
                return Err(RedcapError::InvalidAnswer(
                    "REDCap returned a row that does not match the filter".into(),
                ));
            }
            if !records.contains(&id) {
                records.push(id);
            }
        }
        Ok(records)
    }

    /// Sends one call and returns the body of a successful (200, not an error envelope) answer.
    async fn post(
        &self,
        content: Content,
        fields: Vec<(&'static str, String)>,
    ) -> Result<String, RedcapError> {
        let started = Instant::now();
        let result = self.exchange(content, &fields).await;
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
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
        if status == 200 && !looks_like_error(&body) {
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
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|l| sanitize_location(l, &self.api_url));
        if response
            .content_length()
            .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
        {
            return Err(RedcapError::InvalidAnswer(String::from(
                "the answer is larger than 1 MiB",
            )));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(RedcapError::InvalidAnswer(String::from(
                    "the answer is larger than 1 MiB",
                )));
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

/// The fields of a survey method: record, instrument, and event and repeat instance when set.
fn target_fields(target: &SurveyTarget) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("record", target.record.as_str().to_owned()),
        ("instrument", target.instrument.as_str().to_owned()),
    ];
    if let Some(event) = &target.event {
        fields.push(("event", event.as_str().to_owned()));
    }
    if let Some(instance) = target.repeat_instance {
        fields.push(("repeat_instance", instance.get().to_string()));
    }
    fields
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
