//! `[metrics]`: the admin listener — `GET /metrics` for Prometheus and `POST
//! /admin/cache/purge` for `redcap-resume cache purge`. Absent: no such listener, and no
//! metrics are recorded.

use std::net::SocketAddr;

use serde::Deserialize;

use super::{invalid, ConfigError};

/// The admin listener.
#[derive(Debug, Clone, Copy)]
pub struct MetricsConfig {
    /// Where `/metrics` and `/admin/cache/purge` are served; never the public `listen`.
    /// `/metrics` answers any peer that reaches it (bind it where only Prometheus can);
    /// `/admin/cache/purge` answers loopback peers only, whatever this address is.
    pub listen: SocketAddr,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMetrics {
    listen: String,
}

impl RawMetrics {
    pub(super) fn validate(self, public: SocketAddr) -> Result<MetricsConfig, ConfigError> {
        let listen = self.listen.parse::<SocketAddr>().map_err(|_| {
            invalid(
                "metrics.listen",
                "must be an address and port, like \"127.0.0.1:9464\"",
            )
        })?;
        if listen.port() != 0 && listen.port() == public.port() {
            return Err(invalid(
                "metrics.listen",
                "must be another port than `listen`: metrics are never served on the public listener",
            ));
        }
        Ok(MetricsConfig { listen })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{env, GOOD};
    use super::super::Config;

    #[test]
    fn metrics_are_off_unless_configured_and_never_on_the_public_port() {
        assert!(Config::parse(GOOD, &env()).unwrap().metrics.is_none());
        let on = format!("{GOOD}\n[metrics]\nlisten = \"127.0.0.1:9464\"\n");
        let metrics = Config::parse(&on, &env()).unwrap().metrics.unwrap();
        assert_eq!(metrics.listen.port(), 9464);
        let public = Config::parse(GOOD, &env()).unwrap().listen;
        let same = format!(
            "{GOOD}\n[metrics]\nlisten = \"0.0.0.0:{}\"\n",
            public.port()
        );
        let error = Config::parse(&same, &env()).unwrap_err().to_string();
        assert!(error.contains("metrics.listen"), "{error}");
        let bad = format!("{GOOD}\n[metrics]\nlisten = \"everywhere\"\n");
        assert!(Config::parse(&bad, &env()).is_err());
    }
}
