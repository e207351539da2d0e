//! `cargo xtask setup`: installs what the build and the tests need, and only what is missing.
//!
//! Each step checks first, so a second run takes seconds. Versions are pinned where the
//! toolchain is picky (see ../shared/TOOLCHAIN.md): trunk 0.21.14 (0.22 needs a newer rustc),
//! wasm-bindgen-cli at exactly the version in Cargo.lock, wasm-opt from npm binaryen 132 (never
//! Debian's binaryen, whose output fails in the browser), Debian's chromium + chromedriver,
//! Debian's redis-server (the replicas' shared state is tested against a real one).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process::{output_line, run, workspace_root};
use crate::tools::*;

fn say(step: &str, message: &str) {
    eprintln!("setup: {step:<18} {message}");
}

pub fn setup() -> Result<Tools, String> {
    let root = workspace_root();
    let tools_dir = root.join(".tools");
    let cargo_bin = cargo_home().join("bin");
    wasm_target()?;
    trunk(&cargo_bin)?;
    wasm_bindgen(&root, &cargo_bin)?;
    let binaryen_bin = npm_package(
        &tools_dir.join("binaryen"),
        "binaryen",
        BINARYEN_VERSION,
        "wasm-opt for trunk's release build",
    )?
    .join("node_modules/.bin");
    let axe_dir = npm_package(
        &tools_dir.join("axe"),
        "axe-core",
        AXE_VERSION,
        "accessibility checks in the browser tests",
    )?;
    let terser_dir = npm_package(
        &tools_dir.join("terser"),
        "terser",
        TERSER_VERSION,
        "minifies the widget's JavaScript (trunk's minifier cannot parse wasm-bindgen's glue)",
    )?;
    browser()?;
    nginx()?;
    redis()?;
    pycap(&tools_dir.join("pycap"))?;
    debian_tool(
        "php",
        "php-cli",
        "the test of the README's PHP ticket example",
    )?;
    debian_tool(
        "promtool",
        "prometheus",
        "the check of deploy/alerts.yml (promtool check rules)",
    )?;
    debian_tool(
        "strace",
        "strace",
        "the deploy check of the unit's system-call filter",
    )?;
    crate::fuzz::ensure_cargo_fuzz()?;
    debian_tool(
        "dpkg-shlibdeps",
        "dpkg-dev",
        "the .deb's library dependencies (cargo xtask dist)",
    )?;
    crate::dist::ensure_cargo_deb()?;
    Ok(Tools {
        cargo_bin,
        binaryen_bin,
        axe_js: axe_dir.join("node_modules/axe-core/axe.min.js"),
        terser: terser_dir.join("node_modules/.bin/terser"),
    })
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into())).join(".cargo")
        })
}

fn wasm_target() -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == "wasm32-unknown-unknown")
        })
        .unwrap_or(false);
    if installed {
        say("wasm32 target", "present");
        return Ok(());
    }
    say(
        "wasm32 target",
        "installing (the widget compiles to WebAssembly)",
    );
    run(
        Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
        "rustup target add wasm32-unknown-unknown",
    )
}

fn trunk(cargo_bin: &Path) -> Result<(), String> {
    let trunk = cargo_bin.join("trunk");
    let version =
        output_line(trunk.to_str().unwrap_or("trunk"), &["--version"]).unwrap_or_default();
    if version.split_whitespace().nth(1) == Some(TRUNK_VERSION) {
        say("trunk", &format!("{TRUNK_VERSION} present"));
        return Ok(());
    }
    say(
        "trunk",
        &format!("installing {TRUNK_VERSION} (builds the widget; takes ~10 min once)"),
    );
    run(
        Command::new("cargo").args(["install", "--locked", &format!("trunk@{TRUNK_VERSION}")]),
        "cargo install trunk",
    )
}

