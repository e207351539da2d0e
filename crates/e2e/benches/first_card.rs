//! How fast a participant sees the card (DESIGN.md, "Loading fast"): the embed page in a fresh
//! headless Chromium (empty cache) against the release widget, the server and the simulator on
//! loopback. Prints figures per load and medians; asserts nothing.
//!
//! The loader starts the API request and the wasm download together; the figures show it:
//! the API request starts before the wasm has arrived.
//!
//! Run: `cargo xtask bench` (builds the widget first), or `cargo bench -p redcap-resume-e2e`.

use std::time::Duration;

use redcap_resume_e2e::browser::Browser;
use redcap_resume_e2e::server::Server;
use serde_json::Value;

const LOADS: usize = 7;

/// Milliseconds since navigation start, from the page's own performance timeline.
const TIMINGS: &str = r#"
    const code = document.querySelector('redcap-resume')?.shadowRoot?.querySelector('[part~="code"]');
    if (!code || !code.innerText.trim()) return null;
    const seen = performance.now();
    const entry = (part) => performance.getEntriesByType('resource').find((e) => e.name.includes(part));
    const span = (e) => (e ? [Math.round(e.startTime), Math.round(e.responseEnd)] : null);
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      html: Math.round(nav.responseEnd),
      loader: span(entry('redcap-resume.js')),
      glue: span(entry('redcap-resume-widget.js')),
      wasm: span(entry('_bg.wasm')),
      api: span(entry('/redcap-resume/api/')),
      card: Math.round(seen),
      all: performance.getEntriesByType('mark').map((e) => e.name + ' ' + Math.round(e.startTime)).concat(performance.getEntriesByType('resource').map((e) => e.name.replace(location.origin, '') + ' ' + Math.round(e.startTime) + '-' + Math.round(e.responseEnd))),
    };"#;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let server = Server::start().await;
    let mut cards = Vec::new();
    let mut parallel = 0;
    println!(
        "first card on /embed.html, fresh browser profile each load (ms since navigation start)"
    );
    for load in 1..=LOADS {
        let browser = Browser::start().await;
        let ticket = server.demo.ticket("1001", Duration::from_secs(600));
        browser
            .open_with_ticket(&server, "/embed.html", &ticket)
            .await;
        let mut timings = Value::Null;
        for _ in 0..500 {
            timings = browser.js(TIMINGS, vec![]).await;
            if !timings.is_null() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let at = |k: &str, i: usize| timings[k][i].as_i64().unwrap_or(-1);
        let card = timings["card"].as_i64().unwrap_or(-1);
        println!(
            "load {load}: html {:>4} | loader {:>4}-{:<4} | glue {:>4}-{:<4} | wasm {:>4}-{:<4} | api {:>4}-{:<4} | card seen by {:>4}",
            timings["html"].as_i64().unwrap_or(-1),
            at("loader", 0), at("loader", 1), at("glue", 0), at("glue", 1), at("wasm", 0), at("wasm", 1), at("api", 0), at("api", 1), card
        );
        if std::env::var_os("FIRST_CARD_DEBUG").is_some() {
            println!("  {}", timings["all"]);
        }
        if at("api", 0) >= 0 && at("api", 0) < at("wasm", 1) {
            parallel += 1;
        }
        cards.push(card);
    }
    cards.sort();
    println!(
        "median time to the first card: {} ms (min {}, max {}); API request started before the wasm arrived in {parallel} of {LOADS} loads",
        cards[cards.len() / 2],
        cards[0],
        cards[cards.len() - 1]
    );
}
