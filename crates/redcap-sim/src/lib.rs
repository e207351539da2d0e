//! A REDCap API simulator that answers like a real REDCap server: the API methods a survey
//! "resume" feature needs, REDCap's error envelopes and wording, its per-IP ban, its survey
//! pages, and fault knobs — over real HTTP on loopback.
//!
//! ```no_run
//! use redcap_sim::{seed, SimConfig, Simulator};
//!
//! # async fn demo() -> std::io::Result<()> {
//! let sim = Simulator::start(SimConfig::default()).await?;
//! let answer = reqwest::Client::new()
//!     .post(sim.api_url())
//!     .form(&[
//!         ("token", seed::DEMO_TOKEN),
//!         ("content", "surveyReturnCode"),
//!         ("record", seed::RECORD_IN_PROGRESS),
//!         ("instrument", seed::BASELINE),
//!         ("returnFormat", "json"),
//!     ])
//!     .send()
//!     .await
//!     .unwrap();
//! assert_eq!(answer.text().await.unwrap().len(), 8); // e.g. "KX7HD3LW"
//! assert_eq!(sim.api_call_count(), 1);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! What it does, per REDCap's own code (see DESIGN.md, "How REDCap really behaves"):
//! * `POST {base}api/` only (other methods: 501); then the token (403), then `content` (400),
//!   then the method's own parameters, in REDCap's order.
//! * Errors in `returnFormat` → `format` → xml envelopes; the xml one is not escaped.
//! * `version`, `project`, `metadata`, `exportFieldNames`, `instrument`, `arm`, `event`,
//!   `formEventMapping`, `repeatingFormsEvents`, `record` (export), `surveyLink`,
//!   `surveyReturnCode`, `surveyQueueLink`.
//! * Survey pages: `GET {base}surveys/?s=HASH`, `…&__return=1`, `POST __code`, Survey Login,
//!   `__lang` (Multi-Language Management), the survey queue `?sq=HASH`; optionally on another
//!   host ([`SimConfig::survey_host`]).
//! * A per-IP rate limit that bans (429) until [`Simulator::unban_all`].
//! * [`Faults`]: latency, 5xx, malformed, truncated or empty bodies, REDCap's database-offline
//!   page (200), a front end's own pages ([`FrontEndPage`]), maintenance text in REDCap's
//!   envelope, dropped connections; and
//!   [`Simulator::go_down`] / [`Simulator::shutdown`].

mod api;
mod api_error;
mod app;
mod config;
mod dictionary;
mod envelope;
mod export;
mod faults;
mod listener;
mod model;
mod pages;
mod params;
mod ratelimit;
mod render;
pub mod seed;
mod server;
mod state;
mod structure;
mod survey_api;

pub use config::SimConfig;
pub use envelope::{error_body, Format};
pub use faults::{Failure, Faults, FrontEnd, FrontEndPage};
pub use model::{Event, FormState, Instrument, Project, ResponseKey, SurveySettings, TokenGrant};
pub use pages::texts::{
    ALREADY_COMPLETED, NOT_A_PARTICIPANT, PARTIALLY_COMPLETED, QUEUE_LINK_INVALID, RETURN_PROMPT,
    SURVEY_CLOSED, SURVEY_LOGIN_FAILED, SURVEY_LOGIN_PROMPT, WRONG_CODE,
};
pub use server::Simulator;
pub use state::{RecordedCall, RETURN_CODE_CHARS, RETURN_CODE_LEN, SURVEY_HASH_LEN};
