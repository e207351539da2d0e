//! REDCap's own error sentences, every known version's wording, matched as whole sentences.
//!
//! Only these sentences carry a meaning. A message is compared as a whole (case, surrounding
//! whitespace, runs of whitespace, a final period and `&amp;` do not matter); a quoted value
//! (a record id, an instrument or event name, a parameter name) may be anything between
//! quotes of any kind. Text that merely *contains* REDCap's words — an administrator's
//! maintenance notice ("the survey is not enabled until Monday"), a proxy's page — matches
//! nothing, so it can never be read as "record missing", "not a survey", "bad token" or
//! "Save & Return Later off".

use std::sync::OnceLock;

use regex::Regex;

/// One of REDCap's sentences, with the values it names that matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sentence {
    /// `You do not have permissions to use the API` (403).
    NoApiPermission,
    /// `The API request cannot complete because currently you do not have "Manage Survey
    /// Participants" privileges, which are required for this operation.` (403).
    NoSurveyRights,
    /// `You do not have API Export privileges`, or the "cannot complete" sentence naming an
    /// export privilege (403).
    NoExportRights,
    /// `The record "X" does not exist` (older: `'X'`).
    RecordMissing,
    /// `The parameter 'X' is missing`, with X as REDCap wrote it.
    ParameterMissing(String),
    /// `Invalid instrument`.
    InvalidInstrument,
    /// `The instrument "X" has not been enabled as a survey`.
    NotASurvey,
    /// `Invalid event`.
    InvalidEvent,
    /// `The instrument "X" has not been designated for the event "Y"`.
    NotDesignated,
    /// `The 'Save & Return Later' feature has not been enabled for this survey`.
    SaveAndReturnOff,
    /// `The Survey Queue has not been enabled in this project. You will need to enable the
    /// Survey Queue before using this method.` (`surveyQueueLink`, 400).
    SurveyQueueOff,
    /// `An unknown error occurred`.
    UnknownError,
    /// `The following values in the parameter "X" are not valid: …`, with X.
    InvalidValues(String),
    /// `Your IP address (a.b.c.d) has been banned due to suspected abuse.` (429, plain text).
    Banned,
    /// `You cannot export arms|events|form/event mappings for classic projects` (400): the
    /// project is not longitudinal.
    ClassicProject,
    /// `The value of the parameter "X" is not valid` (400), with X: REDCap's `API/index.php`
    /// answers it for a `content` (an API method) or an `action` it does not know.
    ValueNotValid(String),
}

/// What a matched sentence says, from its first quoted value (if the pattern has one).
type Reader = fn(Option<&str>) -> Option<Sentence>;

/// Any kind of quote around a value; the value itself may hold quotes (`'O'Brien'`).
const Q: &str = r#"["'`‘’“”«»](.*)["'`‘’“”«»]"#;

