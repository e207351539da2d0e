//! `content=project` and `content=record` exports in json, csv and xml.

use axum::response::Response;
use serde_json::Value;

use crate::api_error::ApiError;
use crate::envelope::Format;
use crate::model::{Instrument, Project, ResponseKey};
use crate::params::Params;
use crate::render::{render, Row};
use crate::state::Inner;

/// `content=project`: the project information, in `format` (default xml).
pub(crate) fn project(inner: &Inner, name: &str, params: &Params) -> Result<Response, ApiError> {
    let p = inner.project(name).expect("a token's project exists");
    let flag = |b: bool| Value::from(u8::from(b));
    let surveys = p.instruments.iter().any(|i| i.survey.is_some());
    let row: Row = vec![
        ("project_id".into(), Value::from(p.project_id)),
        ("project_title".into(), Value::from(p.title.clone())),
        ("creation_time".into(), Value::from("2026-01-12 09:30:00")),
        ("production_time".into(), Value::from("2026-02-01 12:00:00")),
        ("in_production".into(), flag(true)),
        ("project_language".into(), Value::from("English")),
        ("purpose".into(), Value::from(2)),
        ("is_longitudinal".into(), flag(p.is_longitudinal())),
        (
            "has_repeating_instruments_or_events".into(),
            flag(p.has_repeating()),
        ),
        ("surveys_enabled".into(), flag(surveys)),
        ("scheduling_enabled".into(), flag(false)),
        ("record_autonumbering_enabled".into(), flag(true)),
        ("randomization_enabled".into(), flag(false)),
        ("missing_data_codes".into(), Value::from("")),
    ];
    let format = Format::parse(params.get("format").unwrap_or(""));
    Ok(render(format, &[row], false))
}

/// `content=record` (flat): the rows of the requested records, fields, forms and events.
///
/// As REDCap 6.0+ does: when `fields`/`forms` do not include the record-id field (the first
/// field of the data dictionary), the rows come without it and without the event and repeat
/// columns — yet still one row per event and per repeating instance, which then cannot be
/// told apart.
pub(crate) fn records(inner: &Inner, name: &str, params: &Params) -> Result<Response, ApiError> {
    let p = inner.project(name).expect("a token's project exists");
    let wanted_records = params.list("records");
    let columns = Columns::select(p, &params.list("fields"), &params.list("forms"))?;
    let events = select_events(p, &params.list("events"))?;
    let survey_fields = params.flag("exportSurveyFields");
    let filter = match params
        .get("filterLogic")
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        Some(logic) => Some(FieldEquals::parse(logic)?),
        None => None,
    };
    let mut rows = Vec::new();
    for record in &p.records {
        if !wanted_records.is_empty() && !wanted_records.contains(record) {
            continue;
        }
        if let Some(f) = &filter {
            if p.values.get(&(record.clone(), f.field.clone())) != Some(&f.value) {
                continue;
            }
        }
        let arm_events: Vec<&Option<String>> = events
            .iter()
            .filter(|e| p.record_in_event_arm(record, e.as_deref()))
            .collect();
        let first_in_arm = p
            .events
            .iter()
            .find(|e| e.arm == p.record_arm(record))
            .map(|e| e.unique_name.as_str());
        for event in arm_events {
            let ctx = RowContext {
                p,
                record,
                event: event.as_deref(),
                survey_fields,
                columns: &columns,
            };
            let first_event = event.as_deref() == first_in_arm;
            if let Some(row) = ctx.base_row(first_event) {
                rows.push(row);
            }
            rows.extend(ctx.repeating_rows());
        }
    }
    let format = Format::parse(params.get("format").unwrap_or(""));
    Ok(render(format, &rows, true))
}

/// The one kind of `filterLogic` simulated: `[field] = "value"` (or `'value'`).
struct FieldEquals {
    field: String,
    value: String,
}

impl FieldEquals {
    fn parse(logic: &str) -> Result<Self, ApiError> {
        let unsupported = || {
            ApiError::bad_request(
                "redcap-sim only simulates filterLogic of the form [field] = \"value\"",
            )
        };
        let rest = logic.strip_prefix('[').ok_or_else(unsupported)?;
        let (field, rest) = rest.split_once(']').ok_or_else(unsupported)?;
        let rest = rest
            .trim_start()
            .strip_prefix('=')
            .ok_or_else(unsupported)?
            .trim();
        let quote = rest
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or_else(unsupported)?;
        let value = rest[1..].strip_suffix(quote).ok_or_else(unsupported)?;
        if value.contains(quote)
            || !field
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            // What REDCap answers for logic it cannot parse was not found in its code or its
            // clients' (its API help says only "an error message"): the simulator's own words,
            // so no client can mistake them for one of REDCap's sentences.
            return Err(ApiError::bad_request(
                "redcap-sim does not simulate this filterLogic (a field name of a-z, 0-9 and _, a value without its quote)",
            ));
        }
        Ok(FieldEquals {
            field: field.to_owned(),
            value: value.to_owned(),
        })
    }
}

fn select_events(p: &Project, wanted: &[String]) -> Result<Vec<Option<String>>, ApiError> {
    if !p.is_longitudinal() {
        return Ok(vec![None]); // `events` is ignored in classic projects
    }
    invalid_values("events", wanted, |e| p.event(e).is_some())?;
    Ok(p.events
        .iter()
        .filter(|e| wanted.is_empty() || wanted.contains(&e.unique_name))
        .map(|e| Some(e.unique_name.clone()))
        .collect())
}

