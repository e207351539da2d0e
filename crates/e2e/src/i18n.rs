//! What a participant reads, from the widget's own message tables: `src/i18n.rs` at the
//! workspace root is compiled in here as a module, with the language files it ships
//! (`www/i18n/*.json`) installed, so the tests follow every wording change, and a message that
//! is renamed or removed is a compile error, not a test passing by accident.
//!
//! ```
//! use redcap_resume_e2e::i18n::{text, Lang, Msg};
//! let label = text(Lang::Es, Msg::Resume); // what the Spanish resume button says
//! # assert_eq!(label, "Continuar encuesta");
//! ```

#[allow(dead_code)] // the widget's file, compiled whole; the tests read only part of it
#[path = "../../../src/i18n.rs"]
mod widget;

pub use widget::{Lang, Msg};

use redcap_resume_contract::ErrorCode;

/// The languages the suite checks (of those the widget ships).
pub const LANGS: [Lang; 2] = [Lang::En, Lang::Es];

/// The widget's language files besides English, by [`Lang`] (as the loader fetches them).
pub const FILES: [(Lang, &str, &str); 2] = [
    (Lang::Es, "es", include_str!("../../../www/i18n/es.json")),
    (Lang::Fr, "fr", include_str!("../../../www/i18n/fr.json")),
];

/// The text of `msg` in `lang`.
pub fn text(lang: Lang, msg: Msg) -> String {
    install_files();
    lang.t(msg).to_owned()
}

/// Installs [`FILES`] on this thread (the tables are per thread, as in the browser).
fn install_files() {
    thread_local!(static DONE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    if DONE.replace(true) {
        return;
    }
    for (lang, _, file) in FILES {
        let strings: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(file).expect("a language file is a JSON object");
        widget::install(lang, |key| strings.get(key)?.as_str().map(str::to_owned));
    }
}

/// The message an error card shows for the contract error code `code` (its wire name; an
/// unknown name is what the widget treats as `internal`).
pub fn error_message(lang: Lang, code: &str) -> String {
    let code: ErrorCode = serde_json::from_value(serde_json::Value::from(code))
        .unwrap_or_else(|e| panic!("not a contract error code: {code}: {e}"));
    text(lang, Msg::of_error(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_widget_tables() {
        assert_eq!(text(Lang::En, Msg::Copied), "Copied");
        assert_eq!(
            error_message(Lang::En, "not_signed_in"),
            "Please sign in to see your survey."
        );
        assert_ne!(
            error_message(Lang::Es, "not_signed_in"),
            error_message(Lang::En, "not_signed_in")
        );
        for lang in [Lang::En, Lang::Es, Lang::Fr] {
            assert!(!text(lang, Msg::Resume).trim().is_empty());
        }
    }

    /// A language file lacking a key would show English in its place: each file has exactly
    /// the widget's keys, each a non-empty text.
    #[test]
    fn every_language_file_has_every_key_and_no_other() {
        let keys: std::collections::BTreeSet<&str> = widget::KEYS.into_iter().collect();
        for (lang, tag, file) in FILES {
            let strings: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(file).unwrap();
            let found: std::collections::BTreeSet<&str> =
                strings.keys().map(String::as_str).collect();
            assert_eq!(found, keys, "www/i18n/{tag}.json");
            assert!(strings
                .values()
                .all(|v| v.as_str().is_some_and(|t| !t.trim().is_empty())));
            assert_eq!(lang.tag(), tag);
            assert_ne!(
                text(lang, Msg::Resume),
                text(Lang::En, Msg::Resume),
                "{tag} is installed"
            );
        }
    }

    /// The loader fetches a language file only for the languages it lists: exactly the files.
    #[test]
    fn the_loader_lists_exactly_the_language_files() {
        let loader = include_str!("../../../www/redcap-resume.js");
        let line = loader
            .lines()
            .find(|l| l.starts_with("const LANGS = ["))
            .expect("the loader's LANGS");
        let mut listed: Vec<&str> = line
            .trim_start_matches("const LANGS = [")
            .trim_end_matches("];")
            .split(',')
            .map(|t| t.trim().trim_matches('\''))
            .collect();
        listed.sort_unstable();
        let mut files: Vec<String> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/i18n"))
                .unwrap()
                .map(|e| {
                    e.unwrap()
                        .file_name()
                        .to_string_lossy()
                        .trim_end_matches(".json")
                        .to_owned()
                })
                .collect();
        files.sort_unstable();
        assert_eq!(listed, files);
        let mut known: Vec<&str> = FILES.iter().map(|(_, tag, _)| *tag).collect();
        known.sort_unstable();
        assert_eq!(known, files, "FILES here lists every file");
    }
}
