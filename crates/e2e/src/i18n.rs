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

pub use widget::{Msg, KEYS};

use redcap_resume_contract::ErrorCode;

/// The card's built-in languages (English, and one file each for the others).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Es,
    Fr,
    Pt,
    De,
    ZhHans,
    Vi,
    Ko,
    Ru,
    Ht,
    Ar,
}

/// Every built-in language, English first.
pub const ALL: [Lang; 11] = [
    Lang::En,
    Lang::Es,
    Lang::Fr,
    Lang::Pt,
    Lang::De,
    Lang::ZhHans,
    Lang::Vi,
    Lang::Ko,
    Lang::Ru,
    Lang::Ht,
    Lang::Ar,
];

/// The languages the suite checks (of those the widget ships).
pub const LANGS: [Lang; 2] = [Lang::En, Lang::Es];

impl Lang {
    /// The tag the card writes into its `lang` attribute (and the file's name).
    pub fn tag(self) -> &'static str {
        FILES
            .iter()
            .find(|(l, _, _)| *l == self)
            .map_or("en", |(_, tag, _)| tag)
    }
}

/// The widget's language files besides English, by [`Lang`] (as the loader fetches them).
pub const FILES: [(Lang, &str, &str); 10] = [
    (Lang::Es, "es", include_str!("../../../www/i18n/es.json")),
    (Lang::Fr, "fr", include_str!("../../../www/i18n/fr.json")),
    (Lang::Pt, "pt", include_str!("../../../www/i18n/pt.json")),
    (Lang::De, "de", include_str!("../../../www/i18n/de.json")),
    (
        Lang::ZhHans,
        "zh-Hans",
        include_str!("../../../www/i18n/zh-Hans.json"),
    ),
    (Lang::Vi, "vi", include_str!("../../../www/i18n/vi.json")),
    (Lang::Ko, "ko", include_str!("../../../www/i18n/ko.json")),
    (Lang::Ru, "ru", include_str!("../../../www/i18n/ru.json")),
    (Lang::Ht, "ht", include_str!("../../../www/i18n/ht.json")),
    (Lang::Ar, "ar", include_str!("../../../www/i18n/ar.json")),
];

/// The text of `msg` in `lang`, as the card shows it.
pub fn text(lang: Lang, msg: Msg) -> String {
    installed(lang).t(msg).to_owned()
}

/// `lang` installed on this thread from its file, as the card installs it (the tables are
/// per thread, as in the browser).
fn installed(lang: Lang) -> widget::Lang {
    thread_local!(static DONE: std::cell::RefCell<Vec<(Lang, widget::Lang)>> =
        const { std::cell::RefCell::new(Vec::new()) });
    let Some((_, tag, file)) = FILES.iter().find(|(l, _, _)| *l == lang) else {
        return widget::Lang::EN;
    };
    DONE.with(|done| {
        if let Some((_, w)) = done.borrow().iter().find(|(l, _)| *l == lang) {
            return *w;
        }
        let strings: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(file).expect("a language file is a JSON object");
        let text = |key: &str| strings.get(key)?.as_str().map(str::to_owned);
        let w = widget::install(tag, *tag == "ar", &text, &|_| None, &mut |_| {});
        done.borrow_mut().push((lang, w));
        w
    })
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
        for lang in ALL {
            assert!(!text(lang, Msg::Resume).trim().is_empty());
        }
    }

    /// A language file lacking a key would show English in its place: each file has exactly
    /// the widget's keys, each a non-empty text with the English text's placeholders.
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
            for (key, english) in KEYS.iter().zip(widget::EN) {
                let t = strings[*key].as_str().unwrap();
                assert!(
                    widget::keeps_placeholders(english, t),
                    "www/i18n/{tag}.json: {key} lacks a placeholder of {english:?}: {t:?}"
                );
            }
            assert_eq!(lang.tag(), tag);
            assert_ne!(
                text(lang, Msg::Resume),
                text(Lang::En, Msg::Resume),
                "{tag} is installed"
            );
        }
    }

    /// A study replaces texts by key (`strings`): the README lists every key with the English
    /// text it replaces, and nothing else.
    #[test]
    fn the_readme_lists_every_key_with_its_english_text() {
        let readme = include_str!("../../../README.md");
        let section = readme
            .split_once("Every key, with its English text:")
            .expect("README: the key table")
            .1;
        let rows: Vec<(String, String)> = section
            .lines()
            .skip_while(|l| !l.starts_with("| `"))
            .take_while(|l| l.starts_with("| `"))
            .map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split(" | ").collect();
                (
                    cells[0].trim().trim_matches('`').to_owned(),
                    cells[1].trim().replace("\\|", "|"),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = KEYS
            .iter()
            .zip(widget::EN)
            .map(|(k, e)| (k.to_string(), e.to_string()))
            .collect();
        assert_eq!(rows, expected);
    }

    /// The card without WebAssembly keeps English for the keys it shares with the widget (it
    /// has no wasm to ask): the very texts of the widget's table.
    #[test]
    fn the_plain_card_speaks_the_widgets_english() {
        let plain = include_str!("../../../www/redcap-resume-plain.js");
        let table = plain
            .split_once("const EN = {")
            .expect("plain.js: const EN")
            .1
            .split_once("};")
            .unwrap()
            .0;
        let mut seen = 0;
        for line in table.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (key, text) = line.split_once(": ").expect(line);
            let text = text.trim_end_matches(',').trim_matches('\'');
            let i = KEYS.iter().position(|k| *k == key).expect(key);
            assert_eq!(text, widget::EN[i], "plain.js EN.{key}");
            seen += 1;
        }
        assert!(seen >= 5, "{table}");
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
