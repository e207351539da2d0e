//! What a survey's card offers: the resume button (a form POST of the code, or the survey
//! link), the return code with its copy button, and the fallback link to REDCap's "Returning?"
//! page. Also the fallback when the page's CSP refuses the form (`form-action`). What the
//! controls do when used is [`crate::controls`]'s.

use crate::i18n::{Lang, Msg};
use crate::view::{part, text, Look};
use leptos::prelude::*;
use redcap_resume_contract::{SurveyAnswer, SurveyStatus};

/// What a survey offers: the resume button, the code with its copy button, the fallback link.
/// (Flat, one `Option<AnyView>` type: each nested view type compiles its own render code.)
pub type Actions = (Option<AnyView>, Option<AnyView>, Option<AnyView>);

/// The actions for `a`. When `blocked` (the page refused the resume form), the form gives way
/// to what still works: the code and the link, shown even with `hide-code`.
pub fn actions(a: &SurveyAnswer, look: &Look, blocked: RwSignal<bool>) -> Actions {
    if a.status == SurveyStatus::Completed {
        return (None, None, None);
    }
    let l = look.lang;
    let target = look.target.as_str();
    let code = a.return_code.as_ref().map(|c| c.expose().to_owned());
    let refused = blocked.get() && a.resume_form.is_some();
    let resume = match refused {
        true => None,
        false => resume(a, code.clone(), l, target),
    };
    if look.hide_code && !refused {
        return (resume, None, None);
    }
    let link = a.resume_link.clone().map(|href| {
        view! {
            <p class="link"><a {..part("link")} href=href target=target rel="noopener noreferrer">
                {l.t(Msg::OrLink)}
            </a></p>
        }
        .into_any()
    });
    (resume, code.map(|code| code_box(code, l)), link)
}

/// The resume button: a form POST of the code, else (nothing to resume with a code, e.g. not
/// started) the survey link itself.
fn resume(
    a: &SurveyAnswer,
    code: Option<String>,
    l: Lang,
    target: &'static str,
) -> Option<AnyView> {
    let label = l.t(if a.status == SurveyStatus::NotStarted {
        Msg::Start
    } else {
        Msg::Resume
    });
    let title = a.title.clone();
    match (&a.resume_form, code) {
        (Some(form), Some(code)) => {
            Some(view! {
                <form method="post" action=form.action.clone() target=target
                    data-act="resume" data-survey=a.key.clone()>
                    <input type="hidden" name=form.field.clone() value=code />
                    <button type="submit" {..part("resume")} class="primary">
                        {label}<span class="vh">": "{title}</span>
                    </button>
                </form>
            }
            .into_any())
        }
        _ => a.survey_link.clone().map(|href| {
            view! {
                <a {..part("resume")} class="primary" href=href target=target rel="noopener noreferrer">
                    {label}<span class="vh">": "{title}</span>
                </a>
            }
            .into_any()
        }),
    }
}

/// The return code with its copy button (`data-act="copy"`, see [`crate::controls`]) and the
/// copy's outcome (a status region the button fills).
fn code_box(code: String, l: Lang) -> AnyView {
    view! {
        <div class="code">
            <span class="label">{l.t(Msg::CodeLabel)}</span>
            // Left to right in a right-to-left card too: it is typed character by character.
            <code {..part("code")} dir="ltr">{code}</code>
            <button type="button" {..part("copy")} class="secondary" data-act="copy">
                {text(l.t(Msg::Copy))}
            </button>
            <span class="copied" role="status"></span>
        </div>
    }
    .into_any()
}
