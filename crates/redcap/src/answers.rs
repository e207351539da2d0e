//! What REDCap answers, checked before anyone uses it.

use std::fmt;

use serde_json::Value;
use url::Url;

use crate::error::RedcapError;

/// The longest answer string we look at for links and codes; REDCap's are far shorter.
const MAX_LINK_LEN: usize = 2048;

fn invalid(reason: impl Into<String>) -> RedcapError {
    RedcapError::InvalidAnswer(reason.into())
}

/// Checks a survey (queue) link against the configured API URL: same origin, a path ending in
/// `/surveys/`, and exactly one query parameter `param` whose value is a 6–32 character
/// alphanumeric hash. Reasons never contain the hash.
fn parse_survey_url(
    body: &str,
    api_url: &Url,
    param: &str,
    what: &str,
) -> Result<Url, RedcapError> {
    let s = body.trim();
    if s.is_empty() {
        return Err(invalid(format!("the {what} is empty")));
    }
    if s.len() > MAX_LINK_LEN {
        return Err(invalid(format!(
            "the {what} is longer than {MAX_LINK_LEN} bytes"
        )));
    }
    // The URL parser silently drops tabs and newlines inside a URL: refuse them instead.
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(format!(
            "the {what} contains whitespace or control characters"
        )));
    }
    let url = Url::parse(s).map_err(|_| invalid(format!("the {what} is not an absolute URL")))?;
    if url.scheme() != api_url.scheme()
        || url.host_str() != api_url.host_str()
        || url.port_or_known_default() != api_url.port_or_known_default()
    {
        return Err(invalid(format!(
            "the {what} points to {} instead of the REDCap origin {}",
            url.origin().ascii_serialization(),
            api_url.origin().ascii_serialization()
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(format!("the {what} carries user credentials")));
    }
    if url.fragment().is_some() {
        return Err(invalid(format!("the {what} has a fragment")));
    }
    if !url.path().ends_with("/surveys/") {
        return Err(invalid(format!(
            "the {what} path does not end in /surveys/"
        )));
    }
    // Checked on the raw query: exactly `param=HASH`, nothing percent-encoded, nothing else.
    let hash_ok = match url.query().and_then(|q| q.split_once('=')) {
        Some((k, v)) => k == param && is_alnum_between(v, 6, 32),
        None => false,
    };
    if !hash_ok {
        return Err(invalid(format!(
            "the {what} query is not a single `{param}=` parameter with a 6-32 character alphanumeric hash"
        )));
    }
    Ok(url)
}

fn is_alnum_between(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Shows a survey URL with its hash replaced, for `Debug`.
fn redacted_url(url: &Url, param: &str) -> String {
    let mut shown = url.clone();
    shown.set_query(Some(&format!("{param}=[REDACTED]")));
    shown.to_string()
}

/// A participant's survey link, `https://host/…/surveys/?s=HASH`, checked to be on the
/// configured REDCap origin.
///
/// The link opens the participant's survey (with a return code, their answers): `Debug` hides
/// the hash and there is no `Display`. Read it with [`SurveyLink::expose`].
///
/// ```
/// use redcap_client::SurveyLink;
/// use redcap_client::Url;
///
/// let api = Url::parse("https://redcap.example.edu/redcap/api/").unwrap();
/// let link = SurveyLink::parse("https://redcap.example.edu/redcap/surveys/?s=AbCdEfGhJkLmNpQr", &api).unwrap();
/// assert_eq!(link.hash_expose(), "AbCdEfGhJkLmNpQr");
/// assert_eq!(format!("{link:?}"), "SurveyLink(\"https://redcap.example.edu/redcap/surveys/?s=[REDACTED]\")");
/// assert!(SurveyLink::parse("https://evil.example/surveys/?s=AbCdEfGhJkLmNpQr", &api).is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SurveyLink(Url);

impl SurveyLink {
    /// Checks an answer of `surveyLink` against the configured API URL (surrounding
    /// whitespace is ignored). Every failure is [`RedcapError::InvalidAnswer`].
    pub fn parse(answer: &str, api_url: &Url) -> Result<Self, RedcapError> {
        parse_survey_url(answer, api_url, "s", "survey link").map(Self)
    }

    /// The link.
    pub fn expose(&self) -> &Url {
        &self.0
    }

    /// The survey hash (the `s` parameter).
    pub fn hash_expose(&self) -> &str {
        self.0
            .query()
            .and_then(|q| q.strip_prefix("s="))
            .unwrap_or_default()
    }

    /// The link, consumed.
    pub fn into_url(self) -> Url {
        self.0
    }
}

impl fmt::Debug for SurveyLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SurveyLink")
            .field(&redacted_url(&self.0, "s"))
            .finish()
    }
}

