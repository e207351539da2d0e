//! `redcap-resume check`: asks the configured REDCap about every survey and says what to fix.

use std::fmt::Write as _;

use redcap_client::{Client, RecordId, RedcapError};

use crate::config::{Config, ProjectConfig, SurveyConfig};
use crate::upstream::{client_for, target};

fn explain(step: &str, e: RedcapError) -> String {
    format!("{step}: {e} — {}", e.hint())
}

/// One line per survey; `Ok(report)` when everything is in order, `Err(report)` otherwise.
pub async fn check(config: &Config, record: Option<&RecordId>) -> Result<String, String> {
    // Reachability and token once per project, however many surveys it has.
    let mut projects = Vec::with_capacity(config.projects.len());
    for project in &config.projects {
        projects.push(probe_project(project).await);
    }
    let mut report = String::new();
    let mut all_ok = true;
    for survey in &config.surveys {
        let line = match &projects[survey.project.index()] {
            Err(text) => Err(text.clone()),
            Ok((client, found)) => check_survey(client, survey, record)
                .await
                .map(|more| [found.as_str(), &more].join(", ")),
        };
        match line {
            Ok(text) => {
                let _ = writeln!(report, "ok    {:<16} {text}", survey.key.as_str());
            }
            Err(text) => {
                all_ok = false;
                let _ = writeln!(report, "FAIL  {:<16} {text}", survey.key.as_str());
            }
        }
    }
    if all_ok {
        Ok(report)
    } else {
        Err(report)
    }
}

/// A client for the project, and what was found: reachable, token valid.
async fn probe_project(project: &ProjectConfig) -> Result<(Client, String), String> {
    let client = client_for(project)?;
    let version = client
        .version()
        .await
        .map_err(|e| explain("REDCap not reachable or token refused", e))?;
    let info = client
        .project_info()
        .await
        .map_err(|e| explain("project", e))?;
    let found = format!(
        "reachable (REDCap {version}), token valid (project \"{}\")",
        info.title
    );
    Ok((client, found))
}

/// Survey rights, the instrument, Save & Return Later: only with a test record.
async fn check_survey(
    client: &Client,
    survey: &SurveyConfig,
    record: Option<&RecordId>,
) -> Result<String, String> {
    let Some(record) = record else {
        return Ok("give --record ID (a test record) to check survey rights, the instrument and Save & Return Later".into());
    };
    let target = target(record, survey);
    client.survey_link(&target).await.map_err(|e| {
        explain(
            &format!(
                "{} for record {}",
                survey.instrument.as_str(),
                record.as_str()
            ),
            e,
        )
    })?;
    client
        .survey_return_code(&target)
        .await
        .map_err(|e| explain("return code", e))?;
    Ok(format!(
        "survey rights, {} is a survey, Save & Return Later on",
        survey.instrument.as_str()
    ))
}
