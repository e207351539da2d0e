//! `[limits]`: what protects this server itself.

use std::time::Duration;

use serde::Deserialize;

use super::{invalid, ConfigError};

/// Limits that protect this server itself.
#[derive(Debug, Clone)]
pub struct LimitsConfig {
    /// Requests per minute one participant may make (default 60).
    pub per_participant_per_minute: u32,
    /// Requests per minute one client IP may make (default 600).
    pub per_ip_per_minute: u32,
    /// Requests handled at once; more are shed with 503 (default 512).
    pub max_concurrent_requests: usize,
    /// The longest a whole request may take (default 15 s).
    pub request_timeout: Duration,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLimits {
    per_participant_per_minute: Option<u32>,
    per_ip_per_minute: Option<u32>,
    max_concurrent_requests: Option<usize>,
    request_timeout_ms: Option<u64>,
}

impl RawLimits {
    pub(super) fn validate(self) -> Result<LimitsConfig, ConfigError> {
        let per_participant = self.per_participant_per_minute.unwrap_or(60);
        let per_ip = self.per_ip_per_minute.unwrap_or(600);
        let concurrent = self.max_concurrent_requests.unwrap_or(512);
        let timeout_ms = self.request_timeout_ms.unwrap_or(15_000);
        if per_participant == 0 {
            return Err(invalid(
                "limits.per_participant_per_minute",
                "must be 1 or more",
            ));
        }
        if per_ip == 0 {
            return Err(invalid("limits.per_ip_per_minute", "must be 1 or more"));
        }
        if concurrent == 0 {
            return Err(invalid(
                "limits.max_concurrent_requests",
                "must be 1 or more",
            ));
        }
        if !(100..=300_000).contains(&timeout_ms) {
            return Err(invalid(
                "limits.request_timeout_ms",
                "must be between 100 and 300000",
            ));
        }
        Ok(LimitsConfig {
            per_participant_per_minute: per_participant,
            per_ip_per_minute: per_ip,
            max_concurrent_requests: concurrent,
            request_timeout: Duration::from_millis(timeout_ms),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{env, GOOD};
    use super::super::Config;
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        let c = Config::parse(GOOD, &env()).unwrap();
        assert_eq!(c.limits.per_participant_per_minute, 60);
        assert_eq!(c.limits.per_ip_per_minute, 600);
        assert_eq!(c.limits.max_concurrent_requests, 512);
        assert_eq!(c.limits.request_timeout, Duration::from_secs(15));
        for (line, key) in [
            ("per_ip_per_minute = 0", "`limits.per_ip_per_minute`"),
            ("request_timeout_ms = 50", "`limits.request_timeout_ms`"),
        ] {
            let err = Config::parse(&format!("{GOOD}\n[limits]\n{line}\n"), &env())
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{err}");
        }
    }
}
