//! What the simulator knows about: projects, their instruments and events, records, and the
//! state of every form (survey response or data entry).

use std::collections::BTreeMap;

/// A REDCap project as the simulator models it.
#[derive(Debug, Clone)]
pub struct Project {
    /// The name tests use for it (e.g. [`crate::seed::DEMO_PROJECT`]); REDCap itself has none.
    pub name: String,
    /// REDCap's numeric `project_id`.
    pub project_id: u32,
    /// `project_title`.
    pub title: String,
    /// The record-id field: the first field of the data dictionary, on the first instrument
    /// (REDCap's default name is `record_id`, but projects rename it).
    pub record_id_field: String,
    /// Instruments in designer order.
    pub instruments: Vec<Instrument>,
    /// Events in order; empty for a classic (non-longitudinal) project.
    pub events: Vec<Event>,
    /// Whether the Survey Queue is enabled (`surveyQueueLink` answers an error otherwise).
    pub survey_queue: bool,
    /// Records in creation order.
    pub records: Vec<String>,
    /// The state of each form that has data, per response key.
    pub forms: BTreeMap<ResponseKey, FormState>,
    /// The arm each record is in (arm number); records not listed are in arm 1.
    pub record_arms: BTreeMap<String, u32>,
    /// Survey Login: the fields a participant logs in with (their values are in
    /// [`Project::values`]); used by the surveys whose [`SurveySettings::survey_login`] is on.
    pub survey_login_fields: Vec<String>,
    /// Multi-Language Management: the project's language ids, default first (e.g. `en`,
    /// `es-MX`); empty when MLM is off.
    pub languages: Vec<String>,
    /// Field values that matter to clients (e.g. an SSO user name), per (record, field); other
    /// fields export a placeholder.
    pub values: BTreeMap<(String, String), String>,
}

/// An instrument (data collection form).
#[derive(Debug, Clone)]
pub struct Instrument {
    /// The unique instrument name, e.g. `baseline_survey`.
    pub name: String,
    /// The label shown in REDCap.
    pub label: String,
    /// Its fields, without `{name}_complete` (added by REDCap) and without the project's
    /// record-id field (which belongs to the first instrument).
    pub fields: Vec<String>,
    /// A repeating instrument (in every event it is designated for).
    pub repeating: bool,
    /// Survey settings; `None` when the instrument is not enabled as a survey.
    pub survey: Option<SurveySettings>,
}

/// The survey settings the simulator cares about.
#[derive(Debug, Clone)]
pub struct SurveySettings {
    /// The survey title shown on its pages.
    pub title: String,
    /// "Save & Return Later" is enabled.
    pub save_and_return: bool,
    /// "Allow respondents to return and modify completed responses".
    pub edit_completed: bool,
    /// Number of pages (for the "Page N of M" text).
    pub pages: u32,
    /// Survey Login: the survey page asks for the project's login fields
    /// ([`Project::survey_login_fields`]) and ignores a posted `__code` (REDCap still issues
    /// return codes through the API); a correct login continues the response.
    pub survey_login: bool,
    /// Closed: taken offline, past its expiration, or past its time limit. Invisible through
    /// the API (link and code are still handed out); the survey page says it is closed.
    pub closed: bool,
}

/// An event of a longitudinal project.
#[derive(Debug, Clone)]
pub struct Event {
    /// The unique event name, e.g. `baseline_arm_1`.
    pub unique_name: String,
    /// The instruments designated for this event.
    pub instruments: Vec<String>,
    /// The arm the event belongs to (1 unless the project has several arms).
    pub arm: u32,
}

/// Identifies one form of one record: REDCap's (record, instrument, event, instance).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResponseKey {
    /// The record id.
    pub record: String,
    /// The instrument name.
    pub instrument: String,
    /// The unique event name; `None` in classic projects.
    pub event: Option<String>,
    /// The repeat instance (1 for non-repeating forms).
    pub instance: u32,
}

impl ResponseKey {
    /// A key for a classic project, instance 1.
    pub fn classic(record: &str, instrument: &str) -> Self {
        Self::new(record, instrument, None, 1)
    }

    /// A key with every part given.
    pub fn new(record: &str, instrument: &str, event: Option<&str>, instance: u32) -> Self {
        Self {
            record: record.to_owned(),
            instrument: instrument.to_owned(),
            event: event.map(str::to_owned),
            instance,
        }
    }
}

