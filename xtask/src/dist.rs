//! `cargo xtask dist`: the release artefacts, in target/dist/, each with its size printed:
//!
//! - `redcap-resume`: the server, a stripped release build (no `demo` feature, so no REDCap
//!   simulator in it);
//! - `redcap-resume_<version>-1_<arch>.deb` (cargo-deb, [package.metadata.deb] in
//!   crates/server/Cargo.toml, maintainer scripts in deploy/debian/): the binary in /usr/bin,
//!   the unit in /lib/systemd/system (its `ExecStart=` pointed at /usr/bin), the example config
//!   as the conffile /etc/redcap-resume/config.toml, the system user made by postinst;
//! - `redcap-resume-widget-<version>.tar.gz`: the widget files the README publishes, each with
//!   its `.br` and `.gz` copy ([`precompressed`]), and their SHA256SUMS inside;
//! - `npm/`: the widget as an npm package (see [`npm`]);
//! - `SHA256SUMS` of the binary, the .deb and the tarball.

mod api;
pub mod files;
mod installed;
mod layout;
mod manifest;
mod npm;
pub mod precompressed;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use files::widget_files;
pub use installed::check_installed;
use layout::{HAND_BINARY, PACKAGE_BINARY};

use crate::process::{cargo, run, workspace_root};
use crate::tools::Tools;

/// The cargo-deb release `cargo xtask setup` installs.
pub const CARGO_DEB_VERSION: &str = "3.8.0";
/// What `cargo xtask dist` wrote.
pub struct Artefacts {
    pub deb: PathBuf,
}

pub fn out_dir() -> PathBuf {
    workspace_root().join("target/dist")
}

/// Installs cargo-deb when `cargo deb` is not the pinned release.
pub fn ensure_cargo_deb() -> Result<(), String> {
    let version = Command::new("cargo")
        .args(["deb", "--version"])
        .stderr(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if version.contains(CARGO_DEB_VERSION) {
        eprintln!("setup: {:<18} {CARGO_DEB_VERSION} present", "cargo-deb");
        return Ok(());
    }
    eprintln!(
        "setup: {:<18} installing {CARGO_DEB_VERSION} (builds the .deb in `cargo xtask dist`; ~2 min once)",
        "cargo-deb"
    );
    run(
        Command::new("cargo").args([
            "install",
            "--locked",
            &format!("cargo-deb@{CARGO_DEB_VERSION}"),
        ]),
        "cargo install cargo-deb",
    )
}

/// Whether `dist` builds the widget, or packs the dist/ that `cargo xtask test` just built.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Widget {
    Build,
    AlreadyBuilt,
}

