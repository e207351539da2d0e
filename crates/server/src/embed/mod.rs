//! Embedding the card where study coordinators can edit: the page this server hosts for one
//! survey (`{base}/embed?survey=KEY&lang=xx`, framed by the `[embed] frame_ancestors` origins
//! or opened top-level), its Content-Security-Policy, and the HTML `redcap-resume snippet`
//! prints for each embedding mode.
//!
//! [`csp`] builds the policy, [`page`] the hosted page (pure functions of the configuration
//! and the query; `app::embed` serves them), [`snippet`] the HTML per mode.

pub mod check;
pub mod csp;
pub mod page;
pub mod snippet;
