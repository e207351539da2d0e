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
//! # Element API
//!
//! (The npm package's custom-elements.json and element.d.ts are generated from this list; the
//! README follows it.)
//!
//! **Attributes** (all reactive)
//! - `survey` — a configured survey key; absent: the list of every survey the participant may resume.
//! - `endpoint` — the API base, default `/redcap-resume/api`; must be on the page's origin, else a
//!   visible configuration error and no request.
//! - `ticket` — optional participant ticket, sent as `Authorization: Bearer`.
//! - `lang` — `en`, `es`, `fr`, `pt`, `de`, `zh-Hans`, `vi`, `ko`, `ru`, `ht`, `ar` (or one the
//!   `strings` file adds); else the closest `[lang]`, `<html lang>`, the browser's languages,
//!   English; a region falls back to its language (`pt-BR` → `pt`, `zh-CN` → `zh-Hans`). Arabic
//!   and other right-to-left languages set `dir="rtl"` on the card (the code stays left to right).
//!   The tag itself (the element's or the closest `[lang]`, else the browser's first language) goes
//!   to the server as `?lang=`: it picks the study's contact line and REDCap's survey language.
//! - `target` — `_self` (default), `_blank` or `_top` (a card in a frame: REDCap opens in the
//!   whole window, never in the frame), for the resume form and the links.
//! - `hide-code` — boolean: no return code, copy button or fallback link.
//! - `strings` — the study's wording: a same-origin JSON file, `{"es": {"resume": "…"}, …}`,
//!   whose texts replace the built-in ones per language (keys: `KEYS` in src/i18n.rs; an unknown
//!   key or a text missing a `{placeholder}` is reported once on the console and the built-in
//!   text used). A language only the file has becomes one of the card's.
//! - `queue` — boolean: a link to the participant's REDCap survey queue (single-survey card),
//!   shown once the server answers `GET …/surveys/{key}/queue`.
//! - `qr` — boolean: "Continue on another device", the return page as a QR code
//!   (`GET …/surveys/{key}/qr.svg`, fetched when first pressed) beside the code to type.
//!
//! **Properties** reflect the attributes both ways, as the platform's own do: `survey`,
//! `endpoint`, `ticket`, `target`, `strings` (strings; `''` when the attribute is absent;
//! setting `null` removes it), `hideCode` (boolean, the `hide-code` attribute), `queue`, `qr`
//! (booleans) and the standard `lang`.
//! `el.survey = 'month3'` re-renders exactly as `el.setAttribute('survey', 'month3')` does;
//! a property set before the element is defined is taken over when it connects.
//!
//! **Events** (bubbling, composed `CustomEvent`s; never a code or a link in `detail`)
//! - `redcap-resume:ready` — `{ survey, status }` (list: `{ survey: null, count }`).
//! - `redcap-resume:error` — `{ code }`: a contract error code, `network` or `configuration`.
//! - `redcap-resume:resume` — `{ survey }`, cancelable, fired before the form is submitted.
//!
//! **Parts**: `card`, `title`, `status`, `code`, `copy`, `resume`, `link`, `error`, `contact`
//! (the study's contact line under an error, a completed survey and the return-page link),
//! `queue`, `qr`, `qr-panel`, `qr-image`.
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
