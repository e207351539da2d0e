//! The pages behind a survey link `?s=HASH`: what REDCap shows for each state of the response,
//! with Save & Return Later, a posted return code, Survey Login and `__lang`.

use axum::response::Response;

use super::html::{escape, found, heading, message, page};
use super::texts::{
    ALREADY_COMPLETED, NOT_A_PARTICIPANT, PARTIALLY_COMPLETED, RETURN_PROMPT, SURVEY_CLOSED,
    SURVEY_LOGIN_FAILED, SURVEY_LOGIN_PROMPT, WRONG_CODE,
};
use crate::app::App;
use crate::model::{FormState, ResponseKey, SurveySettings};
use crate::params::Params;
use crate::survey_api::surveys_url;

/// What one request is about.
struct Visit {
    survey: SurveySettings,
    key: ResponseKey,
    state: FormState,
    /// The survey link itself, with `&__lang=ID` when a project language was asked for.
    self_url: String,
    /// The language the page renders in.
    lang: String,
    /// The return code REDCap holds for the response, if any.
    code: Option<String>,
    /// Survey Login: each login field with the record's value (if it has one).
    login: Vec<(String, Option<String>)>,
}

impl Visit {
    /// Whether a posted form logs in: every login field given and equal to the record's value
    /// (trimmed, case-insensitive).
    fn logs_in(&self, form: &Params) -> bool {
        !self.login.is_empty()
            && self.login.iter().all(|(field, expected)| {
                let given = form.get(field).map(str::trim);
                matches!((given, expected), (Some(g), Some(e)) if g.eq_ignore_ascii_case(e))
            })
    }

    /// Whether a posted form tried to log in (any login field present).
    fn tried_login(&self, form: &Params) -> bool {
        self.login
            .iter()
            .any(|(field, _)| form.get(field).is_some())
    }
}

/// Answers `?s=HASH`; `posted` is the form of a POST.
pub(crate) fn answer(app: &App, query: &Params, posted: Option<Params>) -> Response {
    let hash = query.non_empty("s").unwrap_or_default();
    let Some(v) = find(app, &hash, query.get("__lang")) else {
        return page(
            "REDCap",
            "en",
            &message("survey-message", NOT_A_PARTICIPANT),
        );
    };
    let returning = query.get("__return").is_some();
    let completed = matches!(v.state, FormState::Completed { .. });
    let may_return = v.survey.save_and_return && (!completed || v.survey.edit_completed);

    if v.survey.closed {
        let body = format!(
            "{}{}",
            heading(&v.survey),
            message("survey-message", SURVEY_CLOSED)
        );
        return page(&v.survey.title, &v.lang, &body);
    }
    if v.survey.survey_login {
        // Survey Login comes first; a posted return code does not replace it.
        return match posted {
            Some(form) if v.logs_in(&form) => match v.state {
                FormState::Completed { .. } if !may_return => completed_page(&v),
                FormState::Partial { .. } | FormState::Completed { .. } => resumed(&v),
                FormState::Empty | FormState::DataEntry { .. } => survey_page(&v),
            },
            Some(form) if v.tried_login(&form) => login_page(&v, Some(SURVEY_LOGIN_FAILED)),
            _ => login_page(&v, None),
        };
    }
    let posted = posted.and_then(|form| form.get("__code").map(str::to_owned));
    if !v.survey.save_and_return {
        return survey_page(&v);
    }
    if let Some(code) = posted {
        return match &v.code {
            Some(c) if c.eq_ignore_ascii_case(code.trim()) => {
                if may_return {
                    resumed(&v)
                } else {
                    completed_page(&v)
                }
            }
            _ => return_page(&v, Some(WRONG_CODE)),
        };
    }
    if returning {
        return if may_return {
            return_page(&v, None)
        } else {
            found(v.self_url.clone())
        };
    }
    match v.state {
        FormState::Partial { .. } => found(format!("{}&__return=1", v.self_url)),
        FormState::Completed { .. } if may_return => found(format!("{}&__return=1", v.self_url)),
        FormState::Completed { .. } => completed_page(&v),
        FormState::Empty | FormState::DataEntry { .. } => survey_page(&v),
    }
}

fn find(app: &App, hash: &str, lang: Option<&str>) -> Option<Visit> {
    let inner = app.state.lock();
    let (project, key) = inner.lookup_hash(hash)?;
    let p = inner.project(&project)?;
    let survey = p.instrument(&key.instrument)?.survey.clone()?;
    let state = p.form_state(&key);
    let mut self_url = surveys_url(&app.survey_base, "s", hash);
    let chosen = lang.filter(|l| p.languages.iter().any(|x| x == l));
    if let Some(l) = chosen {
        self_url.push_str(&super::queue::lang_param(l));
    }
    let lang = p.page_language(lang).unwrap_or("en").to_owned();
    let code = inner
        .participant(&project, &key)
        .and_then(|p| p.return_code.clone());
    let login = p
        .survey_login_fields
        .iter()
        .map(|f| {
            let value = p.values.get(&(key.record.clone(), f.clone())).cloned();
            (f.clone(), value)
        })
        .collect();
    Some(Visit {
        survey,
        key,
        state,
        self_url,
        lang,
        code,
        login,
    })
}

