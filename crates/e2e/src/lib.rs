//! End-to-end test harness for `<redcap-resume>`: the release-built widget, served by the real
//! server in demo mode (with its REDCap simulator), driven in headless Chromium through
//! chromedriver.
//!
//! - [`paths`]: where the built widget, axe-core and the screenshots are.
//! - [`server::Server`]: the demo server on `127.0.0.1:0`, stopped on drop; a test adds its
//!   own pages and files under `/e2e/` on the same origin.
//! - [`browser::Browser`]: chromedriver + one Chromium session, both stopped on drop; signing
//!   in, reading a card's shadow root, screenshots, console logs, axe.
//! - [`i18n`]: the participant-facing texts, read from the widget's own `src/i18n.rs`.
//! - [`qr`]: the card's QR code read back (SVG drawn into a bitmap, then a QR reader).
//! - [`eventually`]: bounded polling (every wait in the suite goes through it).

pub mod browser;
pub mod i18n;
pub mod paths;
pub mod qr;
pub mod server;

use std::time::{Duration, Instant};

/// How long any single wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);

/// Polls `probe` until it returns `Ok`, for at most [`WAIT`]; then panics with `what` and the
/// last `Err` (what was seen instead).
pub async fn eventually<T>(what: &str, mut probe: impl AsyncFnMut() -> Result<T, String>) -> T {
    let start = Instant::now();
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(seen) if start.elapsed() >= WAIT => {
                panic!("waited {WAIT:?} for {what}; last seen: {seen}")
            }
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}
