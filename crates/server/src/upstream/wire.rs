//! The wire forms of what projects remember on Redis (see [`super::answers`]), and the keys.

use super::answers::{LinkHome, Wire, WireKey};
use super::project::Resumable;
use crate::error::Failure;
use redcap_client::{
    FieldName, LookupValue, RecordId, ResponseStatus, ReturnCode, SurveyLink, SurveyQueueLink,
    SurveyTarget,
};
use serde::{Deserialize, Serialize};

impl WireKey for SurveyTarget {
    fn record(&self) -> Option<&RecordId> {
        Some(&self.record)
    }

    fn wire_key(&self) -> String {
        format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}",
            self.record.as_str(),
            self.instrument.as_str(),
            self.event.as_ref().map(|e| e.as_str()).unwrap_or_default(),
            self.repeat_instance.map(|i| i.get()).unwrap_or_default()
        )
    }
}

/// A record's own answers (its survey queue link).
impl WireKey for RecordId {
    fn record(&self) -> Option<&RecordId> {
        Some(self)
    }

    fn wire_key(&self) -> String {
        self.as_str().to_owned()
    }
}

impl WireKey for (FieldName, LookupValue) {
    fn wire_key(&self) -> String {
        format!("{}\u{1f}{}", self.0.as_str(), self.1.as_str())
    }
}

impl Wire for Resumable {
    type Form = (String, String);
    fn to_wire(&self) -> Self::Form {
        (
            self.link.expose().to_string(),
            self.code.expose().to_owned(),
        )
    }
    fn from_wire((link, code): Self::Form, home: &LinkHome) -> Option<Self> {
        Some(Resumable {
            link: SurveyLink::from_wire(link, home)?,
            code: ReturnCode::parse(&code).ok()?,
        })
    }
}

impl Wire for SurveyLink {
    type Form = String;
    fn to_wire(&self) -> Self::Form {
        self.expose().to_string()
    }
    fn from_wire(link: Self::Form, home: &LinkHome) -> Option<Self> {
        SurveyLink::parse_with_base(&link, &home.api_url, home.survey_base_url.as_ref()).ok()
    }
}

impl Wire for SurveyQueueLink {
    type Form = String;
    fn to_wire(&self) -> Self::Form {
        self.expose().to_string()
    }
    fn from_wire(link: Self::Form, home: &LinkHome) -> Option<Self> {
        SurveyQueueLink::parse_with_base(&link, &home.api_url, home.survey_base_url.as_ref()).ok()
    }
}

impl Wire for ResponseStatus {
    type Form = u8;
    fn to_wire(&self) -> Self::Form {
        match self {
            ResponseStatus::NotStarted => 0,
            ResponseStatus::InProgress => 1,
            ResponseStatus::Completed => 2,
        }
    }
    fn from_wire(form: Self::Form, _: &LinkHome) -> Option<Self> {
        match form {
            0 => Some(ResponseStatus::NotStarted),
            1 => Some(ResponseStatus::InProgress),
            2 => Some(ResponseStatus::Completed),
            _ => None,
        }
    }
}

impl Wire for RecordId {
    fn record(&self) -> Option<&RecordId> {
        Some(self)
    }

    type Form = String;
    fn to_wire(&self) -> Self::Form {
        self.as_str().to_owned()
    }
    fn from_wire(form: Self::Form, _: &LinkHome) -> Option<Self> {
        RecordId::parse(&form).ok()
    }
}

/// The refusals a project remembers (those that last, see [`Failure::lasts`]).
#[derive(Clone, Serialize, Deserialize)]
pub(super) enum Refusal {
    RecordNotFound,
    ResumeNotAvailable(String),
    Misconfigured(String),
}

impl Wire for Failure {
    type Form = Option<Refusal>;
    fn to_wire(&self) -> Self::Form {
        match self {
            Failure::RecordNotFound => Some(Refusal::RecordNotFound),
            Failure::ResumeNotAvailable(why) => Some(Refusal::ResumeNotAvailable(why.clone())),
            Failure::UpstreamMisconfigured(why) => Some(Refusal::Misconfigured(why.clone())),
            _ => None,
        }
    }
    fn from_wire(form: Self::Form, _: &LinkHome) -> Option<Self> {
        Some(match form? {
            Refusal::RecordNotFound => Failure::RecordNotFound,
            Refusal::ResumeNotAvailable(why) => Failure::ResumeNotAvailable(why),
            Refusal::Misconfigured(why) => Failure::UpstreamMisconfigured(why),
        })
    }
}
