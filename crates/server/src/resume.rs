//! The answer to "where can this participant resume?": configuration + REDCap → contract.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::future::join_all;
use redcap_client::{RecordId, ResponseStatus};
use redcap_resume_contract::{ReturnCode, SurveyAnswer, SurveyList, SurveyStatus};

use crate::config::SurveyConfig;
use crate::error::Failure;
use crate::links::compose;
use crate::upstream::{target, Project};

pub struct Resumer {
    surveys: Vec<SurveyConfig>,
    projects: HashMap<String, Arc<Project>>,
}

impl Resumer {
    pub fn new(surveys: Vec<SurveyConfig>, projects: HashMap<String, Arc<Project>>) -> Self {
        Self { surveys, projects }
    }

    pub fn projects(&self) -> impl Iterator<Item = &Arc<Project>> {
        self.projects.values()
    }

    pub fn project(&self, name: &str) -> Option<&Arc<Project>> {
        self.projects.get(name)
    }

    pub fn survey(&self, key: &str) -> Option<&SurveyConfig> {
        self.surveys.iter().find(|s| s.key.as_str() == key)
    }

    /// One survey, by its configured key.
    pub async fn answer(&self, record: &RecordId, key: &str) -> Result<SurveyAnswer, Failure> {
        let survey = self.survey(key).ok_or(Failure::UnknownSurvey)?;
        self.answer_for(record, survey).await
    }

    /// Every configured survey this participant can see. A survey that does not apply to them
    /// (no such record in its project, not resumable) is left out; a survey whose project is
    /// misconfigured is left out and logged; an outage fails the whole list so the participant
    /// is told to try again rather than shown a list with holes.
    pub async fn list(&self, record: &RecordId) -> Result<SurveyList, Failure> {
        let answers = join_all(self.surveys.iter().map(|s| self.answer_for(record, s))).await;
        let mut surveys = Vec::new();
        for (survey, answer) in self.surveys.iter().zip(answers) {
            match answer {
                Ok(a) => surveys.push(a),
                Err(Failure::RecordNotFound | Failure::ResumeNotAvailable(_)) => {}
                Err(Failure::UpstreamMisconfigured(cause)) => {
                    tracing::error!(survey = %survey.key, cause = %cause, "survey left out of the list");
                }
                Err(other) => return Err(other),
            }
        }
        Ok(SurveyList { surveys })
    }

    async fn answer_for(
        &self,
        record: &RecordId,
        survey: &SurveyConfig,
    ) -> Result<SurveyAnswer, Failure> {
        let project = self.projects.get(&survey.project).ok_or_else(|| {
            Failure::Internal(format!("survey {} names a missing project", survey.key))
        })?;
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
        };
        if status == SurveyStatus::Completed && !survey.allow_completed_edit {
            return Ok(answer);
        }
        if status == SurveyStatus::NotStarted {
            // Nothing to resume: the link starts the survey; no code is created for it.
            answer.survey_link = Some(project.survey_link(&target).await?.expose().to_string());
            return Ok(answer);
        }
        let resumable = project.resumable(&target).await?;
        let code = ReturnCode::new(resumable.code.expose());
        let composed = compose(resumable.link.expose(), &code, survey.link_style);
        answer.return_code = Some(code);
        answer.survey_link = Some(composed.survey_link);
        answer.resume_link = Some(composed.resume_link);
        answer.resume_form = Some(composed.resume_form);
        Ok(answer)
    }
}