/// The state of one form of one record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FormState {
    /// Nothing saved (`{form}_complete` exports as `""`, the survey timestamp as `""`).
    #[default]
    Empty,
    /// Entered by staff on the data entry form, with form status 0 (Incomplete),
    /// 1 (Unverified) or 2 (Complete); not a survey response.
    DataEntry {
        /// The form status.
        complete: u8,
    },
    /// A partial survey response, left with "Save & Return Later" on page `page`
    /// (status 0, timestamp `[not completed]`).
    Partial {
        /// The page the participant was on (1-based).
        page: u32,
    },
    /// A completed survey response (status 2) with its completion time
    /// `YYYY-MM-DD HH:MM:SS`.
    Completed {
        /// The completion time.
        at: String,
    },
}

impl FormState {
    /// The value REDCap exports in `{form}_complete`.
    pub fn complete_value(&self) -> String {
        match self {
            FormState::Empty => String::new(),
            FormState::DataEntry { complete } => complete.to_string(),
            FormState::Partial { .. } => "0".into(),
            FormState::Completed { .. } => "2".into(),
        }
    }

    /// The value REDCap exports in `{form}_timestamp` (with `exportSurveyFields`).
    pub fn timestamp_value(&self) -> String {
        match self {
            FormState::Partial { .. } => "[not completed]".into(),
            FormState::Completed { at } => at.clone(),
            FormState::Empty | FormState::DataEntry { .. } => String::new(),
        }
    }

    /// Whether the form holds data.
    pub fn has_data(&self) -> bool {
        !matches!(self, FormState::Empty)
    }
}

impl Project {
    /// Whether the project is longitudinal.
    pub fn is_longitudinal(&self) -> bool {
        !self.events.is_empty()
    }

    /// Whether any instrument repeats.
    pub fn has_repeating(&self) -> bool {
        self.instruments.iter().any(|i| i.repeating)
    }

    /// The instrument with this name.
    pub fn instrument(&self, name: &str) -> Option<&Instrument> {
        self.instruments.iter().find(|i| i.name == name)
    }

    /// The event with this unique name.
    pub fn event(&self, unique_name: &str) -> Option<&Event> {
        self.events.iter().find(|e| e.unique_name == unique_name)
    }

    /// Whether the record exists.
    pub fn has_record(&self, record: &str) -> bool {
        self.records.iter().any(|r| r == record)
    }

    /// Whether `instrument` is designated for `event` (always true in classic projects).
    pub fn is_designated(&self, instrument: &str, event: Option<&str>) -> bool {
        match event {
            None => true,
            Some(e) => self
                .event(e)
                .is_some_and(|ev| ev.instruments.iter().any(|i| i == instrument)),
        }
    }

    /// The arm a record is in.
    pub fn record_arm(&self, record: &str) -> u32 {
        self.record_arms.get(record).copied().unwrap_or(1)
    }

    /// Whether the record is in the arm of this event (always true in classic projects).
    /// REDCap's link and code helpers produce nothing for an event of another arm.
    pub fn record_in_event_arm(&self, record: &str, event: Option<&str>) -> bool {
        match event.and_then(|e| self.event(e)) {
            None => true,
            Some(ev) => ev.arm == self.record_arm(record),
        }
    }

    /// The language a survey page renders in: `requested` (`__lang`) when it is one of the
    /// project's languages, else the default; `None` when MLM is off.
    pub fn page_language(&self, requested: Option<&str>) -> Option<&str> {
        let default = self.languages.first()?;
        Some(
            requested
                .and_then(|r| self.languages.iter().find(|l| *l == r))
                .unwrap_or(default),
        )
    }

    /// The state of a form (`Empty` when nothing is stored).
    pub fn form_state(&self, key: &ResponseKey) -> FormState {
        self.forms.get(key).cloned().unwrap_or_default()
    }
}

/// What an API token grants.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    /// The project the token belongs to (its [`Project::name`]).
    pub project: String,
    /// The user has the "Manage Survey Participants" (Survey Distribution Tools) right,
    /// needed by `surveyLink`, `surveyReturnCode` and `surveyQueueLink`.
    pub survey_rights: bool,
    /// The user has the "API Export" right, needed by every call that is not an import —
    /// the survey methods and `version` too (REDCap's API/index.php treats them as exports);
    /// without it REDCap answers 403 `You do not have API Export privileges`.
    pub export_rights: bool,
    /// The user's Data Export right is above "No Access" (de-identified or full data set);
    /// with "No Access" REDCap's record export answers 403 `The API request cannot complete
    /// because currently you have "No Access" data export rights. …` (the other exports still
    /// answer).
    pub data_export: bool,
}
