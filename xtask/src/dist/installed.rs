//! The CI check of the .deb: installed with `dpkg -i` as an IT team would, its files' owners
//! and modes held against the README, the operator's two secrets and config edit made, then the
//! *installed* binary run from the *installed* unit's `ExecStart=` as its user against the REDCap
//! simulator (`check`, then `serve` until /readyz answers 200); finally `dpkg -r` and
//! `dpkg --purge`, checking what each leaves, so the machine is as before.

use std::net::SocketAddr;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::layout::PACKAGE_BINARY;
use crate::deploy::service::{as_service_user, free_port, Running, Sim};
use crate::deploy::unit::Unit;
use crate::process::{output_line, run, workspace_root};

const PACKAGE: &str = "redcap-resume";
const UNIT: &str = "/lib/systemd/system/redcap-resume.service";
const ETC: &str = "/etc/redcap-resume";
const CONFIG: &str = "/etc/redcap-resume/config.toml";
const SECRETS: [&str; 2] = [
    "/etc/redcap-resume/redcap_token",
    "/etc/redcap-resume/ticket_secret",
];
const LOGS: &str = "/var/log/redcap-resume";

/// Installs `deb`, runs it against `sim_bin`, removes it. Needs root and a machine where the
/// package is not installed (it refuses to touch a real installation).
pub fn check_installed(deb: &Path, sim_bin: &Path) -> Result<(), String> {
    if output_line("id", &["-u"]).as_deref() != Some("0") {
        return Err("installing the .deb needs root".into());
    }
    if installed() || Path::new(ETC).exists() || Path::new(PACKAGE_BINARY).exists() {
        return Err(format!(
            "{PACKAGE} is already installed here ({ETC} or {PACKAGE_BINARY} exists): the check installs and purges it, so it runs only where it is absent"
        ));
    }
    let sim = Sim::start(sim_bin)?;
    let package = Installed::install(deb)?;
    let exercised = exercise(&sim);
    let removed = package.remove_then_purge();
    exercised.and(removed)
}

fn installed() -> bool {
    output_line("dpkg-query", &["-W", "-f=${Status}", PACKAGE])
        .is_some_and(|s| s.ends_with(" installed"))
}

/// The installed package; purged on drop if a check failed before [`Installed::remove_then_purge`].
struct Installed {
    done: bool,
}

impl Installed {
    fn install(deb: &Path) -> Result<Installed, String> {
        run(Command::new("dpkg").arg("-i").arg(deb), "dpkg -i")?;
        eprintln!("dist: dpkg -i {} installed it", deb.display());
        Ok(Installed { done: false })
    }

    /// `dpkg -r`: program and unit gone, the edited conffile kept; `dpkg --purge`: the
    /// configuration folder gone. The log folder the check made is removed too.
    fn remove_then_purge(mut self) -> Result<(), String> {
        self.done = true;
        let removed = run(Command::new("dpkg").args(["-r", PACKAGE]), "dpkg -r").and_then(|()| {
            for gone in [PACKAGE_BINARY, UNIT] {
                if Path::new(gone).exists() {
                    return Err(format!("dpkg -r left {gone}"));
                }
            }
            if !Path::new(CONFIG).exists() {
                return Err(format!(
                    "dpkg -r removed the conffile {CONFIG} (only a purge may)"
                ));
            }
            Ok(())
        });
        let purged = run(
            Command::new("dpkg").args(["--purge", PACKAGE]),
            "dpkg --purge",
        )
        .and_then(|()| match (Path::new(ETC).exists(), installed()) {
            (false, false) => Ok(()),
            (true, _) => Err(format!("dpkg --purge left {ETC}")),
            (_, true) => Err(format!("dpkg --purge left {PACKAGE} installed")),
        });
        _ = std::fs::remove_dir_all(LOGS);
        removed?;
        purged?;
        eprintln!("dist: dpkg -r kept {CONFIG}, dpkg --purge removed {ETC}; nothing of the package is left");
        Ok(())
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        if !self.done {
            _ = Command::new("dpkg").args(["--purge", PACKAGE]).status();
            _ = std::fs::remove_dir_all(LOGS);
        }
    }
}

