//! Composing what the widget needs to resume, from REDCap's survey link and return code.
//!
//! REDCap has no URL parameter that carries a code: `?s=HASH&__return=1` shows the
//! "Returning?" page, and the code is accepted as the POST field `__code` to `?s=HASH`.
//! `link_style = "rc-param"` adds `&rc=CODE` for installations that rewrite it.

use redcap_resume_contract::{ResumeForm, ReturnCode};
use url::Url;

use crate::config::LinkStyle;

/// The form field REDCap's survey page reads the return code from.
pub const CODE_FIELD: &str = "__code";

pub struct Composed {
    pub survey_link: String,
    pub resume_link: String,
    pub resume_form: ResumeForm,
}

pub fn compose(survey_link: &Url, code: &ReturnCode, style: LinkStyle) -> Composed {
    let mut resume = survey_link.clone();
    match style {
        LinkStyle::ReturnPage => resume.query_pairs_mut().append_pair("__return", "1"),
        LinkStyle::RcParam => resume.query_pairs_mut().append_pair("rc", code.expose()),
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
        let c = compose(&link, &ReturnCode::new("KX7HD3LW"), LinkStyle::ReturnPage);
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
        let c = compose(&link, &ReturnCode::new("KX7HD3LW"), LinkStyle::RcParam);
        assert_eq!(
            c.resume_link,
            "https://redcap.example.edu/redcap/surveys/?s=AbCdEfGhJk&rc=KX7HD3LW"
        );
    }
}
