//! The seed data: two projects, their tokens, records and responses. Use the constants by
//! name in tests and in the server's `demo`.
//!
//! | project | record | state |
//! |---|---|---|
//! | `demo` (classic, pid 14) | `1001` | `baseline_survey` in progress (page 2); `weekly_diary` #1 completed, #2 in progress (page 3) |
//! | | `1002` | `baseline_survey` completed; `exit_survey` completed (editing completed responses allowed) |
//! | | `1003` | exists, `baseline_survey` not started (`contact_info` entered) |
//! | | `1004` | `baseline_survey` in progress (page 1) |
//! | `cohort` (longitudinal, pid 15) | `1001` | `intake` completed; `month_3` in progress (page 2) |
//! | | `1002` | `intake` completed; `month_3` completed |
//!
//! Record [`MISSING_RECORD`] (`9999`) exists nowhere.

use crate::model::{
    Event, FormState, Instrument, Project, ResponseKey, SurveySettings, TokenGrant,
};

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

/// Projects and tokens the simulator starts with.
#[derive(Debug, Clone, Default)]
pub struct Seed {
    /// The projects.
    pub projects: Vec<Project>,
    /// Token → what it grants.
    pub tokens: Vec<(String, TokenGrant)>,
}

impl Seed {
    /// The standard seed: `demo` and `cohort` with the tokens above.
    pub fn standard() -> Self {
        Seed {
            projects: vec![demo_project(), cohort_project()],
            tokens: vec![
                grant(DEMO_TOKEN, DEMO_PROJECT, true),
                grant(NO_RIGHTS_TOKEN, DEMO_PROJECT, false),
                grant(COHORT_TOKEN, COHORT_PROJECT, true),
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
    };
    (token.into(), grant)
}

/// Builds an instrument; `survey` is `(title, save_and_return, edit_completed)`.
fn instrument(
    name: &str,
    label: &str,
    fields: &[&str],
    repeating: bool,
    survey: Option<(&str, bool, bool)>,
) -> Instrument {
    Instrument {
        name: name.into(),
        label: label.into(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
        repeating,
        survey: survey.map(|(title, save_and_return, edit_completed)| SurveySettings {
            title: title.into(),
            save_and_return,
            edit_completed,
            pages: 3,
        }),
    }
}

fn completed(at: &str) -> FormState {
    FormState::Completed { at: at.into() }
}

fn demo_project() -> Project {
    let instruments = vec![
        instrument(
            BASELINE,
            "Baseline Survey",
            &["bl_age", "bl_mood", "bl_sleep_hours"],
            false,
            Some((BASELINE_TITLE, true, false)),
        ),
        instrument(
            CONSENT,
            "Consent",
            &["consent_agree", "consent_date"],
            false,
            Some(("Consent form", false, false)),
        ),
        instrument(
            CONTACT_INFO,
            "Contact Info",
            &["email", "phone", "sso_username"],
            false,
            None,
        ),
        instrument(
            WEEKLY_DIARY,
            "Weekly Diary",
            &["diary_date", "diary_mood"],
            true,
            Some(("Weekly diary", true, false)),
        ),
        instrument(
            EXIT_SURVEY,
            "Exit Survey",
            &["exit_rating", "exit_comments"],
            false,
            Some(("Exit survey", true, true)),
        ),
    ];
    let k = ResponseKey::classic;
    let diary = |n| ResponseKey::new(RECORD_IN_PROGRESS, WEEKLY_DIARY, None, n);
    let forms = [
        (
            k(RECORD_IN_PROGRESS, BASELINE),
            FormState::Partial { page: 2 },
        ),
        (
            k(RECORD_IN_PROGRESS, CONTACT_INFO),
            FormState::DataEntry { complete: 2 },
        ),
        (diary(1), completed("2026-10-05 09:12:44")),
        (diary(2), FormState::Partial { page: 3 }),
        (
            k(RECORD_COMPLETED, BASELINE),
            completed("2026-09-28 14:03:10"),
        ),
        (
            k(RECORD_COMPLETED, EXIT_SURVEY),
            completed("2026-11-02 18:40:05"),
        ),
        (
            k(RECORD_NOT_STARTED, CONTACT_INFO),
            FormState::DataEntry { complete: 1 },
        ),
        (
            k(RECORD_IN_PROGRESS_2, BASELINE),
            FormState::Partial { page: 1 },
        ),
    ];
    Project {
        name: DEMO_PROJECT.into(),
        project_id: DEMO_PROJECT_ID,
        title: DEMO_TITLE.into(),
        instruments,
        events: Vec::new(),
        survey_queue: true,
        records: [
            RECORD_IN_PROGRESS,
            RECORD_COMPLETED,
            RECORD_NOT_STARTED,
            RECORD_IN_PROGRESS_2,
        ]
        .map(String::from)
        .to_vec(),
        forms: forms.into_iter().collect(),
        values: SSO_USERS
            .iter()
            .map(|(user, record)| ((record.to_string(), SSO_FIELD.to_owned()), user.to_string()))
            .collect(),
    }
}

fn cohort_project() -> Project {
    let instruments = vec![
        instrument(
            INTAKE,
            "Intake",
            &["intake_date", "intake_weight"],
            false,
            Some(("Intake questionnaire", true, false)),
        ),
        instrument(
            MONTH_3,
            "Month 3",
            &["m3_date", "m3_weight"],
            false,
            Some(("Three-month follow-up", true, false)),
        ),
    ];
    let events = vec![
        Event {
            unique_name: EVENT_BASELINE.into(),
            instruments: vec![INTAKE.into()],
        },
        Event {
            unique_name: EVENT_MONTH_3.into(),
            instruments: vec![MONTH_3.into()],
        },
    ];
    let k = |record, instrument, event| ResponseKey::new(record, instrument, Some(event), 1);
    let forms = [
        (
            k(RECORD_IN_PROGRESS, INTAKE, EVENT_BASELINE),
            completed("2026-08-01 10:00:00"),
        ),
        (
            k(RECORD_IN_PROGRESS, MONTH_3, EVENT_MONTH_3),
            FormState::Partial { page: 2 },
        ),
        (
            k(RECORD_COMPLETED, INTAKE, EVENT_BASELINE),
            completed("2026-08-02 11:30:00"),
        ),
        (
            k(RECORD_COMPLETED, MONTH_3, EVENT_MONTH_3),
            completed("2026-11-03 08:15:27"),
        ),
    ];
    Project {
        name: COHORT_PROJECT.into(),
        project_id: COHORT_PROJECT_ID,
        title: COHORT_TITLE.into(),
        instruments,
        events,
        survey_queue: false,
        records: [RECORD_IN_PROGRESS, RECORD_COMPLETED]
            .map(String::from)
            .to_vec(),
        forms: forms.into_iter().collect(),
        values: Default::default(),
    }
}
