//! The data dictionary: `content=metadata` and `content=exportFieldNames`.
//!
//! Both list the project's record-id field first (it is the first field of the first
//! instrument), which is how clients (PyCap's `def_field`, this project's client) learn its
//! name. Every simulated field is a plain text field, so each has one export name.

use axum::response::Response;
use serde_json::Value;

use crate::api_error::ApiError;
use crate::envelope::Format;
use crate::model::Project;
use crate::params::Params;
use crate::render::{render, Row};
use crate::state::Inner;

/// The columns of a metadata row, in REDCap's order.
const METADATA_COLUMNS: [&str; 18] = [
    "field_name",
    "form_name",
    "section_header",
    "field_type",
    "field_label",
    "select_choices_or_calculations",
    "field_note",
    "text_validation_type_or_show_slider_number",
    "text_validation_min",
    "text_validation_max",
    "identifier",
    "branching_logic",
    "required_field",
    "custom_alignment",
    "question_number",
    "matrix_group_name",
    "matrix_ranking",
    "field_annotation",
];

/// Every field as (field, form) in data-dictionary order, the record-id field first.
/// `{form}_complete` fields are not in the data dictionary.
pub(crate) fn dictionary(p: &Project) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    for (n, i) in p.instruments.iter().enumerate() {
        if n == 0 {
            out.push((p.record_id_field.as_str(), i.name.as_str()));
        }
        out.extend(i.fields.iter().map(|f| (f.as_str(), i.name.as_str())));
    }
    out
}

/// `content=metadata`: the data dictionary, optionally narrowed by `fields[]` and `forms[]`
/// (a field is listed when it is named or its form is). Unknown names: REDCap's
/// "not valid" error, as in the record export.
pub(crate) fn metadata(inner: &Inner, name: &str, params: &Params) -> Result<Response, ApiError> {
    let p = inner.project(name).expect("a token's project exists");
    let fields = params.list("fields");
    let forms = params.list("forms");
    let all = dictionary(p);
    crate::export::invalid_values("fields", &fields, |f| all.iter().any(|(x, _)| *x == f))?;
    crate::export::invalid_values("forms", &forms, |f| p.instrument(f).is_some())?;
    let rows: Vec<Row> = all
        .iter()
        .filter(|(field, form)| {
            (fields.is_empty() && forms.is_empty())
                || fields.iter().any(|f| f == field)
                || forms.iter().any(|f| f == form)
        })
        .map(|(field, form)| metadata_row(p, field, form))
        .collect();
    Ok(render(format(params), &rows, true))
}

fn metadata_row(p: &Project, field: &str, form: &str) -> Row {
    let label = if field == p.record_id_field {
        "Record ID".to_owned()
    } else {
        field.replace('_', " ")
    };
    METADATA_COLUMNS
        .iter()
        .map(|c| {
            let v = match *c {
                "field_name" => field.to_owned(),
                "form_name" => form.to_owned(),
                "field_type" => "text".to_owned(),
                "field_label" => label.clone(),
                _ => String::new(),
            };
            (c.to_string(), Value::from(v))
        })
        .collect()
}

/// `content=exportFieldNames`: `original_field_name`, `choice_value`, `export_field_name` per
/// field, with each form's `{form}_complete` after its fields; `field` narrows it to one
/// field (an unknown one gives an empty list — REDCap's answer there is not checked).
pub(crate) fn export_field_names(
    inner: &Inner,
    name: &str,
    params: &Params,
) -> Result<Response, ApiError> {
    let p = inner.project(name).expect("a token's project exists");
    let mut names: Vec<String> = Vec::new();
    for (n, i) in p.instruments.iter().enumerate() {
        if n == 0 {
            names.push(p.record_id_field.clone());
        }
        names.extend(i.fields.iter().cloned());
        names.push(format!("{}_complete", i.name));
    }
    let only = params.non_empty("field");
    let rows: Vec<Row> = names
        .into_iter()
        .filter(|n| only.as_ref().is_none_or(|o| o == n))
        .map(|n| {
            vec![
                ("original_field_name".into(), Value::from(n.clone())),
                ("choice_value".into(), Value::from("")),
                ("export_field_name".into(), Value::from(n)),
            ]
        })
        .collect();
    Ok(render(format(params), &rows, true))
}

pub(crate) fn format(params: &Params) -> Format {
    Format::parse(params.get("format").unwrap_or(""))
}
