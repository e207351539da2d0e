//! `[shared]`: replicas behind one egress IP keep REDCap's call budget, the breaker, the
//! request limits and the answer cache on one Redis 7 or Valkey (see `redcap-resume-shared`).
//!
//! ```toml
//! [shared]
//! redis_url = "redis://127.0.0.1:6379/0"   # rediss:// for TLS; AUTH in the URL
//! replicas = 3                              # the most that run at once
//! ```
//!
//! The URL may carry the Redis password; it can instead come from `redis_url_env` or
//! `redis_url_file` (as the REDCap token does). It is printed as `[REDACTED]`.

use std::path::PathBuf;

use redcap_resume_shared::RedisUrl;
use serde::Deserialize;

use super::secrets::{read_secret, SecretSource};
use super::{invalid, ConfigError};

/// The most replicas a deployment may declare (each alone gets 1/replicas of every budget).
pub const MAX_REPLICAS: u32 = 64;

/// Where the replicas' shared state lives, and how many replicas share it.
#[derive(Debug, Clone)]
pub struct SharedConfig {
    pub redis_url: RedisUrl,
    /// The most replicas that run at once (1–64): while Redis is unreachable each one uses
    /// `1/replicas` of every budget and limit.
    pub replicas: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShared {
    redis_url: Option<String>,
    redis_url_env: Option<String>,
    redis_url_file: Option<PathBuf>,
    replicas: u32,
}

impl RawShared {
    pub(super) fn validate(self, secrets: &dyn SecretSource) -> Result<SharedConfig, ConfigError> {
        let text = match (self.redis_url, &self.redis_url_env, &self.redis_url_file) {
            (Some(url), None, None) => url,
            (None, env, file) if env.is_some() || file.is_some() => read_secret(
                "shared.redis_url",
                env.as_deref(),
                file.as_deref(),
                secrets,
                "Redis URL",
            )?,
            (None, _, _) => return Err(invalid(
                "shared.redis_url",
                "missing: the URL of the Redis or Valkey the replicas share (redis://host:6379/0)",
            )),
            _ => {
                return Err(invalid(
                    "shared.redis_url",
                    "give it once: `redis_url`, `redis_url_env` or `redis_url_file`",
                ))
            }
        };
        let redis_url = text
            .parse::<RedisUrl>()
            .map_err(|e| invalid("shared.redis_url", e.to_string()))?;
        if !(1..=MAX_REPLICAS).contains(&self.replicas) {
            return Err(invalid(
                "shared.replicas",
                format!("must be from 1 to {MAX_REPLICAS}"),
            ));
        }
        Ok(SharedConfig {
            redis_url,
            replicas: self.replicas,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{env, GOOD};
    use super::super::Config;

    #[test]
    fn without_shared_nothing_is_shared() {
        assert!(Config::parse(GOOD, &env()).unwrap().shared.is_none());
    }

    #[test]
    fn the_url_and_replicas_parse_and_the_password_never_prints() {
        let text = format!("{GOOD}\n[shared]\nredis_url = \"rediss://:hunter2-pw@redis.internal:6380/1\"\nreplicas = 3\n");
        let c = Config::parse(&text, &env()).unwrap();
        let shared = c.shared.as_ref().unwrap();
        assert_eq!(shared.replicas, 3);
        assert!(shared.redis_url.is_tls() && shared.redis_url.has_password());
        assert!(!format!("{c:?}").contains("hunter2-pw"));
    }

    #[test]
    fn the_url_can_come_from_the_environment() {
        let mut e = env();
        e.insert(
            "REDIS_URL".into(),
            "redis://:pw-from-env@10.0.0.5:6379/0".into(),
        );
        let text = format!("{GOOD}\n[shared]\nredis_url_env = \"REDIS_URL\"\nreplicas = 2\n");
        let c = Config::parse(&text, &e).unwrap();
        assert!(c.shared.unwrap().redis_url.has_password());
    }

    #[test]
    fn mistakes_name_the_key_and_never_the_password() {
        for (table, key) in [
            (
                "redis_url = \"http://:pw-x@h/\"\nreplicas = 2",
                "shared.redis_url",
            ),
            (
                "redis_url = \"redis://h/0\"\nreplicas = 0",
                "shared.replicas",
            ),
            (
                "redis_url = \"redis://h/0\"\nreplicas = 65",
                "shared.replicas",
            ),
            ("replicas = 2", "shared.redis_url"),
            (
                "redis_url = \"redis://h/0\"\nredis_url_env = \"X\"\nreplicas = 2",
                "shared.redis_url",
            ),
        ] {
            let text = format!("{GOOD}\n[shared]\n{table}\n");
            let error = Config::parse(&text, &env()).unwrap_err().to_string();
            assert!(error.contains(key), "{error}");
            assert!(!error.contains("pw-x"), "{error}");
        }
    }
}