/// A participant's survey queue link, `https://host/…/surveys/?sq=HASH`, checked like
/// [`SurveyLink`] and just as secret.
#[derive(Clone, PartialEq, Eq)]
pub struct SurveyQueueLink(Url);

impl SurveyQueueLink {
    /// Checks an answer of `surveyQueueLink` against the configured API URL.
    pub fn parse(answer: &str, api_url: &Url) -> Result<Self, RedcapError> {
        parse_survey_url(answer, api_url, "sq", "survey queue link").map(Self)
    }

    /// The link.
    pub fn expose(&self) -> &Url {
        &self.0
    }

    /// The link, consumed.
    pub fn into_url(self) -> Url {
        self.0
    }
}

impl fmt::Debug for SurveyQueueLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SurveyQueueLink")
            .field(&redacted_url(&self.0, "sq"))
            .finish()
    }
}

/// A survey return code ("Save & Return Later"): with the survey link it opens a participant's
/// saved answers, so `Debug` prints `[REDACTED]` and there is no `Display`.
///
/// Accepted: 6–16 ASCII letters and digits after trimming whitespace (REDCap today issues 8
/// characters from `34789ACDEFHJKLMNPRTWXY`, and compares them case-insensitively). The code is
/// kept exactly as REDCap sent it.
///
/// ```
/// use redcap_client::ReturnCode;
///
/// let code = ReturnCode::parse(" KX7HD3LW\n").unwrap();
/// assert_eq!(code.expose(), "KX7HD3LW");
/// assert_eq!(format!("{code:?}"), "ReturnCode([REDACTED])");
/// assert!(ReturnCode::parse("KX7-HD3").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ReturnCode(String);

impl ReturnCode {
    /// Checks an answer of `surveyReturnCode`. Every failure is [`RedcapError::InvalidAnswer`],
    /// whose reason never contains the answer.
    pub fn parse(answer: &str) -> Result<Self, RedcapError> {
        let s = answer.trim();
        if s.is_empty() {
            return Err(invalid("the return code is empty"));
        }
        if !is_alnum_between(s, 6, 16) {
            return Err(invalid(
                "the return code is not 6-16 ASCII letters and digits",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// The code.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ReturnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReturnCode([REDACTED])")
    }
}

/// Where a participant stands with one survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseStatus {
    /// No answers yet.
    NotStarted,
    /// Started and not submitted (for instance saved with "Save & Return Later").
    InProgress,
    /// Submitted.
    Completed,
}

/// The REDCap version, from `content=version` (e.g. `14.5.1`).
///
/// ```
/// use redcap_client::RedcapVersion;
/// let v: RedcapVersion = "14.5.1".parse().unwrap();
/// assert!(v >= RedcapVersion::new(13, 0, 0));
/// assert_eq!(v.to_string(), "14.5.1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RedcapVersion {
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// Patch version.
    pub patch: u32,
}

impl RedcapVersion {
    /// A version from its parts.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }
}

impl std::str::FromStr for RedcapVersion {
    type Err = RedcapError;
    /// Parses `MAJOR[.MINOR[.PATCH]]` (surrounding whitespace ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || invalid("the version is not MAJOR.MINOR.PATCH");
        let s = s.trim();
        if s.is_empty() || s.len() > 32 {
            return Err(bad());
        }
        let mut parts = [0u32; 3];
        for (i, part) in s.split('.').enumerate() {
            if i >= 3 || part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            parts[i] = part.parse().map_err(|_| bad())?;
        }
        Ok(Self::new(parts[0], parts[1], parts[2]))
    }
}

impl fmt::Display for RedcapVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// What `content=project` tells about the project (the parts a survey client needs).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProjectInfo {
    /// REDCap's project id, when present.
    pub project_id: Option<u64>,
    /// The project title.
    pub title: String,
    /// Whether the project has events (then survey calls need an event).
    pub is_longitudinal: bool,
    /// Whether the project has repeating instruments or events.
    pub has_repeating: bool,
    /// Whether surveys are enabled in the project.
    pub surveys_enabled: bool,
    /// Whether the project is in production.
    pub in_production: bool,
}

