//! `SurveyKey`: the name a page uses for a configured survey (`survey="baseline"`).

use std::fmt;

/// A survey key: 1–64 characters from `a-z 0-9 - _`. Anything else (path tricks, percent
/// escapes, look-alike letters, huge strings) is not a key and never reaches REDCap.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SurveyKey(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotASurveyKey;

impl SurveyKey {
    pub const MAX_LEN: usize = 64;

    pub fn parse(text: &str) -> Result<Self, NotASurveyKey> {
        let ok = !text.is_empty()
            && text.len() <= Self::MAX_LEN
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(NotASurveyKey)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SurveyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SurveyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SurveyKey({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_keys() {
        for key in ["baseline", "month_3", "follow-up-2", "a"] {
            assert_eq!(SurveyKey::parse(key).unwrap().as_str(), key);
        }
    }

    #[test]
    fn refuses_everything_else() {
        let long = "a".repeat(65);
        let hostile = [
            "",
            "../etc",
            "base%6Cine",
            "bаseline", /* Cyrillic а */
            "Baseline",
            "a b",
            "a/b",
            &long,
            "ｂaseline",
        ];
        for key in hostile {
            assert_eq!(SurveyKey::parse(key), Err(NotASurveyKey), "{key:?}");
        }
    }
}
