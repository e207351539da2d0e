//! Every string a participant reads: English built in, each other language a JSON file next to
//! the widget (`www/i18n/{tag}.json`, `{"resume": "…", …}` with the keys of [`KEYS`]) that a
//! page fetches only when it needs that language, so no page pays for the others; and a study's
//! own wording (the element's `strings` file) over either.
//!
//! English is one table indexed by [`Msg`] (a missing string is a compile error: the array has
//! a fixed length). Another language is [`install`]ed once its file (and the study's wording) is
//! fetched, and is then a [`Lang`] like English; for any key it lacks, the card speaks English.
//! Which message a survey status or a contract error code shows is decided here too
//! ([`Msg::of_status`], [`Msg::of_error`]), and nowhere else.
//!
//! This file depends only on the contract crate: the end-to-end tests compile it as a module
//! of their own (`crates/e2e/src/i18n.rs`) and install the very files the widget ships.

use std::cell::RefCell;

use redcap_resume_contract::{ErrorCode, SurveyStatus};

/// A language the card can speak now: English (built in, the default) or one [`install`]ed
/// on this page. Which language a page gets is the loader's choice (`www/redcap-resume.js`,
/// `words`: the element's or closest `lang`, else the browser's, with region fallback).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Lang(pub(crate) u8);

/// An installed language: its tag, direction and texts (by [`Msg`]).
struct Table {
    tag: &'static str,
    rtl: bool,
    text: [&'static str; N],
}

thread_local! {
    /// The installed languages; `Lang(n)` is the `n`th (1-based: 0 is English). Installed
    /// once per language and wording file on a page, so they live as long as it.
    static TABLES: RefCell<Vec<&'static Table>> = const { RefCell::new(Vec::new()) };
}

impl Lang {
    /// English, built in.
    pub const EN: Lang = Lang(0);

    fn table(self) -> Option<&'static Table> {
        let i = usize::from(self.0).checked_sub(1)?;
        TABLES.with(|t| t.borrow().get(i).copied())
    }

    /// The text of `msg` in this language. (Not inlined: the card calls it in many places,
    /// and each inlined copy of the lookup is code.)
    #[inline(never)]
    pub fn t(self, msg: Msg) -> &'static str {
        self.nth(msg as usize)
    }

    /// The text of the `i`th message (the [`Msg`] and [`KEYS`] order).
    pub fn nth(self, i: usize) -> &'static str {
        self.table().map_or(EN[i], |t| t.text[i])
    }

    /// The BCP 47 tag written into the card's `lang` attribute (`en`, `pt`, `zh-Hans`, or a
    /// study's own tag such as `es-MX`).
    pub fn tag(self) -> &'static str {
        self.table().map_or("en", |t| t.tag)
    }

    /// Whether the language is written right to left (the card then sets `dir="rtl"`).
    pub fn rtl(self) -> bool {
        self.table().is_some_and(|t| t.rtl)
    }
}

/// Installs a language and returns it. Each message's text is the study's (`study(key)`) if
/// it keeps the placeholders of the English text (`{seconds}`), else the language file's
/// (`file(key)`) under the same rule, else English. `refused` is told each key whose study
/// text was set aside for a missing placeholder. (`dyn`, and a loop rather than
/// `array::from_fn`: one copy of this code in the wasm, not one per key.)
pub fn install(
    tag: &str,
    rtl: bool,
    file: &dyn Fn(&str) -> Option<String>,
    study: &dyn Fn(&str) -> Option<String>,
    refused: &mut dyn FnMut(&'static str),
) -> Lang {
    let mut text = EN;
    for (i, slot) in text.iter_mut().enumerate() {
        if let Some(s) = choose(EN[i], KEYS[i], file, study, refused) {
            *slot = s;
        }
    }
    let table = Box::leak(Box::new(Table {
        tag: Box::leak(tag.into()),
        rtl,
        text,
    }));
    TABLES.with(|t| {
        let mut t = t.borrow_mut();
        t.push(table);
        Lang(t.len() as u8)
    })
}

/// The text for `key` (English `english`) that [`install`] keeps, if not English.
#[inline(never)]
fn choose(
    english: &str,
    key: &'static str,
    file: &dyn Fn(&str) -> Option<String>,
    study: &dyn Fn(&str) -> Option<String>,
    refused: &mut dyn FnMut(&'static str),
) -> Option<&'static str> {
    let keeps = |s: &String| keeps_placeholders(english, s);
    let mine = study(key);
    if mine.as_ref().is_some_and(|s| !keeps(s)) {
        refused(key);
    }
    let text = mine.filter(keeps).or_else(|| file(key).filter(keeps))?;
    Some(Box::leak(text.into_boxed_str()))
}

/// Whether `text` has every `{placeholder}` that `english` has.
pub fn keeps_placeholders(english: &str, text: &str) -> bool {
    // Bytes, not `str::split`/`find`/slicing: each would link kilobytes of searcher and panic
    // formatting into the wasm for a check on a few short texts.
    let mut rest = english.as_bytes();
    while let Some(open) = rest.iter().position(|b| *b == b'{') {
        let Some(close) = rest[open..].iter().position(|b| *b == b'}') else {
            return true;
        };
        if find(text, &rest[open..=open + close]).is_none() {
            return false;
        }
        rest = &rest[open + close + 1..];
    }
    true
}

/// `text` with its `{name}` placeholder (the first) replaced by `value`.
pub fn fill(text: &str, name: &str, value: &str) -> String {
    let placeholder = String::from("{") + name + "}";
    let at = find(text, placeholder.as_bytes());
    match at.and_then(|at| Some((text.get(..at)?, text.get(at + placeholder.len()..)?))) {
        Some((before, after)) => String::from(before) + value + after,
        None => text.to_owned(),
    }
}

/// Where `needle` starts in `text` (a plain scan: `str::find` with a string links the
/// two-way searcher).
fn find(text: &str, needle: &[u8]) -> Option<usize> {
    text.as_bytes()
        .windows(needle.len())
        .position(|w| w == needle)
}

/// The messages. Order = order of the tables below.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    YourSurvey,
    YourSurveys,
    Loading,
    LoadingList,
    ListReady,
    ListEmpty,
    NotStarted,
    InProgress,
    Completed,
    Unknown,
    Resume,
    Start,
    CodeLabel,
    Copy,
    Copied,
    CopyFailed,
    OrLink,
    /// Before the study's contact line under REDCap's return-page link.
    IfClosed,
    TryAgain,
    /// "Try again" while the server's `Retry-After` runs: `{seconds}` is replaced.
    TryAgainIn,
    /// The page's CSP (`form-action`) refused the resume form: the link and code still work.
    FormBlocked,
    SignedOut,
    Forbidden,
    UnknownSurvey,
    RecordNotFound,
    ResumeNotAvailable,
    RateLimited,
    UpstreamUnavailable,
    UpstreamMisconfigured,
    Internal,
    Network,
    Config,
    /// The link to the participant's REDCap survey queue (`queue` attribute).
    Queue,
    /// The button that shows the QR code of the return page (`qr` attribute).
    Qr,
    /// Beside the QR code, before the return code.
    QrHelp,
    /// The QR image's text alternative.
    QrAlt,
    /// The QR code could not be fetched.
    QrFailed,
}

