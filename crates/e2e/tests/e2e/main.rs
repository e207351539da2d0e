//! The browser end-to-end suite (issue 4): the release-built widget, the real server in demo
//! mode and the REDCap simulator, in headless Chromium. Each test starts its own server and
//! browser on 127.0.0.1 (ports chosen by the OS) and stops them when it ends.
//!
//! Run with `cargo xtask test` (it builds the widget first), or after a build:
//! `cargo test -p redcap-resume-e2e -- --test-threads=1`.
//! Screenshots of each state land in `target/e2e/`.

mod accessibility;
mod copy_and_link;
mod embed_csp;
mod embed_frames;
mod embed_modes;
mod errors;
mod keyboard;
mod languages;
mod nginx_snippet;
mod no_secrets_in_widget;
mod not_started;
mod qr_code;
mod resume;
mod right_to_left;
mod study_wording;
mod survey_queue;
