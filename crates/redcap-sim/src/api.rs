//! `POST {base}/api/`: REDCap's check order — method, token, `content`, the right of the call's action (API Export for every export) — then the method.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;
use axum::Extension;

use crate::api_error::ApiError;
use crate::app::App;
use crate::envelope::{self, Format};
use crate::faults::{Failure, DATABASE_OFFLINE_PAGE, MALFORMED_BODY, SERVER_ERROR_PAGE};
use crate::listener::ConnInfo;
use crate::params::Params;
use crate::ratelimit::ban_message;
use crate::state::RecordedCall;
use crate::{dictionary, export, structure, survey_api};

/// `content` values REDCap knows but the simulator does not simulate.
const UNSIMULATED: &[&str] = &[
    "file",
    "filesize",
    "user",
    "report",
    "pdf",
    "participantList",
    "log",
    "dag",
    "userRole",
    "generateNextRecordName",
    "fieldValidation",
    "appRightsCheck",
    "fileRepository",
    "fileinfo",
    "project_settings",
    "authkey",
    "surveyAccessCode",
    "attachment",
    "project_xml",
    "userDagMapping",
    "tableau",
    "mycap",
    "userRoleMapping",
];

/// The `/api/` handler: records the call, applies the rate limit and faults, then answers.
pub(crate) async fn handle(
    AxumState(app): AxumState<Arc<App>>,
    Extension(conn): Extension<ConnInfo>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let params = if method == Method::POST {
        Params::parse(&body)
    } else {
        Params::default()
    };
    let faults = {
        let mut inner = app.state.lock();
        inner.calls.push(RecordedCall {
            method: method.to_string(),
            path: uri.path().to_owned(),
            content: params.get("content").map(str::to_owned),
            form: params.0.clone(),
            client_ip: conn.ip,
            at: SystemTime::now(),
        });
        if !inner.limiter.allow(conn.ip, Instant::now()) {
            return banned(conn.ip);
        }
        inner.faults.take()
    };
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    match faults.failure {
        None => answer(&app, &method, &params),
        Some(Failure::DropConnection) => {
            conn.kill.notify_one();
            std::future::pending().await
        }
        Some(Failure::ServerError) => html(StatusCode::INTERNAL_SERVER_ERROR, SERVER_ERROR_PAGE),
        Some(Failure::EmptyServerError) => html(StatusCode::INTERNAL_SERVER_ERROR, ""),
        Some(Failure::Status(code, body)) => html(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &body,
        ),
        Some(Failure::Malformed) => html(StatusCode::OK, MALFORMED_BODY),
        Some(Failure::Truncated) => truncate(answer(&app, &method, &params)).await,
        Some(Failure::DatabaseOffline) => html(StatusCode::OK, DATABASE_OFFLINE_PAGE),
        Some(Failure::EmptyOk) => html(StatusCode::OK, ""),
        Some(Failure::FrontEnd(page)) => html(
            StatusCode::from_u16(page.status).unwrap_or(StatusCode::FORBIDDEN),
            &page.body(),
        ),
        Some(Failure::Maintenance(text)) => envelope::error(
            Format::for_errors(params.get("returnFormat"), params.get("format")),
            StatusCode::BAD_REQUEST,
            &text,
        ),
    }
}

fn banned(ip: IpAddr) -> Response {
    envelope::with_type(
        StatusCode::TOO_MANY_REQUESTS,
        "text/plain; charset=utf-8",
        ban_message(ip),
    )
}

fn html(status: StatusCode, body: &str) -> Response {
    envelope::with_type(status, "text/html; charset=UTF-8", body.to_owned())
}

/// The real answer, status 200, body cut in half.
async fn truncate(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    let mut out = Response::from_parts(parts, axum::body::Body::from(half));
    *out.status_mut() = StatusCode::OK;
    out.headers_mut().remove(axum::http::header::CONTENT_LENGTH);
    out
}

/// A normal answer, in REDCap's check order.
pub(crate) fn answer(app: &App, method: &Method, params: &Params) -> Response {
    if method != Method::POST {
        // REDCap answers before reading any parameter, so in its default format.
        return envelope::error(
            Format::Xml,
            StatusCode::NOT_IMPLEMENTED,
            "The requested method is not implemented.",
        );
    }
    let fmt = Format::for_errors(params.get("returnFormat"), params.get("format"));
    let mut inner = app.state.lock();
    let token = params.get("token").unwrap_or("").trim();
    let Some(grant) = inner.tokens.get(token).cloned() else {
        return envelope::error(
            fmt,
            StatusCode::FORBIDDEN,
            "You do not have permissions to use the API",
        );
    };
    let content = params.get("content").unwrap_or("");
    // REDCap checks `content` against the methods it knows before any right.
    let known = SIMULATED.contains(&content) || UNSIMULATED.contains(&content);
    if !known || inner.unknown_contents.iter().any(|c| c == content) {
        return envelope::error(fmt, StatusCode::BAD_REQUEST, CONTENT_NOT_VALID);
    }
    // Then the right of the call's action: without `data` (and always for `version`) it is an
    // export, and REDCap's API/index.php refuses every export — the survey methods and
    // `version` included — to a user without API Export (a 64-character super token aside).
    let export = params.get("data").is_none() || content == "version";
    if export && !grant.export_rights {
        return envelope::error(
            fmt,
            StatusCode::FORBIDDEN,
            "You do not have API Export privileges",
        );
    }
    let result = match content {
        "version" => Ok(envelope::bare(crate::seed::REDCAP_VERSION)),
        "project" => export::project(&inner, &grant.project, params),
        "metadata" => dictionary::metadata(&inner, &grant.project, params),
        "exportFieldNames" => dictionary::export_field_names(&inner, &grant.project, params),
        "instrument" => structure::instruments(&inner, &grant.project, params),
        "arm" => structure::arms_export(&inner, &grant.project, params),
        "event" => structure::events(&inner, &grant.project, params),
        "formEventMapping" => structure::form_event_mapping(&inner, &grant.project, params),
        "repeatingFormsEvents" => structure::repeating(&inner, &grant.project, params),
        "record" if params.get("data").is_some() => Err(unsimulated("record import")),
        "record" if !grant.data_export => Err(ApiError::forbidden(NO_DATA_EXPORT)),
        "record" => export::records(&inner, &grant.project, params),
        "surveyLink" | "surveyReturnCode" | "surveyQueueLink" => {
            survey_api::answer(&mut inner, &app.survey_base, &grant, content, params)
        }
        c => Err(unsimulated(&format!("content={c}"))),
    };
    drop(inner);
    result.unwrap_or_else(|e| envelope::error(fmt, e.status, &e.message))
}

/// REDCap's `API/index.php` for a `content` it does not know.
const CONTENT_NOT_VALID: &str = "The value of the parameter \"content\" is not valid";

/// REDCap's record export (`API/record/export.php`) for a user whose Data Export right is
/// "No Access".
const NO_DATA_EXPORT: &str = "The API request cannot complete because currently you have \"No Access\" data export rights. Higher level data export rights are required for this operation.";

/// The contents the simulator answers.
const SIMULATED: [&str; 13] = [
    "version",
    "surveyLink",
    "surveyReturnCode",
    "surveyQueueLink",
    "project",
    "metadata",
    "exportFieldNames",
    "instrument",
    "arm",
    "event",
    "formEventMapping",
    "repeatingFormsEvents",
    "record",
];

fn unsimulated(what: &str) -> ApiError {
    ApiError::bad_request(&format!("redcap-sim does not simulate {what}"))
}