fn exercise(sim: &Sim) -> Result<(), String> {
    let unit_text = std::fs::read_to_string(UNIT).map_err(|e| format!("{UNIT}: {e}"))?;
    let unit = Unit::parse(&unit_text)?;
    if unit.exec_start.first().map(String::as_str) != Some(PACKAGE_BINARY)
        || !unit.exec_start.iter().any(|a| a == CONFIG)
    {
        return Err(format!(
            "the installed unit runs {:?}, not {PACKAGE_BINARY} with {CONFIG}",
            unit.exec_start
        ));
    }
    let shell = output_line("getent", &["passwd", &unit.user]).unwrap_or_default();
    if !shell.ends_with(":/usr/sbin/nologin") {
        return Err(format!(
            "postinst made no system user `{}` without a shell: {shell:?}",
            unit.user
        ));
    }
    let gid = id(&["-g", &unit.user])?;
    for (path, uid, gid, mode) in [
        (PACKAGE_BINARY, 0, 0, 0o755),
        (UNIT, 0, 0, 0o644),
        (ETC, 0, gid, 0o750),
        (CONFIG, 0, gid, 0o640),
    ] {
        owner_and_mode(path, uid, gid, mode)?;
    }
    let conffiles = Command::new("dpkg-query")
        .args(["-W", "-f=${Conffiles}", PACKAGE])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if !conffiles.contains(CONFIG) {
        return Err(format!(
            "{CONFIG} is not a conffile of the package: {conffiles:?}"
        ));
    }
    eprintln!("dist: the package installed {PACKAGE_BINARY}, {UNIT} and {CONFIG} (conffile) with the README's owners and modes, and the user {}", unit.user);

    let port = free_port()?;
    operator_setup(&unit, &sim.token, &sim.api_url, port)?;
    let check = as_service_user(
        &unit,
        &[
            PACKAGE_BINARY.into(),
            "check".into(),
            "--config".into(),
            CONFIG.into(),
        ],
    )
    .output()
    .map_err(|e| format!("cannot run check: {e}"))?;
    let said = String::from_utf8_lossy(&check.stdout).into_owned()
        + &String::from_utf8_lossy(&check.stderr);
    if !check.status.success() {
        return Err(format!(
            "the installed `redcap-resume check` failed: {said}"
        ));
    }
    eprintln!(
        "dist: the installed `redcap-resume check` passes as {}: {}",
        unit.user,
        said.trim().lines().last().unwrap_or("")
    );

    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let dir = workspace_root().join("target/dist-check");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut server = Running::start(
        as_service_user(&unit, &unit.exec_start),
        addr,
        &dir.join("serve.log"),
    )?;
    let up = server.wait_healthy(Duration::from_secs(15))?;
    let ready = crate::deploy::http::get(addr, "/readyz", &[])?;
    if ready.status != 200 {
        return Err(format!(
            "/readyz answered {}: {}",
            ready.status,
            server.output().trim()
        ));
    }
    let stopped = server.stop(Duration::from_secs(20))?;
    eprintln!(
        "dist: the installed unit's ExecStart as {}: /healthz after {} ms, /readyz 200 (the simulator reached with the token), SIGTERM exit in {} ms",
        unit.user,
        up.as_millis(),
        stopped.as_millis()
    );
    Ok(())
}

/// What the README has the operator do after installing: the two secrets root:group 0640,
/// REDCap's URL (the simulator) and a free port in config.toml, and what systemd does at start
/// (the `LogsDirectory=`).
fn operator_setup(unit: &Unit, token: &str, api_url: &str, port: u16) -> Result<(), String> {
    let group = format!("root:{}", unit.group);
    for secret in SECRETS {
        run(
            Command::new("install").args([
                "-m",
                "0640",
                "-o",
                "root",
                "-g",
                &unit.group,
                "/dev/null",
                secret,
            ]),
            "install (a secret file)",
        )?;
    }
    std::fs::write(SECRETS[0], format!("{token}\n")).map_err(|e| format!("{}: {e}", SECRETS[0]))?;
    run(
        Command::new("sh").args([
            "-c",
            &format!("head -c 48 /dev/urandom | base64 -w 0 > {}", SECRETS[1]),
        ]),
        "the ticket secret",
    )?;
    let text = std::fs::read_to_string(CONFIG).map_err(|e| format!("{CONFIG}: {e}"))?;
    let mut edited = text.clone();
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
            return Err(format!("the installed {CONFIG} has no `{from}`"));
        }
        edited = edited.replace(&from, &to);
    }
    std::fs::write(CONFIG, edited).map_err(|e| format!("{CONFIG}: {e}"))?;
    for secret in SECRETS {
        owner_and_mode(secret, 0, id(&["-g", &unit.user])?, 0o640)
            .map_err(|e| format!("{e} (wanted {group})"))?;
    }
    run(
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
            .arg(format!("/var/log/{}", unit.logs_directory)),
        "install -d (LogsDirectory=)",
    )
}

fn id(args: &[&str]) -> Result<u32, String> {
    output_line("id", args)
        .and_then(|s| s.parse().ok())
        .ok_or(format!("id {args:?}: no such user"))
}

fn owner_and_mode(path: &str, uid: u32, gid: u32, mode: u32) -> Result<(), String> {
    let m = std::fs::metadata(path).map_err(|e| format!("{path}: {e}"))?;
    let got = (m.uid(), m.gid(), m.mode() & 0o7777);
    if got == (uid, gid, mode) {
        Ok(())
    } else {
        Err(format!(
            "{path} is {}:{} {:04o}, the README says {uid}:{gid} {mode:04o}",
            got.0, got.1, got.2
        ))
    }
}
