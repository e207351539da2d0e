//! `[study]`: what the study says to every participant, whatever happens.
//!
//! `contact` is the line that keeps the card from being a dead end (a closed survey, a record
//! REDCap does not know, an outage): one text for everyone, or one per language:
//!
//! ```toml
//! [study]
//! contact = "Questions? Call the study team at 555-0100."
//! # or
//! [study.contact]
//! en = "Questions? Call the study team at 555-0100."
//! es = "¿Preguntas? Llame al equipo del estudio al 555-0100."
//! ```
//!
//! The text for a request's language (`?lang=`) is the one of that tag (any case), else of
//! its primary subtag (`es-US` finds `es`), else `en`, else the first in the file.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::error::{invalid, ConfigError};
use super::languages::LanguageTag;

/// The longest contact line accepted, in characters (it is shown on a small card).
pub const MAX_CONTACT_CHARS: usize = 500;

/// The validated `[study]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StudyConfig {
    /// `None`: the study configured no contact line.
    pub contact: Option<Contact>,
}

/// The study's contact line, one text or one per language (in the order of the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contact {
    One(String),
    PerLanguage(Vec<(LanguageTag, String)>),
}

impl Contact {
    /// The text for the element's language `lang` (a tag like `es-MX`; `None` or a tag that
    /// does not parse: the fallback): the tag, its primary subtag, `en`, the first.
    pub fn for_language(&self, lang: Option<&str>) -> &str {
        let texts = match self {
            Contact::One(text) => return text,
            Contact::PerLanguage(texts) => texts,
        };
        let find = |tag: &str| texts.iter().find(|(t, _)| t.as_str() == tag);
        let asked = lang.and_then(LanguageTag::parse);
        let found = asked.as_ref().and_then(|tag| {
            find(tag.as_str()).or_else(|| find(tag.as_str().split('-').next().unwrap_or("")))
        });
        // Validation keeps the table non-empty.
        let (_, text) = found.or_else(|| find("en")).unwrap_or(&texts[0]);
        text
    }
}

/// `[study]` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStudy {
    contact: Option<RawContact>,
}

/// A string, or a table of strings kept in the order of the file.
enum RawContact {
    One(String),
    PerLanguage(Vec<(String, String)>),
}

impl<'de> Deserialize<'de> for RawContact {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ContactVisitor;
        impl<'de> Visitor<'de> for ContactVisitor {
            type Value = RawContact;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a text, or a table of texts by language like { en = \"…\", es = \"…\" }",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawContact, E> {
                Ok(RawContact::One(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawContact, A::Error> {
                let mut texts = Vec::new();
                while let Some((tag, text)) = map.next_entry::<String, String>()? {
                    texts.push((tag, text));
                }
                Ok(RawContact::PerLanguage(texts))
            }
        }
        deserializer.deserialize_any(ContactVisitor)
    }
}

impl RawStudy {
    pub(super) fn validate(self) -> Result<StudyConfig, ConfigError> {
        let contact = match self.contact {
            None => None,
            Some(RawContact::One(text)) => Some(Contact::One(text_of("study.contact", &text)?)),
            Some(RawContact::PerLanguage(raw)) => {
                if raw.is_empty() {
                    return Err(invalid(
                        "study.contact",
                        "an empty table: give one text, or one per language like en = \"…\"",
                    ));
                }
                let mut texts: Vec<(LanguageTag, String)> = Vec::with_capacity(raw.len());
                for (tag_text, text) in raw {
                    let key = format!("study.contact.{tag_text}");
                    let tag = LanguageTag::parse(&tag_text).ok_or_else(|| {
                        invalid(
                            &key,
                            "not a language tag: the element's language, like es or pt-BR",
                        )
                    })?;
                    if texts.iter().any(|(t, _)| *t == tag) {
                        return Err(invalid(
                            &key,
                            "this language is given twice (tags are not case sensitive)",
                        ));
                    }
                    texts.push((tag, text_of(&key, &text)?));
                }
                Some(Contact::PerLanguage(texts))
            }
        };
        Ok(StudyConfig { contact })
    }
}

/// A contact text: trimmed, not empty, at most [`MAX_CONTACT_CHARS`], one line of plain text.
fn text_of(key: &str, text: &str) -> Result<String, ConfigError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid(
            key,
            "empty: the line participants read, like \"Questions? Call 555-0100.\"",
        ));
    }
    if text.chars().count() > MAX_CONTACT_CHARS {
        return Err(invalid(
            key,
            format!("longer than {MAX_CONTACT_CHARS} characters: it is shown on a small card"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(invalid(
            key,
            "one line of plain text, without control characters",
        ));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{env, GOOD};
    use super::super::Config;
    use super::*;

    fn study(table: &str) -> Result<StudyConfig, ConfigError> {
        Config::parse(&format!("{GOOD}\n{table}"), &env()).map(|c| c.study)
    }

    #[test]
    fn no_study_table_means_no_contact() {
        assert_eq!(study("").unwrap().contact, None);
        assert_eq!(study("[study]").unwrap().contact, None);
    }

    #[test]
    fn one_text_for_every_language() {
        let c = study("[study]\ncontact = \"  Call 555-0100.  \"")
            .unwrap()
            .contact
            .unwrap();
        assert_eq!(c.for_language(None), "Call 555-0100.");
        assert_eq!(c.for_language(Some("es")), "Call 555-0100.");
    }

    #[test]
    fn per_language_falls_back_to_the_primary_subtag_then_en_then_the_first() {
        let c = study("[study.contact]\nfr = \"Appelez\"\nes = \"Llame\"\nen = \"Call\"")
            .unwrap()
            .contact
            .unwrap();
        assert_eq!(c.for_language(Some("es")), "Llame");
        assert_eq!(c.for_language(Some("ES-mx")), "Llame");
        assert_eq!(c.for_language(Some("fr-CA")), "Appelez");
        assert_eq!(c.for_language(Some("de")), "Call");
        assert_eq!(c.for_language(Some("not a tag")), "Call");
        assert_eq!(c.for_language(None), "Call");
        // Without `en`, the first in the file (not the first in alphabetical order).
        let c = study("[study]\ncontact = { fr = \"Appelez\", es = \"Llame\" }")
            .unwrap()
            .contact
            .unwrap();
        assert_eq!(c.for_language(Some("de")), "Appelez");
        assert_eq!(c.for_language(Some("es-US")), "Llame");
    }

    #[test]
    fn mistakes_name_the_key_and_why() {
        for (table, key, why) in [
            ("[study]\ncontact = \" \"", "`study.contact`", "empty"),
            ("[study]\ncontact = {}", "`study.contact`", "empty table"),
            (
                "[study.contact]\n\"español\" = \"x\"",
                "`study.contact.español`",
                "not a language tag",
            ),
            (
                "[study.contact]\nes = \"x\"\nES = \"y\"",
                "`study.contact.ES`",
                "twice",
            ),
            ("[study.contact]\nen = \"\"", "`study.contact.en`", "empty"),
            (
                "[study]\ncontact = \"a\\nb\"",
                "`study.contact`",
                "one line",
            ),
            ("[study]\ncontact = 5", "contact", "a text, or a table"),
            ("[study]\nphone = \"x\"", "phone", "unknown field"),
        ] {
            let err = study(table).unwrap_err().to_string();
            assert!(err.contains(key) && err.contains(why), "{table:?} → {err}");
        }
        let long = "x".repeat(MAX_CONTACT_CHARS + 1);
        let err = study(&format!("[study]\ncontact = \"{long}\""))
            .unwrap_err()
            .to_string();
        assert!(err.contains("longer than"), "{err}");
    }
}
