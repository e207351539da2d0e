//! The seed data: three projects, their tokens, records and responses. Use the constants by
//! name in tests and in the server's `demo`.
//!
//! | project | record | state |
//! |---|---|---|
//! | `demo` (classic, pid 14, record-id field `record_id`, languages `en` + `es-MX`, survey queue on, Survey Login field `sso_username`) | `1001` | `baseline_survey` in progress (page 2); `weekly_diary` #1 completed, #2 in progress (page 3); `clinic_checkin` (Survey Login) in progress (page 2) |
//! | | `1002` | `baseline_survey` completed; `exit_survey` completed (editing completed responses allowed) |
//! | | `1003` | exists, `baseline_survey` not started (`contact_info` entered) |
//! | | `1004` | `baseline_survey` in progress (page 1) |
//! | `cohort` (longitudinal, pid 15, arms 1 and 2) | `1001` | arm 1: `intake` completed; `month_3` in progress (page 2) |
//! | | `1002` | arm 1: `intake` completed; `month_3` completed |
//! | | `3001` | arm 2: `intake` in progress (page 1) in `baseline_arm_2` |
//! | `registry` (classic, pid 16, record-id field `participant_id`) | `5001` | `symptom_check` (repeating) #1 completed, #2 in progress (page 2) |
//! | | `5002` | exists, nothing entered |
//!
//! Record [`MISSING_RECORD`] (`9999`) exists nowhere. `cohort`'s record `1001` asking for an
//! event of arm 2 ([`EVENT_ARM_2`]) gets REDCap's `An unknown error occurred`.

mod projects;

use crate::model::{Project, TokenGrant};

/// The REDCap version the simulator reports (`content=version`).
pub const REDCAP_VERSION: &str = "14.5.10";

/// The classic demo project's name.
pub const DEMO_PROJECT: &str = "demo";
/// Its REDCap `project_id`.
pub const DEMO_PROJECT_ID: u32 = 14;
/// Its title.
pub const DEMO_TITLE: &str = "Resume demo study";
/// A token for `demo` with survey rights.
pub const DEMO_TOKEN: &str = "D3A0C1E2B4F5061728394A5B6C7D8E9F";
/// A valid token for `demo` whose user lacks "Manage Survey Participants".
pub const NO_RIGHTS_TOKEN: &str = "F00DF00DF00DF00DF00DF00DF00DF00D";

/// A valid token for `demo` whose user has survey rights but lacks "API Export": REDCap then
/// refuses every call, the survey methods included (API/index.php counts them as exports).
pub const NO_EXPORT_TOKEN: &str = "E0E0E0E0E0E0E0E0E0E0E0E0E0E0E0E0";

/// A valid token for `demo` whose user has survey rights and "API Export" but "No Access" as
/// Data Export right: every export answers except the record export.
pub const NO_DATA_EXPORT_TOKEN: &str = "DA7ADA7ADA7ADA7ADA7ADA7ADA7ADA7A";

/// The longitudinal project's name.
pub const COHORT_PROJECT: &str = "cohort";
/// Its REDCap `project_id`.
pub const COHORT_PROJECT_ID: u32 = 15;
/// Its title.
pub const COHORT_TITLE: &str = "Cohort follow-up";
/// A token for `cohort` with survey rights.
pub const COHORT_TOKEN: &str = "C0407A1B2C3D4E5F60718293A4B5C6D7";

/// Survey, Save & Return Later on.
pub const BASELINE: &str = "baseline_survey";
/// Its survey title.
pub const BASELINE_TITLE: &str = "Baseline questionnaire";
/// Survey, Save & Return Later off.
pub const CONSENT: &str = "consent";
/// Not a survey.
pub const CONTACT_INFO: &str = "contact_info";
/// Repeating survey, Save & Return Later on.
pub const WEEKLY_DIARY: &str = "weekly_diary";
/// Survey, Save & Return Later on, editing of completed responses allowed.
pub const EXIT_SURVEY: &str = "exit_survey";
/// `cohort`: survey designated for [`EVENT_BASELINE`] only.
pub const INTAKE: &str = "intake";
/// `cohort`: survey designated for [`EVENT_MONTH_3`] only.
pub const MONTH_3: &str = "month_3";
/// `cohort`'s first event.
pub const EVENT_BASELINE: &str = "baseline_arm_1";
/// `cohort`'s second event.
pub const EVENT_MONTH_3: &str = "month_3_arm_1";
/// `cohort`'s event of arm 2 ([`INTAKE`] is designated for it).
pub const EVENT_ARM_2: &str = "baseline_arm_2";
/// `demo`: a survey with Survey Login on (Save & Return Later on); participants log in with
/// their [`SSO_FIELD`] value (e.g. `ana.garcia` for record 1001).
pub const CHECKIN: &str = "clinic_checkin";
/// Its survey title.
pub const CHECKIN_TITLE: &str = "Clinic check-in";
/// `demo`'s Multi-Language Management languages, default first.
pub const DEMO_LANGUAGES: [&str; 2] = ["en", "es-MX"];

