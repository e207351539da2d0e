//! The real server in demo mode, on the product's own socket loop: the widget files, the API, the demo sign-in, and the REDCap
//! simulator, all on 127.0.0.1 with ports chosen by the OS. A test can add its own pages and
//! files beside them on the same origin, under `/e2e/` ([`Server::serve`], [`page`]).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use redcap_resume::config::SocketLimits;
use redcap_resume::demo::Demo;
use redcap_resume::serve::serve_router;
use redcap_sim::Simulator;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running demo server; dropping it stops the server and the simulator.
pub struct Server {
    pub demo: Demo,
    addr: SocketAddr,
    extra: Extra,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Server {
    /// Starts the simulator and the server (serving `paths::dist_dir()`) on free ports.
    pub async fn start() -> Server {
        let demo = Demo::start(Some(crate::paths::dist_dir()))
            .await
            .expect("the demo starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        let (stop, stopped) = oneshot::channel::<()>();
        let extra = Extra::default();
        let files = extra.clone();
        let app = demo.router().route(
            "/e2e/{*path}",
            get(move |Path(path): Path<String>| {
                let files = files.clone();
                async move { files.answer(&path) }
            }),
        );
        // The product's own socket loop (TCP_NODELAY, header and idle timeouts), as
        // `redcap-resume demo` and `serve` run it.
        let task = tokio::spawn(async move {
            serve_router(listener, app, SocketLimits::default(), async move {
                _ = stopped.await;
            })
            .await
            .expect("the server runs");
        });
        let server = Server {
            demo,
            addr,
            extra,
            stop: Some(stop),
            task,
        };
        server.serve("/e2e/page.css", "text/css", PAGE_CSS);
        server.serve("/e2e/spy.js", "text/javascript", SPY_JS);
        server.serve_page("/e2e/blank", Some("en"), "<p>No card here.</p>");
        server
    }

    /// Serves `body` as `content_type` at `path` (under `/e2e/`) from now on, `no-store`, with
    /// the strict Content-Security-Policy the widget must work under (what matters for an HTML
    /// page). Always there:
    /// `/e2e/page.css` (for [`page`]), `/e2e/spy.js` ([`SPY`]) and `/e2e/blank`, a page without
    /// a card (to be on the origin when setting the ticket cookie, before the page under test).
    pub fn serve(&self, path: &str, content_type: &'static str, body: impl Into<String>) {
        let name = path
            .strip_prefix("/e2e/")
            .unwrap_or_else(|| panic!("test files live under /e2e/, not {path}"));
        let mut files = self.extra.files.lock().unwrap();
        files.insert(name.to_owned(), (content_type, body.into()));
    }

    /// Serves [`page`]`(lang, body)` at `path` (under `/e2e/`).
    pub fn serve_page(&self, path: &str, lang: Option<&str>, body: &str) {
        self.serve(path, "text/html; charset=utf-8", page(lang, body));
    }

    /// [`Server::serve_page`] with [`SPY`] in the page: what the page fetched, with the
    /// answers' statuses, is in `window.__e2eFetches`.
    pub fn serve_page_with_spy(&self, path: &str, lang: Option<&str>, body: &str) {
        let html = page(lang, body).replacen(
            "<script type=\"module\"",
            &format!("{SPY}<script type=\"module\""),
            1,
        );
        self.serve(path, "text/html; charset=utf-8", html);
    }

    /// How many times `path` (under `/e2e/`) was asked for so far.
    pub fn hits(&self, path: &str) -> usize {
        let name = path.strip_prefix("/e2e/").unwrap_or(path);
        self.extra
            .hits
            .lock()
            .unwrap()
            .get(name)
            .copied()
            .unwrap_or(0)
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The REDCap simulator behind the server.
    pub fn sim(&self) -> &Simulator {
        &self.demo.sim
    }

    /// The title the server's configuration gives survey `key` (what the card's title shows).
    pub fn survey_title(&self, key: &str) -> String {
        self.demo
            .state
            .config
            .surveys
            .iter()
            .find(|s| s.key.as_str() == key)
            .map(|s| s.title.clone())
            .unwrap_or_else(|| panic!("the demo configures no survey `{key}`"))
    }
}

/// The stylesheet of [`page`]: `.w320` is a column 320 CSS pixels wide (a small phone).
const PAGE_CSS: &str = "body{margin:1rem;font-family:system-ui,sans-serif}\n\
main{display:grid;gap:1rem}\n.w320{width:320px}\n";

/// A classic script (it runs before the widget's module) that records each `fetch` of the
/// page once its answer's headers are in: `window.__e2eFetches`, `[url, status]` pairs (status
/// 0: no answer). Resource timing would not do: Chromium writes a `fetch`'s entry only once
/// its body has been read, and the widget leaves an error answer's body unread.
pub const SPY: &str = "<script src=\"/e2e/spy.js\"></script>";
const SPY_JS: &str = "window.__e2eFetches = [];\n\
const __e2eFetch = window.fetch;\n\
window.fetch = function (input, init) {\n\
  const url = new URL(input instanceof Request ? input.url : String(input), document.baseURI).href;\n\
  return __e2eFetch.call(this, input, init).then(\n\
    (r) => { window.__e2eFetches.push([url, r.status]); return r; },\n\
    (e) => { window.__e2eFetches.push([url, 0]); throw e; });\n\
};\n";

/// An HTML page with `<html lang="{lang}">` (no `lang` with `None`), the widget's loader
/// (`/redcap-resume.js`), [`PAGE_CSS`], and `body` inside its `<main>`.
pub fn page(lang: Option<&str>, body: &str) -> String {
    let lang = lang.map(|l| format!(" lang=\"{l}\"")).unwrap_or_default();
    format!(
        "<!doctype html><html{lang}><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" href=\"data:,\"><title>redcap-resume e2e</title>\
         <link rel=\"stylesheet\" href=\"/e2e/page.css\">\
         <script type=\"module\" src=\"/redcap-resume.js\"></script></head>\
         <body><main><h1>Study page</h1>{body}</main></body></html>"
    )
}

/// What tests added under `/e2e/`, and how often each was asked for.
#[derive(Clone, Default)]
struct Extra {
    files: Arc<Mutex<HashMap<String, (&'static str, String)>>>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl Extra {
    fn answer(&self, name: &str) -> Response {
        *self
            .hits
            .lock()
            .unwrap()
            .entry(name.to_owned())
            .or_default() += 1;
        let Some((content_type, body)) = self.files.lock().unwrap().get(name).cloned() else {
            return StatusCode::NOT_FOUND.into_response();
        };
        (
            [
                (header::CONTENT_TYPE, content_type),
                (
                    header::CONTENT_SECURITY_POLICY,
                    redcap_resume::app::STRICT_CSP,
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            _ = stop.send(());
        }
        // The browser may still hold keep-alive connections: do not wait for them.
        self.task.abort();
    }
}
