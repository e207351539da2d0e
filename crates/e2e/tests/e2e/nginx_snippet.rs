//! Case: deploy/nginx-location.conf in front of the server, installed as the README says.
//! nginx listens on a non-default port; the server has an empty `allowed_origins` (it compares
//! `Origin` with the `Host` nginx passes on); only the widget files the README lists are
//! published; the study page is the README's two lines, served with the README's CSP.

use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use redcap_resume_e2e::browser::Browser;
use redcap_resume_e2e::server::Server;
use redcap_resume_e2e::{eventually, paths};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const NGINX: &str = "/usr/sbin/nginx";
const CARD: &str = "redcap-resume";
const SURVEY_API: &str = "/redcap-resume/api/surveys/baseline";

fn readme() -> String {
    std::fs::read_to_string(paths::workspace_root().join("README.md")).expect("README.md")
}

/// The widget files the README's "Where each file goes" table says to publish.
fn published_files(readme: &str) -> Vec<String> {
    let row = readme
        .lines()
        .find(|l| l.starts_with('|') && l.contains("`/opt/redcap-resume/dist/`"))
        .expect("README: the table row for the widget files");
    let first_cell = row.split('|').nth(1).unwrap_or_default();
    let files: Vec<String> = first_cell
        .split('`')
        .filter_map(|t| t.strip_prefix("dist/"))
        .map(str::to_owned)
        .collect();
    assert!(!files.is_empty(), "README lists no dist/ files: {row}");
    // The `install` lines that publish them (the language files go into a folder of their own),
    // each as `dist/file*`: the file and its compressed copies.
    let installed: Vec<String> = readme
        .lines()
        .filter(|l| l.starts_with("install ") && l.contains(" dist/"))
        .flat_map(str::split_whitespace)
        .filter_map(|w| w.strip_prefix("dist/"))
        .map(|w| {
            w.strip_suffix('*')
                .unwrap_or_else(|| panic!("README: `dist/{w}` without its compressed copies (`*`)"))
                .to_owned()
        })
        .collect();
    assert_eq!(
        installed, files,
        "the README's publish command and its table agree"
    );
    files
}

/// The README's `Content-Security-Policy` header value for the study page, with the REDCap
/// origin put where the README says.
fn readme_csp(readme: &str, redcap_origin: &str) -> String {
    let value = readme
        .lines()
        .find_map(|l| l.strip_prefix("Content-Security-Policy: "))
        .expect("README: the study page's Content-Security-Policy line");
    assert!(value.contains("https://your-redcap-host"), "{value}");
    value.replace("https://your-redcap-host", redcap_origin)
}

/// The README's two embedding lines (the first ```html block of "Embedding the card").
fn readme_embed_lines(readme: &str) -> String {
    let section = readme
        .split_once("## Embedding the card")
        .expect("README: Embedding the card")
        .1;
    let block = section.split_once("```html\n").expect("an html block").1;
    block
        .split_once("```")
        .expect("a closed block")
        .0
        .to_owned()
}

