//! Survey links and survey queue links: checked to be REDCap's before anyone follows them.

use std::fmt;

use url::Url;

use crate::answers::{invalid, is_alnum_between};
use crate::error::RedcapError;
use crate::redact::excerpt;

/// The longest answer string we look at for links and codes; REDCap's are far shorter.
const MAX_LINK_LEN: usize = 2048;

/// Checks a survey (queue) link: a path ending in `/surveys/`, exactly one query parameter
/// `param` whose value is a 6–32 character alphanumeric hash, no credentials or fragment — and
/// on the API URL's origin, or under the survey base URL when one is configured. A link of
/// that shape elsewhere is [`RedcapError::LinkOnOtherHost`] (naming where it points, without
/// the hash); anything else is [`RedcapError::InvalidAnswer`]. Reasons never contain the hash.
fn parse_survey_url(
    body: &str,
    api_url: &Url,
    survey_base_url: Option<&Url>,
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
    let on_api_origin = same_origin(&url, api_url);
    let under_base = survey_base_url
        .is_some_and(|base| same_origin(&url, base) && url.path().starts_with(base.path()));
    if !(on_api_origin || under_base) {
        let mut base = url.clone();
        base.set_query(None);
        let folder = base
            .path()
            .strip_suffix("surveys/")
            .unwrap_or("/")
            .to_owned();
        base.set_path(&folder);
        return Err(RedcapError::LinkOnOtherHost {
            base: excerpt(base.as_str()),
        });
    }
    Ok(url)
}

/// Same scheme, host and port (a default port written out or not).
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Shows a survey URL with its hash replaced, for `Debug`.
fn redacted_url(url: &Url, param: &str) -> String {
    let mut shown = url.clone();
    shown.set_query(Some(&format!("{param}=[REDACTED]")));
    shown.to_string()
}

/// A participant's survey link, `https://host/…/surveys/?s=HASH`, checked to be on the
/// configured REDCap origin (or under the configured survey base URL).
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
    /// Checks an answer of `surveyLink` against the configured API URL's origin (surrounding
    /// whitespace is ignored). A well-formed link on another host is
    /// [`RedcapError::LinkOnOtherHost`]; every other failure is [`RedcapError::InvalidAnswer`].
    pub fn parse(answer: &str, api_url: &Url) -> Result<Self, RedcapError> {
        Self::parse_with_base(answer, api_url, None)
    }

    /// As [`SurveyLink::parse`], also accepting links under `survey_base_url` (REDCap's
    /// survey base URL when it is not on the API's host).
    pub fn parse_with_base(
        answer: &str,
        api_url: &Url,
        survey_base_url: Option<&Url>,
    ) -> Result<Self, RedcapError> {
        parse_survey_url(answer, api_url, survey_base_url, "s", "survey link").map(Self)
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
    /// Checks an answer of `surveyQueueLink` against the configured API URL, like
    /// [`SurveyLink::parse`].
    pub fn parse(answer: &str, api_url: &Url) -> Result<Self, RedcapError> {
        Self::parse_with_base(answer, api_url, None)
    }

    /// As [`SurveyQueueLink::parse`], also accepting links under `survey_base_url`.
    pub fn parse_with_base(
        answer: &str,
        api_url: &Url,
        survey_base_url: Option<&Url>,
    ) -> Result<Self, RedcapError> {
        parse_survey_url(answer, api_url, survey_base_url, "sq", "survey queue link").map(Self)
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
