//! `redcap-resume check`: asks the configured REDCap about every survey and says what to fix.

use std::fmt::Write as _;

use redcap_client::{Client, ClientConfig, RecordId, RedcapError};

use crate::config::Config;
use crate::upstream::target;

/// One line per survey; `Ok(report)` when everything is in order, `Err(report)` otherwise.
pub async fn check(config: &Config, record: Option<&RecordId>) -> Result<String, String> {
    let mut report = String::new();
    let mut all_ok = true;
    for survey in &config.surveys {
        let project = &config.projects[&survey.project];
        let line = match Client::new(ClientConfig {
            api_url: project.api_url.clone(),
            token: project.token.clone(),
            timeout: project.timeout,
        }) {
            Err(e) => Err(format!("cannot build a REDCap client: {e}")),
            Ok(client) => check_one(&client, survey, record).await,
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

async fn check_one(
    client: &Client,
    survey: &crate::config::SurveyConfig,
    record: Option<&RecordId>,
) -> Result<String, String> {
    let explain = |step: &str, e: RedcapError| format!("{step}: {e} — {}", e.hint());
    let version = client
        .version()
        .await
        .map_err(|e| explain("REDCap not reachable or token refused", e))?;
    let project = client
        .project_info()
        .await
        .map_err(|e| explain("project", e))?;
    let mut done = vec![
        format!("reachable (REDCap {version})"),
        format!("token valid (project \"{}\")", project.title),
    ];
    let Some(record) = record else {
        done.push("give --record ID (a test record) to check survey rights, the instrument and Save & Return Later".into());
        return Ok(done.join(", "));
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
    done.push(format!(
        "survey rights, {} is a survey",
        survey.instrument.as_str()
    ));
    client
        .survey_return_code(&target)
        .await
        .map_err(|e| explain("return code", e))?;
    done.push("Save & Return Later on".into());
    Ok(done.join(", "))
}
