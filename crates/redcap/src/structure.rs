//! A project's structure as REDCap's API describes it — its instruments, events and which
//! instrument is designated for which event — and one of its records: what a setup check needs
//! to tell a survey's configuration mistakes apart without a participant's record.
//!
//! REDCap's survey methods check that the record exists before anything else (a record that
//! does not exist is `The record "X" does not exist`, whatever the instrument or event), so
//! these exports, not those answers, say whether an instrument or event exists.

use crate::client::{Client, Content};
use crate::error::RedcapError;
use crate::names::{Event, RecordId};

/// The instruments, events and designations of one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectStructure {
    /// The instruments' unique names, in designer order (`content=instrument`).
    pub instruments: Vec<String>,
    /// The events' unique names (`content=event`); `None` in a classic project.
    pub events: Option<Vec<String>>,
    /// `(event, instrument)` for each designation (`content=formEventMapping`); empty in a
    /// classic project, where every instrument is in the one implicit event.
    pub designations: Vec<(String, String)>,
}

impl ProjectStructure {
    /// Whether `instrument` is designated for `event` (always, in a classic project).
    pub fn is_designated(&self, instrument: &str, event: &str) -> bool {
        self.events.is_none()
            || self
                .designations
                .iter()
                .any(|(e, i)| e == event && i == instrument)
    }
}

/// The values of `column` in a JSON array of objects.
fn column(body: &str, column: &str, what: &str) -> Result<Vec<String>, RedcapError> {
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(body.trim())
        .map_err(|_| {
        RedcapError::InvalidAnswer(format!("the {what} is not a JSON array of rows"))
    })?;
    rows.iter()
        .map(|row| {
            row.get(column)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| {
                    RedcapError::InvalidAnswer(format!("a row of the {what} has no {column}"))
                })
        })
        .collect()
}

impl Client {
    /// The project's instruments, events and designations: three exports in a longitudinal
    /// project, one in a classic one (`longitudinal` comes from
    /// [`ProjectInfo::is_longitudinal`](crate::ProjectInfo::is_longitudinal)). Needs API
    /// Export rights.
    ///
    /// # Errors
    /// The transport and token errors, [`RedcapError::MissingExportRights`], and
    /// [`RedcapError::InvalidAnswer`] for an export that is not REDCap's JSON.
    pub async fn project_structure(
        &self,
        longitudinal: bool,
    ) -> Result<ProjectStructure, RedcapError> {
        let body = self.post(Content::Instrument, Vec::new()).await?;
        let instruments = column(&body, "instrument_name", "instrument export")?;
        if !longitudinal {
            return Ok(ProjectStructure {
                instruments,
                events: None,
                designations: Vec::new(),
            });
        }
        let body = self.post(Content::Event, Vec::new()).await?;
        let events = column(&body, "unique_event_name", "event export")?;
        let body = self.post(Content::FormEventMapping, Vec::new()).await?;
        let mapped_events = column(&body, "unique_event_name", "form-event mapping")?;
        let forms = column(&body, "form", "form-event mapping")?;
        Ok(ProjectStructure {
            instruments,
            events: Some(events),
            designations: mapped_events.into_iter().zip(forms).collect(),
        })
    }

    /// The first record REDCap exports (in `event`, when given: a record of that event's
    /// arm), or `None` when there is none. One export of the record-id field of every record.
    /// Needs API Export rights.
    ///
    /// # Errors
    /// As [`Client::record_id_field`], plus [`RedcapError::InvalidAnswer`] for rows without a
    /// readable record id.
    pub async fn first_record(
        &self,
        event: Option<&Event>,
    ) -> Result<Option<RecordId>, RedcapError> {
        let field = self.record_id_field().await?;
        let mut fields = vec![
            ("type", String::from("flat")),
            ("fields[0]", field.as_str().to_owned()),
        ];
        if let Some(event) = event {
            fields.push(("events[0]", event.as_str().to_owned()));
        }
        let body = self.post(Content::RecordList, fields).await?;
        let ids = column(&body, field.as_str(), "record export")?;
        ids.first()
            .map(|id| {
                RecordId::parse(id).map_err(|_| {
                    RedcapError::InvalidAnswer("a record id is not a record id".into())
                })
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_read_and_missing_ones_refused() {
        let body = r#"[{"instrument_name":"a","instrument_label":"A"},{"instrument_name":"b"}]"#;
        assert_eq!(column(body, "instrument_name", "x").unwrap(), ["a", "b"]);
        assert!(column(body, "instrument_label", "x").is_err());
        assert!(column("<html>", "instrument_name", "x").is_err());
        let s = ProjectStructure {
            instruments: vec!["a".into()],
            events: Some(vec!["e1".into(), "e2".into()]),
            designations: vec![("e1".into(), "a".into())],
        };
        assert!(s.is_designated("a", "e1") && !s.is_designated("a", "e2"));
    }
}
