//! The answer to "where can this participant resume?": configuration + REDCap → contract.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::future::join_all;
use redcap_client::{RecordId, ResponseStatus};
use redcap_resume_contract::{QueueAnswer, ReturnCode, SurveyAnswer, SurveyList, SurveyStatus};

use crate::app::lang::AskedLanguage;
use crate::config::{Config, Contact, Languages, MlmLanguageId, SurveyConfig};
use crate::error::Failure;
use crate::links::{compose, in_language, return_page};
use crate::survey_key::SurveyKey;
use crate::upstream::{target, Project, Redcap};

/// A configured survey and the project its instrument lives in, resolved at start-up.
pub struct Survey {
    pub config: SurveyConfig,
    project: Arc<Project>,
    /// Its project's element-language → REDCap MLM language table.
    languages: Languages,
}

/// Every configured survey, by key and in the order of the file.
pub struct Resumer {
    surveys: Vec<Survey>,
    by_key: HashMap<SurveyKey, usize>,
    /// `[study] contact`: every answer carries it, in the asked language.
    contact: Option<Contact>,
}

impl Resumer {
    /// Each survey holds its project from `redcap` (built from the same `config`).
    pub fn new(config: &Config, redcap: &Redcap) -> Self {
        let surveys: Vec<Survey> = config
            .surveys
            .iter()
            .map(|s| Survey {
                config: s.clone(),
                project: redcap.project(s.project).clone(),
                languages: config.project(s.project).languages.clone(),
            })
            .collect();
        let by_key = surveys
            .iter()
            .enumerate()
            .map(|(i, s)| (s.config.key.clone(), i))
            .collect();
        Self {
            surveys,
            by_key,
            contact: config.study.contact.clone(),
        }
    }

    /// The survey configured under `key`.
    pub fn survey(&self, key: &SurveyKey) -> Option<&Survey> {
        self.by_key.get(key).map(|&i| &self.surveys[i])
    }

    /// The survey a request names: [`Failure::UnknownSurvey`] when what was sent is not a key
    /// (`None`) or no survey is configured under it.
    pub fn asked(&self, key: Option<&SurveyKey>) -> Result<&Survey, Failure> {
        key.and_then(|key| self.survey(key))
            .ok_or(Failure::UnknownSurvey)
    }

    /// One survey's answer for this participant, in the language `lang` asked for.
    pub async fn answer(
        &self,
        record: &RecordId,
        survey: &Survey,
        lang: &AskedLanguage,
    ) -> Result<SurveyAnswer, Failure> {
        let mut answer = survey.answer(record, lang).await?;
        answer.contact = self.contact_for(lang);
        Ok(answer)
    }

    /// The participant's survey queue link in the project of `survey`, in the MLM language
    /// the project maps `lang` to (if any). A project whose queue is off answers
    /// `resume_not_available` (REDCap's "The Survey Queue has not been enabled" sentence).
    pub async fn queue(
        &self,
        record: &RecordId,
        survey: &Survey,
        lang: &AskedLanguage,
    ) -> Result<QueueAnswer, Failure> {
        let link = survey.project.queue_link(record).await?;
        Ok(QueueAnswer {
            key: survey.config.key.to_string(),
            queue_link: in_language(link.expose(), survey.mlm(lang)).to_string(),
            contact: self.contact_for(lang),
        })
    }

    /// REDCap's "Returning?" page of `survey` for this participant, in the MLM language the
    /// project maps `lang` to (if any), for the QR code: from the same answer as
    /// [`Resumer::answer`] (same checks, same cache), and only when that answer carries a
    /// return code. A survey not started, completed, or behind Survey Login has none:
    /// `resume_not_available`. Never the `rc-param` link, which would carry the code.
    pub async fn return_page(
        &self,
        record: &RecordId,
        survey: &Survey,
        lang: &AskedLanguage,
    ) -> Result<url::Url, Failure> {
        let answer = survey.answer(record, lang).await?;
        let link = match (&answer.return_code, &answer.survey_link) {
            (Some(_), Some(link)) => link,
            _ => {
                return Err(Failure::ResumeNotAvailable(format!(
                    "survey {}: no return code to continue with on another device (status {:?})",
                    answer.key, answer.status
                )))
            }
        };
        url::Url::parse(link)
            .map(|link| return_page(&link))
            .map_err(|_| Failure::Internal("a composed survey link is not a URL".into()))
    }

