//! deploy/alerts.yml, the Prometheus alert rules: `promtool check rules` accepts it, and every
//! metric it reads is one the server exports (DESIGN.md "Metrics").

use std::process::Command;

use crate::process::workspace_root;

/// The metric names the rules may read: the server's (crates/server/src/metrics.rs).
const EXPORTED: &[&str] = &[
    "redcap_resume_http_requests_total",
    "redcap_resume_http_request_duration_seconds",
    "redcap_resume_upstream_requests_total",
    "redcap_resume_upstream_request_duration_seconds",
    "redcap_resume_upstream_budget_remaining",
    "redcap_resume_breaker_open",
    "redcap_resume_cache_requests_total",
    "redcap_resume_audit_write_failures_total",
];

/// `promtool check rules deploy/alerts.yml` (Debian's `prometheus` package, installed by
/// `cargo xtask setup`), and no rule reading a `redcap_resume_` metric the server lacks.
pub fn check_alerts() -> Result<(), String> {
    let rules = workspace_root().join("deploy/alerts.yml");
    let text = std::fs::read_to_string(&rules).map_err(|e| format!("{}: {e}", rules.display()))?;
    let unknown: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with("redcap_resume_") && !EXPORTED.contains(word))
        .collect();
    if !unknown.is_empty() {
        return Err(format!(
            "deploy/alerts.yml reads metrics the server does not export: {unknown:?}"
        ));
    }
    let out = Command::new(crate::tools::PROMTOOL)
        .args(["check", "rules"])
        .arg(&rules)
        .output()
        .map_err(|e| format!("cannot run promtool (cargo xtask setup installs it): {e}"))?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{}", said.trim());
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "promtool check rules rejected deploy/alerts.yml: {said}"
        ))
    }
}
