//! The seeded projects (see the table in [`crate::seed`]).

use std::collections::BTreeMap;

use super::*;
use crate::model::{Event, FormState, Instrument, ResponseKey, SurveySettings};

/// Survey settings: `(title, save_and_return, edit_completed, survey_login)`.
type Survey<'a> = (&'a str, bool, bool, bool);

fn instrument(
    name: &str,
    label: &str,
    fields: &[&str],
    repeating: bool,
    survey: Option<Survey>,
) -> Instrument {
    Instrument {
        name: name.into(),
        label: label.into(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
        repeating,
        survey: survey.map(|(title, save_and_return, edit_completed, survey_login)| {
            SurveySettings {
                title: title.into(),
                save_and_return,
                edit_completed,
                pages: 3,
                survey_login,
                closed: false,
            }
        }),
    }
}

fn completed(at: &str) -> FormState {
    FormState::Completed { at: at.into() }
}

fn partial(page: u32) -> FormState {
    FormState::Partial { page }
}

fn records(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|r| r.to_string()).collect()
}

fn event(unique_name: &str, instruments: &[&str], arm: u32) -> Event {
    Event {
        unique_name: unique_name.into(),
        instruments: instruments.iter().map(|i| i.to_string()).collect(),
        arm,
    }
}

pub(super) fn demo() -> Project {
    let instruments = vec![
        instrument(
            BASELINE,
            "Baseline Survey",
            &["bl_age", "bl_mood", "bl_sleep_hours"],
            false,
            Some((BASELINE_TITLE, true, false, false)),
        ),
        instrument(
            CONSENT,
            "Consent",
            &["consent_agree", "consent_date"],
            false,
            Some(("Consent form", false, false, false)),
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
            Some(("Weekly diary", true, false, false)),
        ),
        instrument(
            EXIT_SURVEY,
            "Exit Survey",
            &["exit_rating", "exit_comments"],
            false,
            Some(("Exit survey", true, true, false)),
        ),
        instrument(
            CHECKIN,
            "Clinic Check-in",
            &["checkin_date", "checkin_symptoms"],
            false,
            Some((CHECKIN_TITLE, true, false, true)),
        ),
    ];
    let k = ResponseKey::classic;
    let diary = |n| ResponseKey::new(RECORD_IN_PROGRESS, WEEKLY_DIARY, None, n);
    let forms = [
        (k(RECORD_IN_PROGRESS, BASELINE), partial(2)),
        (
            k(RECORD_IN_PROGRESS, CONTACT_INFO),
            FormState::DataEntry { complete: 2 },
        ),
        (diary(1), completed("2026-10-05 09:12:44")),
        (diary(2), partial(3)),
        (k(RECORD_IN_PROGRESS, CHECKIN), partial(2)),
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
        (k(RECORD_IN_PROGRESS_2, BASELINE), partial(1)),
    ];
    Project {
        name: DEMO_PROJECT.into(),
        project_id: DEMO_PROJECT_ID,
        title: DEMO_TITLE.into(),
        record_id_field: "record_id".into(),
        instruments,
        events: Vec::new(),
        survey_queue: true,
        records: records(&[
            RECORD_IN_PROGRESS,
            RECORD_COMPLETED,
            RECORD_NOT_STARTED,
            RECORD_IN_PROGRESS_2,
        ]),
        record_arms: BTreeMap::new(),
        languages: DEMO_LANGUAGES.map(String::from).to_vec(),
        survey_login_fields: vec![SSO_FIELD.to_owned()],
        forms: forms.into_iter().collect(),
        values: SSO_USERS
            .iter()
            .map(|(user, record)| ((record.to_string(), SSO_FIELD.to_owned()), user.to_string()))
            .collect(),
    }
}

pub(super) fn cohort() -> Project {
    let instruments = vec![
        instrument(
            INTAKE,
            "Intake",
            &["intake_date", "intake_weight"],
            false,
            Some(("Intake questionnaire", true, false, false)),
        ),
        instrument(
            MONTH_3,
            "Month 3",
            &["m3_date", "m3_weight"],
            false,
            Some(("Three-month follow-up", true, false, false)),
        ),
    ];
    let events = vec![
        event(EVENT_BASELINE, &[INTAKE], 1),
        event(EVENT_MONTH_3, &[MONTH_3], 1),
        event(EVENT_ARM_2, &[INTAKE], 2),
    ];
    let k = |record, instrument, event| ResponseKey::new(record, instrument, Some(event), 1);
    let forms = [
        (
            k(RECORD_IN_PROGRESS, INTAKE, EVENT_BASELINE),
            completed("2026-08-01 10:00:00"),
        ),
        (k(RECORD_IN_PROGRESS, MONTH_3, EVENT_MONTH_3), partial(2)),
        (
            k(RECORD_COMPLETED, INTAKE, EVENT_BASELINE),
            completed("2026-08-02 11:30:00"),
        ),
        (
            k(RECORD_COMPLETED, MONTH_3, EVENT_MONTH_3),
            completed("2026-11-03 08:15:27"),
        ),
        (k(RECORD_ARM_2, INTAKE, EVENT_ARM_2), partial(1)),
    ];
    Project {
        name: COHORT_PROJECT.into(),
        project_id: COHORT_PROJECT_ID,
        title: COHORT_TITLE.into(),
        record_id_field: "record_id".into(),
        instruments,
        events,
        survey_queue: false,
        records: records(&[RECORD_IN_PROGRESS, RECORD_COMPLETED, RECORD_ARM_2]),
        record_arms: [(RECORD_ARM_2.to_owned(), 2)].into_iter().collect(),
        languages: Vec::new(),
        survey_login_fields: Vec::new(),
        forms: forms.into_iter().collect(),
        values: BTreeMap::new(),
    }
}

pub(super) fn registry() -> Project {
    let instruments = vec![
        instrument(
            ENROLMENT,
            "Enrolment",
            &["enrol_date", "enrol_site"],
            false,
            None,
        ),
        instrument(
            SYMPTOM_CHECK,
            "Symptom Check",
            &["sc_date", "sc_score"],
            true,
            Some(("Symptom check", true, false, false)),
        ),
    ];
    let check = |n| ResponseKey::new(REGISTRY_RECORD, SYMPTOM_CHECK, None, n);
    let forms = [
        (
            ResponseKey::classic(REGISTRY_RECORD, ENROLMENT),
            FormState::DataEntry { complete: 2 },
        ),
        (check(1), completed("2026-11-10 16:20:00")),
        (check(2), partial(2)),
    ];
    Project {
        name: REGISTRY_PROJECT.into(),
        project_id: REGISTRY_PROJECT_ID,
        title: REGISTRY_TITLE.into(),
        record_id_field: REGISTRY_ID_FIELD.into(),
        instruments,
        events: Vec::new(),
        survey_queue: false,
        records: records(&[REGISTRY_RECORD, REGISTRY_RECORD_EMPTY]),
        record_arms: BTreeMap::new(),
        languages: Vec::new(),
        survey_login_fields: Vec::new(),
        forms: forms.into_iter().collect(),
        values: BTreeMap::new(),
    }
}