impl ProjectInfo {
    /// Reads the JSON object REDCap answers to `content=project&format=json`. Flags may be
    /// numbers, strings (`"0"`/`"1"`) or booleans depending on the REDCap version.
    pub fn from_json(body: &str) -> Result<Self, RedcapError> {
        let value: Value = serde_json::from_str(body.trim())
            .map_err(|_| invalid("the project information is not JSON"))?;
        let obj = value
            .as_object()
            .ok_or_else(|| invalid("the project information is not a JSON object"))?;
        let flag = |key: &str| match obj.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::Number(n)) => n.as_u64().is_some_and(|n| n != 0),
            Some(Value::String(s)) => matches!(s.trim(), "1" | "true" | "yes"),
            _ => false,
        };
        let title = match obj.get("project_title") {
            Some(Value::String(s)) => s.clone(),
            _ => return Err(invalid("the project information has no project_title")),
        };
        let project_id = match obj.get("project_id") {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        Ok(Self {
            project_id,
            title,
            is_longitudinal: flag("is_longitudinal"),
            has_repeating: flag("has_repeating_instruments_or_events"),
            surveys_enabled: flag("surveys_enabled"),
            in_production: flag("in_production"),
        })
    }
}

impl ResponseStatus {
    /// Reads the answer of the record export this client sends for a status query
    /// (`content=record&format=json&type=flat&records[0]=…&fields[0]={instrument}_complete`
    /// `&exportSurveyFields=true`, plus `events[0]` when the target has an event).
    ///
    /// * An empty array means the record does not exist: [`RedcapError::RecordNotFound`].
    /// * Rows are kept when `redcap_event_name` (if present) equals the target's event, and
    ///   when they belong to the target's instance: a row of the target's repeating instrument
    ///   with the wanted instance, a repeating-event row (empty repeat instrument) with the wanted
    ///   instance, or the non-repeating row (empty repeat instrument and instance), which stands
    ///   for instance 1 as REDCap silently falls back to 1.
    /// * No such row for an existing record: [`ResponseStatus::NotStarted`]. Rows from several
    ///   events while the target names none: [`RedcapError::EventMissing`].
    /// * The status: `{instrument}_complete` = `2` or a date in `{instrument}_timestamp` →
    ///   `Completed`; timestamp `[not completed]` → `InProgress`; empty timestamp → `NotStarted`.
    ///   Without a timestamp column (not a survey): `1` (unverified) → `InProgress`.
    pub fn from_record_export(
        body: &str,
        target: &crate::SurveyTarget,
    ) -> Result<Self, RedcapError> {
        let value: Value = serde_json::from_str(body.trim())
            .map_err(|_| invalid("the record export is not JSON"))?;
        let rows = value
            .as_array()
            .ok_or_else(|| invalid("the record export is not a JSON array"))?;
        if rows.is_empty() {
            return Err(RedcapError::RecordNotFound);
        }
        let instrument = target.instrument.as_str();
        let want = target.repeat_instance.map_or(1, |i| i.get());
        let mut matching = Vec::new();
        for row in rows {
            let row = row
                .as_object()
                .ok_or_else(|| invalid("a row of the record export is not a JSON object"))?;
            let field = |key: &str| -> Option<String> {
                match row.get(key) {
                    Some(Value::String(s)) => Some(s.trim().to_owned()),
                    Some(Value::Number(n)) => Some(n.to_string()),
                    Some(Value::Null) | None => None,
                    Some(_) => Some(String::from("?")),
                }
            };
            let event = field("redcap_event_name");
            if let (Some(wanted), Some(event)) = (&target.event, &event) {
                if event != wanted.as_str() {
                    continue;
                }
            }
            let repeat_instrument = field("redcap_repeat_instrument").unwrap_or_default();
            let instance = field("redcap_repeat_instance").unwrap_or_default();
            let same_instance = if instance.is_empty() {
                repeat_instrument.is_empty() && want == 1
            } else {
                instance.parse::<u32>().ok() == Some(want)
            };
            // The most specific row wins: the repeating instrument's own row, then a repeating
            // event's row, then the plain row.
            let rank = match (repeat_instrument.as_str(), instance.is_empty()) {
                (r, _) if r == instrument => 0,
                ("", false) => 1,
                ("", true) => 2,
                _ => continue,
            };
            if same_instance {
                let timestamp = field(&target.instrument.timestamp_field());
                matching.push((
                    rank,
                    event,
                    timestamp,
                    field(&target.instrument.complete_field()),
                ));
            }
        }
        if target.event.is_none() {
            let first_event = matching.first().and_then(|m| m.1.clone());
            if matching.iter().any(|m| m.1 != first_event) {
                return Err(RedcapError::EventMissing);
            }
        }
        matching.sort_by_key(|m| m.0);
        let Some((_, _, timestamp, complete)) = matching.into_iter().next() else {
            return Ok(Self::NotStarted);
        };
        if complete.as_deref() == Some("2") {
            return Ok(Self::Completed);
        }
        Ok(match timestamp.as_deref() {
            Some("") => Self::NotStarted,
            Some(t) if t.eq_ignore_ascii_case("[not completed]") => Self::InProgress,
            Some(_) => Self::Completed,
            None if complete.as_deref() == Some("1") => Self::InProgress,
            None => Self::NotStarted,
        })
    }
}
