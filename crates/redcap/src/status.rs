//! A participant's response status, read from a record export.

use serde_json::Value;

use crate::answers::invalid;
use crate::error::RedcapError;

/// Where a participant stands with one survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseStatus {
    /// No answers yet.
    NotStarted,
    /// Started and not submitted (for instance saved with "Save & Return Later").
    InProgress,
    /// Submitted.
    Completed,
}

impl ResponseStatus {
    /// Reads the answer of the record export this client sends for a status query
    /// (`content=record&format=json&type=flat&records[0]=…&fields[0]={record_id_field}`
    /// `&fields[1]={instrument}_complete&exportSurveyFields=true`, plus `events[0]` when the
    /// target has an event).
    ///
    /// * An empty array means the record does not exist: [`RedcapError::RecordNotFound`].
    /// * Every row must carry `record_id_field` with the target's record. REDCap drops that
    ///   column — and `redcap_event_name`, `redcap_repeat_instrument`, `redcap_repeat_instance`
    ///   — when the record-id field is not asked for (or is not the project's first field),
    ///   and then the rows of repeating instances cannot be told apart: such an export is
    ///   [`RedcapError::InvalidAnswer`], never guessed at. So are two rows for one instance.
    /// * Rows are kept when `redcap_event_name` (if present) equals the target's event, and
    ///   when they belong to the target's instance: a row of the target's repeating instrument
    ///   with the wanted instance, a repeating-event row (empty repeat instrument) with the wanted
    ///   instance, or the non-repeating row (empty repeat instrument and instance), which stands
    ///   for instance 1 as REDCap silently falls back to 1.
    /// * No such row for an existing record: [`ResponseStatus::NotStarted`]. Rows from several
    ///   events while the target names none: [`RedcapError::EventMissing`].
    /// * The status: `{instrument}_complete` = `2` or a date in `{instrument}_timestamp` →
    ///   `Completed`; timestamp `[not completed]` → `InProgress`; empty timestamp → `NotStarted`.
    ///   Without a timestamp column (not a survey): `1` (unverified) → `InProgress`.
    pub fn from_record_export(
        body: &str,
        target: &crate::SurveyTarget,
        record_id_field: &crate::FieldName,
    ) -> Result<Self, RedcapError> {
        let value: Value = serde_json::from_str(body.trim())
            .map_err(|_| invalid("the record export is not JSON"))?;
        let rows = value
            .as_array()
            .ok_or_else(|| invalid("the record export is not a JSON array"))?;
        if rows.is_empty() {
            return Err(RedcapError::RecordNotFound);
        }
        let instrument = target.instrument.as_str();
        let want = target.repeat_instance.map_or(1, |i| i.get());
        let mut matching = Vec::new();
        for row in rows {
            let row = row
                .as_object()
                .ok_or_else(|| invalid("a row of the record export is not a JSON object"))?;
            let field = |key: &str| -> Option<String> {
                match row.get(key) {
                    Some(Value::String(s)) => Some(s.trim().to_owned()),
                    Some(Value::Number(n)) => Some(n.to_string()),
                    Some(Value::Null) | None => None,
                    Some(_) => Some(String::from("?")),
                }
            };
            match field(record_id_field.as_str()) {
                Some(id) if id == target.record.as_str() => {}
                Some(_) => return Err(invalid("the record export holds a row of another record")),
                None => {
                    return Err(invalid(format!(
                        "the record export has no `{}` column: REDCap left out the record id, event and repeat columns, so its rows cannot be told apart (is `{}` the project's first field?)",
                        record_id_field.as_str(),
                        record_id_field.as_str()
                    )))
                }
            }
            let event = field("redcap_event_name");
            if let (Some(wanted), Some(event)) = (&target.event, &event) {
                if event != wanted.as_str() {
                    continue;
                }
            }
            let repeat_instrument = field("redcap_repeat_instrument").unwrap_or_default();
            let instance = field("redcap_repeat_instance").unwrap_or_default();
            let same_instance = if instance.is_empty() {
                repeat_instrument.is_empty() && want == 1
            } else {
                instance.parse::<u32>().ok() == Some(want)
            };
            // The most specific row wins: the repeating instrument's own row, then a repeating
            // event's row, then the plain row.
            let rank = match (repeat_instrument.as_str(), instance.is_empty()) {
                (r, _) if r == instrument => 0,
                ("", false) => 1,
                ("", true) => 2,
                _ => continue,
            };
            if same_instance {
                let timestamp = field(&target.instrument.timestamp_field());
                matching.push((
                    rank,
                    event,
                    timestamp,
                    field(&target.instrument.complete_field()),
                ));
            }
        }
        if target.event.is_none() {
            let first_event = matching.first().and_then(|m| m.1.clone());
            if matching.iter().any(|m| m.1 != first_event) {
                return Err(RedcapError::EventMissing);
            }
        }
        matching.sort_by_key(|m| m.0);
        if let [first, second, ..] = matching.as_slice() {
            if first.0 == second.0 && first.1 == second.1 {
                return Err(invalid(
                    "the record export has two rows for the same event and instance",
                ));
            }
        }
        let Some((_, _, timestamp, complete)) = matching.into_iter().next() else {
            return Ok(Self::NotStarted);
        };
        if complete.as_deref() == Some("2") {
            return Ok(Self::Completed);
        }
        Ok(match timestamp.as_deref() {
            Some("") => Self::NotStarted,
            Some(t) if t.eq_ignore_ascii_case("[not completed]") => Self::InProgress,
            Some(_) => Self::Completed,
            None if complete.as_deref() == Some("1") => Self::InProgress,
            None => Self::NotStarted,
        })
    }
}
