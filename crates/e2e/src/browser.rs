//! One headless Chromium, driven through a chromedriver this process starts on a free port.
//! Dropping a [`Browser`] ends the session (which closes Chromium) and kills chromedriver,
//! also when the test panicked.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cookie::SameSite;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::cookies::Cookie;
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::eventually;
use crate::i18n::{text, Lang, Msg};
use crate::server::Server;

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Every `*.example.test` and `*.elsewhere.test` name stands for 127.0.0.1 (the port stays as
/// written). `www.example.test:PORT` and `resume.example.test:PORT` are then two origins of one
/// site (`example.test`) served by one test server, as a university's CMS and this server
/// are; `www.elsewhere.test:PORT` is another site (a hosted LMS or SharePoint).
pub const TEST_SITE: &str = "example.test";
/// A site other than [`TEST_SITE`], on the same server.
pub const OTHER_SITE: &str = "elsewhere.test";
const CHROMIUM_FLAGS: &[&str] = &[
    "--host-resolver-rules=MAP *.example.test 127.0.0.1, MAP *.elsewhere.test 127.0.0.1",
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1200,900",
];

/// What a participant sees on one `<redcap-resume>` card, read from its shadow root
/// (`innerText` of each `part`; `None` when the part is not there).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Card {
    /// `aria-busy` on the card: still loading.
    pub busy: bool,
    /// The card's `lang` attribute.
    pub lang: Option<String>,
    /// The card's `dir` attribute (`ltr` / `rtl`).
    pub dir: Option<String>,
    pub title: Option<String>,
    pub status: Option<String>,
    pub error: Option<String>,
    pub code: Option<String>,
    pub copy: Option<String>,
    pub resume: Option<String>,
    pub link: Option<String>,
    /// The copy button's live status ("Copied" / "Could not copy…").
    pub copied: Option<String>,
}

impl Card {
    /// Where a ready card (a survey in progress, with its code) does not say what `lang`'s
    /// texts say (status, copy button, return-page link) or is not written in its direction;
    /// empty when it does.
    pub fn differences(&self, lang: Lang) -> Vec<String> {
        let tag = lang.tag();
        let mut wrong = Vec::new();
        for (what, seen, msg) in [
            ("status", &self.status, Msg::InProgress),
            ("copy", &self.copy, Msg::Copy),
            ("link", &self.link, Msg::OrLink),
        ] {
            let want = text(lang, msg);
            if seen.as_deref() != Some(want.as_str()) {
                wrong.push(format!("{tag}: {what} is {seen:?}, not {want:?}"));
            }
        }
        let dir = if lang == Lang::Ar { "rtl" } else { "ltr" };
        if self.dir.as_deref() != Some(dir) {
            wrong.push(format!("{tag}: dir is {:?}, not {dir}", self.dir));
        }
        wrong
    }
}

/// A card's survey-queue link and "Continue on another device" (issue 13: the `queue` and `qr`
/// attributes), read from its shadow root. Visible means rendered (`checkVisibility()`: no
/// `hidden` or `display: none` on the way up).
#[derive(Clone, Default, Deserialize)]
pub struct More {
    /// `a[part="queue"]` is there and visible.
    pub queue_visible: bool,
    pub queue_text: Option<String>,
    pub queue_href: Option<String>,
    /// The `button[part="qr"]`'s text, if there is one.
    pub qr: Option<String>,
    /// Its `aria-expanded`.
    pub qr_expanded: Option<String>,
    /// `[part="qr-panel"]` is there and visible.
    pub panel_visible: bool,
    /// The panel's visible text (the help line and the code).
    pub panel_text: Option<String>,
    /// The `<code>` in the panel, and its `dir`.
    pub panel_code: Option<String>,
    pub panel_code_dir: Option<String>,
    /// `img[part="qr-image"]`: its `src`, `alt`, and whether it has loaded a picture.
    pub image_src: Option<String>,
    pub image_alt: Option<String>,
    pub image_loaded: bool,
}

/// The image's `src` is a data URL of some kilobytes: shown cut short.
impl std::fmt::Debug for More {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let src = self
            .image_src
            .as_ref()
            .map(|s| match s.char_indices().nth(48) {
                Some((at, _)) => format!("{}… ({} bytes)", &s[..at], s.len()),
                None => s.clone(),
            });
        f.debug_struct("More")
            .field("queue_visible", &self.queue_visible)
            .field("queue_text", &self.queue_text)
            .field("queue_href", &self.queue_href)
            .field("qr", &self.qr)
            .field("qr_expanded", &self.qr_expanded)
            .field("panel_visible", &self.panel_visible)
            .field("panel_text", &self.panel_text)
            .field("panel_code", &self.panel_code)
            .field("panel_code_dir", &self.panel_code_dir)
            .field("image_src", &src)
            .field("image_alt", &self.image_alt)
            .field("image_loaded", &self.image_loaded)
            .finish()
    }
}