/// `demo`: baseline in progress; `cohort`: month 3 in progress.
pub const RECORD_IN_PROGRESS: &str = "1001";
/// `demo`: baseline and exit survey completed; `cohort`: month 3 completed.
pub const RECORD_COMPLETED: &str = "1002";
/// `demo`: exists, baseline not started.
pub const RECORD_NOT_STARTED: &str = "1003";
/// `demo`: a second record with the baseline in progress.
pub const RECORD_IN_PROGRESS_2: &str = "1004";
/// `demo`'s field holding each participant's single-sign-on user name (in `contact_info`).
pub const SSO_FIELD: &str = "sso_username";
/// `demo`: SSO user name → record.
pub const SSO_USERS: [(&str, &str); 4] = [
    ("ana.garcia", RECORD_IN_PROGRESS),
    ("ben.okafor", RECORD_COMPLETED),
    ("chloe.martin", RECORD_NOT_STARTED),
    ("dev.patel", RECORD_IN_PROGRESS_2),
];
/// Exists in no project.
pub const MISSING_RECORD: &str = "9999";
/// `cohort`: a record in arm 2.
pub const RECORD_ARM_2: &str = "3001";

/// The project whose record-id field is not `record_id`.
pub const REGISTRY_PROJECT: &str = "registry";
/// Its REDCap `project_id`.
pub const REGISTRY_PROJECT_ID: u32 = 16;
/// Its title.
pub const REGISTRY_TITLE: &str = "Symptom registry";
/// A token for `registry` with survey rights.
pub const REGISTRY_TOKEN: &str = "5E6157A1B2C3D4E5F60718293A4B5C6E";
/// `registry`'s record-id field (the first field of its data dictionary).
pub const REGISTRY_ID_FIELD: &str = "participant_id";
/// `registry`: not a survey, the first instrument (holds [`REGISTRY_ID_FIELD`]).
pub const ENROLMENT: &str = "enrolment";
/// `registry`: a repeating survey, Save & Return Later on.
pub const SYMPTOM_CHECK: &str = "symptom_check";
/// `registry`: #1 of [`SYMPTOM_CHECK`] completed, #2 in progress (page 2).
pub const REGISTRY_RECORD: &str = "5001";
/// `registry`: exists, nothing entered.
pub const REGISTRY_RECORD_EMPTY: &str = "5002";

/// Projects and tokens the simulator starts with.
#[derive(Debug, Clone, Default)]
pub struct Seed {
    /// The projects.
    pub projects: Vec<Project>,
    /// Token → what it grants.
    pub tokens: Vec<(String, TokenGrant)>,
}

impl Seed {
    /// The standard seed: `demo`, `cohort` and `registry` with the tokens above.
    pub fn standard() -> Self {
        Seed {
            projects: vec![projects::demo(), projects::cohort(), projects::registry()],
            tokens: vec![
                grant(DEMO_TOKEN, DEMO_PROJECT, true),
                grant(NO_RIGHTS_TOKEN, DEMO_PROJECT, false),
                grant(COHORT_TOKEN, COHORT_PROJECT, true),
                grant(REGISTRY_TOKEN, REGISTRY_PROJECT, true),
                (
                    NO_EXPORT_TOKEN.into(),
                    TokenGrant {
                        export_rights: false,
                        ..grant(NO_EXPORT_TOKEN, DEMO_PROJECT, true).1
                    },
                ),
                (
                    NO_DATA_EXPORT_TOKEN.into(),
                    TokenGrant {
                        data_export: false,
                        ..grant(NO_DATA_EXPORT_TOKEN, DEMO_PROJECT, true).1
                    },
                ),
            ],
        }
    }

    /// No projects and no tokens (every API call answers 403).
    pub fn empty() -> Self {
        Seed::default()
    }
}

fn grant(token: &str, project: &str, survey_rights: bool) -> (String, TokenGrant) {
    let grant = TokenGrant {
        project: project.into(),
        survey_rights,
        export_rights: true,
        data_export: true,
    };
    (token.into(), grant)
}