/// The sentences as regular expressions over the normalized message (`{Q}` a quoted value), in no particular order: they are
/// anchored at both ends, so no two match one message.
fn patterns() -> &'static [(Regex, Reader)] {
    static PATTERNS: OnceLock<Vec<(Regex, Reader)>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let rows: [(&str, Reader); 19] = [
            ("you do not have permissions to use the api", |_| {
                Some(Sentence::NoApiPermission)
            }),
            (
                "the api request cannot complete because currently you do not have {Q} privileges,? which are required for this operation",
                |q| privilege(q?),
            ),
            ("you do not have api export privileges", |_| {
                Some(Sentence::NoExportRights)
            }),
            // The record export (`API/record/export.php`) for a user whose Data Export right is
            // "No Access"; and for one whose de-identified export right removes every field asked for.
            (
                "the api request cannot complete because currently you have {Q} data export rights\\. higher level data export rights are required for this operation",
                |q| (q?.trim() == "no access").then_some(Sentence::NoExportRights),
            ),
            (
                "the api request cannot complete because all the fields you have specified in your request are fields that will be removed due to your limited data export privileges, so there is nothing to return\\. higher level data export rights are required to retrieve data for the fields specified",
                |_| Some(Sentence::NoExportRights),
            ),
            ("the record {Q} does not exist", |_| Some(Sentence::RecordMissing)),
            ("the record {Q} does not exist in this project", |_| {
                Some(Sentence::RecordMissing)
            }),
            ("the parameter {Q} is missing", |q| {
                Some(Sentence::ParameterMissing(q?.to_owned()))
            }),
            ("invalid instrument", |_| Some(Sentence::InvalidInstrument)),
            ("the instrument {Q} has not been enabled as a survey", |_| {
                Some(Sentence::NotASurvey)
            }),
            ("invalid event", |_| Some(Sentence::InvalidEvent)),
            (
                "the instrument {Q} has not been designated for the event {Q}",
                |_| Some(Sentence::NotDesignated),
            ),
            ("the {Q} feature has not been enabled for this survey", |q| {
                let name = q?.trim().replace(" and ", " & ");
                (name == "save & return later").then_some(Sentence::SaveAndReturnOff)
            }),
            (
                "the survey queue has not been enabled in this project(\\. you will need to enable the survey queue before using this method)?",
                |_| Some(Sentence::SurveyQueueOff),
            ),
            ("an unknown error occurred", |_| Some(Sentence::UnknownError)),
            ("the following values in the parameter {Q} are not valid:? .*", |q| {
                Some(Sentence::InvalidValues(q?.to_owned()))
            }),
            ("you cannot export (arms|events|form/event mappings) for classic projects", |_| {
                Some(Sentence::ClassicProject)
            }),
            ("the value of the parameter {Q} is not valid", |q| {
                Some(Sentence::ValueNotValid(q?.to_owned()))
            }),
            (
                r"your ip address \([0-9a-f.:]{1,45}\) has been banned due to suspected abuse",
                |_| Some(Sentence::Banned),
            ),
        ];
        rows.into_iter()
            .map(|(pattern, read)| {
                let pattern = pattern.replace("{Q}", Q);
                let re = Regex::new(&format!("(?is)^{pattern}$")).expect("a fixed pattern");
                (re, read)
            })
            .collect()
    })
}

/// Which privilege the "cannot complete" sentence names.
fn privilege(name: &str) -> Option<Sentence> {
    match name.trim() {
        "manage survey participants" | "survey distribution tools" => {
            Some(Sentence::NoSurveyRights)
        }
        "api export" | "export" => Some(Sentence::NoExportRights),
        _ => None,
    }
}

/// The message as the patterns expect it: one line, single spaces, lowercase, no final
/// period, `&amp;` as `&`.
fn normalize(message: &str) -> String {
    let joined = message
        .to_lowercase()
        .replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    joined
        .strip_suffix('.')
        .unwrap_or(&joined)
        .trim_end()
        .to_owned()
}

/// The sentence of REDCap's that `message` is, if any. Quoted values come back lowercased.
pub(crate) fn recognise(message: &str) -> Option<Sentence> {
    let text = normalize(message);
    if text.len() > 2_000 {
        return None;
    }
    patterns().iter().find_map(|(re, read)| {
        let caps = re.captures(&text)?;
        read(caps.get(1).map(|m| m.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_sentences_only() {
        assert_eq!(recognise("Invalid event."), Some(Sentence::InvalidEvent));
        assert_eq!(
            recognise("  INVALID\n event "),
            Some(Sentence::InvalidEvent)
        );
        assert_eq!(recognise("Invalid event for this arm"), None);
        assert_eq!(
            recognise("The record 'O'Brien' does not exist"),
            Some(Sentence::RecordMissing)
        );
        assert_eq!(
            recognise("The parameter \"Record\" is missing"),
            Some(Sentence::ParameterMissing("record".into()))
        );
        assert_eq!(
            recognise("The 'Save &amp; Return Later' feature has not been enabled for this survey"),
            Some(Sentence::SaveAndReturnOff)
        );
        assert_eq!(
            recognise("The 'Survey Login' feature has not been enabled for this survey"),
            None
        );
        assert_eq!(
            recognise("Your IP address (2001:db8::1) has been banned due to suspected abuse."),
            Some(Sentence::Banned)
        );
        assert_eq!(
            recognise("Maintenance: the record \"all\" does not exist until Monday"),
            None
        );
        assert_eq!(
            recognise("The Survey Queue has not been enabled in this project. You will need to enable the Survey Queue before using this method."),
            Some(Sentence::SurveyQueueOff)
        );
        assert_eq!(
            recognise("The survey queue has not been enabled in this project"),
            Some(Sentence::SurveyQueueOff)
        );
        assert_eq!(
            recognise("The Survey Queue has not been enabled in this project until Monday"),
            None
        );
    }
}
