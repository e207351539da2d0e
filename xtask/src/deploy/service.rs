//! The installed unit's command, run as its `User=` with its `UMask=` and `Environment=`
//! (what systemd would do, minus the sandbox), and the REDCap simulator it talks to.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::unit::Unit;

/// `redcap-sim` on a free loopback port; killed on drop.
pub struct Sim {
    child: Child,
    /// The API URL it printed, like `http://127.0.0.1:41234/api/`.
    pub api_url: String,
    /// The first token it printed (the demo project's, with survey rights).
    pub token: String,
}

impl Sim {
    pub fn start(binary: &Path) -> Result<Sim, String> {
        let mut child = Command::new(binary)
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let out = child.stdout.take().ok_or("no simulator stdout")?;
        let (mut api_url, mut token) = (None, None);
        let mut lines = BufReader::new(out).lines();
        for line in lines.by_ref().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("API URL:") {
                api_url = Some(url.trim().to_owned());
            } else if let Some(rest) = line.strip_prefix("tokens:") {
                token = rest.split_whitespace().next().map(str::to_owned);
                break;
            }
        }
        // Keep reading: a closed pipe would make the simulator's next print fail.
        std::thread::spawn(move || lines.for_each(drop));
        match (api_url, token) {
            (Some(api_url), Some(token)) => Ok(Sim {
                child,
                api_url,
                token,
            }),
            _ => {
                _ = child.kill();
                _ = child.wait();
                Err("the simulator printed no API URL and token".into())
            }
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        _ = self.child.kill();
        _ = self.child.wait();
    }
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// `args` run as the unit's user and group (with that user's supplementary groups), no
/// capabilities, no new privileges, the unit's umask and only the unit's environment.
pub fn as_service_user(unit: &Unit, args: &[String]) -> Command {
    let mut c = Command::new("setpriv");
    c.arg(format!("--reuid={}", unit.user))
        .arg(format!("--regid={}", unit.group))
        .args([
            "--init-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
        ])
        .args(["/bin/sh", "-c", "umask \"$0\" && exec \"$@\"", &unit.umask])
        .args(args)
        .env_clear()
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .current_dir("/");
    for (name, value) in &unit.environment {
        c.env(name, value);
    }
    c
}

/// The server started by [`as_service_user`], its output going to a log file; killed on drop.
pub struct Running {
    child: Child,
    pub addr: SocketAddr,
    log: PathBuf,
}

impl Running {
    pub fn start(mut command: Command, addr: SocketAddr, log: &Path) -> Result<Running, String> {
        let file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = file.try_clone().map_err(|e| e.to_string())?;
        let child = command
            .stdout(file)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot run setpriv: {e}"))?;
        Ok(Running {
            child,
            addr,
            log: log.to_owned(),
        })
    }

    /// The server's output so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until `GET /healthz` answers 200; `Err` with the server's output if it exits or
    /// `within` passes first.
    pub fn wait_healthy(&mut self, within: Duration) -> Result<Duration, String> {
        let started = Instant::now();
        while started.elapsed() < within {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "the server exited ({status}): {}",
                    self.output().trim()
                ));
            }
            if super::http::get(self.addr, "/healthz", &[]).is_ok_and(|a| a.status == 200) {
                return Ok(started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!(
            "/healthz did not answer 200 within {within:?}: {}",
            self.output().trim()
        ))
    }

    /// Waits for the process to exit by itself (a start-up failure); its status and output.
    pub fn wait_exit(&mut self, within: Duration) -> Result<(bool, String), String> {
        let started = Instant::now();
        while started.elapsed() < within {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Ok((status.success(), self.output()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!(
            "still running after {within:?}: {}",
            self.output().trim()
        ))
    }

    /// The server's process: the child itself, or the child's own child when the child is
    /// a tracer (`strace` forks the server).
    fn server_pid(&self) -> u32 {
        let pid = self.child.id();
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .ok()
            .and_then(|c| c.split_whitespace().next().and_then(|p| p.parse().ok()))
            .unwrap_or(pid)
    }

    /// SIGTERM (the unit's KillSignal=), then waits for a clean exit; how long it took.
    pub fn stop(&mut self, within: Duration) -> Result<Duration, String> {
        let started = Instant::now();
        crate::process::run(
            Command::new("kill").args(["-TERM", &self.server_pid().to_string()]),
            "kill -TERM",
        )?;
        let (ok, output) = self.wait_exit(within)?;
        if ok {
            Ok(started.elapsed())
        } else {
            Err(format!(
                "the server did not exit cleanly on SIGTERM: {}",
                output.trim()
            ))
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            _ = self.child.kill();
            _ = self.child.wait();
        }
    }
}
