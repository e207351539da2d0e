//! Where secrets come from: the REDCap API tokens and the HS256 ticket secret are named in the
//! file (`token_env` / `token_file`, `ticket_secret_env` / `ticket_secret_file`), never written
//! in it.

use std::path::Path;

use super::error::{invalid, ConfigError};

/// Where secrets come from; tests replace the process environment with a map.
pub trait SecretSource {
    /// The value of an environment variable, if set.
    fn env(&self, name: &str) -> Option<String>;
    /// The content of a file (a mounted secret, a PEM public key).
    fn file(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
}

/// The real process environment and file system.
pub struct ProcessEnv;

impl SecretSource for ProcessEnv {
    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl<S: std::hash::BuildHasher> SecretSource for std::collections::HashMap<String, String, S> {
    fn env(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// The secret named by `{key}_env` or `{key}_file` (exactly one of them). Its bytes follow one
/// rule, the README's ("How a portal signs participants in") and the portal examples': every
/// trailing line break (`\r`, `\n`) is removed, from a file and from a variable alike, and
/// nothing else changes (spaces count, no base64 step). The error names the key, never the value.
pub(super) fn read_secret(
    key: &str,
    env: Option<&str>,
    file: Option<&Path>,
    secrets: &dyn SecretSource,
    what: &str,
) -> Result<String, ConfigError> {
    let value = match (env, file) {
        (Some(_), Some(_)) => {
            return Err(invalid(key, format!("give the {what} with either `_env` or `_file`, not both")))
        }
        (None, None) => {
            return Err(invalid(key, format!("missing: name an environment variable (`{key}_env`) or a file (`{key}_file`) holding the {what}")))
        }
        (Some(var), None) => secrets
            .env(var)
            .ok_or_else(|| invalid(format!("{key}_env"), format!("the environment variable {var} is not set")))?,
        (None, Some(path)) => secrets.file(path).map_err(|e| {
            invalid(format!("{key}_file"), format!("cannot read {}: {e}", path.display()))
        })?,
    };
    let value = value.trim_end_matches(['\r', '\n']).to_owned();
    if value.is_empty() {
        return Err(invalid(key, format!("the {what} is empty")));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{env, SECRET, TOKEN};
    use super::super::Config;
    use super::*;

    #[test]
    fn secrets_from_files_trim_the_newline() {
        struct Files;
        impl SecretSource for Files {
            fn env(&self, _: &str) -> Option<String> {
                None
            }
            fn file(&self, path: &Path) -> std::io::Result<String> {
                match path.to_str() {
                    Some("/run/secrets/token") => Ok(format!("{TOKEN}\n")),
                    Some("/run/secrets/ticket") => Ok(format!("{SECRET}\n")),
                    _ => Err(std::io::Error::from(std::io::ErrorKind::NotFound)),
                }
            }
        }
        let text = r#"
[redcap]
url = "https://redcap.example.edu/api/"
token_file = "/run/secrets/token"
[auth]
ticket_secret_file = "/run/secrets/ticket"
[surveys.baseline]
title = "Baseline"
instrument = "baseline_survey"
"#;
        let c = Config::parse(text, &Files).unwrap();
        assert_eq!(c.auth.hs256_secret(), Some(SECRET));
        let missing = Config::parse(&text.replace("/run/secrets/token", "/nope"), &Files)
            .unwrap_err()
            .to_string();
        assert!(missing.contains("`redcap.token_file`"), "{missing}");
    }

    #[test]
    fn one_line_break_rule_for_files_and_variables() {
        struct Files;
        impl SecretSource for Files {
            fn env(&self, name: &str) -> Option<String> {
                (name == "S").then(|| " a secret \r\n".to_owned())
            }
            fn file(&self, _: &Path) -> std::io::Result<String> {
                Ok(" a secret \n\n".to_owned())
            }
        }
        let from_env = read_secret("k", Some("S"), None, &Files, "secret").unwrap();
        let from_file = read_secret("k", None, Some(Path::new("/s")), &Files, "secret").unwrap();
        assert_eq!(from_env, " a secret ");
        assert_eq!(from_file, from_env);
    }

    #[test]
    fn both_or_neither_source_is_refused() {
        let e = env();
        let both = read_secret("k", Some("TOKEN"), Some(Path::new("/x")), &e, "token");
        assert!(both.unwrap_err().to_string().contains("not both"));
        let neither = read_secret("k", None, None, &e, "token");
        assert!(neither.unwrap_err().to_string().contains("`k_env`"));
    }
}
