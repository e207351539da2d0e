//! How exports are written: rows of (column, value) as json, csv or xml, the way REDCap's
//! export code writes them.

use axum::response::Response;
use serde_json::Value;

use crate::envelope::{self, Format};

/// One exported row: ordered (column, value) pairs.
pub(crate) type Row = Vec<(String, Value)>;

/// Renders rows; `list` wraps json in an array and xml in `<records>`.
pub(crate) fn render(format: Format, rows: &[Row], list: bool) -> Response {
    let body = match format {
        Format::Json => {
            let objects: Vec<String> = rows.iter().map(json_object).collect();
            if list {
                format!("[{}]", objects.join(","))
            } else {
                objects.concat()
            }
        }
        Format::Csv => csv(rows),
        Format::Xml => xml(rows, list),
    };
    envelope::with_type(axum::http::StatusCode::OK, format.content_type(), body)
}

fn json_object(row: &Row) -> String {
    let pairs: Vec<String> = row
        .iter()
        .map(|(k, v)| format!("{}:{}", Value::from(k.as_str()), v))
        .collect();
    format!("{{{}}}", pairs.join(","))
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn csv(rows: &[Row]) -> String {
    let Some(first) = rows.first() else {
        return String::new();
    };
    let cell = |s: String| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut out = first
        .iter()
        .map(|(k, _)| cell(k.clone()))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    for row in rows {
        out.push_str(
            &row.iter()
                .map(|(_, v)| cell(text(v)))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

fn xml(rows: &[Row], list: bool) -> String {
    let item = |row: &Row| {
        let fields: String = row
            .iter()
            .map(|(k, v)| format!("<{k}><![CDATA[{}]]></{k}>", text(v)))
            .collect();
        format!("<item>{fields}</item>")
    };
    let items: String = rows.iter().map(item).collect();
    let body = if list {
        format!("<records>{items}</records>")
    } else {
        items
    };
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n{body}")
}
