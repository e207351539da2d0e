//! What a [`Client`](crate::Client) is built from, and why building can fail.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::lookup::FieldName;
use crate::token::ApiToken;

/// Where REDCap is and how to talk to it.
///
/// ```
/// use redcap_client::{ApiToken, ClientConfig};
/// use std::time::Duration;
///
/// let config = ClientConfig {
///     timeout: Duration::from_secs(8),
///     survey_base_url: Some("https://surveys.example.edu/redcap/".parse().unwrap()),
///     ..ClientConfig::new(
///         "https://redcap.example.edu/api/".parse().unwrap(),
///         ApiToken::parse("0123456789ABCDEF0123456789ABCDEF").unwrap(),
///     )
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
    /// REDCap's survey base URL when it is not on the API's host (a REDCap admin setting that
    /// puts every survey link elsewhere, e.g. `https://surveys.example.edu/redcap/`): survey
    /// links under it are accepted as well as links on the API's origin. `None`: only the
    /// API's origin (scheme, host and port).
    pub survey_base_url: Option<Url>,
    /// The project's record-id field (its first field). `None`: learnt from REDCap's metadata
    /// on first use ([`Client::record_id_field`](crate::Client::record_id_field)).
    pub record_id_field: Option<FieldName>,
    /// A PEM file of certificate authorities to trust besides the bundled Mozilla roots and the
    /// operating system's store (REDCap behind an institution's own CA). Read when the client
    /// is built.
    pub ca_file: Option<PathBuf>,
}

impl ClientConfig {
    /// The timeout of [`ClientConfig::new`].
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

    /// A configuration with [`ClientConfig::DEFAULT_TIMEOUT`], survey links on the API's origin
    /// only, the record-id field learnt from REDCap, and no extra certificate authority.
    pub fn new(api_url: Url, token: ApiToken) -> Self {
        Self {
            api_url,
            token,
            timeout: Self::DEFAULT_TIMEOUT,
            survey_base_url: None,
            record_id_field: None,
            ca_file: None,
        }
    }

    /// Checks the URLs and the timeout (see [`BuildError`]).
    pub(crate) fn check(&self) -> Result<(), BuildError> {
        check_url(&self.api_url)?;
        if let Some(base) = &self.survey_base_url {
            let reason = match check_url(base) {
                Err(BuildError::UnsupportedScheme) => Some("must use https (or http)"),
                Err(BuildError::NoHost) => Some("has no host"),
                Err(BuildError::Credentials) => Some("must not contain a user name or password"),
                Err(_) => Some("must not have a query or a fragment"),
                Ok(()) if !base.path().ends_with('/') => Some("must end in /"),
                Ok(()) => None,
            };
            if let Some(reason) = reason {
                return Err(BuildError::SurveyBaseUrl(reason));
            }
        }
        if self.timeout.is_zero() {
            return Err(BuildError::ZeroTimeout);
        }
        Ok(())
    }
}

fn check_url(url: &Url) -> Result<(), BuildError> {
    if !matches!(url.scheme(), "https" | "http") {
        return Err(BuildError::UnsupportedScheme);
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(BuildError::NoHost);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(BuildError::Credentials);
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(BuildError::QueryOrFragment);
    }
    Ok(())
}

/// Why a [`Client`](crate::Client) could not be built.
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
    /// The survey base URL is not an http(s) folder URL without credentials, query or
    /// fragment; the reason says which.
    #[error("the REDCap survey base URL (survey_base_url) {0}")]
    SurveyBaseUrl(&'static str),
    /// A zero timeout would fail every call.
    #[error("the timeout must be more than zero")]
    ZeroTimeout,
    /// The certificate authority file could not be read or holds no PEM certificate.
    #[error("the CA file {path} (ca_file): {reason}")]
    CaFile {
        /// The path as configured.
        path: String,
        /// What is wrong: not readable (the I/O error's kind), or no certificate in it.
        reason: String,
    },
    /// The HTTP stack refused the configuration.
    #[error("the HTTP client could not be built: {0}")]
    Http(String),
}
