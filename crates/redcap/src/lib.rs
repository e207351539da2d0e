//! A typed client for the [REDCap](https://projectredcap.org/) API: the survey methods
//! (`surveyLink`, `surveyReturnCode`, `surveyQueueLink`), a survey's response status, the
//! version and project information — with REDCap's answers validated and its errors
//! classified by meaning.
//!
//! ```no_run
//! use redcap_client::{ApiToken, Client, ClientConfig, Instrument, RecordId, RedcapError, SurveyTarget};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let token = ApiToken::parse(&std::env::var("REDCAP_API_TOKEN")?)?;
//! let client = Client::new(ClientConfig::new("https://redcap.example.edu/api/".parse()?, token))?;
//!
//! let target = SurveyTarget::new(RecordId::parse("17")?, Instrument::parse("baseline_survey")?);
//! match client.survey_return_code(&target).await {
//!     Ok(code) => {
//!         let link = client.survey_link(&target).await?;
//!         // `Debug` of both prints [REDACTED]; `expose()` gives the values.
//!         println!("resume at {} with code {}", link.expose(), code.expose());
//!     }
//!     Err(RedcapError::SaveAndReturnDisabled) => println!("this survey cannot be resumed"),
//!     Err(e) => eprintln!("{e} ({:?}); {}", e.fault(), e.hint()),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # What this crate knows about REDCap
//!
//! * Every call is a form-encoded `POST {redcap}/api/`. The success answer of the survey methods
//!   is the bare string, whatever `returnFormat` says; errors come in the envelope of
//!   `returnFormat` (this client asks for json) but [`classify`] reads json, csv and xml —
//!   including REDCap's malformed xml when the message contains `&` — plus plain text, HTML
//!   pages and empty bodies.
//! * REDCap never answers 401; a bad token is a 403. [`classify`] reads an answer with one
//!   table — HTTP status × envelope × which of REDCap's own sentences (every known version's
//!   wording, matched whole) — into a meaning ([`RedcapError`]). Each meaning tells whose fault
//!   it is ([`Fault`]), whether it lasts ([`Persistence`]), how far it reaches ([`Scope`]) and
//!   what to change ([`RedcapError::hint`]). Text that is none of REDCap's sentences (an
//!   administrator's maintenance notice, a proxy's page, HTTP 200 with an error page) never
//!   carries a sentence's meaning.
//! * REDCap bans an IP address that sends too many requests (default 600 per minute) until an
//!   administrator lifts the ban ([`RedcapError::Banned`]). This client does not throttle or
//!   cache: callers that serve many people must.
//! * `surveyReturnCode` creates a code when there is none and writes a log entry: cache it.
//! * A record export that does not ask for the project's record-id field (its first field)
//!   comes back without the record id, event and repeat columns, and repeating instances can
//!   no longer be told apart: [`Client::response_status`] asks for it, learning its name once
//!   ([`Client::record_id_field`]) unless [`ClientConfig::record_id_field`] names it.
//! * REDCap's survey base URL may be on another host than its API: survey links are accepted
//!   on the API's origin or under [`ClientConfig::survey_base_url`]; a link elsewhere is
//!   [`RedcapError::LinkOnOtherHost`], naming the base URL to configure.
//! * TLS trusts Mozilla's bundled roots, the operating system's store (`SSL_CERT_FILE`,
//!   `SSL_CERT_DIR`) and [`ClientConfig::ca_file`]; a refused certificate's cause
//!   (`UnknownIssuer`…) is kept in [`RedcapError::Unavailable`]'s detail.
//! * Return codes and survey links open a participant's answers: [`ReturnCode`],
//!   [`SurveyLink`] and [`SurveyQueueLink`] print `[REDACTED]` in `Debug`, like [`ApiToken`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod answers;
mod classify;
mod client;
mod config;
mod envelope;
mod error;
mod links;
pub mod lookup;
mod methods;
mod names;
mod redact;
mod sentences;
mod status;
mod structure;
mod tls;
mod token;

pub use answers::{ProjectInfo, RedcapVersion, ReturnCode};
pub use classify::classify;
pub use client::{CallEvent, CallObserver, Client, USER_AGENT};
pub use config::{BuildError, ClientConfig};
pub use error::{Fault, Persistence, RedcapError, Scope};
pub use links::{SurveyLink, SurveyQueueLink};
pub use lookup::{FieldName, LookupValue};
pub use names::{Event, Instrument, NameError, RecordId, RepeatInstance, SurveyTarget};
pub use status::ResponseStatus;
pub use structure::ProjectStructure;
pub use token::{ApiToken, TokenError};
pub use url::Url;
