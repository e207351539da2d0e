//! `[audit]`: where the audit log goes and what happens when a line cannot be written.

use std::path::PathBuf;

use serde::Deserialize;

#[derive(Debug, Clone)]
pub struct AuditConfig {
    /// The JSON-lines file, opened for appending at start-up.
    pub path: PathBuf,
    /// Refuse to hand out a code when the audit line cannot be written.
    pub fail_closed: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAudit {
    path: PathBuf,
    #[serde(default)]
    fail_closed: bool,
}

impl RawAudit {
    pub(super) fn validate(self) -> AuditConfig {
        AuditConfig {
            path: self.path,
            fail_closed: self.fail_closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{env, GOOD};
    use super::super::Config;

    #[test]
    fn audit_is_off_unless_configured_and_fail_open_by_default() {
        assert!(Config::parse(GOOD, &env()).unwrap().audit.is_none());
        let text = format!("{GOOD}\n[audit]\npath = \"/var/log/redcap-resume/audit.jsonl\"\n");
        let audit = Config::parse(&text, &env()).unwrap().audit.unwrap();
        assert!(!audit.fail_closed);
        assert!(
            Config::parse(&format!("{text}fail_closed = true\n"), &env())
                .unwrap()
                .audit
                .unwrap()
                .fail_closed
        );
    }
}
