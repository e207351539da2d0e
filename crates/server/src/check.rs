//! `redcap-resume check`: asks the configured REDCap about every survey and says what to fix.
//!
//! One line per survey (`ok`, `warn` or `FAIL`), then one per REDCap server (the call budget
//! beside REDCap's per-IP limit), one per project (where survey links come from) and one for
//! the audit log. Without `--record`, each survey's setup is read from the project's structure
//! (instrument, event, designation) and from REDCap's answers about the first record of the
//! survey's event ([`setup`]): REDCap checks that a record exists before anything else, so a
//! record that does not exist would tell nothing apart. [`startup`] is the start-up probe of
//! `serve`.
//!
//! Every REDCap call `check` makes passes its server's breaker and call budget
//! (`max_requests_per_minute`), like the service's own calls: REDCap counts them against the
//! same IP. With `[shared]` the budget is the one the replicas share on Redis.

use std::fmt::Write as _;
use std::sync::Arc;

use redcap_client::RecordId;
use redcap_resume_shared::{Shared, Tuning};

use crate::app::SHARED_PREFIX;
use crate::config::{AuditConfig, Config};
use crate::upstream::{Project, Redcap};

mod report;
mod setup;
mod startup;

use report::{explain, refused, Line, Probed, Verdict};

pub use startup::warn_unless_ready;

/// REDCap's default per-IP limit (`API rate limit`, calls per minute); its administrator may
/// set it lower, and every program behind the same egress IP counts against it.
pub const REDCAP_DEFAULT_PER_IP_LIMIT: u32 = 600;

/// The whole report; `Ok(report)` when nothing failed, `Err(report)` otherwise.
pub async fn check(config: &Config, record: Option<&RecordId>) -> Result<String, String> {
    let redcap = gated_redcap(config).await?;
    // Reachability, token and structure once per project, however many surveys it has.
    let mut projects = Vec::with_capacity(config.projects.len());
    for project in redcap.projects() {
        projects.push(probe_project(project).await);
    }
    let mut lines = Vec::new();
    let mut link_hosts = setup::LinkHosts::default();
    for survey in &config.surveys {
        let project = config.project(survey.project);
        let (verdict, text) = match &projects[survey.project.index()] {
            Err(text) => (Verdict::Fail, text.clone()),
            Ok(probed) => {
                let outcome = match record {
                    Some(record) => setup::with_record(probed, project, survey, record).await,
                    None => setup::without_record(probed, project, survey).await,
                };
                link_hosts.note(survey.project.index(), &outcome.link_host);
                let text = [probed.found.as_str(), &outcome.text].join(", ");
                (outcome.verdict, text)
            }
        };
        lines.push(Line {
            verdict,
            subject: survey.key.as_str().to_owned(),
            text,
        });
    }
    for (i, project) in config.projects.iter().enumerate() {
        if let Some(line) = link_hosts.line(i, project) {
            lines.push(line);
        }
    }
    for server in &config.servers {
        lines.push(budget_line(
            &server.label,
            server.max_requests_per_minute,
            server.projects.len(),
        ));
    }
    lines.push(audit_line(config.audit.as_ref()));
    let mut report = String::new();
    for line in &lines {
        let _ = writeln!(
            report,
            "{:<5} {:<16} {}",
            line.verdict.label(),
            line.subject,
            line.text
        );
    }
    if lines.iter().any(|l| l.verdict == Verdict::Fail) {
        Err(report)
    } else {
        Ok(report)
    }
}

/// The REDCap servers and projects as `serve` builds them, so every call passes a breaker and
/// a call budget; with `[shared]`, joined to the replicas' Redis first (alone, with
/// `1/replicas` of the budget, when Redis does not answer).
async fn gated_redcap(config: &Config) -> Result<Redcap, String> {
    let shared = match &config.shared {
        Some(s) => Some(
            Shared::connect(
                s.redis_url.clone(),
                s.replicas,
                SHARED_PREFIX,
                Tuning::default(),
            )
            .await,
        ),
        None => None,
    };
    Redcap::build(config, shared.as_ref())
}