fn completed_page(v: &Visit) -> Response {
    page(
        "REDCap",
        &v.lang,
        &message("survey-message", ALREADY_COMPLETED),
    )
}

/// The survey itself, on page 1 (a new or staff-entered response) or a partial one without
/// Save & Return Later.
fn survey_page(v: &Visit) -> Response {
    let body = if let FormState::Partial { .. } = v.state {
        message("survey-message", PARTIALLY_COMPLETED)
    } else {
        format!(
            "{}<p id=\"survey-page\">Page 1 of {}</p>\n<p id=\"survey-record\" hidden>{}</p>\n",
            message("survey-message", "Please complete the survey below."),
            v.survey.pages,
            escape(&v.key.record)
        )
    };
    page(
        &v.survey.title,
        &v.lang,
        &format!("{}{body}", heading(&v.survey)),
    )
}

/// The "Returning?" page: a password field `__code` posted to the survey link.
fn return_page(v: &Visit, error: Option<&str>) -> Response {
    let error = error
        .map(|e| {
            format!(
                "<div class=\"red\" id=\"return-code-error\" role=\"alert\"><b>{}</b></div>\n",
                escape(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "{}<h2>Returning?</h2>\n{error}<p id=\"return-prompt\">{}</p>\n\
<form id=\"return_code_form\" action=\"{}\" method=\"post\" enctype=\"multipart/form-data\">\n\
<label for=\"return-code\">Return Code</label>\n\
<input type=\"password\" id=\"return-code\" name=\"__code\" maxlength=\"15\" size=\"8\" autocomplete=\"off\">\n\
<button type=\"submit\" id=\"return-submit\">Submit your Return Code</button>\n</form>\n",
        heading(&v.survey),
        escape(RETURN_PROMPT),
        escape(&v.self_url),
    );
    page(&v.survey.title, &v.lang, &body)
}

/// Survey Login: the participant logs in with the project's login fields; no return-code form.
fn login_page(v: &Visit, error: Option<&str>) -> Response {
    let error = error
        .map(|e| {
            format!(
                "<div class=\"red survey-login-error-msg\" role=\"alert\">{}</div>\n",
                escape(e)
            )
        })
        .unwrap_or_default();
    let inputs: String = v
        .login
        .iter()
        .map(|(field, _)| {
            let f = escape(field);
            format!(
                "<label for=\"login-{f}\">{f}</label>\n\
<input type=\"password\" id=\"login-{f}\" name=\"{f}\" autocomplete=\"off\">\n"
            )
        })
        .collect();
    let body = format!(
        "{}<h2 id=\"survey-login-title\">Survey Login</h2>\n<div id=\"survey-login-instructions\">\n\
<p>Survey: \"<b>{}</b>\"</p>\n<p id=\"survey-login-prompt\">{}</p>\n</div>\n{error}\
<form id=\"survey_login_form\" action=\"{}\" method=\"post\">\n{inputs}\
<button type=\"submit\" id=\"survey-login-submit\">Log in</button>\n</form>\n",
        heading(&v.survey),
        escape(&v.survey.title),
        escape(SURVEY_LOGIN_PROMPT),
        escape(&v.self_url),
    );
    page(&v.survey.title, &v.lang, &body)
}

/// After a correct code: the participant is back where they stopped.
fn resumed(v: &Visit) -> Response {
    let page_no = match v.state {
        FormState::Partial { page } => page,
        _ => 1,
    };
    let row = |id: &str, label: &str, value: &str| {
        format!(
            "<dt>{label}</dt><dd id=\"resumed-{id}\">{}</dd>\n",
            escape(value)
        )
    };
    let key = &v.key;
    let body = format!(
        "{}<p id=\"resumed-message\">Welcome back! You are continuing the survey where you left off.</p>\n\
<dl>\n{}{}{}{}{}</dl>\n<p id=\"survey-page\">Page {page_no} of {}</p>\n",
        heading(&v.survey),
        row("record", "Record", &key.record),
        row("instrument", "Instrument", &key.instrument),
        row("event", "Event", key.event.as_deref().unwrap_or("")),
        row("instance", "Instance", &key.instance.to_string()),
        row("page", "Page", &page_no.to_string()),
        v.survey.pages,
    );
    page("Resumed", &v.lang, &body)
}
