//! A small REDCap stand-in for tests: answers each `POST` with `answer(form, port)` and keeps
//! every form it saw.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use redcap_client::{ApiToken, Client, ClientConfig, Url};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const TOKEN: &str = "0123456789ABCDEF0123456789ABCDEF";

pub type Form = Vec<(String, String)>;
pub type Answer = Arc<dyn Fn(&Form, u16) -> (u16, String) + Send + Sync>;

/// A server answering each request with `answer(form, port)`; it keeps every form it saw.
pub struct Stub {
    pub api_url: Url,
    pub port: u16,
    pub seen: Arc<Mutex<Vec<Form>>>,
}

impl Stub {
    pub async fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, answer.clone(), log.clone(), port));
            }
        });
        Self {
            api_url: Url::parse(&format!("http://127.0.0.1:{port}/api/")).unwrap(),
            port,
            seen,
        }
    }

    pub fn contents(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|form| value(form, "content").unwrap_or_default().to_owned())
            .collect()
    }

    pub fn client(&self, configure: impl FnOnce(&mut ClientConfig)) -> Client {
        let mut config = ClientConfig {
            timeout: Duration::from_secs(5),
            ..ClientConfig::new(self.api_url.clone(), ApiToken::parse(TOKEN).unwrap())
        };
        configure(&mut config);
        Client::new(config).unwrap()
    }
}

pub fn value<'a>(form: &'a Form, key: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

async fn serve(mut stream: TcpStream, answer: Answer, log: Arc<Mutex<Vec<Form>>>, port: u16) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let form: Form = url::form_urlencoded::parse(&buf[head_end..])
        .into_owned()
        .collect();
    let (status, body) = answer(&form, port);
    log.lock().unwrap().push(form);
    let out = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(out.as_bytes()).await;
    let _ = stream.shutdown().await;
}
