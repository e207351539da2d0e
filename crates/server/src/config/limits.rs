//! `[limits]`: what protects this server itself.

use std::time::Duration;

use serde::Deserialize;

use super::error::{invalid, ConfigError};

/// Limits that protect this server itself.
#[derive(Debug, Clone)]
pub struct LimitsConfig {
    /// Requests per minute one participant may make (default 60).
    pub per_participant_per_minute: u32,
    /// REDCap calls per minute one participant's requests may cause (default 10): far below
    /// a REDCap server's call budget, so no participant can spend it for the others.
    pub redcap_calls_per_participant_per_minute: u32,
    /// Requests per minute one client IP may make (default 600).
    pub per_ip_per_minute: u32,
    /// Requests handled at once; more are shed with 503 (default 512).
    pub max_concurrent_requests: usize,
    /// The longest a whole request may take (default 15 s).
    pub request_timeout: Duration,
    /// IPv6 clients share one per-IP allowance per network of this prefix length
    /// (`ipv6_prefix`, default 64: what one customer usually gets).
    pub ipv6_prefix: u8,
    /// What the socket allows before any request is read.
    pub socket: SocketLimits,
}

/// Limits at the socket, before and between requests (HTTP/1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketLimits {
    /// A request's head (request line and headers) must arrive whole within this, counted
    /// from when the server waits for it: after the connection opens, and after each answer on
    /// a kept-alive connection (so it also ends idle keep-alive). `header_read_timeout_ms`,
    /// default 10 s.
    pub header_read_timeout: Duration,
    /// A connection on which no byte moves either way for this long is closed (a client that
    /// never reads its answer, a stalled body, an idle keep-alive). Longer than the request
    /// timeout, so a slow answer is never cut. `idle_timeout_ms`, default 30 s.
    pub idle_timeout: Duration,
    /// Connections open at once; more wait in the kernel's accept queue. Keep it below the
    /// process's open-file limit (1,024 under systemd unless `LimitNOFILE` says otherwise).
    /// `max_connections`, default 768.
    pub max_connections: usize,
    /// On shutdown, requests in flight get this long to finish; then the remaining
    /// connections are closed. Below the unit's `TimeoutStopSec`. `shutdown_grace_ms`,
    /// default 10 s.
    pub shutdown_grace: Duration,
}

impl Default for SocketLimits {
    fn default() -> Self {
        SocketLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            max_connections: 768,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLimits {
    per_participant_per_minute: Option<u32>,
    redcap_calls_per_participant_per_minute: Option<u32>,
    per_ip_per_minute: Option<u32>,
    max_concurrent_requests: Option<usize>,
    request_timeout_ms: Option<u64>,
    header_read_timeout_ms: Option<u64>,
    idle_timeout_ms: Option<u64>,
    max_connections: Option<usize>,
    shutdown_grace_ms: Option<u64>,
    ipv6_prefix: Option<u8>,
}

impl RawLimits {
    pub(super) fn validate(self) -> Result<LimitsConfig, ConfigError> {
        let per_participant = self.per_participant_per_minute.unwrap_or(60);
        let per_ip = self.per_ip_per_minute.unwrap_or(600);
        let redcap_calls = self.redcap_calls_per_participant_per_minute.unwrap_or(40);
        if redcap_calls == 0 {
            return Err(invalid(
                "limits.redcap_calls_per_participant_per_minute",
                "must be 1 or more",
            ));
        }
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
        let request_timeout = Duration::from_millis(timeout_ms);
        let ipv6_prefix = self.ipv6_prefix.unwrap_or(64);
        if !(16..=128).contains(&ipv6_prefix) {
            return Err(invalid(
                "limits.ipv6_prefix",
                "must be between 16 and 128 (64 counts one customer's network as one client)",
            ));
        }
        Ok(LimitsConfig {
            per_participant_per_minute: per_participant,
            redcap_calls_per_participant_per_minute: redcap_calls,
            per_ip_per_minute: per_ip,
            max_concurrent_requests: concurrent,
            request_timeout,
            ipv6_prefix,
            socket: self.socket(request_timeout)?,
        })
    }

    fn socket(&self, request_timeout: Duration) -> Result<SocketLimits, ConfigError> {
        let d = SocketLimits::default();
        let ms = |v: Option<u64>, default: Duration| v.map_or(default, Duration::from_millis);
        let limits = SocketLimits {
            header_read_timeout: ms(self.header_read_timeout_ms, d.header_read_timeout),
            idle_timeout: ms(self.idle_timeout_ms, d.idle_timeout),
            max_connections: self.max_connections.unwrap_or(d.max_connections),
            shutdown_grace: ms(self.shutdown_grace_ms, d.shutdown_grace),
        };
        let between = |v: Duration, lo: u64, hi: u64| (lo..=hi).contains(&(v.as_millis() as u64));
        if !between(limits.header_read_timeout, 100, 120_000) {
            return Err(invalid(
                "limits.header_read_timeout_ms",
                "must be between 100 and 120000",
            ));
        }
        if !between(limits.idle_timeout, 100, 3_600_000) || limits.idle_timeout <= request_timeout {
            return Err(invalid(
                "limits.idle_timeout_ms",
                "must be between 100 and 3600000 and longer than request_timeout_ms",
            ));
        }
        if !(1..=100_000).contains(&limits.max_connections) {
            return Err(invalid(
                "limits.max_connections",
                "must be between 1 and 100000 (and below the open-file limit)",
            ));
        }
        if !between(limits.shutdown_grace, 0, 300_000) {
            return Err(invalid(
                "limits.shutdown_grace_ms",
                "must be at most 300000 (and below the unit's TimeoutStopSec)",
            ));
        }
        Ok(limits)
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
        assert_eq!(c.limits.redcap_calls_per_participant_per_minute, 40);
        assert_eq!(c.limits.per_ip_per_minute, 600);
        assert_eq!(c.limits.max_concurrent_requests, 512);
        assert_eq!(c.limits.request_timeout, Duration::from_secs(15));
        assert_eq!(c.limits.socket, SocketLimits::default());
        assert_eq!(c.limits.ipv6_prefix, 64);
        for (line, key) in [
            ("per_ip_per_minute = 0", "`limits.per_ip_per_minute`"),
            ("request_timeout_ms = 50", "`limits.request_timeout_ms`"),
            (
                "header_read_timeout_ms = 0",
                "`limits.header_read_timeout_ms`",
            ),
            ("idle_timeout_ms = 15000", "`limits.idle_timeout_ms`"),
            ("max_connections = 0", "`limits.max_connections`"),
            ("ipv6_prefix = 129", "`limits.ipv6_prefix`"),
            ("shutdown_grace_ms = 900000", "`limits.shutdown_grace_ms`"),
        ] {
            let err = Config::parse(&format!("{GOOD}\n[limits]\n{line}\n"), &env())
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{err}");
        }
    }
}
