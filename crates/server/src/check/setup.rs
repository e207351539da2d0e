//! One survey's setup: from the project's structure and REDCap's answers about one record.

use redcap_client::{RecordId, RedcapError, SurveyLink};

use super::report::{explain, refused, survey_base_url_key, Line, Probed, Verdict};
use crate::config::{ProjectConfig, SurveyConfig};
use crate::upstream::target;

/// What checking one survey found.
pub(super) struct Outcome {
    pub verdict: Verdict,
    pub text: String,
    /// Where REDCap's survey link pointed, when it gave one or named another host.
    pub link_host: Option<LinkHost>,
}

/// Where a project's survey links come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum LinkHost {
    /// Accepted: on the API's origin or under the configured survey base URL.
    Accepted(String),
    /// On another host, not under a configured survey base URL: the survey base URL it implies.
    Elsewhere(String),
}

fn fail(text: impl Into<String>) -> Outcome {
    Outcome {
        verdict: Verdict::Fail,
        text: text.into(),
        link_host: None,
    }
}

/// `scheme://host[:port]` of a link (never its hash).
fn origin_of(link: &SurveyLink) -> String {
    link.expose().origin().ascii_serialization()
}

/// Checks with the operator's test record: survey link, then return code.
pub(super) async fn with_record(
    probed: &Probed,
    project: &ProjectConfig,
    survey: &SurveyConfig,
    record: &RecordId,
) -> Outcome {
    let step = format!(
        "{} for record {}",
        survey.instrument.as_str(),
        record.as_str()
    );
    ask(probed, project, survey, record, &step).await
}

/// Checks without a record: the instrument, event and designation from the project's
/// structure, then survey link and return code for the first record of the survey's event.
pub(super) async fn without_record(
    probed: &Probed,
    project: &ProjectConfig,
    survey: &SurveyConfig,
) -> Outcome {
    let structure = match &probed.structure {
        Ok(s) => s,
        Err(text) => return fail(text.clone()),
    };
    let instrument = survey.instrument.as_str();
    if !structure.instruments.iter().any(|i| i == instrument) {
        return fail(format!(
            "REDCap has no instrument `{instrument}` (it has: {}): set instrument to the instrument's unique name",
            structure.instruments.join(", ")
        ));
    }
    let mut notes = Vec::new();
    match (&structure.events, &survey.event) {
        (Some(events), None) => {
            return fail(format!(
                "the project is longitudinal: set event to one of {}",
                events.join(", ")
            ))
        }
        (Some(events), Some(event)) if !events.iter().any(|e| e == event.as_str()) => {
            return fail(format!(
                "REDCap has no event `{}` (it has: {})",
                event.as_str(),
                events.join(", ")
            ))
        }
        (Some(_), Some(event)) if !structure.is_designated(instrument, event.as_str()) => {
            return fail(format!(
                "{instrument} is not designated for the event {} (REDCap: Project Setup, Designate Instruments for My Events)",
                event.as_str()
            ))
        }
        (None, Some(_)) => notes.push("event is ignored: the project is classic".to_owned()),
        _ => {}
    }
    if let Err(text) = probed
        .learn_record_id_field(project.record_id_field.is_some())
        .await
    {
        return fail(text);
    }
    let first = probed
        .project
        .for_operator(
            1,
            probed.project.client().first_record(survey.event.as_ref()),
        )
        .await;
    let record = match first {
        Err(r) => return fail(refused("listing a record to ask about", &r)),
        Ok(Ok(Some(record))) => record,
        Ok(Ok(None)) => {
            return Outcome {
                verdict: Verdict::Warn,
                text: "instrument and event found; no record yet to ask whether it is a survey with Save & Return Later: add a test record, or give --record ID".into(),
                link_host: None,
            }
        }
        Ok(Err(e)) => return fail(explain("listing a record to ask about", &e)),
    };
    let step = format!(
        "{instrument} (asked about record {}, the first in its event)",
        record.as_str()
    );
    let mut outcome = ask(probed, project, survey, &record, &step).await;
    if outcome.verdict == Verdict::Ok {
        notes.insert(0, outcome.text);
        outcome.text = notes.join("; ");
    }
    outcome
}

/// Survey link and return code for `record`: is a survey, designated, Save & Return Later on,
/// links accepted.
async fn ask(
    probed: &Probed,
    project: &ProjectConfig,
    survey: &SurveyConfig,
    record: &RecordId,
    step: &str,
) -> Outcome {
    let target = target(record, survey);
    let (project_calls, client) = (&probed.project, probed.project.client());
    let link = match project_calls
        .for_operator(1, client.survey_link(&target))
        .await
    {
        Err(r) => return fail(refused(step, &r)),
        Ok(Ok(link)) => link,
        Ok(Err(RedcapError::LinkOnOtherHost { base })) => {
            return Outcome {
                verdict: Verdict::Fail,
                text: format!(
                    "REDCap's survey links are on {base}, not on the API's host: if that is REDCap's survey base URL, set {} = \"{base}\"",
                    survey_base_url_key(project)
                ),
                link_host: Some(LinkHost::Elsewhere(base)),
            }
        }
        Ok(Err(e)) => return fail(explain(step, &e)),
    };
    let link_host = Some(LinkHost::Accepted(origin_of(&link)));
    let code_step = format!("return code of {step}");
    let failed = match project_calls
        .for_operator(1, client.survey_return_code(&target))
        .await
    {
        Ok(Ok(_)) => None,
        Ok(Err(e)) => Some(explain(&code_step, &e)),
        Err(r) => Some(refused(&code_step, &r)),
    };
    if let Some(text) = failed {
        return Outcome {
            link_host,
            ..fail(text)
        };
    }
    Outcome {
        verdict: Verdict::Ok,
        text: format!("survey rights, {step} is a survey, Save & Return Later on"),
        link_host,
    }
}

/// The host survey links came from, per project (the first survey that got one says).
#[derive(Default)]
pub(super) struct LinkHosts(Vec<(usize, LinkHost)>);

impl LinkHosts {
    pub(super) fn note(&mut self, project: usize, host: &Option<LinkHost>) {
        if let Some(host) = host {
            if !self.0.iter().any(|(p, _)| *p == project) {
                self.0.push((project, host.clone()));
            }
        }
    }

    /// The `links` line of a project, when one of its surveys got a link.
    pub(super) fn line(&self, project: usize, config: &ProjectConfig) -> Option<Line> {
        let (_, host) = self.0.iter().find(|(p, _)| *p == project)?;
        let api = config.api_url.origin().ascii_serialization();
        let (verdict, text) = match host {
            LinkHost::Accepted(origin) if *origin == api => (
                Verdict::Ok,
                format!("survey links of project {} come from {origin}, the API's host", config.name),
            ),
            LinkHost::Accepted(origin) => (
                Verdict::Ok,
                format!(
                    "survey links of project {} come from {origin}, under {} (the API is on {api})",
                    config.name,
                    survey_base_url_key(config)
                ),
            ),
            LinkHost::Elsewhere(base) => (
                Verdict::Fail,
                format!(
                    "survey links of project {} come from {base}, not the API's host {api}: set {} = \"{base}\" if that is REDCap's survey base URL",
                    config.name,
                    survey_base_url_key(config)
                ),
            ),
        };
        Some(Line {
            verdict,
            subject: "links".into(),
            text,
        })
    }
}
