//! Validated names: record ids, instrument and event unique names, repeat instances.

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;

/// Why a string is not a valid REDCap name. The message never repeats the rejected value
/// (a record id can identify a participant).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// The name is empty.
    #[error("{0} is empty")]
    Empty(&'static str),
    /// The name is longer than REDCap allows.
    #[error("{what} is longer than {max} characters")]
    TooLong {
        /// What kind of name.
        what: &'static str,
        /// The maximum length in characters.
        max: usize,
    },
    /// The name contains a character REDCap does not allow.
    #[error("{what} contains a character that is not allowed ({allowed})")]
    BadCharacter {
        /// What kind of name.
        what: &'static str,
        /// The characters that are allowed.
        allowed: &'static str,
    },
    /// A repeat instance must be 1 or more.
    #[error("a repeat instance must be 1 or more")]
    ZeroInstance,
}

/// REDCap stores record names in a `varchar(100)`.
const MAX_RECORD_LEN: usize = 100;
/// REDCap's form and event unique names are short; 100 is REDCap's column width.
const MAX_UNIQUE_NAME_LEN: usize = 100;

/// A REDCap record id (the value of the project's first field, e.g. `"17"` or `"S-0042"`).
///
/// Accepted: 1 to 100 characters, no control characters, no leading or trailing whitespace
/// (REDCap trims record names, so such a record cannot exist). `Debug` shows the value: a record
/// id is a pseudonym, not a secret, but callers may prefer not to log it.
///
/// ```
/// use redcap_client::RecordId;
/// assert_eq!(RecordId::parse("S-0042").unwrap().as_str(), "S-0042");
/// assert!(RecordId::parse("").is_err());
/// assert!(RecordId::parse("a\nb").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(String);

impl RecordId {
    /// Checks and wraps a record id.
    pub fn parse(s: &str) -> Result<Self, NameError> {
        const WHAT: &str = "a record id";
        if s.is_empty() {
            return Err(NameError::Empty(WHAT));
        }
        if s.chars().count() > MAX_RECORD_LEN {
            return Err(NameError::TooLong {
                what: WHAT,
                max: MAX_RECORD_LEN,
            });
        }
        let trimmed = s.trim() != s;
        if trimmed || s.chars().any(|c| c.is_control() || is_invisible_format(c)) {
            return Err(NameError::BadCharacter {
                what: WHAT,
                allowed: "printable characters, no surrounding whitespace",
            });
        }
        Ok(Self(s.to_owned()))
    }

    /// The record id as REDCap knows it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Zero-width and bidirectional formatting characters: printable-looking ids must not hide them.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

fn parse_unique_name(s: &str, what: &'static str) -> Result<String, NameError> {
    if s.is_empty() {
        return Err(NameError::Empty(what));
    }
    if s.len() > MAX_UNIQUE_NAME_LEN {
        return Err(NameError::TooLong {
            what,
            max: MAX_UNIQUE_NAME_LEN,
        });
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(NameError::BadCharacter {
            what,
            allowed: "a-z, 0-9 and _",
        });
    }
    Ok(s.to_owned())
}

/// An instrument's unique name (`[a-z0-9_]`, e.g. `baseline_survey`), not its label.
///
/// ```
/// use redcap_client::Instrument;
/// assert!(Instrument::parse("baseline_survey").is_ok());
/// assert!(Instrument::parse("Baseline Survey").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Instrument(String);

impl Instrument {
    /// Checks and wraps an instrument unique name.
    pub fn parse(s: &str) -> Result<Self, NameError> {
        parse_unique_name(s, "an instrument name").map(Self)
    }

    /// The unique name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instrument's status field, `{instrument}_complete`.
    pub fn complete_field(&self) -> String {
        format!("{}_complete", self.0)
    }

    /// The survey timestamp field REDCap exports with `exportSurveyFields`, `{instrument}_timestamp`.
    pub fn timestamp_field(&self) -> String {
        format!("{}_timestamp", self.0)
    }
}

/// An event's unique name in a longitudinal project (`[a-z0-9_]`, e.g. `baseline_arm_1`).
///
/// ```
/// use redcap_client::Event;
/// assert!(Event::parse("baseline_arm_1").is_ok());
/// assert!(Event::parse("Baseline (Arm 1)").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Event(String);

impl Event {
    /// Checks and wraps an event unique name.
    pub fn parse(s: &str) -> Result<Self, NameError> {
        parse_unique_name(s, "an event name").map(Self)
    }

    /// The unique name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! name_impls {
    ($($t:ident),*) => {$(
        impl FromStr for $t {
            type Err = NameError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl TryFrom<&str> for $t {
            type Error = NameError;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::parse(s)
            }
        }
        impl TryFrom<String> for $t {
            type Error = NameError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($t), self.0)
            }
        }
    )*};
}
name_impls!(RecordId, Instrument, Event);

/// A repeat instance of a repeating instrument or event (1, 2, …).
///
/// REDCap silently uses instance 1 when the instance is invalid or the instrument does not
/// repeat; this type at least rules out 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepeatInstance(NonZeroU32);

impl RepeatInstance {
    /// The first instance.
    pub const FIRST: Self = Self(NonZeroU32::MIN);

    /// `None` for 0.
    pub fn new(n: u32) -> Option<Self> {
        NonZeroU32::new(n).map(Self)
    }

    /// The instance number.
    pub fn get(self) -> u32 {
        self.0.get()
    }
}

impl From<NonZeroU32> for RepeatInstance {
    fn from(n: NonZeroU32) -> Self {
        Self(n)
    }
}

impl TryFrom<u32> for RepeatInstance {
    type Error = NameError;
    fn try_from(n: u32) -> Result<Self, Self::Error> {
        Self::new(n).ok_or(NameError::ZeroInstance)
    }
}

impl fmt::Display for RepeatInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One survey of one record: what `surveyLink`, `surveyReturnCode` and the status query name.
///
/// ```
/// use redcap_client::{Event, Instrument, RecordId, RepeatInstance, SurveyTarget};
///
/// let target = SurveyTarget::new(RecordId::parse("17")?, Instrument::parse("followup")?)
///     .in_event(Event::parse("month_3_arm_1")?)
///     .with_repeat_instance(RepeatInstance::new(2).unwrap());
/// assert_eq!(target.record.as_str(), "17");
/// # Ok::<(), redcap_client::NameError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SurveyTarget {
    /// The record (participant).
    pub record: RecordId,
    /// The survey instrument.
    pub instrument: Instrument,
    /// The event, for longitudinal projects (REDCap ignores it in classic projects).
    pub event: Option<Event>,
    /// The repeat instance, for repeating instruments or events.
    pub repeat_instance: Option<RepeatInstance>,
}

impl SurveyTarget {
    /// A target without event or repeat instance (a classic, non-repeating survey).
    pub fn new(record: RecordId, instrument: Instrument) -> Self {
        Self {
            record,
            instrument,
            event: None,
            repeat_instance: None,
        }
    }

    /// Sets the event (longitudinal projects).
    #[must_use]
    pub fn in_event(mut self, event: Event) -> Self {
        self.event = Some(event);
        self
    }

    /// Sets the repeat instance.
    #[must_use]
    pub fn with_repeat_instance(mut self, instance: RepeatInstance) -> Self {
        self.repeat_instance = Some(instance);
        self
    }
}
