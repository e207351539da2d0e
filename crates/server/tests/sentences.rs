//! The client's table of REDCap's sentences and the simulator agree: a refusal the simulator
//! writes in REDCap's wording is read by the client as REDCap's meaning (issue 9).

use redcap_client::{
    ApiToken, Client, ClientConfig, Fault, Instrument, RecordId, RedcapError, Scope, SurveyTarget,
};
use redcap_sim::{seed, SimConfig, Simulator};

fn client(sim: &Simulator, token: &str) -> Client {
    Client::new(ClientConfig::new(
        sim.api_url().clone(),
        ApiToken::parse(token).unwrap(),
    ))
    .unwrap()
}

#[tokio::test]
async fn survey_queue_not_enabled_is_the_projects_survey_setup() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let record = RecordId::parse(seed::RECORD_IN_PROGRESS).unwrap();
    // `cohort` has no Survey Queue: REDCap's sentence, read as its meaning.
    let err = client(&sim, seed::COHORT_TOKEN)
        .survey_queue_link(&record)
        .await
        .unwrap_err();
    assert_eq!(err, RedcapError::SurveyQueueDisabled);
    assert_eq!(err.scope(), Scope::Project);
    assert!(!err.is_retryable());
    // `demo` has one: the link.
    assert!(client(&sim, seed::DEMO_TOKEN)
        .survey_queue_link(&record)
        .await
        .is_ok());
}

#[tokio::test]
async fn no_export_rights_is_the_projects_server_setup() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let no_export = client(&sim, seed::NO_EXPORT_TOKEN);
    // REDCap's 403 `You do not have API Export privileges` on an export (project info, metadata).
    for err in [
        no_export.project_info().await.unwrap_err(),
        no_export.record_id_field().await.unwrap_err(),
    ] {
        assert_eq!(err, RedcapError::MissingExportRights);
        assert_eq!(err.scope(), Scope::Project);
    }
    // REDCap's API/index.php counts the survey methods as exports too: survey rights alone
    // do not answer them.
    let record = RecordId::parse(seed::RECORD_IN_PROGRESS).unwrap();
    assert_eq!(
        no_export.survey_queue_link(&record).await.unwrap_err(),
        RedcapError::MissingExportRights
    );
    // A token with export rights is not refused.
    assert!(client(&sim, seed::DEMO_TOKEN).project_info().await.is_ok());
}

#[tokio::test]
async fn a_classic_projects_events_are_the_projects_survey_setup() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    // `demo` is classic: asked as if longitudinal, REDCap's "You cannot export events for
    // classic projects", read as its meaning (not an outage).
    let err = client(&sim, seed::DEMO_TOKEN)
        .project_structure(true)
        .await
        .unwrap_err();
    assert_eq!(err, RedcapError::ClassicProject);
    assert_eq!(err.scope(), Scope::Project);
    assert!(!err.is_retryable());
    // `cohort` is longitudinal: its events.
    let cohort = client(&sim, seed::COHORT_TOKEN)
        .project_structure(true)
        .await
        .unwrap();
    assert!(cohort.events.is_some_and(|e| !e.is_empty()));
}

#[tokio::test]
async fn a_method_an_older_redcap_does_not_know_is_this_redcaps_setup() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    sim.set_unknown_contents(&["surveyReturnCode"]);
    let target = SurveyTarget::new(
        RecordId::parse(seed::RECORD_IN_PROGRESS).unwrap(),
        Instrument::parse(seed::BASELINE).unwrap(),
    );
    let err = client(&sim, seed::DEMO_TOKEN)
        .survey_return_code(&target)
        .await
        .unwrap_err();
    assert_eq!(err, RedcapError::ParameterValueNotValid("content".into()));
    assert_eq!(
        (err.scope(), err.fault()),
        (Scope::Redcap, Fault::ServerSetup)
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn no_access_data_export_rights_are_the_projects_server_setup() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let target = SurveyTarget::new(
        RecordId::parse(seed::RECORD_IN_PROGRESS).unwrap(),
        Instrument::parse(seed::BASELINE).unwrap(),
    );
    // API Export, but "No Access" as Data Export right: the record export's own 403.
    let err = client(&sim, seed::NO_DATA_EXPORT_TOKEN)
        .response_status(&target)
        .await
        .unwrap_err();
    assert_eq!(err, RedcapError::MissingExportRights);
    assert_eq!(err.scope(), Scope::Project);
    // The same target with a full Data Export right has a status.
    assert!(client(&sim, seed::DEMO_TOKEN)
        .response_status(&target)
        .await
        .is_ok());
}
