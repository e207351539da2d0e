//! `Redcap::purge`: one participant forgotten by every project's caches, or one response.

use redcap_client::RecordId;

use super::{target, Redcap};
use crate::config::SurveyConfig;

impl Redcap {
    /// Forgets what the caches hold about `record`: for `survey` only (in its project), or
    /// in every project. Returns how many cache entries were dropped (0 when nothing was
    /// cached: the next request asks REDCap either way). With `[shared]` the entries go from
    /// Redis, for every replica; `None` when Redis is unreachable.
    pub async fn purge(&self, record: &RecordId, survey: Option<&SurveyConfig>) -> Option<u64> {
        match survey {
            Some(survey) => {
                let one = target(record, survey);
                self.project(survey.project).purge(record, Some(&one)).await
            }
            None => {
                let mut dropped = 0;
                for project in &self.projects {
                    dropped += project.purge(record, None).await?;
                }
                Some(dropped)
            }
        }
    }
}
