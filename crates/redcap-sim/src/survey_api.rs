//! `surveyLink`, `surveyReturnCode`, `surveyQueueLink`: REDCap's validation order and wording.

use axum::response::Response;
use url::Url;

use crate::api_error::ApiError;
use crate::envelope;
use crate::model::{ResponseKey, TokenGrant};
use crate::pages::html::escape;
use crate::params::Params;
use crate::state::Inner;

const NO_SURVEY_RIGHTS: &str = "The API request cannot complete because currently you do not \
have \"Manage Survey Participants\" privileges, which are required for this operation.";
const UNKNOWN_ERROR: &str = "An unknown error occurred";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Link,
    ReturnCode,
    QueueLink,
}

/// Answers one of the three survey methods.
pub(crate) fn answer(
    inner: &mut Inner,
    base: &Url,
    grant: &TokenGrant,
    content: &str,
    params: &Params,
) -> Result<Response, ApiError> {
    let method = match content {
        "surveyLink" => Method::Link,
        "surveyReturnCode" => Method::ReturnCode,
        _ => Method::QueueLink,
    };
    if !grant.survey_rights {
        return Err(ApiError::forbidden(NO_SURVEY_RIGHTS));
    }
    let project = grant.project.clone();
    let record = validate_record(inner, &project, params)?;
    if method == Method::QueueLink {
        if !inner.project(&project).is_some_and(|p| p.survey_queue) {
            return Err(ApiError::bad_request(
                "The Survey Queue has not been enabled in this project. You will need to enable \
                 the Survey Queue before using this method.",
            ));
        }
        let hash = inner.queue_hash(&project, &record);
        return Ok(envelope::bare(surveys_url(base, "sq", &hash)));
    }
    let key = validate_target(inner, &project, record, method, params)?;
    if method == Method::Link {
        let hash = inner.survey_hash(&project, &key);
        Ok(envelope::bare(surveys_url(base, "s", &hash)))
    } else {
        Ok(envelope::bare(inner.return_code(&project, &key)))
    }
}

/// `{base}surveys/?{param}={hash}`.
pub(crate) fn surveys_url(base: &Url, param: &str, hash: &str) -> String {
    let mut url = base.join("surveys/").expect("base URL ends with a slash");
    url.query_pairs_mut().append_pair(param, hash);
    url.to_string()
}

fn validate_record(inner: &Inner, project: &str, params: &Params) -> Result<String, ApiError> {
    let Some(record) = params.non_empty("record") else {
        return Err(ApiError::bad_request("The parameter 'record' is missing"));
    };
    if !inner
        .project(project)
        .is_some_and(|p| p.has_record(&record))
    {
        let quoted = quote(inner.legacy_wording, &record);
        return Err(ApiError::bad_request(&format!(
            "The record {quoted} does not exist"
        )));
    }
    Ok(record)
}

fn validate_target(
    inner: &Inner,
    project: &str,
    record: String,
    method: Method,
    params: &Params,
) -> Result<ResponseKey, ApiError> {
    let p = inner.project(project).expect("a token's project exists");
    let Some(name) = params.non_empty("instrument") else {
        return Err(ApiError::bad_request(
            "The parameter 'instrument' is missing",
        ));
    };
    let Some(instrument) = p.instrument(&name) else {
        return Err(ApiError::bad_request("Invalid instrument"));
    };
    let Some(survey) = &instrument.survey else {
        // surveyLink kept the old single quotes in current versions.
        let legacy = inner.legacy_wording || method == Method::Link;
        let quoted = if legacy {
            format!("'{name}'")
        } else {
            quote(false, &name)
        };
        return Err(ApiError::bad_request(&format!(
            "The instrument {quoted} has not been enabled as a survey"
        )));
    };
    let event = if p.is_longitudinal() {
        let Some(event) = params.non_empty("event") else {
            return Err(ApiError::bad_request("The parameter 'event' is missing"));
        };
        if p.event(&event).is_none() {
            return Err(ApiError::bad_request("Invalid event"));
        }
        if !p.is_designated(&name, Some(&event)) {
            if method == Method::ReturnCode {
                return Err(ApiError::bad_request(UNKNOWN_ERROR));
            }
            return Err(ApiError::bad_request(&format!(
                "The instrument {} has not been designated for the event {}",
                quote(inner.legacy_wording, &name),
                quote(inner.legacy_wording, &event)
            )));
        }
        Some(event)
    } else {
        None // `event` is ignored in classic projects
    };
    let instance = match params
        .get("repeat_instance")
        .map(str::trim)
        .map(str::parse::<u32>)
    {
        Some(Ok(n)) if n > 0 && instrument.repeating => n,
        _ => 1,
    };
    if method == Method::ReturnCode && !survey.save_and_return {
        return Err(ApiError::bad_request(
            "The 'Save & Return Later' feature has not been enabled for this survey",
        ));
    }
    if !p.record_in_event_arm(&record, event.as_deref()) {
        // REDCap's helper (`REDCap::getSurveyLink` / `getSurveyReturnCode`) returns nothing
        // for an event of an arm the record is not in.
        return Err(ApiError::bad_request(UNKNOWN_ERROR));
    }
    Ok(ResponseKey {
        record,
        instrument: name,
        event,
        instance,
    })
}

/// `"X"` (HTML-escaped, current REDCap) or `'X'` (older versions).
fn quote(legacy: bool, value: &str) -> String {
    if legacy {
        format!("'{value}'")
    } else {
        format!("\"{}\"", escape(value))
    }
}
