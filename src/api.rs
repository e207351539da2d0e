//! Talking to the redcap-resume server: one GET, decoded with the contract crate's types.

use crate::i18n::Msg;
use redcap_resume_contract::{
    ApiError, ErrorBody, ErrorCode, ResumeForm, ReturnCode, SurveyAnswer, SurveyList, SurveyStatus,
    CSRF_HEADER,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, Response};

/// What the card asks for. Equal requests are not repeated when only the look changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// The API base, already checked by the element layer (no trailing slash).
    /// `Err`: the configured endpoint was refused; nothing is fetched.
    pub endpoint: Result<String, BadEndpoint>,
    /// A survey key; `None` asks for the list.
    pub survey: Option<String>,
    /// Sent as `Authorization: Bearer` when present.
    pub ticket: Option<String>,
}

impl Query {
    /// `{endpoint}/surveys` or `{endpoint}/surveys/{key}` (the key percent-encoded).
    pub fn url(&self) -> Option<String> {
        let base = self.endpoint.as_ref().ok()?;
        // Concatenation, not `format!`: no formatting machinery for two joins.
        let mut url = base.clone() + "/surveys";
        if let Some(key) = &self.survey {
            url += "/";
            url += &String::from(js_sys::encode_uri_component(key));
        }
        Some(url)
    }
}

/// An `endpoint` attribute the element refuses: not a URL, or not on the page's origin (the
/// session cookie and the CSRF header must only ever go to the page's own server).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadEndpoint;

/// Why there is no answer to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The server said so (`ErrorBody`); `retry_after` in seconds from the header.
    Api(ErrorCode, Option<u32>),
    /// No usable answer: offline, refused, or not our JSON.
    Network,
    /// The element's configuration is unusable (endpoint on another origin).
    Config,
}

impl Problem {
    /// What the error card says.
    pub fn msg(self) -> Msg {
        match self {
            Problem::Api(code, _) => Msg::of_error(code),
            Problem::Network => Msg::Network,
            Problem::Config => Msg::Config,
        }
    }

    /// Whether "Try again" may help.
    pub fn retryable(self) -> bool {
        match self {
            Problem::Api(code, _) => code.is_retryable(),
            Problem::Network => true,
            Problem::Config => false,
        }
    }

    /// The code put into the `redcap-resume:error` event.
    pub fn code(self) -> &'static str {
        match self {
            Problem::Api(code, _) => code.as_str(),
            Problem::Network => "network",
            Problem::Config => "configuration",
        }
    }
}

/// The server's answer, one survey or the list.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    One(SurveyAnswer),
    List(Vec<SurveyAnswer>),
}

/// Fetches `query`, using `prefetched` (a `Promise<Response>` the loader started for the same
/// URL and ticket) instead of a new request when there is one.
pub async fn fetch(query: &Query, prefetched: Option<js_sys::Promise>) -> Result<Answer, Problem> {
    let url = query.url().ok_or(Problem::Config)?;
    let pending = match prefetched {
        Some(p) => p,
        None => request(&url, query.ticket.as_deref()).ok_or(Problem::Network)?,
    };
    let response: Response = settle(pending)
        .await?
        .dyn_into()
        .map_err(|_| Problem::Network)?;
    let body = read_body(&response).await?;
    if !response.ok() {
        let retry_after = response
            .headers()
            .get("Retry-After")
            .ok()
            .flatten()
            .and_then(|s| s.trim().parse().ok());
        let body: ErrorBody = decode(&body)?;
        return Err(Problem::Api(body.error.code, retry_after));
    }
    Ok(match query.survey {
        Some(_) => Answer::One(decode(&body)?),
        None => Answer::List(decode::<SurveyList>(&body)?.surveys),
    })
}

/// Starts `GET url` with `X-CSRF: 1`, same-origin credentials and the ticket as a bearer token.
/// (web-sys directly: gloo-net's builder cost ~1 KB brotli for these four lines.)
fn request(url: &str, ticket: Option<&str>) -> Option<js_sys::Promise> {
    let headers = web_sys::Headers::new().ok()?;
    headers.set(CSRF_HEADER, "1").ok()?;
    if let Some(ticket) = ticket {
        headers
            .set("Authorization", &(String::from("Bearer ") + ticket))
            .ok()?;
    }
    let init = RequestInit::new();
    init.set_headers(&headers);
    init.set_credentials(RequestCredentials::SameOrigin);
    let request = web_sys::Request::new_with_str_and_init(url, &init).ok()?;
    Some(web_sys::window()?.fetch_with_request(&request))
}

