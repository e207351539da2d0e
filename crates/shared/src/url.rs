//! `RedisUrl`: where the shared state lives, with its password kept out of every log line.
//!
//! `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS, certificates checked against
//! the system's roots). The password (Redis `AUTH`) comes from the URL, the way `redis-cli -u`
//! reads it; `Debug` and `Display` print it as `[REDACTED]`, like the REDCap token.

use std::fmt;
use std::str::FromStr;

use url::Url;

/// A validated `redis://` or `rediss://` URL. Never printed with its password.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisUrl(Url);

/// Why a string is not a usable Redis URL (the message never repeats the password).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RedisUrlError {
    #[error("not a URL: {0}")]
    Syntax(String),
    #[error("the scheme must be redis:// or rediss:// (TLS), not {0}://")]
    Scheme(String),
    #[error("the URL names no host")]
    NoHost,
    #[error("the database must be a number (redis://host/0), not {0:?}")]
    Database(String),
}

impl RedisUrl {
    /// True for `rediss://`: the connection is TLS.
    pub fn is_tls(&self) -> bool {
        self.0.scheme() == "rediss"
    }

    /// True when the URL carries a password (Redis `AUTH`).
    pub fn has_password(&self) -> bool {
        self.0.password().is_some()
    }

    /// The URL with its password, for the Redis client only.
    pub(crate) fn expose(&self) -> &str {
        self.0.as_str()
    }

    /// The client for this URL (no connection is made yet).
    pub(crate) fn client(&self) -> redis::RedisResult<redis::Client> {
        redis::Client::open(self.0.as_str())
    }

    fn redacted(&self) -> String {
        let mut shown = self.0.clone();
        if shown.password().is_none() {
            return shown.to_string();
        }
        // Cannot fail: the URL has a host (checked at parse time). The brackets would be
        // percent-encoded by the URL itself, so they are put in afterwards.
        let _ = shown.set_password(Some("REDACTED"));
        shown.to_string().replacen(":REDACTED@", ":[REDACTED]@", 1)
    }
}

impl FromStr for RedisUrl {
    type Err = RedisUrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // The parser's own message does not quote its input, so no password leaks through it.
        let url = Url::parse(s.trim()).map_err(|e| RedisUrlError::Syntax(e.to_string()))?;
        if !matches!(url.scheme(), "redis" | "rediss") {
            return Err(RedisUrlError::Scheme(url.scheme().to_owned()));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(RedisUrlError::NoHost);
        }
        let db = url.path().trim_start_matches('/');
        if !db.is_empty() && db.parse::<u32>().is_err() {
            return Err(RedisUrlError::Database(db.to_owned()));
        }
        Ok(Self(url))
    }
}

impl fmt::Display for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RedisUrl").field(&self.redacted()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_never_printed() {
        let url: RedisUrl = "rediss://app:s3cr3t-pw@redis.internal:6380/2"
            .parse()
            .unwrap();
        assert!(url.is_tls());
        assert!(url.has_password());
        for shown in [url.to_string(), format!("{url:?}"), format!("{url:#?}")] {
            assert!(!shown.contains("s3cr3t-pw"), "{shown}");
            assert!(
                shown.contains("[REDACTED]") && shown.contains("redis.internal:6380"),
                "{shown}"
            );
        }
        let plain: RedisUrl = "redis://127.0.0.1:6379/0".parse().unwrap();
        assert_eq!(plain.to_string(), "redis://127.0.0.1:6379/0");
        assert!(!plain.is_tls() && !plain.has_password());
    }

    #[test]
    fn only_redis_urls_with_a_host_and_a_numbered_database() {
        assert_eq!(
            "http://h/".parse::<RedisUrl>(),
            Err(RedisUrlError::Scheme("http".into()))
        );
        assert_eq!("redis:///0".parse::<RedisUrl>(), Err(RedisUrlError::NoHost));
        assert!(matches!(
            "redis://h/zero".parse::<RedisUrl>(),
            Err(RedisUrlError::Database(_))
        ));
        let err = "redis://:pw@[::1".parse::<RedisUrl>().unwrap_err();
        assert!(!err.to_string().contains("pw"), "{err}");
        assert!("redis://h".parse::<RedisUrl>().is_ok());
    }
}
