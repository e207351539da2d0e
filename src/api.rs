//! Talking to the redcap-resume server: one GET through gloo-net, the answer decoded with
//! serde-wasm-bindgen into the contract crate's types (one definition of the contract).

use crate::i18n::Msg;
use gloo_net::http::{Headers, Request, Response};
use redcap_resume_contract::{ErrorBody, ErrorCode, SurveyAnswer, SurveyList, CSRF_HEADER};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit};

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
    /// The participant's language as the page states it (a BCP 47 tag), sent as `?lang=`: the
    /// server picks the study's contact line by it and, where the survey's project maps it,
    /// REDCap's `__lang` for the links. Not limited to the card's built-in languages (a study's
    /// REDCap may offer more).
    pub lang: Option<String>,
    /// The study's wording file (the `strings` attribute); the loader fetches it, and a new
    /// one loads the card's words again ([`crate::strings`]).
    pub strings: Option<String>,
}

impl Query {
    /// `{endpoint}/surveys` or `{endpoint}/surveys/{key}` (the key percent-encoded), then
    /// `?lang={tag}` when there is a language.
    pub fn url(&self) -> Option<String> {
        let base = self.endpoint.as_ref().ok()?;
        // Concatenation, not `format!`: no formatting machinery for a few joins.
        let mut url = base.clone() + "/surveys";
        if let Some(key) = &self.survey {
            url += "/";
            url += &String::from(js_sys::encode_uri_component(key));
        }
        if let Some(lang) = &self.lang {
            url += "?lang=";
            url += &String::from(js_sys::encode_uri_component(lang));
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
/// URL and ticket) instead of a new request when there is one. The contact line that came
/// with the answer goes to `contact` (an out-parameter, not a second future: bytes).
pub async fn fetch(
    query: &Query,
    prefetched: Option<js_sys::Promise>,
    contact: &mut Option<String>,
) -> Result<Answer, Problem> {
    let Some(url) = query.url() else {
        // For whoever set the card up: what will work instead.
        web_sys::console::warn_1(&JsValue::from_str(
            "redcap-resume: the endpoint is not on this page's origin, so nothing is sent; \
             proxy the API onto this host, or use the iframe snippet \
             (redcap-resume snippet --mode iframe) or the link",
        ));
        return Err(Problem::Config);
    };
    let response = match prefetched {
        Some(pending) => JsFuture::from(pending)
            .await
            .ok()
            .and_then(|r| r.dyn_into::<web_sys::Response>().ok())
            .map(Response::from),
        None => match request(&url, query.ticket.as_deref()) {
            Some(request) => request.send().await.ok(),
            None => None,
        },
    }
    .ok_or(Problem::Network)?;
    let retry_after = match response.ok() {
        true => None,
        false => Some(
            response
                .headers()
                .get("Retry-After")
                .and_then(|s| s.trim().parse().ok()),
        ),
    };
    let body = json(response.into()).await?;
    if let Some(retry_after) = retry_after {
        let body: ErrorBody = decode(body)?;
        *contact = body.error.contact;
        return Err(Problem::Api(body.error.code, retry_after));
    }
    Ok(match query.survey {
        Some(_) => {
            let one: SurveyAnswer = decode(body)?;
            contact.clone_from(&one.contact);
            Answer::One(one)
        }
        None => {
            let list: SurveyList = decode(body)?;
            *contact = list.contact;
            Answer::List(list.surveys)
        }
    })
}

/// `GET url` with `X-CSRF: 1`, same-origin credentials and the ticket as a bearer token, as
/// a gloo-net request. (Built from a web-sys `RequestInit`, not gloo-net's `RequestBuilder`:
/// the builder re-parses the URL to merge query parameters this request never has, which
/// cost ~1 KB brotli of the size budget.)
fn request(url: &str, ticket: Option<&str>) -> Option<Request> {
    let headers = Headers::new();
    headers.set(CSRF_HEADER, "1");
    if let Some(ticket) = ticket {
        headers.set("Authorization", &(String::from("Bearer ") + ticket));
    }
    let init = RequestInit::new();
    init.set_headers(&headers.into_raw());
    init.set_credentials(RequestCredentials::SameOrigin);
    web_sys::Request::new_with_str_and_init(url, &init)
        .ok()
        .map(Request::from)
}

/// The body parsed as JSON by the browser (`Response.json()`, on the raw response: gloo-net's
/// `text()` would copy the body into a Rust `String` only to hand it back to `JSON.parse`);
/// not JSON is a network problem.
async fn json(response: web_sys::Response) -> Result<JsValue, Problem> {
    let parsed = response.json().map_err(|_| Problem::Network)?;
    JsFuture::from(parsed).await.map_err(|_| Problem::Network)
}

/// Reads a contract type from parsed JSON with its serde definition: unknown fields are
/// ignored, an unknown error code is `internal` (`#[serde(other)]`); anything else that is
/// not the contract's shape is a network problem.
fn decode<T: DeserializeOwned>(body: JsValue) -> Result<T, Problem> {
    serde_wasm_bindgen::from_value(body).map_err(|_| Problem::Network)
}
