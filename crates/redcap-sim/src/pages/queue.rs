//! The survey queue page `?sq=HASH`: the record's surveys, each completed or with its link.
//!
//! REDCap lists the surveys its queue settings put there; the simulator lists every survey
//! designated for the record (per event of its arm in longitudinal projects), instance 1.

use axum::response::Response;

use super::html::{escape, message, page};
use super::texts::QUEUE_LINK_INVALID;
use crate::app::App;
use crate::model::{FormState, ResponseKey};
use crate::survey_api::surveys_url;

/// One line of the queue.
struct Item {
    title: String,
    key: ResponseKey,
    state: FormState,
}

/// Answers `?sq=HASH`: `survey_508` for an unknown hash or a project whose queue is off.
pub(crate) fn answer(app: &App, hash: &str, lang: Option<&str>) -> Response {
    let mut inner = app.state.lock();
    let found = inner.lookup_queue_hash(hash).and_then(|(project, record)| {
        let p = inner.project(&project).filter(|p| p.survey_queue)?;
        let events: Vec<Option<String>> = if p.is_longitudinal() {
            p.events
                .iter()
                .filter(|e| e.arm == p.record_arm(&record))
                .map(|e| Some(e.unique_name.clone()))
                .collect()
        } else {
            vec![None]
        };
        let mut items = Vec::new();
        for event in &events {
            for i in &p.instruments {
                let Some(survey) = &i.survey else { continue };
                if !p.is_designated(&i.name, event.as_deref()) {
                    continue;
                }
                let key = ResponseKey::new(&record, &i.name, event.as_deref(), 1);
                let state = p.form_state(&key);
                items.push(Item {
                    title: survey.title.clone(),
                    key,
                    state,
                });
            }
        }
        let chosen = lang.filter(|l| p.languages.iter().any(|x| x == l));
        let lang_param = chosen.map(lang_param).unwrap_or_default();
        let lang = p.page_language(lang).unwrap_or("en").to_owned();
        Some((project, items, lang, lang_param))
    });
    let Some((project, items, lang, lang_param)) = found else {
        return page(
            "Survey Queue",
            "en",
            &message("survey-queue-message", QUEUE_LINK_INVALID),
        );
    };
    let mut rows = String::new();
    for item in items {
        let status = if let FormState::Completed { .. } = item.state {
            "<span class=\"sq-done\">Completed</span>".to_owned()
        } else {
            let hash = inner.survey_hash(&project, &item.key);
            let link = format!("{}{lang_param}", surveys_url(&app.survey_base, "s", &hash));
            format!(
                "<a class=\"sq-link\" href=\"{}\">Begin survey</a>",
                escape(&link)
            )
        };
        rows.push_str(&format!(
            "<tr class=\"sq-item\" data-instrument=\"{}\" data-event=\"{}\">\
<td class=\"sq-title\">{}</td><td class=\"sq-status\">{status}</td></tr>\n",
            escape(&item.key.instrument),
            escape(item.key.event.as_deref().unwrap_or("")),
            escape(&item.title),
        ));
    }
    drop(inner);
    let body = format!(
        "<h1 id=\"survey-queue-title\">Survey Queue</h1>\n\
<table id=\"survey-queue\">\n{rows}</table>\n"
    );
    page("Survey Queue", &lang, &body)
}

/// `&__lang=ID`, carried into the survey links of a page asked for in that language.
pub(crate) fn lang_param(lang: &str) -> String {
    let id: String = url::form_urlencoded::byte_serialize(lang.as_bytes()).collect();
    format!("&__lang={id}")
}