/// The project, and what was found: reachable, token valid, its structure (one call for a
/// classic project, three for a longitudinal one).
async fn probe_project(project: &Arc<Project>) -> Result<Probed, String> {
    let client = project.client();
    let version = project
        .for_operator(1, client.version())
        .await
        .map_err(|r| refused("asking REDCap its version", &r))?
        .map_err(|e| explain("REDCap not reachable or token refused", &e))?;
    let info = project
        .for_operator(1, client.project_info())
        .await
        .map_err(|r| refused("project", &r))?
        .map_err(|e| explain("project", &e))?;
    let exports = if info.is_longitudinal { 3 } else { 1 };
    let structure = match project
        .for_operator(exports, client.project_structure(info.is_longitudinal))
        .await
    {
        Ok(answer) => answer.map_err(|e| explain("the project's instruments and events", &e)),
        Err(r) => Err(refused("the project's instruments and events", &r)),
    };
    let found = format!(
        "reachable (REDCap {version}), token valid (project \"{}\")",
        info.title
    );
    Ok(Probed {
        project: project.clone(),
        found,
        structure,
        record_id_field: tokio::sync::OnceCell::new(),
    })
}

/// The call budget of one REDCap server beside REDCap's default per-IP limit.
fn budget_line(label: &str, budget: u32, projects: usize) -> Line {
    let shared = if projects > 1 {
        format!(", shared by its {projects} projects")
    } else {
        String::new()
    };
    Line {
        verdict: Verdict::Ok,
        subject: "budget".into(),
        text: format!(
            "{budget} calls/minute to {label}{shared}; REDCap's default per-IP limit is {REDCAP_DEFAULT_PER_IP_LIMIT}/minute, but its administrator may have set it lower and every program behind this server's IP address counts: ask them, and keep max_requests_per_minute well below"
        ),
    }
}

/// Whether the audit log can be appended to, as the user running `check`: an existing file is
/// opened for appending (nothing written); for a file not made yet, its folder must take a new
/// file (a probe file, removed at once). A folder that does not exist yet is a warning:
/// systemd's `LogsDirectory=` makes it when the service starts.
fn audit_line(audit: Option<&AuditConfig>) -> Line {
    let (verdict, text) = match audit {
        None => (Verdict::Ok, "off (no [audit] path)".to_owned()),
        Some(audit) => audit_verdict(&audit.path),
    };
    Line {
        verdict,
        subject: "audit".into(),
        text,
    }
}

fn audit_verdict(path: &std::path::Path) -> (Verdict, String) {
    let shown = path.display();
    let cannot = |e: std::io::Error| {
        (
            Verdict::Fail,
            format!(
                "[audit] path {shown} cannot be appended to: {e} (run check as the service's user)"
            ),
        )
    };
    if path.exists() {
        return match std::fs::OpenOptions::new().append(true).open(path) {
            Ok(_) => (Verdict::Ok, format!("{shown} can be appended to")),
            Err(e) => cannot(e),
        };
    }
    let folder = match path.parent() {
        Some(f) if !f.as_os_str().is_empty() => f,
        _ => std::path::Path::new("."),
    };
    if !folder.is_dir() {
        return (
            Verdict::Warn,
            format!("the folder of [audit] path {shown} does not exist yet (systemd's LogsDirectory= makes it when the service starts; else create it for the service's user)"),
        );
    }
    let probe = folder.join(format!(".redcap-resume-check-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            (Verdict::Ok, format!("{shown} can be created"))
        }
        Err(e) => cannot(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_line_names_redcaps_default_and_the_admin() {
        let line = budget_line("https://redcap.example.edu/api/", 300, 2);
        assert!(line.text.contains("300 calls/minute"), "{}", line.text);
        assert!(line.text.contains("600/minute") && line.text.contains("administrator"));
        assert!(line.text.contains("shared by its 2 projects"));
    }

    #[test]
    fn the_audit_line_says_whether_the_path_can_be_appended_to() {
        let dir = std::env::temp_dir().join(format!("rr-check-audit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let audit = |path: std::path::PathBuf| AuditConfig {
            path,
            fail_closed: false,
        };
        let new = audit(dir.join("audit.jsonl"));
        assert_eq!(audit_line(Some(&new)).verdict, Verdict::Ok);
        assert!(!new.path.exists(), "check writes nothing");
        std::fs::write(&new.path, "").unwrap();
        assert_eq!(audit_line(Some(&new)).verdict, Verdict::Ok);
        let line = audit_line(Some(&audit(dir.join("no/such/dir/audit.jsonl"))));
        assert_eq!(line.verdict, Verdict::Warn, "{}", line.text);
        assert!(line.text.contains("does not exist yet"));
        // A folder where a file is expected: cannot be appended to.
        let line = audit_line(Some(&audit(dir.clone())));
        assert_eq!(line.verdict, Verdict::Fail, "{}", line.text);
        assert!(line.text.contains("[audit] path"));
        assert_eq!(audit_line(None).verdict, Verdict::Ok);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
