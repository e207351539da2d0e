//! `cargo xtask deploy`: the files in deploy/ checked the way an IT team installs them.
//!
//! - [`check_nginx`], [`check_systemd`]: `nginx -t` and `systemd-analyze verify`;
//! - [`check_alerts`]: `promtool check rules` on deploy/alerts.yml;
//! - [`check_install`]: the README's install steps run in a scratch root, then the installed
//!   unit's `ExecStart=` run as its non-root `User=` against the REDCap simulator, under
//!   strace, whose log is held against the unit's `SystemCallFilter=` (see [`sandbox`]).

mod alerts;
pub(crate) mod http;
mod install;
mod sandbox;
pub(crate) mod service;
mod syntax;
pub(crate) mod unit;

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

pub use alerts::check_alerts;
pub use syntax::{check_nginx, check_systemd};

use crate::process::{output_line, workspace_root};
use install::Root;
use service::{as_service_user, Running, Sim};
use unit::Unit;

const UNIT_PATH: &str = "/etc/systemd/system/redcap-resume.service";
const CONFIG_PATH: &str = "/etc/redcap-resume/config.toml";
const LOG_ROOT: &str = "/var/log";
/// A record the simulator has with `baseline_survey` in progress.
const RECORD: &str = "1001";

/// Installs as the README says (under target/deploy-check/root), starts the installed unit's
/// command as its user against `sim_bin`, and checks what a first start must do.
pub fn check_install(server_bin: &Path, sim_bin: &Path) -> Result<(), String> {
    if output_line("id", &["-u"]).as_deref() != Some("0") {
        return Err(
            "the install check creates a system user and runs as it: run it as root".into(),
        );
    }
    let workspace = workspace_root();
    let readme = std::fs::read_to_string(workspace.join("README.md")).map_err(|e| e.to_string())?;
    let root = Root {
        dir: workspace.join("target/deploy-check/root"),
    };
    let sim = Sim::start(sim_bin)?;
    install::run_steps(&readme, &root, server_bin, &sim.token)?;
    let rows = install::expected_modes(&readme);
    let (logs, installed): (Vec<_>, Vec<_>) =
        rows.iter().partition(|r| r.path.starts_with(LOG_ROOT));
    for row in &installed {
        install::check_mode(&root, row)?;
    }
    eprintln!(
        "deploy: {} installed paths have the README's owners and modes",
        installed.len()
    );

    let unit_text =
        std::fs::read_to_string(root.path(UNIT_PATH)).map_err(|e| format!("{UNIT_PATH}: {e}"))?;
    let unit = Unit::parse(&unit_text)?;
    logs_directory(&root, &unit)?;
    let port = service::free_port()?;
    edit_config(&root, &sim.api_url, port)?;
    let exec: Vec<String> = unit.exec_start.iter().map(|a| root.rewrite(a)).collect();
    let binary = exec[0].clone();
    let config = root.path(CONFIG_PATH).display().to_string();
    if !exec.contains(&config) {
        return Err(format!("ExecStart= does not read {CONFIG_PATH}: {exec:?}"));
    }

    let check = as_service_user(
        &unit,
        &[
            binary.clone(),
            "check".into(),
            "--config".into(),
            config.clone(),
        ],
    )
    .output()
    .map_err(|e| format!("cannot run check: {e}"))?;
    if !check.status.success() {
        return Err(format!(
            "`redcap-resume check` as {} failed: {}{}",
            unit.user,
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        ));
    }
    eprintln!("deploy: `redcap-resume check` passes as {}", unit.user);

    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let log = root.dir.join("serve.log");
    let trace = traces_folder(&root, &unit)?.join("serve.strace");
    let traced = sandbox::traced(&trace, &exec);
    let mut server = Running::start(as_service_user(&unit, &traced), addr, &log)?;
    let up = server.wait_healthy(Duration::from_secs(15))?;
    expect_status(
        addr,
        "/readyz",
        &[],
        200,
        "REDCap reachable with the token from the file",
    )?;
    let ticket = mint_ticket(&unit, &binary, &config)?;
    let bearer = format!("Bearer {ticket}");
    let answer = http::get(
        addr,
        "/redcap-resume/api/surveys/baseline",
        &[
            ("X-CSRF", "1"),
            ("Sec-Fetch-Site", "same-origin"),
            ("Authorization", &bearer),
        ],
    )?;
    if answer.status != 200 || !answer.body.contains("return_code") {
        return Err(format!(
            "a participant's request got {} without a return code; server said: {}",
            answer.status,
            server.output().trim()
        ));
    }
    for row in &logs {
        install::check_mode(&root, row)?;
    }
    let stopped = server.stop(Duration::from_secs(20))?;
    let trace_text =
        std::fs::read_to_string(&trace).map_err(|e| format!("{}: {e}", trace.display()))?;
    let (calls, allowed) = sandbox::compare(&unit, &trace_text)?;
    eprintln!(
        "deploy: the {calls} system calls the server made are all in the unit's filter ({allowed} allowed), its sockets in RestrictAddressFamilies="
    );
    eprintln!(
        "deploy: ExecStart as {} (umask {}): /healthz after {} ms, /readyz 200, a return code \
         handed out and audited, SIGTERM exit in {} ms",
        unit.user,
        unit.umask,
        up.as_millis(),
        stopped.as_millis()
    );

    unreadable_config_is_named(&root, &unit, &exec, addr)
}

