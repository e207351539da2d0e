//! The widget's files as an operator publishes them and the npm package carries them.

/// The card's languages besides English (dist/i18n/, from www/i18n/): each fetched only by a
/// page in that language.
pub const LANGUAGE_FILES: [&str; 10] = [
    "i18n/es.json",
    "i18n/fr.json",
    "i18n/pt.json",
    "i18n/de.json",
    "i18n/zh-Hans.json",
    "i18n/vi.json",
    "i18n/ko.json",
    "i18n/ru.json",
    "i18n/ht.json",
    "i18n/ar.json",
];

/// The widget's scripts and wasm (the glue and the wasm from the build, the rest copied).
pub const WIDGET_SCRIPTS: [&str; 6] = [
    "redcap-resume.js",
    "redcap-resume-autoload.js",
    "redcap-resume-plain.js",
    "redcap-resume-more.js",
    "redcap-resume-widget.js",
    "redcap-resume-widget_bg.wasm",
];

/// The widget files an operator publishes (README, "Where each file goes"): the scripts, then
/// the languages.
pub fn widget_files() -> impl Iterator<Item = &'static str> {
    WIDGET_SCRIPTS.into_iter().chain(LANGUAGE_FILES)
}
