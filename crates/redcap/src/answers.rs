//! What REDCap answers, checked before anyone uses it.

use std::fmt;

use serde_json::Value;

use crate::error::RedcapError;

pub(crate) fn invalid(reason: impl Into<String>) -> RedcapError {
    RedcapError::InvalidAnswer(reason.into())
}

pub(crate) fn is_alnum_between(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
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
