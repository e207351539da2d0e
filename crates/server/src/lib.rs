//! `redcap-resume`: the server behind the `<redcap-resume>` widget.
//!
//! It holds the REDCap API token, learns who the participant is from a signed ticket (or a
//! trusted SSO header), asks REDCap for the survey link and return code, and answers the
//! widget with the contract of `redcap-resume-contract`. It caches, throttles and pauses so
//! that it can never get the institution's IP banned by REDCap, and it leaks nothing.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = redcap_resume::config::Config::load("redcap-resume.toml".as_ref())?;
//! let listener = tokio::net::TcpListener::bind(config.listen).await?;
//! let state = redcap_resume::app::AppState::new(config)?;
//! redcap_resume::serve::serve(listener, state, redcap_resume::serve::shutdown_signal()).await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

pub mod app;
pub mod audit;
pub mod breaker;
pub mod budget;
pub mod cache_purge;
pub mod check;
pub mod client_ip;
pub mod config;
pub mod cookies;
#[cfg(feature = "demo")]
pub mod demo;
pub mod embed;
pub mod error;
pub mod guard;
pub mod limits;
pub mod links;
pub mod metrics;
pub mod participant;
pub mod process;
pub mod qr;
pub mod resume;
pub mod serve;
pub mod survey_key;
pub mod ticket;
pub mod upstream;