/// The element that has keyboard focus, looked up through open shadow roots.
#[derive(Debug, Clone, Deserialize)]
pub struct Focus {
    /// The `id`s (or tag names) of the shadow hosts on the way, outermost first.
    pub hosts: Vec<String>,
    pub tag: String,
    pub part: Option<String>,
    pub text: String,
    pub focus_visible: bool,
}

/// One line of the browser's console / log.
#[derive(Debug, Clone, Deserialize)]
pub struct LogEntry {
    pub level: String,
    pub message: String,
    #[serde(default)]
    pub source: Option<String>,
}

/// chromedriver + one Chromium session.
pub struct Browser {
    pub client: Client,
    // Dropped in this order: the session and chromedriver, then Chromium's profile folder.
    _driver: Driver,
    _profile: tempfile::TempDir,
}

/// The chromedriver process and its session; ends both when dropped.
struct Driver {
    child: Child,
    port: u16,
    session: Option<String>,
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium (own profile directory, browser
    /// console logs kept for [`Browser::console`]).
    pub async fn start() -> Browser {
        Browser::start_with(&[]).await
    }

    /// [`Browser::start`] with more Chromium flags.
    pub async fn start_with(flags: &[String]) -> Browser {
        let driver_port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={driver_port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {CHROMEDRIVER}: {e} (run `cargo xtask setup`)")
            });
        let mut driver = Driver {
            child,
            port: driver_port,
            session: None,
        };
        let profile = tempfile::tempdir().expect("a temporary profile directory");
        let addr = SocketAddr::from(([127, 0, 0, 1], driver_port));
        eventually("chromedriver to listen", async || {
            TcpStream::connect_timeout(&addr, Duration::from_millis(200))
                .map(drop)
                .map_err(|e| e.to_string())
        })
        .await;

        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.extend(flags.iter().cloned());
        let caps: Capabilities = serde_json::from_value(json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        }))
        .expect("capabilities are a JSON object");
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{driver_port}"))
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start Chromium ({CHROMIUM}): {e}"));
        driver.session = client.session_id().await.ok().flatten();
        Browser {
            client,
            _driver: driver,
            _profile: profile,
        }
    }

    /// Opens `url` and waits for the page to have loaded.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The current URL.
    pub async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) in the page.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Clicks `element` and waits until the page it leads to has loaded.
    pub async fn click_and_wait_for_page(&self, element: Element) {
        self.js("window.__e2eOldPage = true;", vec![]).await;
        element.click().await.expect("click");
        eventually("the next page to load", async || {
            let state = self
                .client
                .execute(
                    "return window.__e2eOldPage ? 'old page' : document.readyState;",
                    vec![],
                )
                .await;
            match state {
                Ok(Value::String(s)) if s == "complete" => Ok(()),
                other => Err(format!("{other:?}")),
            }
        })
        .await;
    }

    /// The demo host page: chooses `record` and clicks "Sign in" (sets the ticket cookie and
    /// reloads the page).
    pub async fn sign_in(&self, server: &Server, record: &str) {
        self.goto(&server.url("/")).await;
        let select = self
            .client
            .find(Locator::Id("record"))
            .await
            .expect("the demo page has #record");
        select
            .select_by_value(record)
            .await
            .unwrap_or_else(|e| panic!("choose record {record}: {e}"));
        let button = self
            .client
            .find(Locator::Id("sign-in"))
            .await
            .expect("the demo page has #sign-in");
        self.click_and_wait_for_page(button).await;
    }

    /// The demo host page: clicks "Sign out".
    pub async fn sign_out(&self, server: &Server) {
        if !self.url().await.starts_with(&server.url("/")) {
            self.goto(&server.url("/")).await;
        }
        let button = self
            .client
            .find(Locator::Id("sign-out"))
            .await
            .expect("the demo page has #sign-out");
        self.click_and_wait_for_page(button).await;
    }

    /// Sets the participant-ticket cookie the way a portal would (HttpOnly, SameSite=Strict,
    /// path `/`). The browser must already show an HTML page of the server's origin.
    pub async fn set_ticket_cookie(&self, ticket: &str) {
        self.set_ticket_cookie_with(ticket, SameSite::Strict).await;
    }

    /// [`Browser::set_ticket_cookie`] with another `SameSite` (the README's portals use `Lax`).
    pub async fn set_ticket_cookie_with(&self, ticket: &str, same_site: SameSite) {
        let host = self
            .client
            .current_url()
            .await
            .expect("current URL")
            .host_str()
            .unwrap_or_default()
            .to_owned();
        // Domain and SameSite spelled out: fantoccini would send `null`s, which chromedriver refuses.
        let cookie = Cookie::build((
            redcap_resume::demo::DEMO_COOKIE.to_owned(),
            ticket.to_owned(),
        ))
        .domain(host)
        .path("/")
        .http_only(true)
        .same_site(same_site)
        .build();
        self.client
            .add_cookie(cookie)
            .await
            .expect("add the ticket cookie");
    }

    /// Opens `path` as a portal's signed-in participant: opens it once (signed out) to be on
    /// the origin, sets the ticket cookie, drops the console log so far, and opens it again.
    pub async fn open_with_ticket(&self, server: &Server, path: &str, ticket: &str) {
        self.goto(&server.url(path)).await;
        self.set_ticket_cookie(ticket).await;
        self.console().await;
        self.goto(&server.url(path)).await;
    }

    /// Signs `record` in (a ten-minute ticket cookie) on `/e2e/blank`, a page without a card,
    /// so that the page under test is opened once, already signed in.
    pub async fn sign_in_on_blank(&self, server: &Server, record: &str) {
        let ticket = server.demo.ticket(record, Duration::from_secs(600));
        self.open_with_ticket(server, "/e2e/blank", &ticket).await;
    }

    /// Waits until the card `host` has a return code, speaks `tag` (its `lang`) and its resume
    /// button says `resume`; the card then.
    pub async fn card_speaking(&self, host: &str, tag: &str, resume: &str) -> Card {
        eventually(&format!("{host} ready in {tag}"), async || {
            let card = self.card_now(host).await;
            let label = self.label_of(host, "resume").await;
            match card {
                Some(c)
                    if c.code.is_some()
                        && c.lang.as_deref() == Some(tag)
                        && label.as_deref() == Some(resume) =>
                {
                    Ok(c)
                }
                seen => Err(format!("{seen:?}, resume label {label:?}")),
            }
        })
        .await
    }

    /// Makes the first `<iframe>` of the page the context of what follows (scripts, cards).
    pub async fn enter_iframe(&self) {
        let frame = match self.client.find(Locator::Css("iframe")).await {
            Ok(frame) => frame,
            Err(e) => panic!("no iframe on {}: {e}", self.url().await),
        };
        frame.enter_frame().await.expect("enter the iframe");
    }

    /// Makes the window's top-level document the context again (also after the frame that
    /// was the context has gone with a navigation of the top window).
    pub async fn leave_frames(&self) {
        let window = self.client.window().await.expect("the window handle");
        self.client
            .switch_to_window(window)
            .await
            .expect("back to the top-level document");
    }

    /// What the card `host` (a CSS selector for the `<redcap-resume>` element) shows now;
    /// `None` before it has rendered.
    pub async fn card_now(&self, host: &str) -> Option<Card> {
        const READ: &str = r#"
            const root = document.querySelector(arguments[0])?.shadowRoot;
            const card = root?.querySelector('[part~="card"]');
            if (!card) return null;
            const text = (sel) => { const e = root.querySelector(sel); return e ? e.innerText.trim() : null; };
            return {
              busy: card.getAttribute('aria-busy') === 'true', lang: card.getAttribute('lang'), dir: card.getAttribute('dir'),
              title: text('[part~="title"]'), status: text('[part~="status"]'), error: text('[part~="error"]'),
              code: text('[part~="code"]'), copy: text('[part~="copy"]'), resume: text('[part~="resume"]'),
              link: text('[part~="link"]'), copied: text('.copied'),
            };"#;
        let value = self.js(READ, vec![json!(host)]).await;
        serde_json::from_value(value).unwrap_or_else(|e| panic!("reading card {host}: {e}"))
    }

    /// The queue link and the QR code of the card `host` now (see [`More`]).
    pub async fn more_now(&self, host: &str) -> More {
        const READ: &str = r#"
            const root = document.querySelector(arguments[0])?.shadowRoot;
            const q = (sel) => root?.querySelector(sel) ?? null;
            const seen = (e) => !!e && e.checkVisibility();
            const queue = q('[part~="queue"]'), qr = q('[part~="qr"]'), panel = q('[part~="qr-panel"]');
            const img = q('[part~="qr-image"]'), code = panel?.querySelector('code') ?? null;
            return {
              queue_visible: seen(queue), queue_text: queue && queue.textContent.trim(),
              queue_href: queue && queue.getAttribute('href'),
              qr: qr && qr.textContent.trim(), qr_expanded: qr && qr.getAttribute('aria-expanded'),
              panel_visible: seen(panel), panel_text: panel && panel.innerText.replace(/\s+/g, ' ').trim(),
              panel_code: code && code.textContent.trim(), panel_code_dir: code && code.getAttribute('dir'),
              image_src: img && img.getAttribute('src'), image_alt: img && img.getAttribute('alt'),
              image_loaded: !!img && img.complete && img.naturalWidth > 0,
            };"#;
        serde_json::from_value(self.js(READ, vec![json!(host)]).await)
            .unwrap_or_else(|e| panic!("reading the queue link and QR code of {host}: {e}"))
    }

    /// Waits until the card `host`'s queue link and QR code are as `accept` takes.
    pub async fn more_when(&self, host: &str, what: &str, accept: impl Fn(&More) -> bool) -> More {
        eventually(&format!("card {host}: {what}"), async || {
            let more = self.more_now(host).await;
            if accept(&more) {
                Ok(more)
            } else {
                Err(format!("{more:?}"))
            }
        })
        .await
    }

    /// Presses the card `host`'s "Continue on another device" button and waits until its panel
    /// is open (`aria-expanded="true"`, shown) with the QR image loaded.
    pub async fn open_qr_panel(&self, host: &str) -> More {
        self.part(host, "qr")
            .await
            .click()
            .await
            .expect("click the QR button");
        self.more_when(host, "the QR panel open with its image", |m| {
            m.qr_expanded.as_deref() == Some("true") && m.panel_visible && m.image_loaded
        })
        .await
    }

    /// Waits until the card `host` shows something `accept` takes, and returns it.
    pub async fn card_when(&self, host: &str, what: &str, accept: impl Fn(&Card) -> bool) -> Card {
        eventually(&format!("card {host}: {what}"), async || {
            match self.card_now(host).await {
                Some(card) if accept(&card) => Ok(card),
                seen => Err(format!("{seen:?}")),
            }
        })
        .await
    }

    /// Waits until the card `host` has finished loading (ready, completed or an error).
    pub async fn settled_card(&self, host: &str) -> Card {
        self.card_when(host, "finished loading", |c| !c.busy).await
    }

    /// The element `part="…"` inside the card `host`'s shadow root (found the WebDriver way).
    pub async fn part(&self, host: &str, part: &str) -> Element {
        let element = self
            .client
            .find(Locator::Css(host))
            .await
            .unwrap_or_else(|e| panic!("no {host}: {e}"));
        let root = element
            .shadow_root()
            .await
            .unwrap_or_else(|e| panic!("{host} has no open shadow root: {e}"));
        root.find(Locator::Css(&format!("[part~=\"{part}\"]")))
            .await
            .unwrap_or_else(|e| panic!("{host} has no part {part}: {e}"))
    }

    /// What the element `part="…"` of the card `host` says to the eye: its text without the
    /// visually hidden parts (`.vh`, there for screen readers), trimmed; `None` when the card
    /// has no such part.
    pub async fn label_of(&self, host: &str, part: &str) -> Option<String> {
        const READ: &str = r#"
            const e = document.querySelector(arguments[0])?.shadowRoot?.querySelector(`[part~="${arguments[1]}"]`);
            if (!e) return null;
            const copy = e.cloneNode(true);
            copy.querySelectorAll('.vh').forEach((v) => v.remove());
            return copy.textContent.replace(/\s+/g, ' ').trim();"#;
        serde_json::from_value(self.js(READ, vec![json!(host), json!(part)]).await)
            .expect("a text or null")
    }

    /// Sets (or, with `None`, removes) an attribute of the element `selector`.
    pub async fn set_attr(&self, selector: &str, name: &str, value: Option<&str>) {
        let done = self
            .js(
                "const e = document.querySelector(arguments[0]); if (!e) return false; \
                 if (arguments[2] === null) e.removeAttribute(arguments[1]); else e.setAttribute(arguments[1], arguments[2]); return true;",
                vec![json!(selector), json!(name), json!(value)],
            )
            .await;
        assert_eq!(done, json!(true), "no element {selector}");
    }

    /// Text of the first element `css` in the page, waiting for it to appear.
    pub async fn text_of(&self, css: &str) -> String {
        eventually(
            &format!("{css} on {}", self.url().await),
            async || match self.client.find(Locator::Css(css)).await {
                Ok(e) => e.text().await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            },
        )
        .await
    }

    /// Presses and releases one key (on whatever has focus).
    pub async fn press(&self, key: Key) {
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
        self.client
            .perform_actions(actions)
            .await
            .expect("key press");
    }

    /// Presses `key` while `modifier` is held (Shift+Tab: `press_with(Key::Shift, Key::Tab)`).
    pub async fn press_with(&self, modifier: Key, key: Key) {
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down {
                value: modifier.into(),
            })
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() })
            .then(KeyAction::Up {
                value: modifier.into(),
            });
        self.client
            .perform_actions(actions)
            .await
            .expect("key press with a modifier");
    }

    /// The focused element, followed into open shadow roots
    /// (`document.activeElement.shadowRoot.activeElement` …).
    pub async fn focus(&self) -> Option<Focus> {
        const READ: &str = r#"
            let a = document.activeElement; const hosts = [];
            while (a && a.shadowRoot && a.shadowRoot.activeElement) { hosts.push(a.id || a.tagName.toLowerCase()); a = a.shadowRoot.activeElement; }
            if (!a || a === document.body) return null;
            return { hosts, tag: a.tagName.toLowerCase(), part: a.getAttribute('part'),
                     text: (a.innerText || '').trim(), focus_visible: a.matches(':focus-visible') };"#;
        serde_json::from_value(self.js(READ, vec![]).await).expect("focus info")
    }

    /// The browser console since the last call (chromedriver's log endpoint, type `browser`).
    pub async fn console(&self) -> Vec<LogEntry> {
        let value = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .expect("read the browser log");
        serde_json::from_value(value).expect("browser log entries")
    }

    /// Runs axe-core on the whole document (it descends into open shadow roots) and returns
    /// one line per violation: rule, impact, help, and the offending nodes.
    pub async fn axe(&self) -> Vec<String> {
        let loaded = self
            .js("return typeof window.axe === 'object';", vec![])
            .await;
        if loaded != json!(true) {
            // WebDriver scripts are not subject to the page's CSP, inline script elements are.
            let source = std::fs::read_to_string(crate::paths::axe_js()).expect("read axe.min.js");
            self.js(&format!("{source}\n;return typeof window.axe;"), vec![])
                .await;
        }
        const RUN: &str = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] })
              .then(r => done(r.violations.map(v =>
                `${v.id} (${v.impact}): ${v.help} — ` + v.nodes.map(n => JSON.stringify(n.target) + ' ' + n.failureSummary).join(' | '))))
              .catch(e => done(['axe failed: ' + e]));"#;
        let value = self
            .client
            .execute_async(RUN, vec![])
            .await
            .expect("axe.run");
        serde_json::from_value(value).expect("axe violations")
    }

    /// [`Browser::axe`]'s violations, each prefixed with `state` (`"{state}: {violation}"`), to
    /// collect over several states of a page and report together.
    pub async fn axe_in(&self, state: &str) -> Vec<String> {
        let violations = self.axe().await;
        violations
            .into_iter()
            .map(|v| format!("{state}: {v}"))
            .collect()
    }

    /// Saves a screenshot of the window as `target/e2e/{name}.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        save(name, &png)
    }

    /// Saves a screenshot of the element `selector` as `target/e2e/{name}.png`.
    pub async fn screenshot_of(&self, selector: &str, name: &str) -> PathBuf {
        let element = self
            .client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no {selector}: {e}"));
        let png = element.screenshot().await.expect("element screenshot");
        save(name, &png)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Ending the session closes Chromium; killing chromedriver alone would leave it running.
        if let Some(session) = &self.session {
            _ = delete_session(self.port, session);
        }
        _ = self.child.kill();
        _ = self.child.wait();
    }
}

fn save(name: &str, png: &[u8]) -> PathBuf {
    let path = crate::paths::artifacts_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// `DELETE /session/{id}` with a plain blocking socket (usable in `Drop`); returns once the
/// answer (headers and `Content-Length` bytes) is in, which is when Chromium has quit.
fn delete_session(port: u16, session: &str) -> std::io::Result<()> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\r\n"
    )?;
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        answer.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&answer);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            if answer.len() >= end + 4 + length {
                return Ok(());
            }
        }
    }
}

/// chromedriver's `POST /session/{id}/se/log {"type": "browser"}` (not part of W3C WebDriver).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}
