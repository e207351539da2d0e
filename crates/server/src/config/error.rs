//! [`ConfigError`]: what every part of the configuration answers a mistake with.

use std::path::PathBuf;

/// A configuration mistake: which key, and why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the configuration is not valid TOML or has an unknown or mistyped key: {0}")]
    Syntax(String),
    #[error("configuration key `{key}`: {reason}")]
    Invalid { key: String, reason: String },
}

/// A [`ConfigError::Invalid`] naming `key` (as written in the file) and the reason.
pub(super) fn invalid(key: impl Into<String>, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        reason: reason.into(),
    }
}
