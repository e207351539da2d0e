//! The card's building blocks shared by [`crate::card`] and [`crate::actions`]: how the card
//! looks ([`Look`]), the one boxed type for live parts ([`Live`], [`LiveAttr`]), text and
//! `part="…"`. Their own file so that card and actions import it, not each other.

use crate::i18n::Lang;
use leptos::prelude::*;

/// How the card looks; changing it re-renders without fetching again.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Look {
    pub lang: Lang,
    /// Where the resume form and the links open.
    pub target: Target,
    /// `hide-code`: no return code, copy button or fallback link.
    pub hide_code: bool,
}

/// A part of the card that follows the signals. One boxed type for all of them: each distinct
/// closure type would compile Leptos's render effect again (~1 KB of wasm each).
pub(crate) type Live = Box<dyn Fn() -> AnyView + Send>;
/// An attribute value that follows the signals (same reason).
pub(crate) type LiveAttr = Box<dyn Fn() -> &'static str + Send>;

/// Text as a [`Live`] view. Always an owned `String`, the type of the survey title: a second
/// text type behind `AnyView` would compile a second set of render functions.
pub(crate) fn text(s: &str) -> AnyView {
    s.to_owned().into_any()
}

/// `part="…"`, the `::part()` styling hook (the view macro has no `part` attribute).
pub(crate) fn part(name: &'static str) -> impl leptos::attr::Attribute {
    leptos::tachys::html::attribute::custom::custom_attribute("part", name)
}

/// The `target` attribute: where Resume and the links open. `_top` is for a card inside a
/// frame (the server's hosted page sets it), so REDCap is never shown in a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Target {
    /// `_self` (also any value the element does not know).
    #[default]
    Here,
    /// `_blank`: a new tab.
    Blank,
    /// `_top`: the whole window, out of any frame.
    Top,
}

impl Target {
    /// The target for an attribute value (absent or unknown: [`Target::Here`]).
    pub fn from_attr(value: Option<&str>) -> Target {
        match value {
            Some("_blank") => Target::Blank,
            Some("_top") => Target::Top,
            _ => Target::Here,
        }
    }

    /// The value written on the form and the links.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Here => "_self",
            Target::Blank => "_blank",
            Target::Top => "_top",
        }
    }
}
