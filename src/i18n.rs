//! Every string a participant reads: English built in, each other language a JSON file next to
//! the widget (`www/i18n/{tag}.json`, `{"resume": "…", …}` with the keys of [`KEYS`]) that a
//! page fetches only when it needs that language, so no page pays for the others.
//!
//! English is one table indexed by [`Msg`] (a missing string is a compile error: the array has
//! a fixed length). Another language's table is [`install`]ed once fetched; until then, and for
//! any key its file lacks, the card speaks English. Which message a survey status or a contract
//! error code shows is decided here too ([`Msg::of_status`], [`Msg::of_error`]), and nowhere
//! else.
//!
//! This file depends only on the contract crate: the end-to-end tests compile it as a module
//! of their own (`crates/e2e/src/i18n.rs`) and install the very files the widget ships.

use std::cell::RefCell;

use redcap_resume_contract::{ErrorCode, SurveyStatus};

/// A built-in language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
    Fr,
}

impl Lang {
    /// The language for a BCP 47 tag (`es`, `fr-CA`, `EN-gb`), if it is one we have.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim();
        [("en", Lang::En), ("es", Lang::Es), ("fr", Lang::Fr)]
            .into_iter()
            .find(|(p, _)| primary.eq_ignore_ascii_case(p))
            .map(|(_, l)| l)
    }

    /// The tag written into the card's `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::Fr => "fr",
        }
    }

    /// The text of `msg` in this language: its installed table, else English. (Not inlined:
    /// the card calls it in many places, and each inlined copy of the lookup is code.)
    #[inline(never)]
    pub fn t(self, msg: Msg) -> &'static str {
        INSTALLED
            .with(|t| t.borrow()[self as usize])
            .map_or(EN[msg as usize], |table| table[msg as usize])
    }

    /// Whether the card can speak this language now (English always; another once
    /// [`install`]ed).
    pub fn ready(self) -> bool {
        self == Lang::En || INSTALLED.with(|t| t.borrow()[self as usize].is_some())
    }
}

thread_local! {
    /// Each language's table, once installed (by [`Lang`] index; English needs none).
    static INSTALLED: RefCell<[Option<&'static [&'static str; N]>; 3]> =
        const { RefCell::new([None; 3]) };
}

/// Installs `lang`'s table, each message's text being `text(key)` for its key in [`KEYS`]
/// (a key the file lacks stays English). Installed once per page: the strings live as long
/// as it (a few kilobytes at most).
pub fn install(lang: Lang, text: impl Fn(&str) -> Option<String>) {
    let table: [&'static str; N] =
        std::array::from_fn(|i| text(KEYS[i]).map_or(EN[i], |s| &*Box::leak(s.into_boxed_str())));
    INSTALLED.with(|t| t.borrow_mut()[lang as usize] = Some(Box::leak(Box::new(table))));
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
    /// "Try again" while the server's `Retry-After` runs, before "{seconds} s".
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

const N: usize = Msg::Config as usize + 1;

const EN: [&str; N] = [
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
    "Try again in",
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
];
