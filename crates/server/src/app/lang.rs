//! `?lang=`: the element's language, as the widget sends it on the survey and list requests.
//!
//! It chooses the study's contact line and REDCap's Multi-Language Management language
//! (`__lang`) of the links. Anything that is not a language tag counts as not sent: the
//! request is still answered, in the defaults.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Uri;

use crate::config::LanguageTag;

/// The language a request asked for, when it sent a valid `lang` query parameter.
#[derive(Debug, Clone, Default)]
pub struct AskedLanguage(pub Option<LanguageTag>);

impl AskedLanguage {
    /// The first `lang` parameter of `uri`'s query, if it is a language tag.
    pub fn of(uri: &Uri) -> AskedLanguage {
        let tag = uri.query().and_then(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(name, _)| name == "lang")
                .and_then(|(_, value)| LanguageTag::parse(&value))
        });
        AskedLanguage(tag)
    }

    /// The tag as text (lower case), for the lookups that take one.
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_ref().map(LanguageTag::as_str)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AskedLanguage {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(AskedLanguage::of(&parts.uri))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(uri: &str) -> Option<String> {
        AskedLanguage::of(&uri.parse().unwrap())
            .as_str()
            .map(str::to_owned)
    }

    #[test]
    fn reads_a_valid_tag_and_ignores_anything_else() {
        assert_eq!(asked("/surveys?lang=es").as_deref(), Some("es"));
        assert_eq!(asked("/surveys/b?x=1&lang=pt-BR").as_deref(), Some("pt-br"));
        assert_eq!(asked("/surveys?lang=es&lang=fr").as_deref(), Some("es"));
        assert_eq!(asked("/surveys"), None);
        assert_eq!(asked("/surveys?lang="), None);
        assert_eq!(asked("/surveys?lang=%3Cscript%3E"), None);
        assert_eq!(asked("/surveys?lang=es%26__lang%3Dx"), None);
    }
}
