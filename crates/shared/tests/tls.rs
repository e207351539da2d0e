//! `rediss://` against a real redis-server that speaks TLS only (Debian's package is built
//! with TLS): a certificate authority and a server certificate for 127.0.0.1 made here
//! (rcgen), the CA trusted through `SSL_CERT_FILE` (the redis crate's rustls reads the
//! system's roots with rustls-native-certs, which honours it). Trusted: the replica shares;
//! not trusted: it goes on alone and the log names the certificate problem, never the
//! password. One test in its own binary: `SSL_CERT_FILE` is process-wide.

mod common;

use std::io::Write;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::FAST;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use redcap_resume_shared::{RedisUrl, Shared, SharedCache};

const PASSWORD: &str = "tls-test-password-7f3a";

/// A redis-server with TLS only (`--port 0`), stopped on drop.
struct TlsRedis {
    port: u16,
    dir: PathBuf,
    child: Child,
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Makes a CA and a server certificate for 127.0.0.1 in `dir`; returns the CA's PEM file.
fn certificates(dir: &Path) -> PathBuf {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Example University Redis Test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&key, &ca_cert, &ca_key)
        .unwrap();
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(dir.join("server.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("server.key"), key.serialize_pem()).unwrap();
    dir.join("ca.pem")
}

fn start_tls_redis() -> (TlsRedis, PathBuf) {
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("redcap-resume-redis-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = certificates(&dir);
    let child = Command::new("redis-server")
        .args(["--port", "0", "--tls-port", &port.to_string()])
        .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .arg("--tls-cert-file")
        .arg(dir.join("server.pem"))
        .arg("--tls-key-file")
        .arg(dir.join("server.key"))
        .arg("--tls-ca-cert-file")
        .arg(&ca)
        .args(["--tls-auth-clients", "no", "--requirepass", PASSWORD])
        .arg("--dir")
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server (cargo xtask setup installs it)");
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "redis-server with TLS did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (TlsRedis { port, dir, child }, ca)
}

/// Log lines, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rediss_works_when_the_ca_is_trusted_and_fails_clearly_when_not() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();
    let (redis, ca) = start_tls_redis();
    let url: RedisUrl = format!("rediss://:{PASSWORD}@127.0.0.1:{}/0", redis.port)
        .parse()
        .unwrap();
    assert!(
        !format!("{url:?}").contains(PASSWORD),
        "the URL's secret is redacted"
    );

    // Not trusted: the system's roots do not hold the test CA.
    std::env::remove_var("SSL_CERT_FILE");
    let untrusted = Shared::connect(url.clone(), 3, "tls", FAST).await;
    assert!(!untrusted.is_shared(), "an unknown CA is refused");
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.to_lowercase().contains("certificate"),
        "the log names the certificate problem: {text}"
    );
    assert!(
        !text.contains(PASSWORD),
        "the password is never logged: {text}"
    );

    // Trusted through SSL_CERT_FILE.
    std::env::set_var("SSL_CERT_FILE", &ca);
    let one = Shared::connect(url.clone(), 3, "tls", FAST).await;
    let other = Shared::connect(url, 3, "tls", FAST).await;
    assert!(
        one.is_shared() && other.is_shared(),
        "rediss:// with a trusted CA shares"
    );
    // Written through one link, read through the other: it went through Redis over TLS.
    let written = SharedCache::<String>::new(&one, "codes", 10);
    let read = SharedCache::<String>::new(&other, "codes", 10);
    written
        .insert("k", &"over TLS".into(), Duration::from_secs(60), None)
        .await;
    assert_eq!(read.get("k").await.as_deref(), Some("over TLS"));
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        !text.contains(PASSWORD),
        "the password is never logged: {text}"
    );
}
