//! The hosted page: `<redcap-resume>` alone on a minimal page, for a frame of fixed height or
//! a top-level tab. Everything here is a pure function of the configuration and the query.
//!
//! - `survey=KEY` (optional: absent, the card lists every survey); a key that is not
//!   configured gets a plain "not available" page (404), never a stack trace;
//! - `lang=xx` (optional): a language tag (`es`, `pt-BR`), else the page is refused (400). The
//!   element gets it as is; the page's own words (its title, the framed `signed-out` slot, the
//!   "not available" page) are in the card's eleven languages, chosen as the card chooses
//!   (`pt-BR` → `pt`, `zh-CN` → Simplified Chinese, not `zh-TW`), else English; in Arabic the
//!   page is right to left (`dir="rtl"`);
//! - the element's links and resume form open at the top level (`target="_top"`): inside a
//!   frame REDCap is never framed; at the top level `_top` is the page itself;
//! - in a frame (the browser's `Sec-Fetch-Dest: iframe`), the card's `signed-out` slot says
//!   that the sign-in may not reach a frame on another site (the ticket cookie is
//!   `SameSite=Lax`: a cross-site frame never gets it) and links to this page in a new tab,
//!   where it does — never a dead end. Only a signed-out card shows the slot.

use crate::config::{Config, LanguageTag};
use crate::survey_key::SurveyKey;

/// The hosted page's own stylesheet (served at [`stylesheet_path`]): no margin, the card as
/// wide as the frame, its content close together (the CSP refuses inline styles).
pub const STYLESHEET: &str = "html,body{margin:0;padding:0;background:transparent}\
body{padding:4px}\
redcap-resume{max-width:none}\
main{max-width:40rem;margin:0 auto;padding:1rem;font-family:system-ui,sans-serif;line-height:1.45}\n";

/// What a request for the hosted page gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// 200: the card.
    Card(String),
    /// 404: no such survey is configured here.
    UnknownSurvey(String),
    /// 400: the query is not one this page takes (the reason is safe to show).
    BadQuery(String),
}

/// The query of `{base}/embed`, read from its form-encoded text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EmbedQuery {
    pub survey: Option<String>,
    pub lang: Option<String>,
}

impl EmbedQuery {
    /// Reads `survey` and `lang`; other parameters are ignored (sites add tracking ones).
    pub fn parse(query: Option<&str>) -> EmbedQuery {
        let mut out = EmbedQuery::default();
        for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            match &*k {
                "survey" if out.survey.is_none() => out.survey = Some(v.into_owned()),
                "lang" if out.lang.is_none() => out.lang = Some(v.into_owned()),
                _ => {}
            }
        }
        out
    }
}

/// The stylesheet's path, beside the page: `/redcap-resume/embed.css`.
pub fn stylesheet_path(config: &Config) -> String {
    format!("{}.css", config.embed_path())
}

/// Where the page is shown, from the request's `Sec-Fetch-Dest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// A tab of its own (or a browser that does not say).
    TopLevel,
    /// Inside an `<iframe>` or `<frame>` of another page.
    Framed,
}

impl Shown {
    /// `Sec-Fetch-Dest: iframe` or `frame` is a frame; anything else, or nothing, is not.
    pub fn from_fetch_dest(dest: Option<&str>) -> Shown {
        match dest {
            Some("iframe" | "frame") => Shown::Framed,
            _ => Shown::TopLevel,
        }
    }
}

/// The hosted page's own words in one language (the card inside speaks for itself, from the
/// widget's language files; these follow their terms: "survey", "return code", formal you).
struct Words {
    /// The primary subtag that chooses it (`zh`: Simplified Chinese, as the card's `zh-Hans`).
    lang: &'static str,
    /// The page's title when it shows every survey (one survey: that survey's title).
    title: &'static str,
    /// In a frame, the card's `signed-out` slot: the text, then its link to this page.
    signed_out: &'static str,
    new_tab: &'static str,
    /// The page for a survey this server does not know: its heading and sentence.
    unknown: &'static str,
    unknown_text: &'static str,
}

impl Words {
    /// Written right to left (`dir="rtl"` on the page).
    fn rtl(&self) -> bool {
        self.lang == "ar"
    }
}

