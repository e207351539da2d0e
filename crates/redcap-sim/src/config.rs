//! [`SimConfig`]: how a [`crate::Simulator`] starts.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::seed::Seed;

/// How to start a [`Simulator`](crate::Simulator).
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Where to listen; default `127.0.0.1:0` (a free port).
    pub listen: SocketAddr,
    /// REDCap's per-IP threshold, requests per minute; 0 disables it. Default 600.
    pub rate_limit_per_minute: u32,
    /// Projects and tokens; default [`Seed::standard`].
    pub seed: Seed,
    /// The path REDCap lives under, e.g. `/redcap/`; default `/`.
    pub base_path: String,
    /// Seed for survey hashes and return codes (reproducible runs); default random.
    pub rng_seed: Option<u64>,
    /// Start with the older error wording (`'X'` instead of `"X"`).
    pub legacy_wording: bool,
    /// REDCap's survey base URL on another host (an admin setting): survey and survey-queue
    /// links name this host instead of the API's (same scheme, port and path), e.g.
    /// `localhost` while the API is `127.0.0.1`. The survey pages then answer only requests
    /// addressed to this host (404 otherwise), so a client that posts to the API's host instead
    /// of the link's is caught. Default: none (links on the API's host).
    pub survey_host: Option<String>,
    /// The path of the survey base URL when it differs from [`SimConfig::base_path`], e.g. `/`
    /// for a survey host in front of a REDCap under `/redcap/`: survey pages are served under
    /// it (and only there). Default: none (REDCap's base path).
    pub survey_base_path: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            rate_limit_per_minute: 600,
            seed: Seed::standard(),
            base_path: "/".into(),
            rng_seed: None,
            legacy_wording: false,
            survey_host: None,
            survey_base_path: None,
        }
    }
}
