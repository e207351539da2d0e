//! A real `redis-server` for tests (Debian's package, installed by `cargo xtask setup`): on a
//! port picked at start, bound to 127.0.0.1, nothing persisted, stopped on drop.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::url::RedisUrl;

/// A running `redis-server` (stopped and its directory removed on drop).
pub struct RedisServer {
    port: u16,
    password: Option<String>,
    dir: PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one on a free port; panics with a hint when `redis-server` is missing.
    pub fn start() -> Self {
        Self::start_with(None)
    }

    /// Starts one that requires `password` (`requirepass`, the default user's AUTH).
    pub fn start_with_password(password: &str) -> Self {
        Self::start_with(Some(password.to_owned()))
    }

    fn start_with(password: Option<String>) -> Self {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir =
            std::env::temp_dir().join(format!("redcap-resume-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch directory for redis-server");
        let mut server = Self {
            port,
            password,
            dir,
            child: None,
        };
        server.restart();
        server
    }

    /// `redis://[:password@]127.0.0.1:port/0`.
    pub fn url(&self) -> RedisUrl {
        let auth = self
            .password
            .as_ref()
            .map(|p| format!(":{p}@"))
            .unwrap_or_default();
        format!("redis://{auth}127.0.0.1:{}/0", self.port)
            .parse()
            .expect("a valid URL")
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills it (SIGKILL: no goodbye to clients) and waits until it is gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it (again) on the same port, empty, and waits until it accepts connections.
    pub fn restart(&mut self) {
        self.kill();
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(password) = &self.password {
            cmd.args(["--requirepass", password]);
        }
        let child = cmd.spawn().unwrap_or_else(|e| {
            panic!("cannot start redis-server ({e}): install it with `cargo xtask setup` (Debian package redis-server)")
        });
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A plain connection for a test to look inside (KEYS, GET, INFO…).
    pub fn connection(&self) -> redis::Connection {
        redis::Client::open(self.url().expose())
            .and_then(|c| c.get_connection())
            .expect("a connection to the test redis-server")
    }

    /// Every key and its value, rendered as text (strings, list items, hash fields), to check
    /// what Redis holds.
    pub fn dump(&self) -> Vec<(String, String)> {
        let mut conn = self.connection();
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg("*")
            .query(&mut conn)
            .unwrap_or_default();
        keys.into_iter()
            .map(|key| {
                let kind: String = redis::cmd("TYPE")
                    .arg(&key)
                    .query(&mut conn)
                    .unwrap_or_default();
                let value = match kind.as_str() {
                    "string" => redis::cmd("GET")
                        .arg(&key)
                        .query::<Vec<u8>>(&mut conn)
                        .map(|b| String::from_utf8_lossy(&b).into_owned()),
                    "list" => redis::cmd("LRANGE")
                        .arg(&key)
                        .arg(0)
                        .arg(-1)
                        .query::<Vec<String>>(&mut conn)
                        .map(|v| v.join(",")),
                    "hash" => redis::cmd("HGETALL")
                        .arg(&key)
                        .query::<Vec<String>>(&mut conn)
                        .map(|v| v.join(",")),
                    other => Ok(format!("<{other}>")),
                }
                .unwrap_or_default();
                (key, value)
            })
            .collect()
    }

    /// Commands Redis has processed since it started (`INFO stats`), to count round trips.
    pub fn commands_processed(&self) -> u64 {
        let info: String = redis::cmd("INFO")
            .arg("stats")
            .query(&mut self.connection())
            .unwrap_or_default();
        info.lines()
            .find_map(|l| l.strip_prefix("total_commands_processed:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