/// The card's eleven languages, English first (the fallback).
const WORDS: [Words; 11] = [
    Words {
        lang: "en",
        title: "Resume your survey",
        signed_out: "Your sign-in does not reach this card inside another website.",
        new_tab: "Open it in a new tab",
        unknown: "Survey not available",
        unknown_text: "This page does not know that survey. Please check the link you followed, \
                       or contact the study team.",
    },
    Words {
        lang: "es",
        title: "Continuar su encuesta",
        signed_out: "Su sesión no llega a esta tarjeta dentro de otro sitio web.",
        new_tab: "Ábrala en una pestaña nueva",
        unknown: "Encuesta no disponible",
        unknown_text: "Esta página no conoce esa encuesta. Revise el enlace que siguió \
                       o comuníquese con el equipo del estudio.",
    },
    Words {
        lang: "fr",
        title: "Reprendre votre questionnaire",
        signed_out: "Votre connexion n’atteint pas cette carte dans un autre site.",
        new_tab: "Ouvrez-la dans un nouvel onglet",
        unknown: "Questionnaire non disponible",
        unknown_text: "Cette page ne connaît pas ce questionnaire. Vérifiez le lien que vous \
                       avez suivi ou contactez l’équipe de l’étude.",
    },
    Words {
        lang: "pt",
        title: "Retomar seu questionário",
        signed_out: "Seu login não chega a este cartão dentro de outro site.",
        new_tab: "Abra-o em uma nova aba",
        unknown: "Questionário não disponível",
        unknown_text: "Esta página não conhece esse questionário. Verifique o link que você \
                       seguiu ou entre em contato com a equipe do estudo.",
    },
    Words {
        lang: "de",
        title: "Ihren Fragebogen fortsetzen",
        signed_out: "Ihre Anmeldung erreicht diese Karte in einer anderen Website nicht.",
        new_tab: "Öffnen Sie sie in einem neuen Tab",
        unknown: "Fragebogen nicht verfügbar",
        unknown_text: "Diese Seite kennt diesen Fragebogen nicht. Bitte prüfen Sie den Link, \
                       dem Sie gefolgt sind, oder wenden Sie sich an das Studienteam.",
    },
    Words {
        lang: "zh",
        title: "继续填写您的问卷",
        signed_out: "您的登录状态无法传递到嵌在其他网站中的此卡片。",
        new_tab: "在新标签页中打开",
        unknown: "问卷不可用",
        unknown_text: "此页面无法识别该问卷。请检查您打开的链接，或联系研究团队。",
    },
    Words {
        lang: "vi",
        title: "Tiếp tục khảo sát của quý vị",
        signed_out: "Thông tin đăng nhập của quý vị không đến được thẻ này khi thẻ nằm \
                     trong một trang web khác.",
        new_tab: "Mở trong tab mới",
        unknown: "Khảo sát không khả dụng",
        unknown_text: "Trang này không nhận ra khảo sát đó. Vui lòng kiểm tra liên kết quý vị \
                       đã mở, hoặc liên hệ nhóm nghiên cứu.",
    },
    Words {
        lang: "ko",
        title: "귀하의 설문 이어서 하기",
        signed_out: "다른 웹사이트 안에 있는 이 카드에는 귀하의 로그인 정보가 전달되지 않습니다.",
        new_tab: "새 탭에서 열기",
        unknown: "설문을 이용할 수 없습니다",
        unknown_text: "이 페이지에서 해당 설문을 찾을 수 없습니다. 접속하신 링크를 확인하시거나 \
                       연구팀에 문의해 주십시오.",
    },
    Words {
        lang: "ru",
        title: "Продолжить ваш опрос",
        signed_out: "Ваш вход в систему не действует для этой карточки внутри другого сайта.",
        new_tab: "Откройте её в новой вкладке",
        unknown: "Опрос недоступен",
        unknown_text: "Эта страница не знает такого опроса. Пожалуйста, проверьте ссылку, \
                       по которой вы перешли, или свяжитесь с исследовательской группой.",
    },
    Words {
        lang: "ht",
        title: "Kontinye sondaj ou",
        signed_out: "Koneksyon ou pa rive jwenn kat sa a anndan yon lòt sit entènèt.",
        new_tab: "Louvri l nan yon nouvo onglè",
        unknown: "Sondaj la pa disponib",
        unknown_text: "Paj sa a pa konnen sondaj sa a. Tanpri verifye lyen ou te swiv la, \
                       oswa kontakte ekip etid la.",
    },
    Words {
        lang: "ar",
        title: "استئناف استبيانك",
        signed_out: "لا يصل تسجيل دخولك إلى هذه البطاقة داخل موقع ويب آخر.",
        new_tab: "افتحها في علامة تبويب جديدة",
        unknown: "الاستبيان غير متاح",
        unknown_text: "لا تعرف هذه الصفحة ذلك الاستبيان. يُرجى التحقق من الرابط الذي اتبعته، \
                       أو التواصل مع فريق الدراسة.",
    },
];

