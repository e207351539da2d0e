//! `[surveys.KEY]`: the surveys a page may ask for, each resolved to its project here, once.

use redcap_client::{Event, Instrument, RepeatInstance};
use serde::Deserialize;

use super::error::{invalid, ConfigError};
use super::projects::{find, ProjectConfig, ProjectId, DEFAULT_PROJECT};
use crate::survey_key::SurveyKey;

/// Which link the answer carries in `resume_link`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkStyle {
    /// `survey_link&__return=1`: REDCap's "Returning?" page where the code is typed.
    ReturnPage,
    /// `survey_link&rc=CODE`, for installations that rewrite it.
    RcParam,
}

/// One survey the widget may ask for.
#[derive(Debug, Clone)]
pub struct SurveyConfig {
    pub key: SurveyKey,
    /// The project its instrument lives in (`project = NAME`, else `default`).
    pub project: ProjectId,
    /// What participants read on the card.
    pub title: String,
    pub instrument: Instrument,
    /// Longitudinal projects: the event's unique name.
    pub event: Option<Event>,
    /// Repeating instruments or events: which instance (1 or more).
    pub repeat_instance: Option<RepeatInstance>,
    /// Ask REDCap whether the survey is not started, in progress or completed.
    pub status: bool,
    /// Hand out a code for a completed survey too (REDCap's "allow edit after completion").
    pub allow_completed_edit: bool,
    pub link_style: LinkStyle,
    /// REDCap's Survey Login is on for this survey: its page ignores a return code and asks
    /// the participant to log in, so the answer carries the plain survey link only (no code is
    /// asked of REDCap, no return-page link, no code form).
    pub survey_login: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSurvey {
    title: Option<String>,
    project: Option<String>,
    instrument: Option<String>,
    event: Option<String>,
    repeat_instance: Option<u32>,
    #[serde(default)]
    status: bool,
    #[serde(default)]
    allow_completed_edit: bool,
    link_style: Option<LinkStyle>,
    #[serde(default)]
    survey_login: bool,
}

/// Every `[surveys.*]` table, in the order of the file.
pub(super) fn validate(
    tables: toml::Table,
    projects: &[ProjectConfig],
) -> Result<Vec<SurveyConfig>, ConfigError> {
    if tables.is_empty() {
        return Err(invalid(
            "surveys",
            "configure at least one survey, like [surveys.baseline]",
        ));
    }
    let mut surveys = Vec::new();
    for (key, value) in tables {
        let prefix = format!("surveys.{key}");
        let survey_key = SurveyKey::parse(&key)
            .map_err(|_| invalid(&prefix, "survey keys use a-z, 0-9, - and _ (at most 64)"))?;
        let raw: RawSurvey = value
            .try_into()
            .map_err(|e: toml::de::Error| invalid(&prefix, e.message().to_owned()))?;
        surveys.push(raw.validate(&prefix, survey_key, projects)?);
    }
    Ok(surveys)
}

impl RawSurvey {
    fn validate(
        self,
        prefix: &str,
        key: SurveyKey,
        projects: &[ProjectConfig],
    ) -> Result<SurveyConfig, ConfigError> {
        let name = self.project.as_deref().unwrap_or(DEFAULT_PROJECT);
        let project = find(projects, name).ok_or_else(|| {
            let reason = if name == DEFAULT_PROJECT {
                "no `project` named and there is no [redcap] table".to_owned()
            } else {
                format!("there is no [projects.{name}]")
            };
            invalid(format!("{prefix}.project"), reason)
        })?;
        let title = self
            .title
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                invalid(
                    format!("{prefix}.title"),
                    "missing: the title participants see",
                )
            })?;
        let instrument_text = self.instrument.ok_or_else(|| {
            invalid(
                format!("{prefix}.instrument"),
                "missing: the REDCap instrument's unique name, like baseline_survey",
            )
        })?;
        let instrument = Instrument::parse(&instrument_text).map_err(|_| {
            invalid(
                format!("{prefix}.instrument"),
                "an instrument's unique name uses a-z, 0-9 and _ (see REDCap's Codebook)",
            )
        })?;
        let event = self
            .event
            .map(|e| {
                Event::parse(&e).map_err(|_| {
                    invalid(
                        format!("{prefix}.event"),
                        "an event's unique name uses a-z, 0-9 and _, like baseline_arm_1",
                    )
                })
            })
            .transpose()?;
        let repeat_instance = self
            .repeat_instance
            .map(|n| {
                RepeatInstance::new(n).ok_or_else(|| {
                    invalid(format!("{prefix}.repeat_instance"), "must be 1 or more")
                })
            })
            .transpose()?;
        Ok(SurveyConfig {
            key,
            project,
            title,
            instrument,
            event,
            repeat_instance,
            status: self.status,
            allow_completed_edit: self.allow_completed_edit,
            link_style: self.link_style.unwrap_or(LinkStyle::ReturnPage),
            survey_login: self.survey_login,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{assert_mistakes_name_the_key, env, GOOD};
    use super::super::Config;
    use super::*;

    #[test]
    fn survey_mistakes_name_the_key() {
        assert_mistakes_name_the_key(&[
            (
                "instrument = \"baseline_survey\"",
                "instrument = \"Baseline Survey\"",
                "`surveys.baseline.instrument`",
            ),
            (
                "event = \"baseline_arm_1\"",
                "event = \"baseline arm\"",
                "`surveys.baseline.event`",
            ),
            (
                "repeat_instance = 1",
                "repeat_instance = 0",
                "`surveys.baseline.repeat_instance`",
            ),
            (
                "project = \"cohort\"",
                "project = \"nope\"",
                "`surveys.month3.project`",
            ),
            (
                "title = \"Baseline questionnaire\"",
                "",
                "`surveys.baseline.title`",
            ),
            (
                "[surveys.baseline]",
                "[surveys.Baseline]",
                "`surveys.Baseline`",
            ),
            (
                "link_style = \"return-page\"",
                "link_style = \"rc\"",
                "`surveys.baseline`",
            ),
        ]);
    }

    #[test]
    fn each_survey_holds_its_project() {
        let c = Config::parse(GOOD, &env()).unwrap();
        assert_eq!(c.project(c.surveys[0].project).name, "default");
        assert_eq!(c.project(c.surveys[1].project).name, "cohort");
        assert_eq!(c.surveys[1].link_style, LinkStyle::RcParam);
    }
}
