//! Issue 13, right to left: the Arabic card (`lang="ar"`) is `dir="rtl"` with its layout
//! mirrored (the resume button starts at the right), its texts from `i18n/ar.json`, and the
//! return code still left to right and monospace; a right-to-left language a study adds
//! through its `strings` file (Persian, `fa`) is right to left too. Screenshots of the Arabic
//! and the Vietnamese card in a column 320 px wide (a small phone) land in `target/e2e/`, and
//! nothing in them sticks out of the card.

use redcap_resume_e2e::browser::Browser;
use redcap_resume_e2e::i18n::{text, Lang, Msg};
use redcap_resume_e2e::server::Server;
use redcap_sim::seed::{self, DEMO_PROJECT};
use redcap_sim::ResponseKey;
use serde::Deserialize;
use serde_json::json;

const CARD: &str = "#card";
const WORDING: &str = "/e2e/wording-fa.json";
const FA_RESUME: &str = "ادامهٔ پرسشنامه";
const FA_STATUS: &str = "در حال انجام — می‌توانید از همان جایی که ماندید ادامه دهید.";

/// How the card is laid out, read from the page.
#[derive(Debug, Deserialize)]
struct Layout {
    /// `getComputedStyle(article).direction`.
    card_direction: String,
    /// The return code's `dir` attribute, computed direction and font family.
    code_dir: Option<String>,
    code_direction: String,
    code_font: String,
    /// The code as the participant reads it.
    code: String,
    /// The space left of and right of the title's text inside the card (the text, not its
    /// block: a range around it).
    title_left_gap: f64,
    title_right_gap: f64,
    /// The same for the resume button (which may fill the width when its text is long).
    resume_left_gap: f64,
    resume_right_gap: f64,
    /// The card's width in CSS pixels.
    card_width: f64,
    /// Elements of the card that stick out of it (left or right), with their text.
    outside: Vec<String>,
}

async fn layout(browser: &Browser) -> Layout {
    const READ: &str = r#"
        const root = document.querySelector(arguments[0]).shadowRoot;
        const card = root.querySelector('[part~="card"]'), code = root.querySelector('[part~="code"]');
        const resume = root.querySelector('[part~="resume"]');
        const c = card.getBoundingClientRect(), r = resume.getBoundingClientRect();
        const range = document.createRange();
        range.selectNodeContents(root.querySelector('[part~="title"]'));
        const t = range.getBoundingClientRect();
        const outside = [...card.querySelectorAll('*')].filter((e) => !e.closest('.vh') && !e.hidden)
          .filter((e) => { const b = e.getBoundingClientRect(); return b.width > 0 && (b.left < c.left - 0.5 || b.right > c.right + 0.5); })
          .map((e) => `${e.tagName.toLowerCase()}[part=${e.getAttribute('part')}] ${JSON.stringify(e.textContent.trim().slice(0, 40))}`);
        return {
          card_direction: getComputedStyle(card).direction,
          code_dir: code.getAttribute('dir'), code_direction: getComputedStyle(code).direction,
          code_font: getComputedStyle(code).fontFamily, code: code.innerText.trim(),
          title_left_gap: t.left - c.left, title_right_gap: c.right - t.right,
          resume_left_gap: r.left - c.left, resume_right_gap: c.right - r.right,
          card_width: c.width, outside,
        };"#;
    serde_json::from_value(browser.js(READ, vec![json!(CARD)]).await).expect("the layout")
}

