//! Composing what the widget needs to resume, from REDCap's survey link and return code.
//!
//! REDCap has no URL parameter that carries a code: `?s=HASH&__return=1` shows the
//! "Returning?" page, and the code is accepted as the POST field `__code` to `?s=HASH`.
//! `link_style = "rc-param"` adds `&rc=CODE` for installations that rewrite it.
//!
//! With a Multi-Language Management language (`?lang=` mapped by the project's `languages`),
//! every link carries REDCap's `&__lang=ID` ([`in_language`]): the survey link, the return page
//! and the form action.

use redcap_resume_contract::{ResumeForm, ReturnCode};
use url::Url;

use crate::config::{LinkStyle, MlmLanguageId};

/// The form field REDCap's survey page reads the return code from.
pub const CODE_FIELD: &str = "__code";

pub struct Composed {
    pub survey_link: String,
    pub resume_link: String,
    pub resume_form: ResumeForm,
}

/// REDCap's survey link, opening in MLM language `mlm` (`&__lang=ID`) when there is one.
pub fn in_language(survey_link: &Url, mlm: Option<&MlmLanguageId>) -> Url {
    let mut link = survey_link.clone();
    if let Some(id) = mlm {
        link.query_pairs_mut().append_pair("__lang", id.as_str());
    }
    link
}

/// REDCap's "Returning?" page of a survey link (`…?s=HASH[&__lang=ID]&__return=1`), where the
/// participant types their code.
pub fn return_page(survey_link: &Url) -> Url {
    let mut page = survey_link.clone();
    page.query_pairs_mut().append_pair("__return", "1");
    page
}

/// The links and form of an answer with a code, in MLM language `mlm` if any.
pub fn compose(
    survey_link: &Url,
    code: &ReturnCode,
    style: LinkStyle,
    mlm: Option<&MlmLanguageId>,
) -> Composed {
    let survey_link = &in_language(survey_link, mlm);
    let resume = match style {
        LinkStyle::ReturnPage => return_page(survey_link),
        LinkStyle::RcParam => {
            let mut link = survey_link.clone();
            link.query_pairs_mut().append_pair("rc", code.expose());
            link
        }
    };
    Composed {
        survey_link: survey_link.to_string(),
        resume_link: resume.to_string(),
        resume_form: ResumeForm {
            action: survey_link.to_string(),
            field: CODE_FIELD.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_page_style() {
        let link = Url::parse("https://redcap.example.edu/surveys/?s=AbCdEfGhJkLmNpQr").unwrap();
        let c = compose(
            &link,
            &ReturnCode::new("KX7HD3LW"),
            LinkStyle::ReturnPage,
            None,
        );
        assert_eq!(
            c.survey_link,
            "https://redcap.example.edu/surveys/?s=AbCdEfGhJkLmNpQr"
        );
        assert_eq!(
            c.resume_link,
            "https://redcap.example.edu/surveys/?s=AbCdEfGhJkLmNpQr&__return=1"
        );
        assert_eq!(c.resume_form.action, c.survey_link);
        assert_eq!(c.resume_form.field, "__code");
    }

    #[test]
    fn rc_param_style() {
        let link = Url::parse("https://redcap.example.edu/redcap/surveys/?s=AbCdEfGhJk").unwrap();
        let c = compose(
            &link,
            &ReturnCode::new("KX7HD3LW"),
            LinkStyle::RcParam,
            None,
        );
        assert_eq!(
            c.resume_link,
            "https://redcap.example.edu/redcap/surveys/?s=AbCdEfGhJk&rc=KX7HD3LW"
        );
    }

    #[test]
    fn every_link_carries_the_mlm_language() {
        let link = Url::parse("https://redcap.example.edu/surveys/?s=AbCdEfGhJk").unwrap();
        let es = MlmLanguageId::parse("es-MX").unwrap();
        let c = compose(
            &link,
            &ReturnCode::new("KX7HD3LW"),
            LinkStyle::ReturnPage,
            Some(&es),
        );
        let base = "https://redcap.example.edu/surveys/?s=AbCdEfGhJk&__lang=es-MX";
        assert_eq!(c.survey_link, base);
        assert_eq!(c.resume_link, format!("{base}&__return=1"));
        assert_eq!(c.resume_form.action, base);
        assert_eq!(in_language(&link, None), link);
    }
}
