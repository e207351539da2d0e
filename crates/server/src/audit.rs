//! The audit log: one JSON line per return code (or survey queue link) handed out or refused.
//!
//! Time, survey key, record id, outcome and client IP — never the code or the token. Each
//! line is written (and flushed to the operating system) before the answer leaves. A write
//! failure is logged and counted; with `fail_closed` the participant gets no code.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::net::IpAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::SystemTime;

use redcap_client::RecordId;
use redcap_resume_contract::{QueueAnswer, SurveyAnswer, SurveyList};
use serde::Serialize;

use crate::error::Failure;

pub struct AuditLog {
    file: Mutex<File>,
    fail_closed: bool,
    failures: AtomicU64,
}

/// The audit line could not be written and the log is fail-closed: hand out no code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditLost;

/// What happened to one request for a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A return code was handed out.
    CodeIssued,
    /// The survey is completed; no code was handed out.
    Completed,
    /// The survey is not started; its link was handed out, no code.
    NotStarted,
    /// Refused with this contract error code.
    Refused,
    /// A `HEAD` request: the status and headers left, no body, so no code and no link.
    HeadersOnly,
    /// The participant's survey queue link was handed out (`…/queue`); no code.
    QueueLinkIssued,
    /// The link to REDCap's return page was handed out as a QR code (`…/qr.svg`); no code.
    ReturnLinkIssued,
}

impl Outcome {
    /// What handing out this answer amounts to.
    pub fn of(answer: &redcap_resume_contract::SurveyAnswer) -> Outcome {
        use redcap_resume_contract::SurveyStatus;
        match (&answer.return_code, answer.status) {
            (Some(_), _) => Outcome::CodeIssued,
            (None, SurveyStatus::NotStarted) => Outcome::NotStarted,
            (None, _) => Outcome::Completed,
        }
    }
}

/// An API answer, as the audit log sees it: the surveys it hands out and how.
pub trait Audited {
    /// `(survey key, outcome)` for each survey in the answer.
    fn handed_out(&self) -> Vec<(&str, Outcome)>;
}

impl Audited for SurveyAnswer {
    fn handed_out(&self) -> Vec<(&str, Outcome)> {
        vec![(&self.key, Outcome::of(self))]
    }
}

impl Audited for QueueAnswer {
    fn handed_out(&self) -> Vec<(&str, Outcome)> {
        vec![(&self.key, Outcome::QueueLinkIssued)]
    }
}

impl Audited for SurveyList {
    fn handed_out(&self) -> Vec<(&str, Outcome)> {
        self.surveys
            .iter()
            .map(|a| (a.key.as_str(), Outcome::of(a)))
            .collect()
    }
}

#[derive(Serialize)]
struct Line<'a> {
    time: String,
    survey: &'a str,
    record: Option<&'a str>,
    outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    client_ip: String,
}

impl AuditLog {
    pub fn open(path: &Path, fail_closed: bool) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self {
            file: Mutex::new(file),
            fail_closed,
            failures: AtomicU64::new(0),
        })
    }

    /// The lines of one API answer: one per survey handed out, or one refusal naming what was
    /// `asked` (the survey key as sent, `*` for the list). With `body_sent` false (a `HEAD`
    /// request) each survey's line says [`Outcome::HeadersOnly`]: what was sent is audited, not
    /// what was computed. `Err` as for [`AuditLog::record`] (the first lost line stops the rest).
    pub fn answer<T: Audited>(
        &self,
        asked: &str,
        record: Option<&RecordId>,
        result: &Result<T, Failure>,
        body_sent: bool,
        client_ip: IpAddr,
    ) -> Result<(), AuditLost> {
        let record = record.map(RecordId::as_str);
        match result {
            Ok(answer) => answer
                .handed_out()
                .into_iter()
                .try_for_each(|(survey, outcome)| {
                    let outcome = if body_sent {
                        outcome
                    } else {
                        Outcome::HeadersOnly
                    };
                    self.record(survey, record, outcome, None, client_ip)
                }),
            Err(f) => self.record(
                asked,
                record,
                Outcome::Refused,
                Some(f.code().as_str()),
                client_ip,
            ),
        }
    }

    /// Appends one line. `Err` only when the line was lost and the log is fail-closed.
    pub fn record(
        &self,
        survey: &str,
        record: Option<&str>,
        outcome: Outcome,
        error: Option<&str>,
        client_ip: IpAddr,
    ) -> Result<(), AuditLost> {
        let line = Line {
            time: rfc3339_now(),
            survey,
            record,
            outcome,
            error,
            client_ip: client_ip.to_string(),
        };
        let mut text = serde_json::to_string(&line).unwrap_or_default();
        text.push('\n');
        let written = {
            let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
            file.write_all(text.as_bytes()).and_then(|()| file.flush())
        };
        match written {
            Ok(()) => Ok(()),
            Err(e) => {
                let failures = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
                crate::metrics::audit_write_failed();
                tracing::error!(error = %e, failures, "could not write the audit log");
                if self.fail_closed {
                    Err(AuditLost)
                } else {
                    Ok(())
                }
            }
        }
    }

    /// How many lines could not be written since start-up.
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }
}

/// `2026-11-27T18:04:05.123Z`
fn rfc3339_now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_record_without_secrets() {
        let dir = std::env::temp_dir().join(format!("audit-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("audit.jsonl");
        let log = AuditLog::open(&path, true).unwrap();
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        log.record("baseline", Some("1001"), Outcome::CodeIssued, None, ip)
            .unwrap();
        log.record(
            "baseline",
            None,
            Outcome::Refused,
            Some("not_signed_in"),
            ip,
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["outcome"], "code_issued");
        assert_eq!(lines[0]["record"], "1001");
        assert_eq!(lines[1]["error"], "not_signed_in");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