pub(crate) fn invalid_values(
    param: &str,
    values: &[String],
    ok: impl Fn(&str) -> bool,
) -> Result<(), ApiError> {
    let bad: Vec<String> = values
        .iter()
        .filter(|v| !ok(v))
        .map(|v| format!("'{v}'"))
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    Err(ApiError::bad_request(&format!(
        "The following values in the parameter \"{param}\" are not valid: {}",
        bad.join(", ")
    )))
}

/// The forms to export and, per form, which of its columns.
struct Columns<'a> {
    forms: Vec<(&'a Instrument, Vec<String>)>,
    /// The record-id field is exported, and with it the "plumbing" columns
    /// (`redcap_event_name`, `redcap_repeat_instrument`, `redcap_repeat_instance`,
    /// `redcap_survey_identifier`): REDCap 6.0+ writes them after the record-id field only.
    record_id: bool,
}

impl<'a> Columns<'a> {
    fn select(p: &'a Project, fields: &[String], forms: &[String]) -> Result<Self, ApiError> {
        let complete = |i: &Instrument| format!("{}_complete", i.name);
        invalid_values("fields", fields, |f| {
            *f == p.record_id_field
                || p.instruments
                    .iter()
                    .any(|i| i.fields.iter().any(|x| x == f) || complete(i) == f)
        })?;
        invalid_values("forms", forms, |f| p.instrument(f).is_some())?;
        let all = fields.is_empty() && forms.is_empty();
        let mut out = Vec::new();
        for i in &p.instruments {
            let mut cols: Vec<String> = i.fields.clone();
            cols.push(complete(i));
            if !all && !forms.contains(&i.name) {
                cols.retain(|c| fields.contains(c));
            }
            if !cols.is_empty() {
                out.push((i, cols));
            }
        }
        let first_form = p.instruments.first().map(|i| &i.name);
        let record_id = all
            || fields.contains(&p.record_id_field)
            || first_form.is_some_and(|f| forms.contains(f));
        Ok(Columns {
            forms: out,
            record_id,
        })
    }

    fn has(&self, instrument: &str) -> bool {
        self.forms.iter().any(|(i, _)| i.name == instrument)
    }
}

struct RowContext<'a> {
    p: &'a Project,
    record: &'a str,
    event: Option<&'a str>,
    survey_fields: bool,
    columns: &'a Columns<'a>,
}

impl RowContext<'_> {
    /// The row of the non-repeating forms; in a longitudinal project only for events with data
    /// (and always for the first event of the record's arm, where the record id lives).
    fn base_row(&self, first_event: bool) -> Option<Row> {
        let in_row = |i: &Instrument| !i.repeating && self.p.is_designated(&i.name, self.event);
        let has_data = self
            .p
            .instruments
            .iter()
            .filter(|i| in_row(i))
            .any(|i| self.p.form_state(&self.key(&i.name, 1)).has_data());
        if self.p.is_longitudinal() && !has_data && !first_event {
            return None;
        }
        Some(self.row(None, |i| in_row(i)))
    }

    /// One row per saved instance of each repeating form in this event.
    fn repeating_rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        for i in self
            .p
            .instruments
            .iter()
            .filter(|i| i.repeating && self.columns.has(&i.name))
        {
            if !self.p.is_designated(&i.name, self.event) {
                continue;
            }
            let instances = self.p.forms.iter().filter(|(k, s)| {
                k.record == self.record
                    && k.instrument == i.name
                    && k.event.as_deref() == self.event
                    && s.has_data()
            });
            for (key, _) in instances {
                rows.push(self.row(Some((i, key.instance)), |x| x.name == i.name));
            }
        }
        rows
    }

    fn key(&self, instrument: &str, instance: u32) -> ResponseKey {
        ResponseKey::new(self.record, instrument, self.event, instance)
    }

    fn row(&self, repeat: Option<(&Instrument, u32)>, filled: impl Fn(&Instrument) -> bool) -> Row {
        let s = |v: &str| Value::from(v);
        let mut row: Row = Vec::new();
        if self.columns.record_id {
            row.push((self.p.record_id_field.clone(), s(self.record)));
            if let Some(event) = self.event {
                row.push(("redcap_event_name".into(), s(event)));
            }
            if self.p.has_repeating() {
                let (name, instance) = match repeat {
                    Some((i, n)) => (s(&i.name), Value::from(n)),
                    None => (s(""), s("")),
                };
                row.push(("redcap_repeat_instrument".into(), name));
                row.push(("redcap_repeat_instance".into(), instance));
            }
            if self.survey_fields {
                row.push(("redcap_survey_identifier".into(), s("")));
            }
        }
        let instance = repeat.map_or(1, |(_, n)| n);
        for (i, cols) in &self.columns.forms {
            let state = if filled(i) {
                self.p.form_state(&self.key(&i.name, instance))
            } else {
                Default::default()
            };
            if self.survey_fields && i.survey.is_some() {
                row.push((format!("{}_timestamp", i.name), s(&state.timestamp_value())));
            }
            for c in cols {
                let v = if *c == format!("{}_complete", i.name) {
                    state.complete_value()
                } else if let Some(value) = self.p.values.get(&(self.record.to_owned(), c.clone()))
                {
                    value.clone()
                } else if state.has_data() {
                    "1".into()
                } else {
                    String::new()
                };
                row.push((c.clone(), Value::from(v)));
            }
        }
        row
    }
}