/// The page's words for the language tag `tag`, chosen as the card chooses its language
/// (`www/redcap-resume.js`, `pick`): by primary subtag (`pt-BR` → `pt`), Chinese in Simplified
/// script only (`zh`, `zh-Hans`, `zh-CN`, `zh-SG`; not `zh-Hant`, `zh-TW`, `zh-HK`, `zh-MO`).
/// `None`: none of the eleven (the page then speaks English).
fn words(tag: &str) -> Option<&'static Words> {
    let mut subtags = tag.split('-');
    let primary = subtags.next()?;
    if primary.eq_ignore_ascii_case("zh") && !simplified(subtags.next()) {
        return None;
    }
    WORDS.iter().find(|w| w.lang.eq_ignore_ascii_case(primary))
}

/// Whether Chinese with `next` after `zh` (a script or a region, if any) is written in
/// Simplified characters: the script says so (`Hans`), else the region is not one that
/// writes Traditional (Taiwan, Hong Kong, Macao).
fn simplified(next: Option<&str>) -> bool {
    match next {
        None => true,
        Some(script) if script.len() == 4 => script.eq_ignore_ascii_case("hans"),
        Some(region) => !["tw", "hk", "mo"]
            .iter()
            .any(|r| region.eq_ignore_ascii_case(r)),
    }
}

/// The page for `query` under `config`, shown as `shown`.
pub fn render(config: &Config, query: &EmbedQuery, shown: Shown) -> Page {
    let lang = match query.lang.as_deref().filter(|l| !l.is_empty()) {
        None => None,
        Some(text) => match LanguageTag::parse(text) {
            Some(tag) => Some(tag),
            None => {
                return Page::BadQuery(plain(
                    "en",
                    "",
                    "This link is not quite right",
                    "The lang parameter must be a language tag like es or pt-BR.",
                    config,
                ))
            }
        },
    };
    // The page's own words, and the language and direction its `<html>` declares for them
    // (the requested tag when the page speaks it; the card inside declares its own).
    let tag = lang.as_ref().map(LanguageTag::as_str);
    let (words, lang_attr) = match tag.and_then(words) {
        Some(w) => (w, tag.unwrap_or(w.lang)),
        None => (&WORDS[0], "en"),
    };
    let dir = if words.rtl() { " dir=\"rtl\"" } else { "" };
    let survey = match query.survey.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => {
            let known = SurveyKey::parse(text)
                .ok()
                .and_then(|key| config.surveys.iter().find(|s| s.key == key));
            match known {
                Some(s) => Some(s),
                None => {
                    return Page::UnknownSurvey(plain(
                        lang_attr,
                        dir,
                        words.unknown,
                        words.unknown_text,
                        config,
                    ))
                }
            }
        }
    };
    let files = config.widget_path();
    let title = survey.map_or(words.title, |s| s.title.as_str());
    let survey_attr = survey.map_or(String::new(), |s| format!(" survey=\"{}\"", s.key));
    let lang_el = lang
        .as_ref()
        .map_or(String::new(), |l| format!(" lang=\"{}\"", l.as_str()));
    let signed_out = match shown {
        Shown::TopLevel => String::new(),
        Shown::Framed => {
            // This very page, rebuilt from what was checked above (never the raw query).
            let mut here = config.embed_path();
            let mut sep = '?';
            if let Some(s) = survey {
                here = format!("{here}{sep}survey={}", s.key);
                sep = '&';
            }
            if let Some(l) = &lang {
                here = format!("{here}{sep}lang={}", l.as_str());
            }
            format!(
                "<span slot=\"signed-out\">{} <a href=\"{}\" target=\"_blank\" \
                 rel=\"noopener\">{}</a></span>",
                words.signed_out,
                escape(&here),
                words.new_tab,
            )
        }
    };
    Page::Card(format!(
        r#"<!doctype html>
<html lang="{lang_attr}"{dir}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>{title}</title>
<link rel="stylesheet" href="{css}">
<link rel="modulepreload" href="{files}redcap-resume.js">
<link rel="modulepreload" href="{files}redcap-resume-widget.js">
<link rel="preload" href="{files}redcap-resume-widget_bg.wasm" as="fetch" type="application/wasm" crossorigin>
<script type="module" src="{files}redcap-resume.js"></script>
</head>
<body>
<redcap-resume{survey_attr}{lang_el} endpoint="{endpoint}" target="_top">{signed_out}</redcap-resume>
</body>
</html>
"#,
        title = escape(title),
        css = stylesheet_path(config),
        endpoint = config.base_path,
    ))
}

