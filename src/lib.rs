//! `<redcap-resume>`: a "Resume your survey" card for REDCap participants, as a custom element
//! (Leptos, client-side rendered, compiled to WebAssembly).
//!
//! ```html
//! <link rel="modulepreload" href="/redcap-resume/redcap-resume.js">
//! <link rel="modulepreload" href="/redcap-resume/redcap-resume-widget.js">
//! <link rel="preload" href="/redcap-resume/redcap-resume-widget_bg.wasm" as="fetch" type="application/wasm" crossorigin>
//! <script type="module" src="/redcap-resume/redcap-resume.js"></script>
//! <redcap-resume survey="baseline"></redcap-resume>
//! ```
//!
//! # Element API (docs/widget.md and README are written from this list)
//!
//! **Attributes** (all reactive)
//! - `survey` — a configured survey key; absent: the list of every survey the participant may resume.
//! - `endpoint` — the API base, default `/redcap-resume/api`; must be on the page's origin, else a
//!   visible configuration error and no request.
//! - `ticket` — optional participant ticket, sent as `Authorization: Bearer`.
//! - `lang` — `en`, `es` or `fr`; else the closest `[lang]`, `<html lang>`, the browser's languages, English.
//!   The tag itself (the element's or the closest `[lang]`, else the browser's first language) goes
//!   to the server as `?lang=`: it picks the study's contact line and REDCap's survey language.
//! - `target` — `_self` (default), `_blank` or `_top` (a card in a frame: REDCap opens in the
//!   whole window, never in the frame), for the resume form and the links.
//! - `hide-code` — boolean: no return code, copy button or fallback link.
//!
//! **Properties** reflect the attributes both ways, as the platform's own do: `survey`,
//! `endpoint`, `ticket`, `target` (strings; `''` when the attribute is absent; setting `null`
//! removes it), `hideCode` (boolean, the `hide-code` attribute) and the standard `lang`.
//! `el.survey = 'month3'` re-renders exactly as `el.setAttribute('survey', 'month3')` does;
//! a property set before the element is defined is taken over when it connects.
//!
//! **Events** (bubbling, composed `CustomEvent`s; never a code or a link in `detail`)
//! - `redcap-resume:ready` — `{ survey, status }` (list: `{ survey: null, count }`).
//! - `redcap-resume:error` — `{ code }`: a contract error code, `network` or `configuration`.
//! - `redcap-resume:resume` — `{ survey }`, cancelable, fired before the form is submitted.
//!
//! **Parts**: `card`, `title`, `status`, `code`, `copy`, `resume`, `link`, `error`, `contact`
//! (the study's contact line under an error, a completed survey and the return-page link).
//!
//! **Slots**: `title` (replaces the survey title), `help` (below the card's content),
//! `signed-out` (replaces the "please sign in" text).
//!
//! **Custom properties**: `--redcap-resume-accent`, `--redcap-resume-radius`,
//! `--redcap-resume-font`, `--redcap-resume-bg`, `--redcap-resume-fg`.

pub mod actions;
pub mod api;
pub mod card;
pub mod controls;
pub mod element;
pub mod i18n;
pub mod load;
pub mod strings;
pub mod view;

pub use card::Card;
pub use element::sync;
pub use load::Session;
pub use view::{Look, Target};
