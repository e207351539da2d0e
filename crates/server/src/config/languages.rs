//! `languages = { es = "es-MX", … }` of a project: which of REDCap's Multi-Language Management
//! (MLM) languages a survey opens in for the language the element asks for.
//!
//! REDCap opens an MLM survey in the project's default language unless the survey URL carries
//! `__lang=<language id>`, where the id is the project's own (set by its designer in MLM, for
//! example `es-MX`). The element sends a language tag (its `lang`); this table maps one to the
//! other. A tag that is not mapped keeps REDCap's default language.

use std::collections::BTreeMap;
use std::fmt;

use super::error::{invalid, ConfigError};

/// The longest MLM language id accepted (REDCap's own ids are short, like `es-MX`).
const MAX_ID_LEN: usize = 50;

/// An element language tag (BCP 47 shape, like `es` or `pt-BR`), kept in lower case: tags are
/// not case sensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LanguageTag(String);

impl LanguageTag {
    /// A tag: a primary subtag of 2-8 letters, then subtags of 1-8 letters or digits, joined
    /// by `-`. `None` for anything else.
    pub fn parse(text: &str) -> Option<LanguageTag> {
        let mut parts = text.split('-');
        let primary = parts.next()?;
        let primary_ok =
            (2..=8).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic());
        let rest_ok = parts
            .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
        (primary_ok && rest_ok).then(|| LanguageTag(text.to_ascii_lowercase()))
    }

    /// The tag in lower case, like `pt-br`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary subtag (`pt` of `pt-br`).
    fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }
}

/// A REDCap MLM language id as the project defines it (case kept: REDCap compares it as
/// written), the value of `__lang`.
#[derive(Clone, PartialEq, Eq)]
pub struct MlmLanguageId(String);

impl MlmLanguageId {
    /// 1-50 ASCII letters, digits, `-` or `_`.
    pub fn parse(text: &str) -> Option<MlmLanguageId> {
        let ok = !text.is_empty()
            && text.len() <= MAX_ID_LEN
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| MlmLanguageId(text.to_owned()))
    }

    /// The id, for `__lang=`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for MlmLanguageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// A project's element-language → MLM-language table; empty when not configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Languages(BTreeMap<LanguageTag, MlmLanguageId>);

impl Languages {
    /// The MLM language for the element's language tag `lang`: the tag itself (any case),
    /// else its primary subtag (`es-US` finds `es`). `None`: REDCap's default language.
    pub fn mlm_id(&self, lang: &str) -> Option<&MlmLanguageId> {
        let tag = LanguageTag::parse(lang)?;
        self.0.get(&tag).or_else(|| {
            self.0
                .get(&LanguageTag(tag.primary().to_owned()))
                .filter(|_| tag.primary() != tag.as_str())
        })
    }

    /// Whether no language is mapped.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The mapped pairs, in tag order.
    pub fn iter(&self) -> impl Iterator<Item = (&LanguageTag, &MlmLanguageId)> {
        self.0.iter()
    }

    /// Validates `{key} = { tag = "id", … }`; errors name `{key}.{tag}`.
    pub(super) fn validate(
        key: &str,
        raw: Option<BTreeMap<String, String>>,
    ) -> Result<Languages, ConfigError> {
        let mut table = BTreeMap::new();
        for (tag_text, id_text) in raw.unwrap_or_default() {
            let tag = LanguageTag::parse(&tag_text).ok_or_else(|| {
                invalid(
                    format!("{key}.{tag_text}"),
                    "not a language tag: the element's language, like es or pt-BR",
                )
            })?;
            let id = MlmLanguageId::parse(&id_text).ok_or_else(|| {
                invalid(
                    format!("{key}.{tag_text}"),
                    format!("`{id_text}` is not a REDCap language id (the id Multi-Language Management shows, like es-MX: letters, digits, - and _, at most {MAX_ID_LEN})"),
                )
            })?;
            if table.insert(tag, id).is_some() {
                return Err(invalid(
                    format!("{key}.{tag_text}"),
                    "this language is mapped twice (tags are not case sensitive)",
                ));
            }
        }
        Ok(Languages(table))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(pairs: &[(&str, &str)]) -> Result<Languages, ConfigError> {
        Languages::validate(
            "redcap.languages",
            Some(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
        )
    }

    #[test]
    fn maps_tags_in_any_case_and_falls_back_to_the_primary_subtag() {
        let l = table(&[("es", "es-MX"), ("pt-BR", "pt_br"), ("fr", "fr")]).unwrap();
        assert_eq!(l.mlm_id("es").unwrap().as_str(), "es-MX");
        assert_eq!(l.mlm_id("ES").unwrap().as_str(), "es-MX");
        assert_eq!(l.mlm_id("es-US").unwrap().as_str(), "es-MX");
        assert_eq!(l.mlm_id("pt-br").unwrap().as_str(), "pt_br");
        assert!(l.mlm_id("pt").is_none(), "pt-BR does not stand for pt");
        assert!(l.mlm_id("de").is_none());
        assert!(l.mlm_id("not a tag").is_none());
        assert!(Languages::validate("redcap.languages", None)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn mistakes_name_the_key_and_why() {
        for (pairs, key, why) in [
            (
                vec![("español", "es")],
                "`redcap.languages.español`",
                "not a language tag",
            ),
            (
                vec![("e", "es")],
                "`redcap.languages.e`",
                "not a language tag",
            ),
            (
                vec![("es", "es MX")],
                "`redcap.languages.es`",
                "not a REDCap language id",
            ),
            (
                vec![("es", "")],
                "`redcap.languages.es`",
                "not a REDCap language id",
            ),
            (
                vec![("es", "es"), ("ES", "es-MX")],
                "redcap.languages.",
                "mapped twice",
            ),
        ] {
            let err = table(&pairs).unwrap_err().to_string();
            assert!(err.contains(key) && err.contains(why), "{pairs:?} → {err}");
        }
    }
}