impl Msg {
    /// What a survey's status says.
    pub fn of_status(status: SurveyStatus) -> Msg {
        match status {
            SurveyStatus::NotStarted => Msg::NotStarted,
            SurveyStatus::InProgress => Msg::InProgress,
            SurveyStatus::Completed => Msg::Completed,
            SurveyStatus::Unknown => Msg::Unknown,
        }
    }

    /// What an error card says for a contract error code (never the server's own wording).
    pub fn of_error(code: ErrorCode) -> Msg {
        match code {
            ErrorCode::NotSignedIn => Msg::SignedOut,
            ErrorCode::Forbidden => Msg::Forbidden,
            ErrorCode::UnknownSurvey => Msg::UnknownSurvey,
            ErrorCode::RecordNotFound => Msg::RecordNotFound,
            ErrorCode::ResumeNotAvailable => Msg::ResumeNotAvailable,
            ErrorCode::RateLimited => Msg::RateLimited,
            ErrorCode::UpstreamUnavailable => Msg::UpstreamUnavailable,
            ErrorCode::UpstreamMisconfigured => Msg::UpstreamMisconfigured,
            ErrorCode::Internal => Msg::Internal,
        }
    }
}

const N: usize = Msg::QrFailed as usize + 1;

/// The English texts, in [`Msg`] order (the keys are [`KEYS`]).
pub const EN: [&str; N] = [
    "Your survey",
    "Your surveys",
    "Loading your survey…",
    "Loading your surveys…",
    "Here are your surveys.",
    "You have no surveys to resume right now.",
    "Not started yet.",
    "In progress — you can continue where you stopped.",
    "You have completed this survey — thank you.",
    "You can continue where you stopped.",
    "Resume survey",
    "Start survey",
    "Your return code",
    "Copy code",
    "Copied",
    "Could not copy. Select the code and copy it.",
    "Or open this link and enter your code",
    "If the survey says it is closed:",
    "Try again",
    "Try again in {seconds} s",
    "This page could not open the survey. Open the link below and enter your return code.",
    "Please sign in to see your survey.",
    "You do not have access to this survey.",
    "This survey could not be found. Please contact the study team.",
    "We could not find your study record. Please contact the study team.",
    "This survey cannot be resumed online. Please contact the study team.",
    "There are too many requests right now. Please try again in a moment.",
    "The survey system is not available right now. Please try again later.",
    "The survey system is not set up correctly. Please contact the study team.",
    "Something went wrong. Please try again later.",
    "We could not reach the server. Check your connection and try again.",
    "This survey card is not set up correctly: its endpoint must be on this website.",
    "Open your survey queue",
    "Continue on another device",
    "Scan this code with the other device's camera, then enter your return code there:",
    "QR code that opens the survey's return page",
    "The QR code could not be loaded. Open the link on the other device instead.",
];

/// Each message's key in the language files, in [`Msg`] order.
pub const KEYS: [&str; N] = [
    "your_survey",
    "your_surveys",
    "loading",
    "loading_list",
    "list_ready",
    "list_empty",
    "not_started",
    "in_progress",
    "completed",
    "unknown",
    "resume",
    "start",
    "code_label",
    "copy",
    "copied",
    "copy_failed",
    "or_link",
    "if_closed",
    "try_again",
    "try_again_in",
    "form_blocked",
    "signed_out",
    "forbidden",
    "unknown_survey",
    "record_not_found",
    "resume_not_available",
    "rate_limited",
    "upstream_unavailable",
    "upstream_misconfigured",
    "internal",
    "network",
    "config",
    "queue",
    "qr",
    "qr_help",
    "qr_alt",
    "qr_failed",
];