/// The width and height of a PNG (its IHDR chunk).
fn png_size(path: &std::path::Path) -> (u32, u32) {
    let png = std::fs::read(path).expect("read the screenshot");
    assert_eq!(&png[1..4], b"PNG", "{} is a PNG", path.display());
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_arabic_card_is_right_to_left_with_the_code_left_to_right() {
    let server = Server::start().await;
    let narrow = |lang: &str| {
        format!("<div class=\"w320\"><redcap-resume id=\"card\" survey=\"baseline\" lang=\"{lang}\" queue qr></redcap-resume></div>")
    };
    server.serve_page("/e2e/ar", Some("en"), &narrow("ar"));
    server.serve_page("/e2e/vi", Some("en"), &narrow("vi"));
    server.serve(
        WORDING,
        "application/json",
        json!({ "fa": { "resume": FA_RESUME, "in_progress": FA_STATUS } }).to_string(),
    );
    server.serve_page(
        "/e2e/fa",
        Some("fa"),
        &format!(
            "<redcap-resume id=\"card\" survey=\"baseline\" strings=\"{WORDING}\"></redcap-resume>"
        ),
    );
    let browser = Browser::start().await;
    browser
        .sign_in_on_blank(&server, seed::RECORD_IN_PROGRESS)
        .await;
    browser.goto(&server.url("/e2e/ar")).await;
    let code = server.sim().return_code(
        DEMO_PROJECT,
        &ResponseKey::classic(seed::RECORD_IN_PROGRESS, seed::BASELINE),
    );

    // Arabic.
    let resume = text(Lang::Ar, Msg::Resume);
    let card = browser.card_speaking(CARD, "ar", &resume).await;
    assert_eq!(card.dir.as_deref(), Some("rtl"), "{card:?}");
    assert_eq!(card.differences(Lang::Ar), Vec::<String>::new());
    assert_ne!(resume, text(Lang::En, Msg::Resume), "ar.json is Arabic");
    browser
        .more_when(CARD, "the queue link shown", |m| m.queue_visible)
        .await;
    let ar = layout(&browser).await;
    assert_eq!(ar.card_direction, "rtl", "{ar:?}");
    assert_eq!(ar.code_dir.as_deref(), Some("ltr"), "{ar:?}");
    assert_eq!(ar.code_direction, "ltr", "{ar:?}");
    assert!(ar.code_font.contains("monospace"), "{ar:?}");
    assert_eq!(Some(&ar.code), code.as_ref(), "the code as REDCap made it");
    assert!(
        ar.title_right_gap < ar.title_left_gap && ar.resume_right_gap <= ar.resume_left_gap,
        "mirrored: the title and the resume button start at the right: {ar:?}"
    );
    assert_eq!(ar.card_width, 320.0, "{ar:?}");
    assert!(ar.outside.is_empty(), "outside the card at 320 px: {ar:?}");
    let shot = browser.screenshot_of(CARD, "card-ar-320").await;
    assert_eq!(png_size(&shot).0, 320, "{}", shot.display());

    // The QR panel, right to left too, its code left to right (a taller window: the whole
    // card in the screenshot).
    browser
        .client
        .set_window_size(1200, 1600)
        .await
        .expect("resize the window");
    let more = browser.open_qr_panel(CARD).await;
    assert_eq!(more.panel_code_dir.as_deref(), Some("ltr"), "{more:?}");
    assert_eq!(more.panel_code, code, "the panel shows the code to type");
    let outside = layout(&browser).await.outside;
    assert!(
        outside.is_empty(),
        "outside the card with the QR panel open: {outside:?}"
    );
    browser.screenshot_of(CARD, "card-ar-320-qr").await;

    // Vietnamese, left to right, at the same width.
    browser.goto(&server.url("/e2e/vi")).await;
    let vi = browser
        .card_speaking(CARD, "vi", &text(Lang::Vi, Msg::Resume))
        .await;
    assert_eq!(vi.differences(Lang::Vi), Vec::<String>::new());
    browser
        .more_when(CARD, "the queue link shown", |m| m.queue_visible)
        .await;
    let vi = layout(&browser).await;
    assert_eq!(vi.card_direction, "ltr", "{vi:?}");
    assert!(
        vi.title_left_gap < vi.title_right_gap && vi.resume_left_gap <= vi.resume_right_gap,
        "the title and the resume button start at the left: {vi:?}"
    );
    assert_eq!(vi.card_width, 320.0, "{vi:?}");
    assert!(vi.outside.is_empty(), "outside the card at 320 px: {vi:?}");
    let shot = browser.screenshot_of(CARD, "card-vi-320").await;
    assert_eq!(png_size(&shot).0, 320, "{}", shot.display());

    // Persian, which the study adds: right to left as well.
    browser.goto(&server.url("/e2e/fa")).await;
    let card = browser.card_speaking(CARD, "fa", FA_RESUME).await;
    assert_eq!(card.dir.as_deref(), Some("rtl"), "{card:?}");
    assert_eq!(card.status.as_deref(), Some(FA_STATUS), "{card:?}");
    // A key the study did not give is English (there is no Persian file).
    assert_eq!(
        card.copy.as_deref(),
        Some(text(Lang::En, Msg::Copy).as_str()),
        "{card:?}"
    );
    let fa = layout(&browser).await;
    assert_eq!(fa.card_direction, "rtl", "{fa:?}");
    assert_eq!(fa.code_direction, "ltr", "{fa:?}");
    assert!(
        fa.title_right_gap < fa.title_left_gap && fa.resume_right_gap <= fa.resume_left_gap,
        "{fa:?}"
    );
    let violations = browser.axe().await;
    assert!(
        violations.is_empty(),
        "axe, the study's Persian card: {violations:#?}"
    );
}
