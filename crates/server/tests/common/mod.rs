//! A test harness: the simulator and the server on real sockets (127.0.0.1, port 0), a
//! participant's HTTP client, and a record of everything the suite saw for the leak scan.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use redcap_resume::app::AppState;
use redcap_resume::config::Config;
use redcap_resume::ticket::TicketIssuer;
use redcap_sim::{seed, SimConfig, Simulator};
use tokio::sync::oneshot;

pub const SECRET: &str = "test-secret-test-secret-test-secret-42";

/// Every log line of this test binary.
pub fn logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter("debug,hyper=info,h2=info,rustls=info")
            .with_writer(move || LogWriter(writer.clone()))
            .with_ansi(false)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        buffer
    })
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);
impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn log_text() -> String {
    String::from_utf8_lossy(&logs().lock().unwrap()).into_owned()
}

/// The surveys every harness configures on top of the demo's (`demo::DEMO_SURVEYS`).
pub const EXTRA_SURVEYS: &str = r#"
[surveys.plain]
title = "Baseline (no status)"
instrument = "baseline_survey"

[surveys.rc]
title = "Baseline (rc links)"
instrument = "baseline_survey"
link_style = "rc-param"

[surveys.contact]
title = "Contact details"
instrument = "contact_info"

[surveys.rights]
project = "norights"
title = "Baseline via a token without survey rights"
instrument = "baseline_survey"
"#;

pub struct Options {
    pub budget: u32,
    pub max_queue_wait_ms: u64,
    pub timeout_ms: u64,
    pub ban_pause_s: u64,
    pub per_participant: u32,
    /// `[limits] redcap_calls_per_participant_per_minute`.
    pub redcap_calls: u32,
    pub per_ip: u32,
    pub extra: String,
    /// The body of the `[auth]` table.
    pub auth: String,
    /// Replaces the harness's `[limits]` table.
    pub limits_override: Option<String>,
    pub sim: SimConfig,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            budget: 300,
            max_queue_wait_ms: 2000,
            timeout_ms: 2000,
            ban_pause_s: 600,
            per_participant: 1000,
            redcap_calls: 100_000,
            per_ip: 100_000,
            extra: String::new(),
            auth: "ticket_secret_env = \"SECRET\"".into(),
            limits_override: None,
            sim: SimConfig::default(),
        }
    }
}

pub fn config_text(api: &str, o: &Options) -> String {
    format!(
        r#"
listen = "127.0.0.1:0"
{extra}
[redcap]
url = "{api}"
token_env = "TOKEN"
timeout_ms = {timeout}
max_requests_per_minute = {budget}
max_queue_wait_ms = {wait}
ban_pause_seconds = {ban}

[projects.cohort]
url = "{api}"
token_env = "COHORT"
timeout_ms = {timeout}
ban_pause_seconds = {ban}

[projects.norights]
url = "{api}"
token_env = "NORIGHTS"
timeout_ms = {timeout}
ban_pause_seconds = {ban}

[auth]
{auth}

{limits}
{demo_surveys}{EXTRA_SURVEYS}"#,
        demo_surveys = redcap_resume::demo::DEMO_SURVEYS,
        extra = o.extra,
        auth = o.auth,
        timeout = o.timeout_ms,
        budget = o.budget,
        wait = o.max_queue_wait_ms,
        ban = o.ban_pause_s,
        limits = o.limits_override.clone().unwrap_or_else(|| format!(
            // The burst tests open 1,000 connections at once from one client: more than the
            // default connection cap (768, for a 1,024-file limit). The cap has its own tests
            // (sockets.rs); this machine's file limit is far higher.
            "[limits]\nper_participant_per_minute = {}\nper_ip_per_minute = {}\nmax_connections = 4096\nredcap_calls_per_participant_per_minute = {}\n",
            o.per_participant, o.per_ip, o.redcap_calls
        )),
    )
}

pub fn secrets() -> HashMap<String, String> {
    [
        ("TOKEN", seed::DEMO_TOKEN),
        ("COHORT", seed::COHORT_TOKEN),
        ("NORIGHTS", seed::NO_RIGHTS_TOKEN),
        ("SECRET", SECRET),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

pub struct Harness {
    pub sim: Simulator,
    pub addr: SocketAddr,
    pub state: Arc<AppState>,
    pub http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Harness {
    pub async fn start() -> Harness {
        Self::with(Options::default()).await
    }

    pub async fn with(options: Options) -> Harness {
        logs();
        let sim = Simulator::start(options.sim.clone())
            .await
            .expect("simulator starts");
        let text = config_text(sim.api_url().as_str(), &options);
        let config = Config::parse(&text, &secrets()).expect("test configuration is valid");
        Self::serve(sim, config).await
    }

    pub async fn serve(sim: Simulator, config: Config) -> Harness {
        let state = AppState::new(config).expect("state builds");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(redcap_resume::serve::serve(
            listener,
            state.clone(),
            async {
                let _ = stopped.await;
            },
        ));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Harness {
            sim,
            addr,
            state,
            http,
            stop: Some(stop),
            server: Some(server),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn api(&self, path: &str) -> String {
        self.url(&format!("/redcap-resume/api{path}"))
    }

    pub fn ticket(&self, record: &str) -> String {
        TicketIssuer::hs256(SECRET)
            .mint(record, Duration::from_secs(300))
            .unwrap()
    }

    /// The `Cookie` header value that carries a fresh ticket for `record`.
    pub fn ticket_cookie(&self, record: &str) -> String {
        format!("__Host-redcap_resume_ticket={}", self.ticket(record))
    }

    /// A same-origin request from the widget, as a browser sends it.
    pub fn widget_get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .get(self.api(path))
            .header("X-CSRF", "1")
            .header("Sec-Fetch-Site", "same-origin")
    }

    /// The widget's request for a signed-in participant (ticket in the cookie).
    pub async fn as_participant(&self, record: &str, path: &str) -> Answer {
        let r = self
            .widget_get(path)
            .header("Cookie", self.ticket_cookie(record))
            .send()
            .await
            .unwrap();
        Answer::read(r).await
    }

    pub async fn stop(mut self) -> Simulator {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
        }
        self.sim
    }
}

/// A response, read whole.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub async fn read(r: reqwest::Response) -> Answer {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.text().await.unwrap();
        Answer {
            status,
            headers,
            body,
        }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every header and the body, for leak scans.
    pub fn everything(&self) -> String {
        let mut text = String::new();
        for (k, v) in &self.headers {
            text.push_str(&format!("{k}: {}\n", String::from_utf8_lossy(v.as_bytes())));
        }
        text + &self.body
    }
}

pub fn is_return_code(code: &str) -> bool {
    code.len() == 8 && code.chars().all(|c| "34789ACDEFHJKLMNPRTWXY".contains(c))
}

/// Sends a request byte for byte (no URL normalisation), returning status and body.
pub async fn raw_get(addr: SocketAddr, path: &[u8], headers: &[(&str, &[u8])]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut request = Vec::new();
    request.extend_from_slice(b"GET ");
    request.extend_from_slice(path);
    request.extend_from_slice(
        format!(" HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n").as_bytes(),
    );
    for (name, value) in headers {
        request.extend_from_slice(name.as_bytes());
        request.extend_from_slice(b": ");
        request.extend_from_slice(value);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    stream.write_all(&request).await.unwrap();
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response)).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}
