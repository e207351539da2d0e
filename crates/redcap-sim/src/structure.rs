//! The project's structure: `content=instrument`, `arm`, `event`, `formEventMapping` and
//! `repeatingFormsEvents`. Arms and events exist only in longitudinal projects; a classic
//! project answers REDCap's error for them (PyCap reads the `formEventMapping` error as "not
//! longitudinal").

use axum::response::Response;
use serde_json::Value;

use crate::api_error::ApiError;
use crate::dictionary::format;
use crate::model::{Event, Project};
use crate::params::Params;
use crate::render::{render, Row};
use crate::state::Inner;

fn project<'a>(inner: &'a Inner, name: &str) -> &'a Project {
    inner.project(name).expect("a token's project exists")
}

fn row(pairs: Vec<(&str, Value)>) -> Row {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn longitudinal<'a>(p: &'a Project, what: &str) -> Result<&'a Project, ApiError> {
    if p.is_longitudinal() {
        Ok(p)
    } else {
        Err(ApiError::bad_request(&format!(
            "You cannot export {what} for classic projects"
        )))
    }
}

/// `arms[]` as numbers (unparsable entries are ignored); empty: every arm.
fn wanted_arms(params: &Params) -> Vec<u32> {
    params
        .list("arms")
        .iter()
        .filter_map(|a| a.parse().ok())
        .collect()
}

fn arms(p: &Project) -> Vec<u32> {
    let mut arms: Vec<u32> = p.events.iter().map(|e| e.arm).collect();
    arms.dedup();
    arms
}

/// The label REDCap shows for an event, made from its unique name (`month_3_arm_1` → `Month 3`).
fn event_label(e: &Event) -> String {
    let base = e
        .unique_name
        .strip_suffix(&format!("_arm_{}", e.arm))
        .unwrap_or(&e.unique_name);
    let mut label = base.replace('_', " ");
    if let Some(first) = label.get(..1) {
        label = first.to_uppercase() + &label[1..];
    }
    label
}

/// `content=instrument`: `instrument_name` and `instrument_label` in designer order.
pub(crate) fn instruments(
    inner: &Inner,
    name: &str,
    params: &Params,
) -> Result<Response, ApiError> {
    let rows: Vec<Row> = project(inner, name)
        .instruments
        .iter()
        .map(|i| {
            row(vec![
                ("instrument_name", Value::from(i.name.clone())),
                ("instrument_label", Value::from(i.label.clone())),
            ])
        })
        .collect();
    Ok(render(format(params), &rows, true))
}

/// `content=arm`: `arm_num` and `name`, optionally for the arms in `arms[]`.
pub(crate) fn arms_export(
    inner: &Inner,
    name: &str,
    params: &Params,
) -> Result<Response, ApiError> {
    let p = longitudinal(project(inner, name), "arms")?;
    let wanted = wanted_arms(params);
    let rows: Vec<Row> = arms(p)
        .into_iter()
        .filter(|a| wanted.is_empty() || wanted.contains(a))
        .map(|a| {
            row(vec![
                ("arm_num", Value::from(a)),
                ("name", Value::from(format!("Arm {a}"))),
            ])
        })
        .collect();
    Ok(render(format(params), &rows, true))
}

/// `content=event`: `event_name`, `arm_num`, `unique_event_name`, `custom_event_label`,
/// `event_id` per event, optionally for the arms in `arms[]`.
pub(crate) fn events(inner: &Inner, name: &str, params: &Params) -> Result<Response, ApiError> {
    let p = longitudinal(project(inner, name), "events")?;
    let wanted = wanted_arms(params);
    let rows: Vec<Row> = p
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| wanted.is_empty() || wanted.contains(&e.arm))
        .map(|(n, e)| {
            row(vec![
                ("event_name", Value::from(event_label(e))),
                ("arm_num", Value::from(e.arm)),
                ("unique_event_name", Value::from(e.unique_name.clone())),
                ("custom_event_label", Value::from("")),
                ("event_id", Value::from(p.project_id * 100 + n as u32 + 1)),
            ])
        })
        .collect();
    Ok(render(format(params), &rows, true))
}

/// `content=formEventMapping`: `arm_num`, `unique_event_name`, `form` per designation, in event
/// order, optionally for the arms in `arms[]`; a classic project answers REDCap's error (PyCap
/// reads that error as "not longitudinal").
pub(crate) fn form_event_mapping(
    inner: &Inner,
    name: &str,
    params: &Params,
) -> Result<Response, ApiError> {
    let p = longitudinal(project(inner, name), "form/event mappings")?;
    let arms = wanted_arms(params);
    let rows: Vec<Row> = p
        .events
        .iter()
        .filter(|e| arms.is_empty() || arms.contains(&e.arm))
        .flat_map(|e| {
            e.instruments.iter().map(|form| {
                vec![
                    ("arm_num".into(), Value::from(e.arm)),
                    (
                        "unique_event_name".into(),
                        Value::from(e.unique_name.clone()),
                    ),
                    ("form".into(), Value::from(form.clone())),
                ]
            })
        })
        .collect();
    Ok(render(format(params), &rows, true))
}

/// `content=repeatingFormsEvents`: the repeating instruments (per event they are designated
/// for in longitudinal projects), with an empty `custom_form_label`.
pub(crate) fn repeating(inner: &Inner, name: &str, params: &Params) -> Result<Response, ApiError> {
    let p = project(inner, name);
    let mut rows: Vec<Row> = Vec::new();
    for i in p.instruments.iter().filter(|i| i.repeating) {
        if p.is_longitudinal() {
            for e in p.events.iter().filter(|e| e.instruments.contains(&i.name)) {
                rows.push(row(vec![
                    ("event_name", Value::from(e.unique_name.clone())),
                    ("form_name", Value::from(i.name.clone())),
                    ("custom_form_label", Value::from("")),
                ]));
            }
        } else {
            rows.push(row(vec![
                ("form_name", Value::from(i.name.clone())),
                ("custom_form_label", Value::from("")),
            ]));
        }
    }
    Ok(render(format(params), &rows, true))
}
