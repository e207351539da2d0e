//! The API token, kept secret.

use std::fmt;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};

/// The longest token REDCap issues: super tokens are 64 characters, project tokens 32.
const MAX_TOKEN_LEN: usize = 64;

/// A REDCap API token.
///
/// REDCap itself only checks that a token is made of ASCII letters and digits; the tokens it
/// issues are 32 uppercase hexadecimal characters (64 for super tokens). [`ApiToken::parse`]
/// accepts what REDCap accepts, up to 64 characters, after trimming surrounding whitespace
/// (token files usually end with a newline).
///
/// `Debug` and `Display` print `[REDACTED]`; the token is only readable through
/// [`ApiToken::expose_secret`].
///
/// ```
/// use redcap_client::ApiToken;
///
/// let token = ApiToken::parse("0123456789ABCDEF0123456789ABCDEF\n").unwrap();
/// assert_eq!(format!("{token:?}"), "ApiToken([REDACTED])");
/// assert_eq!(token.to_string(), "[REDACTED]");
/// assert!(ApiToken::parse("not a token").is_err());
/// ```
#[derive(Clone)]
pub struct ApiToken(SecretString);

/// Why a string is not an API token. The message never contains the rejected string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The token is empty (or only whitespace).
    #[error("the REDCap API token is empty")]
    Empty,
    /// The token contains something other than ASCII letters and digits.
    #[error("the REDCap API token may only contain ASCII letters and digits")]
    NotAlphanumeric,
    /// The token is longer than any token REDCap issues.
    #[error("the REDCap API token is longer than {MAX_TOKEN_LEN} characters")]
    TooLong,
}

impl ApiToken {
    /// Checks and wraps a token (surrounding whitespace is trimmed).
    pub fn parse(s: &str) -> Result<Self, TokenError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(TokenError::Empty);
        }
        if !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(TokenError::NotAlphanumeric);
        }
        if s.len() > MAX_TOKEN_LEN {
            return Err(TokenError::TooLong);
        }
        Ok(Self(SecretString::from(s.to_owned())))
    }

    /// The token itself. Only for building the request body; never log it.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// Whether this has the shape of a REDCap super token (64 characters).
    pub fn is_super_token(&self) -> bool {
        self.expose_secret().len() == MAX_TOKEN_LEN
    }
}

impl FromStr for ApiToken {
    type Err = TokenError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken([REDACTED])")
    }
}

impl fmt::Display for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}
