//! The README's install steps ("Installing it"), run as written in a scratch root: the block
//! after [`MARKER`] is the script, and the table "Where each file goes" is what it must produce.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The comment that precedes the install block in README.md.
pub const MARKER: &str = "<!-- `cargo xtask deploy` runs this block";
/// The system folders the README installs into; the check moves each under the scratch root.
const MOVED: [&str; 4] = [
    "/etc/redcap-resume",
    "/etc/systemd/system",
    "/usr/local/bin",
    "/var/log/redcap-resume",
];
/// Folders any Debian system has before the steps run.
const STANDARD: [&str; 3] = ["etc/systemd/system", "usr/local/bin", "var/log"];

/// A scratch folder standing in for `/`.
pub struct Root {
    pub dir: PathBuf,
}

impl Root {
    /// Where a system path lands under the scratch root.
    pub fn path(&self, system_path: &str) -> PathBuf {
        self.dir.join(system_path.trim_start_matches('/'))
    }

    /// `text` with every installed system path moved under the scratch root.
    pub fn rewrite(&self, text: &str) -> String {
        MOVED.iter().fold(text.to_owned(), |t, p| {
            t.replace(p, &self.path(p).display().to_string())
        })
    }

    /// Empties the scratch root and creates the standard folders, all reachable by any user
    /// (the service user must walk through them, as it walks through `/` and `/etc`).
    pub fn fresh(&self) -> Result<(), String> {
        match std::fs::remove_dir_all(&self.dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot empty {}: {e}", self.dir.display())),
        }
        for dir in STANDARD {
            std::fs::create_dir_all(self.dir.join(dir))
                .map_err(|e| format!("cannot create {dir} in the scratch root: {e}"))?;
        }
        for dir in STANDARD.iter().flat_map(|d| {
            self.dir
                .join(d)
                .ancestors()
                .map(Path::to_owned)
                .collect::<Vec<_>>()
        }) {
            let Ok(meta) = std::fs::metadata(&dir) else {
                continue;
            };
            if dir.starts_with(&self.dir) {
                std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))
                    .map_err(|e| format!("chmod {}: {e}", dir.display()))?;
            } else if meta.permissions().mode() & 0o001 == 0 {
                return Err(format!(
                    "the scratch root {} is not reachable by other users: {} is mode {:o}",
                    self.dir.display(),
                    dir.display(),
                    meta.permissions().mode() & 0o7777
                ));
            }
        }
        Ok(())
    }
}

/// The shell block that follows [`MARKER`] in the README.
pub fn readme_block(readme: &str) -> Result<String, String> {
    let after = readme
        .split_once(MARKER)
        .ok_or("README.md has no install block (its marker comment is gone)")?
        .1;
    let body = after
        .split_once("```sh\n")
        .ok_or("README.md: no ```sh block after the install marker")?
        .1;
    let (block, _) = body
        .split_once("\n```")
        .ok_or("README.md: the install block is not closed")?;
    Ok(block.to_owned())
}

/// Runs the README's block with the built binary in place of `target/release/redcap-resume`,
/// the installed paths under `root`, and `token` as the REDCap API token.
pub fn run_steps(readme: &str, root: &Root, binary: &Path, token: &str) -> Result<(), String> {
    let block = readme_block(readme)?;
    const RELEASE: &str = "target/release/redcap-resume";
    if !block.contains(RELEASE) {
        return Err(format!(
            "the README's install block no longer installs {RELEASE}"
        ));
    }
    let script = root.rewrite(&block.replace(RELEASE, &binary.display().to_string()));
    root.fresh()?;
    eprintln!(
        "deploy: running the README's install steps under {}",
        root.dir.display()
    );
    let out = Command::new("sh")
        .args(["-eu", "-c", &script])
        .current_dir(crate::process::workspace_root())
        .env("REDCAP_API_TOKEN", token)
        .output()
        .map_err(|e| format!("cannot run sh: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "the README's install steps failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// One row of the README's "Where each file goes" table: a system path and the
/// `owner:group` and octal mode it must have.
#[derive(Debug, PartialEq)]
pub struct Expected {
    pub path: String,
    pub owner: String,
    pub mode: String,
}

/// The table's rows for paths the install steps (or the running service) create.
pub fn expected_modes(readme: &str) -> Vec<Expected> {
    readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // "", file, installed as, owner and mode, ""
            let [_, _, place, access, _] = cells.as_slice() else {
                return None;
            };
            let path = place.strip_prefix('`')?.strip_suffix('`')?;
            MOVED.iter().any(|m| path.starts_with(m)).then_some(())?;
            let (owner, rest) = access.split_once(',')?;
            let mode = rest.split_whitespace().next()?;
            Some(Expected {
                path: path.to_owned(),
                owner: owner.to_owned(),
                mode: mode.to_owned(),
            })
        })
        .collect()
}

/// Compares a file's owner and mode under `root` with the README's row.
pub fn check_mode(root: &Root, row: &Expected) -> Result<(), String> {
    let path = root.path(&row.path);
    let out = Command::new("stat")
        .args(["-c", "%U:%G %a"])
        .arg(&path)
        .output()
        .map_err(|e| format!("cannot run stat: {e}"))?;
    let seen = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let want = format!("{} {}", row.owner, row.mode.trim_start_matches('0'));
    if out.status.success() && seen == want {
        Ok(())
    } else {
        Err(format!(
            "{}: the README says {} {}, installed as {seen:?}",
            row.path, row.owner, row.mode
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readme() -> String {
        std::fs::read_to_string(crate::process::workspace_root().join("README.md")).unwrap()
    }

    #[test]
    fn the_readme_has_an_install_block_and_a_mode_table() {
        let block = readme_block(&readme()).unwrap();
        assert!(block.contains("useradd --system"), "{block}");
        let rows = expected_modes(&readme());
        let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
        for p in [
            "/usr/local/bin/redcap-resume",
            "/etc/redcap-resume",
            "/etc/redcap-resume/config.toml",
            "/etc/redcap-resume/redcap_token",
            "/etc/redcap-resume/ticket_secret",
            "/var/log/redcap-resume/audit.jsonl",
        ] {
            assert!(paths.contains(&p), "{p} missing from {paths:?}");
        }
        let config = rows
            .iter()
            .find(|r| r.path.ends_with("config.toml"))
            .unwrap();
        assert_eq!(
            (config.owner.as_str(), config.mode.as_str()),
            ("root:redcap-resume", "0640")
        );
    }

    #[test]
    fn rewrites_only_the_installed_paths() {
        let root = Root {
            dir: "/scratch".into(),
        };
        let line = "install -m 0640 /dev/null /etc/redcap-resume/x && useradd --shell /usr/sbin/nologin u && cp a /usr/local/bin/";
        assert_eq!(
            root.rewrite(line),
            "install -m 0640 /dev/null /scratch/etc/redcap-resume/x && useradd --shell /usr/sbin/nologin u && cp a /scratch/usr/local/bin/"
        );
    }
}