/// Builds every artefact (the widget and the release server first) and prints their sizes.
pub fn dist(tools: &Tools, widget: Widget) -> Result<Artefacts, String> {
    let root = workspace_root();
    let out = out_dir();
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    if widget == Widget::Build {
        crate::widget::build(tools)?;
    }

    let started = Instant::now();
    run(
        cargo(tools).args(["build", "--release", "--locked", "-p", "redcap-resume"]),
        "cargo build --release -p redcap-resume",
    )?;
    eprintln!(
        "dist: release build in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let unstripped = root.join("target/release/redcap-resume");
    let binary = out.join("redcap-resume");
    run(
        Command::new("strip")
            .arg("--strip-all")
            .arg("-o")
            .arg(&binary)
            .arg(&unstripped),
        "strip",
    )?;
    eprintln!(
        "dist: server binary {} stripped (target/release/redcap-resume: {} unstripped)",
        size(&binary)?,
        size(&unstripped)?
    );

    let deb = deb(tools, &out)?;
    let tarball = widget_tarball(&root.join("dist"), &out)?;
    let npm_dir = out.join("npm");
    npm_package(&root, &npm_dir)?;

    sha256sums(
        &out,
        &["redcap-resume", &file_name(&deb), &file_name(&tarball)],
        &out.join("SHA256SUMS"),
    )?;
    eprintln!("dist: in {}:", out.display());
    for path in [&binary, &deb, &tarball] {
        eprintln!("  {:<44} {}", file_name(path), size(path)?);
    }
    eprintln!("  {:<44} (SHA-256 of the three above)", "SHA256SUMS");
    Ok(Artefacts { deb })
}

/// The unit as the package installs it (ExecStart= at [`PACKAGE_BINARY`]) and the .deb.
fn deb(tools: &Tools, out: &Path) -> Result<PathBuf, String> {
    let unit_src = workspace_root().join("deploy/redcap-resume.service");
    let unit =
        std::fs::read_to_string(&unit_src).map_err(|e| format!("{}: {e}", unit_src.display()))?;
    let packaged = packaged_unit(&unit)?;
    let assets = out.join("deb");
    std::fs::create_dir_all(&assets).map_err(|e| e.to_string())?;
    std::fs::write(assets.join("redcap-resume.service"), packaged).map_err(|e| e.to_string())?;
    for old in std::fs::read_dir(out).map_err(|e| e.to_string())?.flatten() {
        if old.path().extension().is_some_and(|x| x == "deb") {
            std::fs::remove_file(old.path()).map_err(|e| e.to_string())?;
        }
    }
    run(
        cargo(tools)
            .args([
                "deb",
                "-p",
                "redcap-resume",
                "--no-build",
                "--no-strip",
                "--output",
            ])
            .arg(out),
        "cargo deb",
    )?;
    std::fs::read_dir(out)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .ok_or_else(|| "cargo deb wrote no .deb".into())
}

/// deploy/redcap-resume.service with `ExecStart=` at the packaged binary; `Err` if the unit no
/// longer runs [`HAND_BINARY`] (then the package and the unit would disagree).
pub fn packaged_unit(unit: &str) -> Result<String, String> {
    let from = format!("ExecStart={HAND_BINARY} ");
    if unit.matches(&from).count() != 1 {
        return Err(format!(
            "deploy/redcap-resume.service: expected one `{from}…` line for the package to point at {PACKAGE_BINARY}"
        ));
    }
    Ok(unit.replace(&from, &format!("ExecStart={PACKAGE_BINARY} ")))
}

/// `redcap-resume-widget-<version>.tar.gz`: the files of [`widget_files`] and their SHA256SUMS
/// under one folder, owned by root, fixed dates (the same build gives the same bytes).
fn widget_tarball(dist: &Path, out: &Path) -> Result<PathBuf, String> {
    let folder = format!(
        "redcap-resume-widget-{}",
        version(&workspace_root().join("Cargo.toml"))?
    );
    let stage = out.join("stage");
    if stage.exists() {
        std::fs::remove_dir_all(&stage).map_err(|e| e.to_string())?;
    }
    let inner = stage.join(&folder);
    std::fs::create_dir_all(&inner).map_err(|e| e.to_string())?;
    // Each file with its compressed copies (`.br`, `.gz`), which web servers send as they are.
    let files: Vec<String> = widget_files()
        .flat_map(|f| {
            std::iter::once(f.to_owned())
                .chain(precompressed::SUFFIXES.map(|suffix| format!("{f}{suffix}")))
        })
        .collect();
    for f in &files {
        if let Some(folder) = inner.join(f).parent() {
            std::fs::create_dir_all(folder).map_err(|e| e.to_string())?;
        }
        std::fs::copy(dist.join(f), inner.join(f)).map_err(|e| {
            format!(
                "{}: {e} (the widget build writes it)",
                dist.join(f).display()
            )
        })?;
    }
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    sha256sums(&inner, &files, &inner.join("SHA256SUMS"))?;
    let tarball = out.join(format!("{folder}.tar.gz"));
    run(
        Command::new("tar")
            .args([
                "--sort=name",
                "--owner=0",
                "--group=0",
                "--numeric-owner",
                "--mtime=@0",
                "--mode=u=rw,go=r,a+X",
            ])
            .arg("-C")
            .arg(&stage)
            .arg("-czf")
            .arg(&tarball)
            .arg(&folder),
        "tar",
    )?;
    std::fs::remove_dir_all(&stage).map_err(|e| e.to_string())?;
    Ok(tarball)
}

fn npm_package(root: &Path, npm_dir: &Path) -> Result<(), String> {
    let read = |p: &str| std::fs::read_to_string(root.join(p)).map_err(|e| format!("{p}: {e}"));
    let element = api::ElementApi::parse(&read("src/lib.rs")?)?;
    let loader = read("www/redcap-resume.js")?;
    element.check_against_loader(&loader)?;
    let description = "The <redcap-resume> custom element: a \"Resume your survey\" card for REDCap participants (WebAssembly).";
    npm::write(
        npm_dir,
        &root.join("dist"),
        &element,
        &loader,
        &version(&root.join("Cargo.toml"))?,
        description,
    )?;
    let (files, packed) = npm::pack_dry_run(npm_dir)?;
    npm::check_files(&files)?;
    eprintln!(
        "dist: npm package {} ({} packed; npm pack --dry-run lists {})",
        npm_dir.display(),
        human(packed),
        files.join(", ")
    );
    Ok(())
}

/// `sha256sum` of `files` (names in `dir`) written to `to`, in sha256sum's format.
fn sha256sums(dir: &Path, files: &[&str], to: &Path) -> Result<(), String> {
    let out = Command::new("sha256sum")
        .args(files)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run sha256sum: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "sha256sum: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    std::fs::write(to, out.stdout).map_err(|e| format!("{}: {e}", to.display()))
}

/// The `version = "…"` of a Cargo.toml's `[package]`.
fn version(manifest: &Path) -> Result<String, String> {
    let text =
        std::fs::read_to_string(manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    text.split("[package]")
        .nth(1)
        .and_then(|p| {
            p.lines()
                .find_map(|l| l.trim().strip_prefix("version = \""))
        })
        .and_then(|v| v.strip_suffix('"'))
        .map(str::to_owned)
        .ok_or(format!("{}: no [package] version", manifest.display()))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn size(path: &Path) -> Result<String, String> {
    let bytes = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    Ok(human(bytes))
}

/// `12.3 MB (12,345,678 bytes)`, MB being 10^6 bytes.
fn human(bytes: u64) -> String {
    let digits = bytes.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if bytes >= 1_000_000 {
        format!("{:.1} MB ({grouped} bytes)", bytes as f64 / 1e6)
    } else {
        format!("{:.1} KB ({grouped} bytes)", bytes as f64 / 1e3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packaged_unit_runs_the_packaged_binary() {
        let unit =
            std::fs::read_to_string(workspace_root().join("deploy/redcap-resume.service")).unwrap();
        let packaged = packaged_unit(&unit).unwrap();
        assert!(packaged.contains("\nExecStart=/usr/bin/redcap-resume "));
        assert!(!packaged.contains("/usr/local/bin"));
        // Only that line differs.
        let changed: Vec<_> = unit
            .lines()
            .zip(packaged.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(changed.len(), 1, "{changed:?}");
    }

    #[test]
    fn the_readme_publishes_the_tarball_files() {
        let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
        for f in widget_files() {
            assert!(
                readme.contains(&format!("dist/{f}")),
                "README does not publish {f}"
            );
        }
    }

    #[test]
    fn the_deb_metadata_installs_where_the_unit_and_readme_say() {
        let toml =
            std::fs::read_to_string(workspace_root().join("crates/server/Cargo.toml")).unwrap();
        let deb = toml
            .split("[package.metadata.deb]")
            .nth(1)
            .expect("a [package.metadata.deb] table");
        assert!(deb.contains("\"usr/bin/redcap-resume\""));
        assert!(deb.contains("\"etc/redcap-resume/config.toml\", \"640\""));
        assert!(deb.contains("\"lib/systemd/system/redcap-resume.service\", \"644\""));
        assert!(deb.contains("conf-files = [\"/etc/redcap-resume/config.toml\"]"));
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human(16_512_345), "16.5 MB (16,512,345 bytes)");
        assert_eq!(human(999), "1.0 KB (999 bytes)");
    }
}
