//! The texts REDCap's survey pages show, from its English language strings
//! (`LanguageUpdater/English.ini`, keys named in each constant's doc); a few are the
//! simulator's own wording, said so.

/// `survey_14`: an unknown survey hash.
pub const NOT_A_PARTICIPANT: &str =
    "Thank you for your interest, but you are not a participant for this survey.";
/// `survey_111`: the response is completed (and may not be edited).
pub const ALREADY_COMPLETED: &str =
    "Thank you for your interest, but you have already completed this survey.";
/// `survey_161`: the return code typed on the "Returning?" page is wrong.
pub const WRONG_CODE: &str = "The return code you entered was incorrect. Please try again.";
/// `survey_661` and `survey_641`: the prompt on the "Returning?" page.
pub const RETURN_PROMPT: &str = "To continue the survey, please enter the RETURN CODE that was \
auto-generated for you when you left the survey. Please note that the return code is *not* case \
sensitive.";
/// `survey_163`: partial response without Save & Return Later.
pub const PARTIALLY_COMPLETED: &str = "You have partially completed this survey.";
/// `survey_508`: an unknown survey queue hash, or a project whose survey queue is off.
pub const QUEUE_LINK_INVALID: &str =
    "Thank you for your interest, but this Survey Queue link is not valid.";
/// The Survey Login page's instructions (the simulator's wording; REDCap composes its own
/// from `survey_574`, the number of login fields and `survey_594`).
pub const SURVEY_LOGIN_PROMPT: &str =
    "Please enter the login information below to begin or continue the survey.";
/// A closed survey (offline, expired or past its time limit); the simulator's wording.
pub const SURVEY_CLOSED: &str =
    "Thank you for your interest, but this survey is closed and no longer accepts responses.";
/// The Survey Login page after a failed login (the simulator's wording).
pub const SURVEY_LOGIN_FAILED: &str =
    "The login information you entered is not correct. Please try again.";
