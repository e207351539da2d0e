//! The API methods of [`Client`]: one form-encoded call each, answers checked.

use crate::answers::{ProjectInfo, RedcapVersion, ReturnCode};
use crate::client::{Client, Content};
use crate::error::RedcapError;
use crate::links::{SurveyLink, SurveyQueueLink};
use crate::lookup::FieldName;
use crate::names::{RecordId, SurveyTarget};
use crate::status::ResponseStatus;

impl Client {
    /// `content=version`: REDCap's version. Needs only a valid token.
    ///
    /// # Errors
    /// Any [`RedcapError`]; typically [`RedcapError::InvalidToken`], the transport errors
    /// ([`RedcapError::Unavailable`], [`RedcapError::Timeout`]) and
    /// [`RedcapError::InvalidAnswer`] for a body that is not a version.
    pub async fn version(&self) -> Result<RedcapVersion, RedcapError> {
        let body = self.post(Content::Version, Vec::new()).await?;
        body.parse()
    }

    /// `content=project`: the project's title and shape.
    ///
    /// # Errors
    /// As [`Client::version`]; [`RedcapError::InvalidAnswer`] when the body is not REDCap's
    /// project JSON.
    pub async fn project_info(&self) -> Result<ProjectInfo, RedcapError> {
        let body = self.post(Content::Project, Vec::new()).await?;
        ProjectInfo::from_json(&body)
    }

    /// `content=surveyLink`: the participant's link to the survey, checked to be on the
    /// configured REDCap origin, under `/surveys/`, with an `s=` hash.
    /// Needs the Survey Distribution Tools right.
    ///
    /// # Errors
    /// Besides the transport and token errors: [`RedcapError::MissingSurveyRights`],
    /// [`RedcapError::RecordNotFound`], [`RedcapError::InvalidInstrument`],
    /// [`RedcapError::NotASurvey`], [`RedcapError::EventMissing`], [`RedcapError::InvalidEvent`],
    /// [`RedcapError::InstrumentNotInEvent`], and [`RedcapError::InvalidAnswer`] for a link that
    /// fails validation.
    pub async fn survey_link(&self, target: &SurveyTarget) -> Result<SurveyLink, RedcapError> {
        let body = self
            .post(Content::SurveyLink, target_fields(target))
            .await?;
        SurveyLink::parse_with_base(&body, self.api_url(), self.survey_base_url())
    }

    /// `content=surveyReturnCode`: the participant's return code. REDCap creates the code when
    /// none exists yet and writes a log entry: cache it. Needs the Survey Distribution Tools
    /// right and Save & Return Later enabled for the survey.
    ///
    /// # Errors
    /// As [`Client::survey_link`], plus [`RedcapError::SaveAndReturnDisabled`];
    /// [`RedcapError::InvalidAnswer`] for an answer that does not look like a code.
    pub async fn survey_return_code(
        &self,
        target: &SurveyTarget,
    ) -> Result<ReturnCode, RedcapError> {
        let body = self
            .post(Content::SurveyReturnCode, target_fields(target))
            .await?;
        ReturnCode::parse(&body)
    }

    /// `content=surveyQueueLink`: the participant's survey queue link (the project must use
    /// the survey queue).
    ///
    /// # Errors
    /// As [`Client::survey_link`].
    pub async fn survey_queue_link(
        &self,
        record: &RecordId,
    ) -> Result<SurveyQueueLink, RedcapError> {
        let body = self
            .post(
                Content::SurveyQueueLink,
                vec![("record", record.as_str().to_owned())],
            )
            .await?;
        SurveyQueueLink::parse_with_base(&body, self.api_url(), self.survey_base_url())
    }

    /// Where the participant stands with the survey, from a record export of the record-id
    /// field and `{instrument}_complete` with the survey fields. Asking for the record-id field
    /// makes REDCap add `redcap_event_name` and `redcap_repeat_instrument`/`_instance`, without
    /// which the rows of repeating instances cannot be told apart (see
    /// [`ResponseStatus::from_record_export`] for how rows are read). The record-id field is
    /// learnt first if it is not known yet ([`Client::record_id_field`]: one more call, once).
    /// Needs API Export rights.
    ///
    /// # Errors
    /// Besides the transport and token errors: [`RedcapError::MissingExportRights`],
    /// [`RedcapError::RecordNotFound`] (an empty export), [`RedcapError::EventMissing`],
    /// [`RedcapError::InvalidEvent`], [`RedcapError::InvalidInstrument`] (REDCap does not know
    /// `{instrument}_complete`; with a configured record-id field, [`RedcapError::UnknownField`]:
    /// either name may be wrong), [`RedcapError::InvalidAnswer`] for rows that cannot be read
    /// with certainty.
    pub async fn response_status(
        &self,
        target: &SurveyTarget,
    ) -> Result<ResponseStatus, RedcapError> {
        let record_id_field = self.record_id_field().await?;
        let mut fields = vec![
            ("type", String::from("flat")),
            ("records[0]", target.record.as_str().to_owned()),
            ("fields[0]", record_id_field.as_str().to_owned()),
            ("fields[1]", target.instrument.complete_field()),
            ("exportSurveyFields", String::from("true")),
        ];
        if let Some(event) = &target.event {
            fields.push(("events[0]", event.as_str().to_owned()));
        }
        let body = match self.post(Content::Record, fields).await {
            // "The following values in the parameter "fields" are not valid: …": a record-id
            // field learnt from REDCap exists, so it is `{instrument}_complete` that REDCap
            // does not know — it does not know the instrument.
            Err(RedcapError::UnknownField) if !self.record_id_field_configured => {
                return Err(RedcapError::InvalidInstrument)
            }
            other => other?,
        };
        ResponseStatus::from_record_export(&body, target, &record_id_field)
    }