/// The wasm-bindgen version Cargo.lock resolved: the CLI must match it exactly.
pub fn locked_wasm_bindgen(root: &Path) -> Result<String, String> {
    let lock =
        std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
            {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

fn wasm_bindgen(root: &Path, cargo_bin: &Path) -> Result<(), String> {
    let wanted = locked_wasm_bindgen(root)?;
    let bin = cargo_bin.join("wasm-bindgen");
    let runner = cargo_bin.join("wasm-bindgen-test-runner");
    let version =
        output_line(bin.to_str().unwrap_or("wasm-bindgen"), &["--version"]).unwrap_or_default();
    if version.split_whitespace().nth(1) == Some(wanted.as_str()) && runner.exists() {
        say(
            "wasm-bindgen-cli",
            &format!("{wanted} present (matches Cargo.lock)"),
        );
        return Ok(());
    }
    say(
        "wasm-bindgen-cli",
        &format!("installing {wanted} (must equal Cargo.lock's wasm-bindgen; ~4 min once)"),
    );
    // Without --locked: its lock file wants a webpki-roots the registry no longer has.
    run(
        Command::new("cargo").args([
            "install",
            "--force",
            "wasm-bindgen-cli",
            "--version",
            &wanted,
        ]),
        "cargo install wasm-bindgen-cli",
    )
}

/// Installs one npm package into its own project-local folder; returns the folder.
fn npm_package(dir: &Path, name: &str, version: &str, why: &str) -> Result<PathBuf, String> {
    let manifest = dir.join("node_modules").join(name).join("package.json");
    let present = std::fs::read_to_string(&manifest)
        .is_ok_and(|t| t.contains(&format!("\"version\": \"{version}\"")));
    if present {
        say(name, &format!("{version} present"));
        return Ok(dir.to_owned());
    }
    if output_line("npm", &["--version"]).is_none() {
        return Err(format!("npm is needed to install {name} ({why}): install Node.js and npm (Debian: apt-get install -y nodejs npm)"));
    }
    say(
        name,
        &format!("installing {version} into {} ({why})", dir.display()),
    );
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    run(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(dir)
            .arg(format!("{name}@{version}")),
        &format!("npm install {name}"),
    )?;
    Ok(dir.to_owned())
}

fn browser() -> Result<(), String> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        say("chromium", "present (with chromedriver)");
        return Ok(());
    }
    apt_install(
        &["chromium", "chromium-driver"],
        "chromium",
        "the browser tests",
    )
}

/// Installs Debian packages when running as root; otherwise says what to install.
fn apt_install(packages: &[&str], step: &str, why: &str) -> Result<(), String> {
    let list = packages.join(" ");
    let is_root = output_line("id", &["-u"]).as_deref() == Some("0");
    if !is_root {
        return Err(format!(
            "{why} need Debian's {list}: run `sudo apt-get install -y {list}`"
        ));
    }
    say(step, &format!("installing Debian's {list} ({why})"));
    run(
        Command::new("apt-get").arg("update").arg("-q"),
        "apt-get update",
    )?;
    run(
        Command::new("apt-get")
            .args(["install", "-y", "-q"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
        &format!("apt-get install {list}"),
    )
}

/// nginx, to check the deployment example's syntax (`nginx -t`).
fn nginx() -> Result<(), String> {
    if output_line(NGINX, &["-v"]).is_some() {
        say("nginx", "present");
        return Ok(());
    }
    apt_install(
        &["nginx"],
        "nginx",
        "the check of deploy/nginx-location.conf (nginx -t)",
    )
}

/// redis-server, which the tests of replicas sharing state start on a port of their own
/// (crates/shared; Debian's package: Redis 7, the protocol Valkey speaks too).
fn redis() -> Result<(), String> {
    if output_line(REDIS_SERVER, &["--version"]).is_some() {
        say("redis-server", "present");
        return Ok(());
    }
    apt_install(
        &["redis-server"],
        "redis-server",
        "the tests of replicas sharing budgets, limits and the cache on Redis",
    )
}

/// A Python virtual environment with PyCap from PyPI, for the simulator's PyCap tests.
fn pycap(venv: &Path) -> Result<(), String> {
    let python = venv.join("bin/python");
    let version = output_line(
        python.to_str().unwrap_or("python"),
        &[
            "-c",
            "import importlib.metadata as m; print(m.version('pycap'))",
        ],
    );
    if version.as_deref() == Some(PYCAP_VERSION) {
        say("pycap", &format!("{PYCAP_VERSION} present"));
        return Ok(());
    }
    if output_line("python3", &["--version"]).is_none() {
        return Err("python3 is needed for the PyCap tests of the REDCap simulator: install it (Debian: apt-get install -y python3 python3-venv)".into());
    }
    say(
        "pycap",
        &format!(
            "installing {PYCAP_VERSION} into {} (a REDCap client the simulator's tests drive it with)",
            venv.display()
        ),
    );
    run(
        Command::new("python3").args(["-m", "venv"]).arg(venv),
        "python3 -m venv",
    )?;
    run(
        Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            &format!("pycap=={PYCAP_VERSION}"),
        ]),
        "pip install pycap",
    )
}

/// A Debian tool the tests run: present, or installed with apt.
fn debian_tool(program: &str, package: &str, why: &str) -> Result<(), String> {
    if output_line("sh", &["-c", &format!("command -v {program}")]).is_some() {
        say(program, "present");
        return Ok(());
    }
    apt_install(&[package], program, why)
}
