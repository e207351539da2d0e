//! What a participant reads, from the widget's own message tables: `src/i18n.rs` at the
//! workspace root is compiled in here as a module, so the tests follow every wording change,
//! and a message that is renamed or removed is a compile error, not a test passing by accident.
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

/// The text of `msg` in `lang`.
pub fn text(lang: Lang, msg: Msg) -> String {
    lang.t(msg).to_owned()
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
}
