//! The file as a whole; each subject's own cases live beside it.

use std::path::Path;
use std::time::Duration;

use super::fixtures::{assert_mistakes_name_the_key, env, GOOD, SECRET, TOKEN};
use super::*;

#[test]
fn the_design_example_parses() {
    let c = Config::parse(GOOD, &env()).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(
        c.allowed_origins,
        vec!["https://study.example.edu".to_owned()]
    );
    assert_eq!(c.base_path, DEFAULT_BASE_PATH);
    assert_eq!(c.projects.len(), 2);
    let default = c.project(c.project_named("default").unwrap());
    assert_eq!(default.max_requests_per_minute, 300);
    assert_eq!(default.timeout, Duration::from_millis(8000));
    assert_eq!(c.surveys.len(), 2);
    assert_eq!(c.surveys[0].key.as_str(), "baseline");
    assert!(c.surveys[0].status);
    assert_eq!(c.project(c.surveys[1].project).name, "cohort");
    assert_eq!(c.surveys[1].link_style, LinkStyle::RcParam);
    let AuthMode::Ticket(ticket) = &c.auth.mode else {
        panic!("not ticket mode");
    };
    assert_eq!(ticket.cookie_name, DEFAULT_COOKIE);
}

#[test]
fn debug_shows_no_secret() {
    let c = Config::parse(GOOD, &env()).unwrap();
    let debug = format!("{c:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(debug.contains("REDACTED"));
}

/// Each mistake names its key (the subjects' own keys are checked beside them).
#[test]
fn mistakes_name_the_key() {
    assert_mistakes_name_the_key(&[
        (
            "listen = \"127.0.0.1:8080\"",
            "listen = \"localhost\"",
            "`listen`",
        ),
        (
            "allowed_origins = [\"https://study.example.edu\"]",
            "allowed_origins = [\"https://study.example.edu/path\"]",
            "`allowed_origins[0]`",
        ),
        (
            "public_dir = \"dist\"",
            "public_dir = \"dist\"\nbase_path = \"/a/../b\"",
            "`base_path`",
        ),
    ]);
}

#[test]
fn unknown_keys_are_refused() {
    let err = Config::parse(&GOOD.replace("timeout_ms = 8000", "timeout = 8000"), &env())
        .unwrap_err()
        .to_string();
    assert!(err.contains("timeout"), "{err}");
}

#[test]
fn the_deployment_example_parses() {
    struct Files;
    impl SecretSource for Files {
        fn env(&self, _: &str) -> Option<String> {
            None
        }
        fn file(&self, path: &Path) -> std::io::Result<String> {
            match path.file_name().and_then(|n| n.to_str()) {
                Some("redcap_token") => Ok(format!("{TOKEN}\n")),
                Some("ticket_secret") => Ok(format!("{SECRET}\n")),
                _ => Err(std::io::Error::from(std::io::ErrorKind::NotFound)),
            }
        }
    }
    let text = include_str!("../../../../deploy/config.example.toml");
    let c = Config::parse(text, &Files).unwrap();
    assert_eq!(c.surveys.len(), 1);
    assert!(c.audit.as_ref().unwrap().fail_closed);
}

#[test]
fn auth_alone_needs_no_redcap_token() {
    let mut e = env();
    e.remove("TOKEN");
    e.remove("COHORT");
    assert!(
        Config::parse(GOOD, &e).is_err(),
        "the whole file needs the tokens"
    );
    let auth = Config::parse_auth(GOOD, &e).unwrap();
    assert!(auth.hs256_secret().is_some());
    // [auth] itself is still validated, and the file must still be valid.
    e.remove("SECRET");
    let err = Config::parse_auth(GOOD, &e).unwrap_err().to_string();
    assert!(err.contains("auth.ticket_secret_env"), "{err}");
    let err = Config::parse_auth(&format!("nonsense = 1\n{GOOD}"), &env())
        .unwrap_err()
        .to_string();
    assert!(err.contains("nonsense"), "{err}");
}
