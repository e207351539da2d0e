//! The client's table of REDCap's sentences and the simulator agree: a refusal the simulator
//! writes in REDCap's wording is read by the client as REDCap's meaning (issue 9).

use redcap_client::{ApiToken, Client, ClientConfig, RecordId, RedcapError, Scope};
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