/// nginx (single process, in the foreground) with the snippet in a server on `port`, the
/// API proxied to `api`, the widget aliased to `published`, and `/study.html` from `pages`
/// served with `csp`. Stopped on drop.
struct Nginx {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Nginx {
    async fn start(api: SocketAddr, published: &Path, pages: &Path, csp: &str) -> Nginx {
        let dir = tempfile::tempdir().expect("a scratch folder");
        let snippet =
            std::fs::read_to_string(paths::workspace_root().join("deploy/nginx-location.conf"))
                .expect("deploy/nginx-location.conf");
        for needle in [
            "proxy_pass http://127.0.0.1:8080;",
            "alias /opt/redcap-resume/dist/;",
        ] {
            assert!(
                snippet.contains(needle),
                "the snippet no longer has `{needle}`"
            );
        }
        let snippet = snippet
            .replace(
                "proxy_pass http://127.0.0.1:8080;",
                &format!("proxy_pass http://{api};"),
            )
            .replace(
                "alias /opt/redcap-resume/dist/;",
                &format!("alias {}/;", published.display()),
            );
        std::fs::write(dir.path().join("snippet.conf"), snippet).expect("write the snippet");
        let port = free_port();
        let d = dir.path().display();
        let conf = format!(
            "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {d}/body;\n\
             proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n\
             scgi_temp_path {d}/scgi;\n  server {{\n    listen 127.0.0.1:{port};\n    server_name study.test;\n\
             location = /study.html {{\n      root {pages};\n      default_type text/html;\n\
             add_header Content-Security-Policy \"{csp}\" always;\n    }}\n    include {d}/snippet.conf;\n  }}\n}}\n",
            pages = pages.display(),
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).expect("write nginx.conf");
        let child = Command::new(NGINX)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {NGINX}: {e} (`cargo xtask setup` installs it)")
            });
        let mut nginx = Nginx {
            child,
            port,
            _dir: dir,
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        eventually("nginx to listen", async || {
            if let Ok(Some(status)) = nginx.child.try_wait() {
                return Err(format!("nginx exited ({status})"));
            }
            TcpStream::connect_timeout(&addr, Duration::from_millis(200))
                .map(drop)
                .map_err(|e| e.to_string())
        })
        .await;
        nginx
    }

    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        _ = self.child.kill();
        _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// An HTTP/1.1 answer: status, headers (lower-case names) and body (bytes: a compressed
/// answer is not text).
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A GET as a browser without Fetch Metadata would send it (through nginx at `port`).
async fn get(port: u16, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect to nginx");
    let mut request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

/// The server, the README's published files and page, and nginx in front.
struct Site {
    server: Server,
    nginx: Nginx,
    _published: tempfile::TempDir,
    _pages: tempfile::TempDir,
}

async fn site() -> Site {
    let server = Server::start().await;
    assert!(
        server.demo.state.config.allowed_origins.is_empty(),
        "this case is about an empty allowed_origins"
    );
    let readme = readme();
    let published = tempfile::tempdir().expect("a folder for the published files");
    for file in published_files(&readme) {
        // What `dist/{file}*` matches: the file, `.br` and `.gz`.
        for name in [file.clone(), format!("{file}.br"), format!("{file}.gz")] {
            let to = published.path().join(&name);
            std::fs::create_dir_all(to.parent().expect("a folder")).expect("a folder");
            std::fs::copy(paths::dist_dir().join(&name), to)
                .unwrap_or_else(|e| panic!("publish dist/{name}: {e}"));
        }
    }
    let pages = tempfile::tempdir().expect("a folder for the study page");
    let page = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>Study</title></head>\n<body>\n{}</body>\n</html>\n",
        readme_embed_lines(&readme)
    );
    std::fs::write(pages.path().join("study.html"), page).expect("write study.html");
    let api: SocketAddr = url::Url::parse(&server.url("/"))
        .ok()
        .and_then(|u| u.socket_addrs(|| None).ok())
        .and_then(|a| a.first().copied())
        .expect("the server's address");
    let redcap = server.sim().api_url().origin().ascii_serialization();
    let nginx = Nginx::start(
        api,
        published.path(),
        pages.path(),
        &readme_csp(&readme, &redcap),
    )
    .await;
    Site {
        server,
        nginx,
        _published: published,
        _pages: pages,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_origin_without_fetch_metadata_passes_nginx_on_a_non_default_port() {
    let site = site().await;
    assert_ne!(site.nginx.port, 80);
    let bearer = format!(
        "Bearer {}",
        site.server.demo.ticket("1001", Duration::from_secs(600))
    );
    let origin = site.nginx.origin();
    // What a browser without Sec-Fetch-Site sends for the page's own fetch: Origin only.
    let own = get(
        site.nginx.port,
        SURVEY_API,
        &[
            ("Origin", &origin),
            ("X-CSRF", "1"),
            ("Authorization", &bearer),
        ],
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.text());
    assert!(own.text().contains("return_code"), "{}", own.text());
    assert_eq!(own.header("cache-control"), Some("no-store"));

    // The check still decides: another origin, or the same host on another port, is refused.
    for other in ["http://evil.test", "http://127.0.0.1:1"] {
        let refused = get(
            site.nginx.port,
            SURVEY_API,
            &[
                ("Origin", other),
                ("X-CSRF", "1"),
                ("Authorization", &bearer),
            ],
        )
        .await;
        assert_eq!(refused.status, 403, "Origin {other}: {}", refused.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_published_files_are_served_no_cache_with_their_types() {
    let site = site().await;
    for (file, kind) in [
        ("redcap-resume.js", "text/javascript"),
        ("redcap-resume-widget.js", "text/javascript"),
        ("redcap-resume-widget_bg.wasm", "application/wasm"),
    ] {
        let answer = get(site.nginx.port, &format!("/redcap-resume/{file}"), &[]).await;
        assert_eq!(answer.status, 200, "{file}");
        assert_eq!(answer.header("content-type"), Some(kind), "{file}");
        assert_eq!(answer.header("cache-control"), Some("no-cache"), "{file}");
        assert!(
            answer.header("etag").is_some(),
            "{file}: revalidation needs a validator"
        );
    }
    // To a browser that accepts gzip, the gzip copy (gzip_static), marked as such and as
    // varying with Accept-Encoding; the same bytes once decoded.
    for file in [
        "redcap-resume-widget_bg.wasm",
        "redcap-resume.js",
        "i18n/es.json",
    ] {
        let path = format!("/redcap-resume/{file}");
        let plain = get(site.nginx.port, &path, &[]).await;
        assert_eq!(plain.header("content-encoding"), None, "{file}");
        let packed = get(
            site.nginx.port,
            &path,
            &[("Accept-Encoding", "gzip, deflate, br")],
        )
        .await;
        assert_eq!(packed.status, 200, "{file}");
        assert_eq!(packed.header("content-encoding"), Some("gzip"), "{file}");
        assert_eq!(packed.header("vary"), Some("Accept-Encoding"), "{file}");
        assert_eq!(packed.header("cache-control"), Some("no-cache"), "{file}");
        let mut decoded = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&packed.body[..]),
            &mut decoded,
        )
        .expect("a gzip body");
        assert_eq!(decoded, plain.body, "{file}");
        assert!(
            packed.body.len() * 2 < plain.body.len(),
            "{file}: {} of {} B",
            packed.body.len(),
            plain.body.len()
        );
    }
    // The demo page is not published.
    let demo = get(site.nginx.port, "/redcap-resume/index.html", &[]).await;
    assert_eq!(demo.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_page_under_the_readme_csp_resumes_through_nginx() {
    let site = site().await;
    let browser = Browser::start().await;
    let page = format!("{}/study.html", site.nginx.origin());
    browser.goto(&page).await;
    browser
        .set_ticket_cookie(&site.server.demo.ticket("1001", Duration::from_secs(600)))
        .await;
    browser.console().await;
    browser.goto(&page).await;
    let card = browser
        .card_when(CARD, "a return code", |c| c.code.is_some())
        .await;
    assert_eq!(
        card.title.as_deref(),
        Some(site.server.survey_title("baseline").as_str())
    );
    let csp = browser
        .js(
            "return fetch(location.href).then(r => r.headers.get('content-security-policy'));",
            vec![],
        )
        .await;
    assert!(
        csp.as_str()
            .is_some_and(|c| c.contains("form-action 'self' http://127.0.0.1:")),
        "the page is served with the README's policy: {csp}"
    );
    let errors: Vec<_> = browser
        .console()
        .await
        .into_iter()
        .filter(|e| e.level == "SEVERE")
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:#?}");

    let button = browser.part(CARD, "resume").await;
    browser.click_and_wait_for_page(button).await;
    let url = browser.url().await;
    assert!(
        url.starts_with(site.server.sim().base_url().as_str()),
        "Resume reached REDCap under the README's form-action: {url}"
    );
    assert_eq!(browser.text_of("#resumed-record").await, "1001");
    browser.screenshot("nginx-resumed").await;
}
