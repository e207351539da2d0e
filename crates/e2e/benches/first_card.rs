//! How fast a participant sees the card (DESIGN.md, "Loading fast"), against a reference: a
//! small hand-written JavaScript element with the same contract (`benches/reference/`), served
//! by the same server in the same run. For each of four conditions — cold cache (a fresh
//! browser profile) and warm cache (the same page opened again), on loopback and with 40 ms of
//! added latency per request (Chromium's network emulation) — it loads each page several
//! times and prints the medians and the ratio widget / reference. Asserts nothing.
//!
//! Time to card: milliseconds from navigation start until the card's return code is in its
//! shadow root, read by a probe the browser runs in the page before any of its scripts (the
//! same probe for both elements). Each browser idles a second on a blank page first.
//!
//! Run: `cargo xtask bench` (builds the widget first), or `cargo bench -p redcap-resume-e2e`
//! after a build.

use std::path::Path;
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use redcap_resume_e2e::browser::Browser;
use redcap_resume_e2e::server::Server;
use serde_json::{json, Value};

/// Loads per page and condition (odd: the median is one of them).
const LOADS: usize = 11;

/// How long a fresh browser idles on a blank page of the origin before the page under test.
const SETTLE: Duration = Duration::from_millis(1000);

/// The pages compared, with the element each shows.
const WIDGET: (&str, &str) = ("/embed.html", "redcap-resume");
const REFERENCE: (&str, &str) = ("/reference.html", "redcap-resume-ref");
/// The widget's page in Spanish: its strings are a file of their own (`i18n/es.json`), which
/// the loader fetches beside the first API request. Compared with the English page.
const WIDGET_ES: (&str, &str) = ("/embed-es.html", "redcap-resume");

/// Runs in every page before its own scripts: notes when the card's code is first in its
/// shadow root. A mutation observer on each shadow root as it is attached (both elements
/// attach theirs), so the moment is exact: a polling timer would add its own delay, which
/// grows when a frame is being drawn.
const PROBE: &str = r#"
    (() => {
      const attach = Element.prototype.attachShadow;
      Element.prototype.attachShadow = function (init) {
        const root = attach.call(this, init);
        const seen = () => {
          const code = root.querySelector('[part~="code"]');
          if (window.__card == null && code && code.textContent.trim()) {
            window.__card = performance.now();
          }
        };
        new MutationObserver(seen).observe(root, { childList: true, subtree: true, characterData: true });
        return root;
      };
    })();"#;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // The built widget plus the reference page, served together.
    let public = tempfile::tempdir().expect("a temporary directory");
    copy_dir(&redcap_resume_e2e::paths::dist_dir(), public.path());
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference");
    copy_dir(&reference, public.path());
    // A page of the origin that loads nothing: where the ticket cookie is set (chromedriver
    // refuses cookies on an error page), without warming any cache.
    std::fs::write(
        public.path().join("blank.html"),
        "<!doctype html><title>-</title>",
    )
    .expect("writing blank.html");
    let english = std::fs::read_to_string(public.path().join("embed.html")).expect("embed.html");
    assert!(
        english.contains(r#"<html lang="en">"#),
        "embed.html is an English page"
    );
    std::fs::write(
        public.path().join("embed-es.html"),
        english.replace(r#"<html lang="en">"#, r#"<html lang="es">"#),
    )
    .expect("writing embed-es.html");
    std::env::set_var("REDCAP_RESUME_DIST", public.path());
    let server = Server::start().await;

    println!("time to card (ms since navigation start), median of {LOADS} loads per cell");
    println!(
        "{:<26} {:>8} {:>10} {:>7}",
        "condition", "widget", "reference", "ratio"
    );
    let mut spanish = Vec::new();
    for latency in [0, 40] {
        let mut cold = [Vec::new(), Vec::new(), Vec::new()];
        let mut warm = [Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..LOADS {
            for (i, page) in [WIDGET, REFERENCE, WIDGET_ES].into_iter().enumerate() {
                let (c, w) = load_twice(&server, page, latency).await;
                cold[i].push(c);
                warm[i].push(w);
            }
        }
        let net = match latency {
            0 => "loopback".to_owned(),
            ms => format!("+{ms} ms latency"),
        };
        for (cache, times) in [("cold", &mut cold), ("warm", &mut warm)] {
            let (w, r) = (median(&mut times[0]), median(&mut times[1]));
            println!(
                "{:<26} {w:>8.1} {r:>10.1} {:>7.2}",
                format!("{cache} cache, {net}"),
                w / r
            );
            spanish.push((format!("{cache} cache, {net}"), median(&mut times[2]), w));
        }
    }
    println!("\nthe widget's Spanish page (strings from i18n/es.json) against its English page");
    println!(
        "{:<26} {:>8} {:>10} {:>7}",
        "condition", "spanish", "english", "ratio"
    );
    for (condition, es, en) in spanish {
        println!("{condition:<26} {es:>8.1} {en:>10.1} {:>7.2}", es / en);
    }
}

/// Opens `page` in a fresh browser (cold cache), then again in the same browser (warm
/// cache); the time to card of each.
async fn load_twice(server: &Server, (path, _): (&str, &str), latency_ms: u32) -> (f64, f64) {
    let browser = Browser::start().await;
    browser.goto(&server.url("/blank.html")).await;
    let ticket = server.demo.ticket("1001", Duration::from_secs(600));
    browser.set_ticket_cookie(&ticket).await;
    // A participant's browser is not one that started a moment ago: let the new profile's
    // start-up work (processes, the disk cache) finish, so it does not land on either page.
    tokio::time::sleep(SETTLE).await;
    cdp(&browser, "Network.enable", json!({})).await;
    cdp(
        &browser,
        "Network.emulateNetworkConditions",
        json!({ "offline": false, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1 }),
    )
    .await;
    cdp(
        &browser,
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": PROBE }),
    )
    .await;
    let cold = time_to_card(&browser, &server.url(path)).await;
    let warm = time_to_card(&browser, &server.url(path)).await;
    (cold, warm)
}

async fn time_to_card(browser: &Browser, url: &str) -> f64 {
    browser.goto(url).await;
    for _ in 0..1000 {
        let at = browser.js("return window.__card ?? null", vec![]).await;
        if let Some(ms) = at.as_f64() {
            return ms;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no card with a code on {url} after 10 s");
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            // The widget's language files (i18n/).
            let inner = to.join(path.file_name().expect("a folder name"));
            std::fs::create_dir_all(&inner).expect("a folder");
            copy_dir(&path, &inner);
        } else if path.is_file() {
            let name = path.file_name().expect("a file name");
            std::fs::copy(&path, to.join(name))
                .unwrap_or_else(|e| panic!("copying {}: {e}", path.display()));
        }
    }
}

/// A Chrome DevTools Protocol command through chromedriver (`goog/cdp/execute`).
async fn cdp(browser: &Browser, cmd: &str, params: Value) {
    browser
        .client
        .issue_cmd(Cdp(json!({ "cmd": cmd, "params": params })))
        .await
        .unwrap_or_else(|e| panic!("CDP {cmd}: {e}"));
}

#[derive(Debug)]
struct Cdp(Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}
