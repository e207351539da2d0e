//! What a participant reads, taken from the widget's own message tables (`src/i18n.rs` at the
//! workspace root, compiled in here): the tests follow every wording change, and a message
//! that is renamed or removed makes them fail loudly instead of passing by accident.
//!
//! ```
//! use redcap_resume_e2e::i18n::{text, Lang};
//! let label = text(Lang::Es, "Resume"); // what the Spanish resume button says
//! # assert!(!label.is_empty());
//! ```

/// The widget's source of truth.
const SOURCE: &str = include_str!("../../../src/i18n.rs");

/// A language the widget ships.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
}

impl Lang {
    /// The `lang` attribute value.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    fn table(self) -> &'static str {
        match self {
            Lang::En => "EN",
            Lang::Es => "ES",
        }
    }
}

/// Both languages the suite checks.
pub const LANGS: [Lang; 2] = [Lang::En, Lang::Es];

/// The text of message `msg` (a variant name of the widget's `Msg` enum) in `lang`.
pub fn text(lang: Lang, msg: &str) -> String {
    let names = variants();
    let index = names.iter().position(|n| n == msg).unwrap_or_else(|| {
        panic!("the widget has no message `{msg}` (src/i18n.rs has: {names:?})")
    });
    let table = table(lang.table());
    assert_eq!(
        table.len(),
        names.len(),
        "src/i18n.rs: table {} does not match enum Msg",
        lang.table()
    );
    table[index].clone()
}

/// The message shown for a contract error code (see the widget's `problem_msg`).
pub fn error_message(lang: Lang, code: &str) -> String {
    let msg = match code {
        "not_signed_in" => "SignedOut",
        "forbidden" => "Forbidden",
        "unknown_survey" => "UnknownSurvey",
        "record_not_found" => "RecordNotFound",
        "resume_not_available" => "ResumeNotAvailable",
        "rate_limited" => "RateLimited",
        "upstream_unavailable" => "UpstreamUnavailable",
        "upstream_misconfigured" => "UpstreamMisconfigured",
        "internal" => "Internal",
        other => panic!("not a contract error code: {other}"),
    };
    text(lang, msg)
}

/// The variant names of `pub enum Msg { … }`, in order.
fn variants() -> Vec<String> {
    let body = block(SOURCE, "pub enum Msg {", "}");
    body.split(',')
        .map(|v| {
            v.lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<String>()
        })
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

/// The string literals of `const NAME: [&str; N] = [ … ];`, in order.
fn table(name: &str) -> Vec<String> {
    let body = block(SOURCE, &format!("const {name}: [&str; N] = ["), "];");
    let mut out = Vec::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut s = String::new();
        loop {
            match chars
                .next()
                .unwrap_or_else(|| panic!("src/i18n.rs: unterminated string in {name}"))
            {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => s.push('\n'),
                    Some(other) => s.push(other),
                    None => panic!("src/i18n.rs: bad escape in {name}"),
                },
                other => s.push(other),
            }
        }
        out.push(s);
    }
    out
}

fn block<'a>(source: &'a str, start: &str, end: &str) -> &'a str {
    let from = source
        .find(start)
        .unwrap_or_else(|| panic!("src/i18n.rs: `{start}` not found"))
        + start.len();
    let len = source[from..]
        .find(end)
        .unwrap_or_else(|| panic!("src/i18n.rs: no `{end}` after `{start}`"));
    &source[from..from + len]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_widget_tables() {
        let n = variants().len();
        assert!(n > 20, "parsed {n} messages");
        for name in ["EN", "ES", "FR"] {
            let t = table(name);
            assert_eq!(t.len(), n, "{name}");
            assert!(
                t.iter().all(|s| !s.trim().is_empty()),
                "{name} has an empty message"
            );
        }
        assert_eq!(text(Lang::En, "Copied"), "Copied");
        assert_ne!(
            error_message(Lang::Es, "not_signed_in"),
            error_message(Lang::En, "not_signed_in")
        );
    }
}
