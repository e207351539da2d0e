//! The API's handlers: one survey, its survey queue link, its QR code, the list, and readiness.

use std::future::Future;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use redcap_client::RecordId;
use redcap_resume_contract::{QueueAnswer, SurveyAnswer, SurveyList};

use super::extract::{AskedSurvey, AskedSurveyOf, ClientIp, Participant};
use super::lang::AskedLanguage;
use super::state::AppState;
use crate::audit::Audited;
use crate::error::Failure;
use crate::qr::QrImage;

/// How an answer leaves: the contract's JSON, or the QR code's image.
trait Reply {
    fn reply(self) -> Response;
}

impl Reply for SurveyAnswer {
    fn reply(self) -> Response {
        Json(self).into_response()
    }
}

impl Reply for SurveyList {
    fn reply(self) -> Response {
        Json(self).into_response()
    }
}

impl Reply for QueueAnswer {
    fn reply(self) -> Response {
        Json(self).into_response()
    }
}

impl Reply for QrImage {
    fn reply(self) -> Response {
        self.into_response()
    }
}

/// `GET {base}/surveys/{key}`: where this participant stands with one survey.
pub(super) async fn one_survey(
    State(state): State<Arc<AppState>>,
    method: Method,
    ClientIp(ip): ClientIp,
    lang: AskedLanguage,
    participant: Result<Participant, Failure>,
    asked: AskedSurvey,
) -> Response {
    let work = {
        let state = state.clone();
        move |record: RecordId| async move {
            let survey = state.resumer.asked(asked.key.as_ref())?;
            state
                .within_deadline(state.resumer.answer(&record, survey, &lang))
                .await
        }
    };
    answer(&state, &method, ip, &asked.label, participant, work).await
}

/// `GET {base}/surveys/{key}/queue`: this participant's REDCap survey queue link, in the
/// project of survey `key`.
pub(super) async fn survey_queue(
    State(state): State<Arc<AppState>>,
    method: Method,
    ClientIp(ip): ClientIp,
    lang: AskedLanguage,
    participant: Result<Participant, Failure>,
    AskedSurveyOf(asked): AskedSurveyOf,
) -> Response {
    let work = {
        let state = state.clone();
        move |record: RecordId| async move {
            let survey = state.resumer.asked(asked.key.as_ref())?;
            state
                .within_deadline(state.resumer.queue(&record, survey, &lang))
                .await
        }
    };
    answer(&state, &method, ip, &asked.label, participant, work).await
}

/// `GET {base}/surveys/{key}/qr.svg`: REDCap's return page of this participant's survey as a
/// QR code, for continuing on another device.
pub(super) async fn survey_qr(
    State(state): State<Arc<AppState>>,
    method: Method,
    ClientIp(ip): ClientIp,
    lang: AskedLanguage,
    participant: Result<Participant, Failure>,
    AskedSurveyOf(asked): AskedSurveyOf,
) -> Response {
    let work = {
        let state = state.clone();
        move |record: RecordId| async move {
            let survey = state.resumer.asked(asked.key.as_ref())?;
            let page = state
                .within_deadline(state.resumer.return_page(&record, survey, &lang))
                .await?;
            QrImage::of(survey.config.key.as_str(), page.as_str())
        }
    };
    answer(&state, &method, ip, &asked.label, participant, work).await
}

/// `GET {base}/surveys`: every survey this participant can see.
pub(super) async fn list_surveys(
    State(state): State<Arc<AppState>>,
    method: Method,
    ClientIp(ip): ClientIp,
    lang: AskedLanguage,
    participant: Result<Participant, Failure>,
) -> Response {
    let work = {
        let state = state.clone();
        move |record: RecordId| async move {
            state
                .within_deadline(state.resumer.list(&record, &lang))
                .await
        }
    };
    answer(&state, &method, ip, "*", participant, work).await
}

/// The shape the API handlers share: the participant, the work, the audit lines (written
/// before the answer leaves), then the answer. When a line was lost and the log is
/// fail-closed, no code leaves.
async fn answer<T, F>(
    state: &AppState,
    method: &Method,
    ip: std::net::IpAddr,
    asked: &str,
    participant: Result<Participant, Failure>,
    work: impl FnOnce(RecordId) -> F,
) -> Response
where
    T: Reply + Audited,
    F: Future<Output = Result<T, Failure>>,
{
    let (record, result) = match participant {
        Ok(Participant(record)) => {
            let key = format!("record:{}", record.as_str());
            let result = state
                .redcap
                .callers()
                .on_behalf_of(key, work(record.clone()))
                .await;
            (Some(record), result)
        }
        Err(failure) => (None, Err(failure)),
    };
    let audited = state.audit.as_ref().map_or(Ok(()), |audit| {
        // axum answers HEAD with the GET handler and drops the body: no code leaves.
        let body_sent = method != Method::HEAD;
        audit.answer(asked, record.as_ref(), &result, body_sent, ip)
    });
    match result {
        Ok(_) if audited.is_err() => {
            Failure::Internal("audit log not writable (fail_closed)".into()).into_response()
        }
        Ok(answer) => answer.reply(),
        Err(failure) => failure.into_response(),
    }
}

/// `GET /readyz`: 200 when every configured REDCap answers, else 503 (one probe at a time,
/// its answer reused for 10 s: see [`AppState::ready`]).
pub(super) async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let ready = state.ready().await;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(serde_json::json!({ "ready": ready }))).into_response()
}
