//! Finding a record by a field's value (for example the user name a single sign-on gives),
//! with a `filterLogic` that cannot be subverted by the value.
//!
//! ```
//! use redcap_client::{FieldName, LookupValue};
//! let field = FieldName::parse("sso_username").unwrap();
//! let value = LookupValue::parse("ana.garcia@example.edu").unwrap();
//! assert_eq!(redcap_client::lookup::filter_logic(&field, &value), r#"[sso_username] = "ana.garcia@example.edu""#);
//! // Anything that could close the quote or add logic is refused, not escaped:
//! assert!(LookupValue::parse(r#"x" or "1"="1"#).is_err());
//! ```

use std::fmt;

use crate::names::NameError;

/// A REDCap field's variable name: `[a-z][a-z0-9_]*`, at most 100 characters.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldName(String);

impl FieldName {
    /// Validates a field's variable name.
    pub fn parse(s: &str) -> Result<Self, NameError> {
        if s.is_empty() {
            return Err(NameError::Empty("a field name"));
        }
        if s.len() > 100 {
            return Err(NameError::TooLong {
                what: "a field name",
                max: 100,
            });
        }
        let ok = s.as_bytes()[0].is_ascii_lowercase()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !ok {
            return Err(NameError::BadCharacter {
                what: "a field name",
                allowed: "a-z, 0-9 and _, starting with a letter",
            });
        }
        Ok(Self(s.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for FieldName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FieldName({})", self.0)
    }
}

/// A value to look up: 1–128 characters from letters, digits and `. _ @ + -`. REDCap's
/// logic has no escape for quotes, so a value that needs escaping is refused instead.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LookupValue(String);

impl LookupValue {
    /// Validates a value to look up; refuses anything that would need escaping.
    pub fn parse(s: &str) -> Result<Self, NameError> {
        if s.is_empty() {
            return Err(NameError::Empty("a lookup value"));
        }
        if s.len() > 128 {
            return Err(NameError::TooLong {
                what: "a lookup value",
                max: 128,
            });
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_@+".contains(&b))
        {
            return Err(NameError::BadCharacter {
                what: "a lookup value",
                allowed: "letters, digits and . _ @ + -",
            });
        }
        Ok(Self(s.to_owned()))
    }

    /// The value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LookupValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LookupValue({})", self.0)
    }
}

/// `[field] = "value"`: safe because both parts were validated above.
pub fn filter_logic(field: &FieldName, value: &LookupValue) -> String {
    format!("[{}] = \"{}\"", field.as_str(), value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_values_are_refused() {
        for v in [
            "",
            "a\"b",
            "a'b",
            "a]b",
            "a b",
            "x\" or 1=1 or \"",
            "a\nb",
            "ä",
            &"a".repeat(129),
            "[record_id]",
        ] {
            assert!(LookupValue::parse(v).is_err(), "{v:?}");
        }
        for v in ["jdoe", "ana.garcia@example.edu", "S-0042", "user+tag"] {
            assert!(LookupValue::parse(v).is_ok(), "{v:?}");
        }
    }

    #[test]
    fn field_names() {
        assert!(FieldName::parse("sso_username").is_ok());
        for f in ["", "1abc", "SSO", "a-b", "a]", &"a".repeat(101)] {
            assert!(FieldName::parse(f).is_err(), "{f:?}");
        }
    }
}