/// Waits for a promise; a rejection is a network problem.
async fn settle(promise: js_sys::Promise) -> Result<JsValue, Problem> {
    JsFuture::from(promise).await.map_err(|_| Problem::Network)
}

// Decoding. The default reads the parsed JSON (`Response.json()`) field by field into the
// contract's types: no serde in the wasm, whose error formatting alone pulls in ~20 KB of
// `core::fmt` (float printing included). The two serde variants stay for size comparisons
// (features `json-serde-wasm-bindgen`, `json-serde_json`; figures in README).
// The body is read once, by one async function; decoding it is synchronous.

#[cfg(any(not(feature = "json-serde_json"), feature = "json-serde-wasm-bindgen"))]
async fn read_body(response: &Response) -> Result<JsValue, Problem> {
    settle(response.json().map_err(|_| Problem::Network)?).await
}

#[cfg(not(any(feature = "json-serde-wasm-bindgen", feature = "json-serde_json")))]
fn decode<T: FromJs>(body: &JsValue) -> Result<T, Problem> {
    T::from_js(body).ok_or(Problem::Network)
}

#[cfg(feature = "json-serde-wasm-bindgen")]
fn decode<T: serde::de::DeserializeOwned>(body: &JsValue) -> Result<T, Problem> {
    serde_wasm_bindgen::from_value(body.clone()).map_err(|_| Problem::Network)
}

#[cfg(all(feature = "json-serde_json", not(feature = "json-serde-wasm-bindgen")))]
async fn read_body(response: &Response) -> Result<String, Problem> {
    let text = settle(response.text().map_err(|_| Problem::Network)?).await?;
    text.as_string().ok_or(Problem::Network)
}

#[cfg(all(feature = "json-serde_json", not(feature = "json-serde-wasm-bindgen")))]
fn decode<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, Problem> {
    serde_json::from_str(body).map_err(|_| Problem::Network)
}

/// Reading a contract type from parsed JSON. `None`: not the shape the contract promises.
/// Lenient where the contract may grow: an unknown `status` is `unknown`, an unknown error
/// code is `internal` (as the contract's `#[serde(other)]`), extra fields are ignored.
pub trait FromJs: Sized {
    fn from_js(v: &JsValue) -> Option<Self>;
}

fn field(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn string(v: &JsValue, key: &str) -> Option<String> {
    field(v, key).as_string()
}

impl FromJs for SurveyAnswer {
    fn from_js(v: &JsValue) -> Option<Self> {
        let status = match string(v, "status")?.as_str() {
            "not_started" => SurveyStatus::NotStarted,
            "in_progress" => SurveyStatus::InProgress,
            "completed" => SurveyStatus::Completed,
            _ => SurveyStatus::Unknown,
        };
        let form = field(v, "resume_form");
        let resume_form = match form.is_object() {
            true => Some(ResumeForm {
                action: string(&form, "action")?,
                field: string(&form, "field")?,
            }),
            false => None,
        };
        Some(SurveyAnswer {
            key: string(v, "key")?,
            title: string(v, "title")?,
            status,
            return_code: string(v, "return_code").map(ReturnCode::new),
            survey_link: string(v, "survey_link"),
            resume_link: string(v, "resume_link"),
            resume_form,
        })
    }
}

impl FromJs for SurveyList {
    fn from_js(v: &JsValue) -> Option<Self> {
        let list = field(v, "surveys");
        let surveys = list
            .dyn_ref::<js_sys::Array>()?
            .iter()
            .map(|a| SurveyAnswer::from_js(&a))
            .collect::<Option<_>>()?;
        Some(SurveyList { surveys })
    }
}

impl FromJs for ErrorBody {
    fn from_js(v: &JsValue) -> Option<Self> {
        let error = field(v, "error");
        let code = string(&error, "code")?;
        let code = ErrorCode::ALL
            .into_iter()
            .find(|c| c.as_str() == code)
            .unwrap_or(ErrorCode::Internal);
        Some(ErrorBody {
            error: ApiError {
                code,
                message: string(&error, "message").unwrap_or_default(),
            },
        })
    }
}