    /// The project's record-id field: the configured one, else the first field of REDCap's
    /// metadata (`content=metadata`, the data dictionary in order), asked for once and kept
    /// (clones of this client share it; concurrent first callers share one call; after a
    /// failure the next caller asks again). Needs API Export rights.
    ///
    /// # Errors
    /// Besides the transport and token errors: [`RedcapError::MissingExportRights`];
    /// [`RedcapError::InvalidAnswer`] when the metadata is not a JSON array whose first row
    /// has a valid `field_name`.
    pub async fn record_id_field(&self) -> Result<FieldName, RedcapError> {
        // Concurrent first callers wait for one metadata call; a failed call is not kept.
        self.record_id_field
            .get_or_try_init(|| async {
                let body = self.post(Content::Metadata, Vec::new()).await?;
                first_field(&body)
            })
            .await
            .cloned()
    }

    /// The records whose `field` equals `value` (a `filterLogic` export), for example the one
    /// whose `sso_username` is the user a single sign-on vouches for. `record_id_field` is the
    /// project's first field (REDCap's default name is `record_id`). Needs API Export rights.
    ///
    /// # Errors
    /// Besides the transport and token errors: [`RedcapError::MissingExportRights`];
    /// [`RedcapError::InvalidAnswer`] when the rows lack the record id field.
    pub async fn find_records(
        &self,
        field: &crate::FieldName,
        value: &crate::LookupValue,
        record_id_field: &crate::FieldName,
    ) -> Result<Vec<RecordId>, RedcapError> {
        let fields = vec![
            ("type", String::from("flat")),
            ("fields[0]", record_id_field.as_str().to_owned()),
            ("fields[1]", field.as_str().to_owned()),
            ("filterLogic", crate::lookup::filter_logic(field, value)),
        ];
        let body = self.post(Content::Record, fields).await?;
        let rows: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(&body)
            .map_err(|_| {
                RedcapError::InvalidAnswer("the record export is not a JSON array of rows".into())
            })?;
        let mut records: Vec<RecordId> = Vec::new();
        for row in rows {
            let id = row
                .get(record_id_field.as_str())
                .and_then(|v| v.as_str())
                .and_then(|v| RecordId::parse(v).ok())
                .ok_or_else(|| {
                    RedcapError::InvalidAnswer("a row has no readable record id field".into())
                })?;
            if row.get(field.as_str()).and_then(|v| v.as_str()) != Some(value.as_str()) {
                return Err(RedcapError::InvalidAnswer(
                    "REDCap returned a row that does not match the filter".into(),
                ));
            }
            if !records.contains(&id) {
                records.push(id);
            }
        }
        Ok(records)
    }
}

/// The fields of a survey method: record, instrument, and event and repeat instance when set.
fn target_fields(target: &SurveyTarget) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("record", target.record.as_str().to_owned()),
        ("instrument", target.instrument.as_str().to_owned()),
    ];
    if let Some(event) = &target.event {
        fields.push(("event", event.as_str().to_owned()));
    }
    if let Some(instance) = target.repeat_instance {
        fields.push(("repeat_instance", instance.get().to_string()));
    }
    fields
}

/// The `field_name` of the first row of a metadata export.
fn first_field(body: &str) -> Result<FieldName, RedcapError> {
    let rows: Vec<serde_json::Value> = serde_json::from_str(body.trim())
        .map_err(|_| RedcapError::InvalidAnswer("the metadata is not a JSON array".into()))?;
    let name = rows
        .first()
        .and_then(|row| row.get("field_name"))
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| {
            RedcapError::InvalidAnswer("the metadata's first row has no field_name".into())
        })?;
    FieldName::parse(name).map_err(|_| {
        RedcapError::InvalidAnswer("the metadata's first field_name is not a field name".into())
    })
}