/// A folder the service user can write strace's log to.
fn traces_folder(root: &Root, unit: &Unit) -> Result<std::path::PathBuf, String> {
    let dir = root.dir.join("strace");
    crate::process::run(
        Command::new("install")
            .args(["-d", "-m", "0700", "-o", &unit.user, "-g", &unit.group])
            .arg(&dir),
        "install -d (strace log folder)",
    )?;
    Ok(dir)
}

/// systemd creates `LogsDirectory=` under /var/log, owned by `User=`, before ExecStart.
fn logs_directory(root: &Root, unit: &Unit) -> Result<(), String> {
    let dir = root.path(&format!("{LOG_ROOT}/{}", unit.logs_directory));
    crate::process::run(
        Command::new("install")
            .args([
                "-d",
                "-m",
                &unit.logs_directory_mode,
                "-o",
                &unit.user,
                "-g",
                &unit.group,
            ])
            .arg(&dir),
        "install -d (LogsDirectory=)",
    )
}

/// The operator's edit of config.toml: REDCap's URL (here the simulator), a free port, and the
/// installed paths moved under the scratch root. Owner and mode stay as installed.
fn edit_config(root: &Root, api_url: &str, port: u16) -> Result<(), String> {
    let path = root.path(CONFIG_PATH);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut edited = root.rewrite(&text);
    for (from, to) in [
        (
            "url = \"https://redcap.example.edu/api/\"".to_owned(),
            format!("url = \"{api_url}\""),
        ),
        (
            "listen = \"127.0.0.1:8080\"".to_owned(),
            format!("listen = \"127.0.0.1:{port}\""),
        ),
    ] {
        if !edited.contains(&from) {
            return Err(format!("deploy/config.example.toml no longer has `{from}`"));
        }
        edited = edited.replace(&from, &to);
    }
    std::fs::write(&path, edited).map_err(|e| format!("{}: {e}", path.display()))
}

/// `redcap-resume ticket` as the service user: the portal's ticket for [`RECORD`].
fn mint_ticket(unit: &Unit, binary: &str, config: &str) -> Result<String, String> {
    let args: Vec<String> = [
        binary, "ticket", "--config", config, "--record", RECORD, "--ttl", "5m",
    ]
    .map(str::to_owned)
    .to_vec();
    let out = as_service_user(unit, &args)
        .output()
        .map_err(|e| format!("cannot run ticket: {e}"))?;
    let ticket = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if out.status.success() && !ticket.is_empty() {
        Ok(ticket)
    } else {
        Err(format!(
            "`redcap-resume ticket` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn expect_status(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    want: u16,
    meaning: &str,
) -> Result<(), String> {
    let answer = http::get(addr, path, headers)?;
    if answer.status == want {
        Ok(())
    } else {
        Err(format!(
            "{path} answered {} ({meaning} expected {want})",
            answer.status
        ))
    }
}

/// The failure the issue met (a config.toml only root can read): start-up stops with an error
/// that names the file and the cause.
fn unreadable_config_is_named(
    root: &Root,
    unit: &Unit,
    exec: &[String],
    addr: SocketAddr,
) -> Result<(), String> {
    let path = root.path(CONFIG_PATH);
    crate::process::run(
        Command::new("chown").arg("root:root").arg(&path),
        "chown root:root config.toml",
    )?;
    crate::process::run(
        Command::new("chmod").arg("0600").arg(&path),
        "chmod 0600 config.toml",
    )?;
    let log = root.dir.join("serve-unreadable.log");
    let mut server = Running::start(as_service_user(unit, exec), addr, &log)?;
    let (ok, output) = server.wait_exit(Duration::from_secs(10))?;
    let named =
        output.contains(&path.display().to_string()) && output.contains("Permission denied");
    if !ok && named {
        eprintln!(
            "deploy: a root-only config.toml stops start-up: {}",
            output.trim()
        );
        Ok(())
    } else {
        Err(format!(
            "with a root-only config.toml the server should exit naming the file; it said: {}",
            output.trim()
        ))
    }
}

/// Builds the server and the simulator binaries the checks run (target/debug).
pub fn build(mut cargo: Command) -> Result<(), String> {
    crate::process::run(
        cargo.args([
            "build",
            "--quiet",
            "-p",
            "redcap-resume",
            "-p",
            "redcap-sim",
        ]),
        "cargo build -p redcap-resume -p redcap-sim",
    )
}

/// `cargo xtask deploy`: builds the server and the simulator, then runs every deploy check.
/// Needs root and Debian's nginx (`cargo xtask setup` installs it), nothing else from setup.
pub fn run_all() -> Result<(), String> {
    let target = workspace_root().join("target/debug");
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.current_dir(workspace_root());
    build(cargo)?;
    let checks = [
        ("nginx -t", check_nginx()),
        ("promtool check rules", check_alerts()),
        (
            "systemd-analyze verify and security",
            check_systemd(&target.join("redcap-resume")),
        ),
        (
            "install and first start",
            check_install(&target.join("redcap-resume"), &target.join("redcap-sim")),
        ),
    ];
    let failed: Vec<String> = checks
        .into_iter()
        .filter_map(|(name, result)| result.err().map(|e| format!("{name}: {e}")))
        .collect();
    if failed.is_empty() {
        eprintln!("deploy: every check passed");
        Ok(())
    } else {
        Err(failed.join("\n"))
    }
}