    /// The study's contact line for `lang`, if the study has one.
    fn contact_for(&self, lang: &AskedLanguage) -> Option<String> {
        self.contact
            .as_ref()
            .map(|c| c.for_language(lang.as_str()).to_owned())
    }

    /// Every configured survey this participant can see. A survey that does not apply to them
    /// (no such record in its project, not resumable) is left out; a survey whose project is
    /// misconfigured is left out and logged; an outage fails the whole list so the participant
    /// is told to try again rather than shown a list with holes.
    pub async fn list(
        &self,
        record: &RecordId,
        lang: &AskedLanguage,
    ) -> Result<SurveyList, Failure> {
        let answers = join_all(self.surveys.iter().map(|s| s.answer(record, lang))).await;
        let contact = self.contact_for(lang);
        let mut surveys = Vec::new();
        for (survey, answer) in self.surveys.iter().zip(answers) {
            match answer {
                Ok(mut a) => {
                    a.contact = contact.clone();
                    surveys.push(a);
                }
                Err(Failure::RecordNotFound | Failure::ResumeNotAvailable(_)) => {}
                Err(Failure::UpstreamMisconfigured(cause)) => {
                    tracing::error!(survey = %survey.config.key, cause = %cause, "survey left out of the list");
                }
                Err(other) => return Err(other),
            }
        }
        Ok(SurveyList { surveys, contact })
    }
}

impl Survey {
    /// The MLM language id the project maps `lang` to, if any.
    fn mlm(&self, lang: &AskedLanguage) -> Option<&MlmLanguageId> {
        lang.as_str().and_then(|l| self.languages.mlm_id(l))
    }

    /// The answer, its links in the MLM language the project maps `lang` to (if any).
    async fn answer(
        &self,
        record: &RecordId,
        lang: &AskedLanguage,
    ) -> Result<SurveyAnswer, Failure> {
        let mlm = self.mlm(lang);
        let survey = &self.config;
        let project = &self.project;
        let target = target(record, survey);
        let status = if survey.status {
            match project.status(&target).await {
                Ok(ResponseStatus::NotStarted) => SurveyStatus::NotStarted,
                Ok(ResponseStatus::InProgress) => SurveyStatus::InProgress,
                Ok(ResponseStatus::Completed) => SurveyStatus::Completed,
                // A longitudinal export filtered to an event where the record has no data yet
                // comes back empty: the survey link call below tells whether the record exists.
                Err(Failure::RecordNotFound) if survey.event.is_some() => SurveyStatus::NotStarted,
                Err(other) => return Err(other),
            }
        } else {
            SurveyStatus::Unknown
        };
        let mut answer = SurveyAnswer {
            key: survey.key.to_string(),
            title: survey.title.clone(),
            status,
            return_code: None,
            survey_link: None,
            resume_link: None,
            resume_form: None,
            survey_login: survey.survey_login,
            contact: None,
        };
        if status == SurveyStatus::Completed && !survey.allow_completed_edit {
            return Ok(answer);
        }
        if status == SurveyStatus::NotStarted || survey.survey_login {
            // Nothing to resume, or REDCap's Survey Login: the plain link (where the participant
            // starts, or logs in and continues); no code is asked of REDCap.
            let link = project.survey_link(&target).await?;
            answer.survey_link = Some(in_language(link.expose(), mlm).to_string());
            return Ok(answer);
        }
        let resumable = project.resumable(&target).await?;
        let code = ReturnCode::new(resumable.code.expose());
        let composed = compose(resumable.link.expose(), &code, survey.link_style, mlm);
        answer.return_code = Some(code);
        answer.survey_link = Some(composed.survey_link);
        answer.resume_link = Some(composed.resume_link);
        answer.resume_form = Some(composed.resume_form);
        Ok(answer)
    }
}