/// A page with one heading and one sentence, under the same stylesheet (`dir`: empty, or the
/// ` dir="rtl"` attribute).
fn plain(lang: &str, dir: &str, heading: &str, text: &str, config: &Config) -> String {
    format!(
        r#"<!doctype html>
<html lang="{lang}"{dir}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>{heading}</title>
<link rel="stylesheet" href="{css}">
</head>
<body>
<main>
<h1>{heading}</h1>
<p>{text}</p>
</main>
</body>
</html>
"#,
        css = stylesheet_path(config),
    )
}

/// Text for HTML content and quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_takes_the_first_survey_and_lang() {
        let q = EmbedQuery::parse(Some("survey=baseline&utm_source=x&lang=es&survey=other"));
        assert_eq!(q.survey.as_deref(), Some("baseline"));
        assert_eq!(q.lang.as_deref(), Some("es"));
        assert_eq!(EmbedQuery::parse(None), EmbedQuery::default());
    }

    #[test]
    fn a_framed_page_offers_itself_in_a_new_tab_when_signed_out() {
        assert_eq!(Shown::from_fetch_dest(Some("iframe")), Shown::Framed);
        assert_eq!(Shown::from_fetch_dest(Some("document")), Shown::TopLevel);
        assert_eq!(Shown::from_fetch_dest(None), Shown::TopLevel);
        use crate::config::fixtures::{env, GOOD};
        let config = Config::parse(GOOD, &env()).unwrap();
        let query = EmbedQuery {
            survey: Some(config.surveys[0].key.to_string()),
            lang: Some("es-MX".into()),
        };
        let Page::Card(framed) = render(&config, &query, Shown::Framed) else {
            panic!("a card");
        };
        let here = format!(
            "{}?survey={}&amp;lang=es-mx",
            config.embed_path(),
            config.surveys[0].key
        );
        assert!(
            framed.contains(&format!(
                "<span slot=\"signed-out\">Su sesión no llega a esta tarjeta dentro de otro sitio web. \
                 <a href=\"{here}\" target=\"_blank\" rel=\"noopener\">Ábrala en una pestaña nueva</a></span>"
            )),
            "{framed}"
        );
        let Page::Card(top) = render(&config, &query, Shown::TopLevel) else {
            panic!("a card");
        };
        assert!(!top.contains("slot="), "{top}");
    }

    /// The languages of the card (`en` and the loader's `LANGS`, one file each).
    fn card_languages() -> Vec<String> {
        let loader = include_str!("../../../../www/redcap-resume.js");
        let line = loader
            .lines()
            .find_map(|l| l.strip_prefix("const LANGS = ["))
            .expect("the loader's LANGS");
        let listed = line.trim_end_matches("];").split(',');
        let tags = listed.map(|t| t.trim().trim_matches('\'').to_owned());
        std::iter::once("en".to_owned()).chain(tags).collect()
    }

    #[test]
    fn every_language_of_the_card_has_the_pages_words() {
        let languages = card_languages();
        assert_eq!(languages.len(), WORDS.len(), "{languages:?}");
        for tag in &languages {
            let w = words(tag).unwrap_or_else(|| panic!("no words for {tag}"));
            assert_eq!(tag.split('-').next(), Some(w.lang), "{tag}");
            let texts = [w.title, w.signed_out, w.new_tab, w.unknown, w.unknown_text];
            assert!(texts.iter().all(|t| !t.trim().is_empty()), "{tag}");
            assert!(
                texts.iter().all(|t| !t.contains("  ") && !t.contains('\n')),
                "{tag}: a line break in the source left spaces: {texts:?}"
            );
            if w.lang != "en" {
                for (t, english) in texts.iter().zip([
                    WORDS[0].title,
                    WORDS[0].signed_out,
                    WORDS[0].new_tab,
                    WORDS[0].unknown,
                    WORDS[0].unknown_text,
                ]) {
                    assert_ne!(*t, english, "{tag} is translated");
                }
            }
            assert_eq!(w.rtl(), tag == "ar", "{tag}");
        }
    }

    #[test]
    fn the_words_follow_the_region_and_script_rules_of_the_card() {
        let lang = |tag| words(tag).map(|w| w.lang);
        for (tag, expected) in [
            ("pt-BR", Some("pt")),
            ("pt-br", Some("pt")),
            ("es-MX", Some("es")),
            ("EN-gb", Some("en")),
            ("fr-CA", Some("fr")),
            ("ar-EG", Some("ar")),
            ("zh", Some("zh")),
            ("zh-Hans", Some("zh")),
            ("zh-hans-tw", Some("zh")),
            ("zh-CN", Some("zh")),
            ("zh-SG", Some("zh")),
            ("zh-TW", None),
            ("zh-HK", None),
            ("zh-MO", None),
            ("zh-Hant", None),
            ("zh-hant-cn", None),
            ("he", None),
            ("nl-BE", None),
            ("", None),
        ] {
            assert_eq!(lang(tag), expected, "{tag}");
        }
    }

    #[test]
    fn the_page_speaks_its_language_and_arabic_is_right_to_left() {
        use crate::config::fixtures::{env, GOOD};
        let config = Config::parse(GOOD, &env()).unwrap();
        let page = |lang: &str, survey: Option<&str>, shown| {
            let query = EmbedQuery {
                survey: survey.map(str::to_owned),
                lang: Some(lang.to_owned()),
            };
            match render(&config, &query, shown) {
                Page::Card(html) | Page::UnknownSurvey(html) | Page::BadQuery(html) => html,
            }
        };
        let arabic = &WORDS[10];
        let html = page("ar", None, Shown::Framed);
        assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
        assert!(
            html.contains(&format!("<title>{}</title>", arabic.title)),
            "{html}"
        );
        assert!(html.contains(arabic.signed_out) && html.contains(arabic.new_tab));
        let html = page("ar", Some("nope"), Shown::TopLevel);
        assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
        assert!(
            html.contains(&format!("<h1>{}</h1>", arabic.unknown)),
            "{html}"
        );
        assert!(html.contains(arabic.unknown_text), "{html}");

        // Region fallback: the page keeps the requested tag, in the language's words.
        let html = page("zh-CN", None, Shown::Framed);
        assert!(html.contains("<html lang=\"zh-cn\">"), "{html}");
        assert!(html.contains(WORDS[5].title) && html.contains(WORDS[5].signed_out));
        assert!(html.contains("<redcap-resume lang=\"zh-cn\""), "{html}");
        // Traditional Chinese (no file) and languages the card does not speak: English, and
        // `<html lang>` says so; the element still gets the tag (the card then asks the browser).
        for tag in ["zh-TW", "he"] {
            let html = page(tag, None, Shown::Framed);
            assert!(html.contains("<html lang=\"en\">"), "{tag}: {html}");
            assert!(html.contains(WORDS[0].title) && html.contains(WORDS[0].signed_out));
            let element = format!("<redcap-resume lang=\"{}\"", tag.to_ascii_lowercase());
            assert!(html.contains(&element), "{tag}: {html}");
        }
        let html = page("de", Some("nope"), Shown::TopLevel);
        assert!(html.contains("<html lang=\"de\">"), "{html}");
        assert!(
            html.contains("<h1>Fragebogen nicht verfügbar</h1>"),
            "{html}"
        );
        // A bad tag: English, never right to left.
        let html = page("ar_EG", None, Shown::TopLevel);
        assert!(html.contains("<html lang=\"en\">"), "{html}");
    }

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<b title="x">Tom & 'Jerry'</b>"#),
            "&lt;b title=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }
}
