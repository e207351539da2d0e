use super::*;
use std::collections::HashMap;

const TOKEN: &str = "0123456789ABCDEF0123456789ABCDEF";
const SECRET: &str = "a-long-random-secret-of-32-bytes!";

fn env() -> HashMap<String, String> {
    [
        ("TOKEN", TOKEN),
        ("SECRET", SECRET),
        ("COHORT", "FEDCBA9876543210FEDCBA9876543210"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

const GOOD: &str = r#"
listen = "127.0.0.1:8080"
public_dir = "dist"
allowed_origins = ["https://study.example.edu"]

[redcap]
url = "https://redcap.example.edu/api/"
token_env = "TOKEN"
timeout_ms = 8000
max_requests_per_minute = 300

[auth]
mode = "ticket"
ticket_secret_env = "SECRET"

[surveys.baseline]
title = "Baseline questionnaire"
instrument = "baseline_survey"
event = "baseline_arm_1"
repeat_instance = 1
status = true
link_style = "return-page"

[projects.cohort]
url = "https://redcap.example.edu/api/"
token_env = "COHORT"

[surveys.month3]
project = "cohort"
title = "Three-month follow-up"
instrument = "month_3"
event = "month_3_arm_1"
link_style = "rc-param"
"#;

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
    assert_eq!(c.projects["default"].max_requests_per_minute, 300);
    assert_eq!(c.projects["default"].timeout, Duration::from_millis(8000));
    assert_eq!(c.surveys.len(), 2);
    assert_eq!(c.surveys[0].key.as_str(), "baseline");
    assert!(c.surveys[0].status);
    assert_eq!(c.surveys[1].project, "cohort");
    assert_eq!(c.surveys[1].link_style, LinkStyle::RcParam);
    assert_eq!(c.auth.cookie_name, DEFAULT_COOKIE);
}

#[test]
fn debug_shows_no_secret() {
    let c = Config::parse(GOOD, &env()).unwrap();
    let debug = format!("{c:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(debug.contains("REDACTED"));
}

/// Each mistake names its key.
#[test]
fn mistakes_name_the_key() {
    let cases: &[(&str, &str, &str)] = &[
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
            "url = \"https://redcap.example.edu/api/\"\ntoken_env = \"TOKEN\"",
            "url = \"https://redcap.example.edu/\"\ntoken_env = \"TOKEN\"",
            "`redcap.url`",
        ),
        (
            "token_env = \"TOKEN\"",
            "token_env = \"NOT_SET\"",
            "`redcap.token_env`",
        ),
        (
            "max_requests_per_minute = 300",
            "max_requests_per_minute = 900",
            "`redcap.max_requests_per_minute`",
        ),
        (
            "ticket_secret_env = \"SECRET\"",
            "ticket_secret_env = \"TOKEN\"\nalgorithm = \"none\"",
            "`auth.algorithm`",
        ),
        (
            "mode = \"ticket\"",
            "mode = \"header\"",
            "`auth.trusted_proxies`",
        ),
        (
            "instrument = \"baseline_survey\"",
            "instrument = \"Baseline Survey\"",
            "`surveys.baseline.instrument`",
        ),
        (
            "event = \"baseline_arm_1\"",
            "event = \"baseline arm\"",
            "`surveys.baseline.event`",
        ),
        (
            "repeat_instance = 1",
            "repeat_instance = 0",
            "`surveys.baseline.repeat_instance`",
        ),
        (
            "project = \"cohort\"",
            "project = \"nope\"",
            "`surveys.month3.project`",
        ),
        (
            "title = \"Baseline questionnaire\"",
            "",
            "`surveys.baseline.title`",
        ),
        (
            "[surveys.baseline]",
            "[surveys.Baseline]",
            "`surveys.Baseline`",
        ),
        (
            "link_style = \"return-page\"",
            "link_style = \"rc\"",
            "`surveys.baseline`",
        ),
    ];
    for (from, to, key) in cases {
        assert!(GOOD.contains(from), "{from}");
        let text = GOOD.replacen(from, to, 1);
        let err = Config::parse(&text, &env()).unwrap_err().to_string();
        assert!(err.contains(key), "{to:?} → {err}");
    }
}

#[test]
fn a_short_secret_is_refused() {
    let mut e = env();
    e.insert("SECRET".into(), "short".into());
    let err = Config::parse(GOOD, &e).unwrap_err().to_string();
    assert!(
        err.contains("auth.ticket_secret") && err.contains("32"),
        "{err}"
    );
}

#[test]
fn a_bad_token_is_refused_without_echoing_it() {
    let mut e = env();
    e.insert("TOKEN".into(), "not a token!".into());
    let err = Config::parse(GOOD, &e).unwrap_err().to_string();
    assert!(
        err.contains("redcap.token") && !err.contains("not a token!"),
        "{err}"
    );
}

#[test]
fn unknown_keys_are_refused() {
    let err = Config::parse(&GOOD.replace("timeout_ms = 8000", "timeout = 8000"), &env())
        .unwrap_err()
        .to_string();
    assert!(err.contains("timeout"), "{err}");
}

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
fn header_mode_needs_trusted_proxies_and_no_secret() {
    let text = GOOD.replace("mode = \"ticket\"\nticket_secret_env = \"SECRET\"", "mode = \"header\"\nheader_name = \"X-Remote-User\"\ntrusted_proxies = [\"127.0.0.1/32\", \"10.0.0.1\"]");
    let c = Config::parse(&text, &env()).unwrap();
    assert_eq!(c.auth.mode, AuthMode::Header);
    assert_eq!(c.auth.trusted_proxies.len(), 2);
    assert!(c.auth.ticket_key.is_none());
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
