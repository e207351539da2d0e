//! What the configuration tests share: a valid file and the secrets it names.

use std::collections::HashMap;

use super::Config;

pub const TOKEN: &str = "0123456789ABCDEF0123456789ABCDEF";
pub const SECRET: &str = "a-long-random-secret-of-32-bytes!";

pub fn env() -> HashMap<String, String> {
    [
        ("TOKEN", TOKEN),
        ("SECRET", SECRET),
        ("COHORT", "FEDCBA9876543210FEDCBA9876543210"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

pub const GOOD: &str = r#"
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

/// Each `(from, to, key)`: replacing `from` by `to` in [`GOOD`] fails naming `key`.
pub fn assert_mistakes_name_the_key(cases: &[(&str, &str, &str)]) {
    for (from, to, key) in cases {
        assert!(GOOD.contains(from), "{from}");
        let text = GOOD.replacen(from, to, 1);
        let err = Config::parse(&text, &env()).unwrap_err().to_string();
        assert!(err.contains(key), "{to:?} → {err}");
    }
}
