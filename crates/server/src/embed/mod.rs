//! Embedding the card where study coordinators can edit: the page this server hosts for one
//! survey (`{base}/embed?survey=KEY&lang=xx`, framed by the `[embed] frame_ancestors` origins
//! or opened top-level), its Content-Security-Policy, the HTML `redcap-resume snippet`
//! prints for each embedding mode, and `redcap-resume check-embed`.
//!
//! [`csp`] builds the policy, [`page`] the hosted page (pure functions of the configuration
//! and the query; `app::embed` serves them), [`snippet`] the HTML per mode. `check-embed`:
//! [`check`] fetches, [`verdict`] decides per mode from CSP source matching ([`sources`]),
//! framing rules ([`framing`]), `<meta>` policies ([`meta`]) and same-site ([`site`]).

pub mod check;
pub mod csp;
pub mod framing;
pub mod meta;
pub mod page;
pub mod site;
pub mod snippet;
pub mod sources;
pub mod verdict;
