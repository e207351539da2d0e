//! Forgetting what a project's caches hold about one participant (after a study team changed
//! their data in REDCap), for `redcap-resume cache purge`.

use redcap_client::{RecordId, SurveyTarget};

use super::Project;

impl Project {
    /// Forgets the cached links, codes, statuses and refusals of `record` — of one response
    /// when `only` names it, else of every survey — and, for a whole record, its survey queue
    /// link and the identity look-ups that led to it. Returns how many entries were dropped; `None` when the caches
    /// are shared on Redis (`[shared]`) and Redis is unreachable.
    pub async fn purge(&self, record: &RecordId, only: Option<&SurveyTarget>) -> Option<u64> {
        let matches = |target: &SurveyTarget| match only {
            Some(one) => target == one,
            None => target.record == *record,
        };
        let mut dropped = self
            .resumables
            .purge(record, only, |t, _| matches(t))
            .await?
            + self.links.purge(record, only, |t, _| matches(t)).await?
            + self.statuses.purge(record, only, |t, _| matches(t)).await?
            + self.refusals.purge(record, only, |t, _| matches(t)).await?;
        if only.is_none() {
            let found = |_: &_, found: &RecordId| found == record;
            dropped += self.lookups.purge(record, None, found).await?;
            dropped += self
                .queue_links
                .purge(record, None, |of, _| of == record)
                .await?
                + self
                    .queue_refusals
                    .purge(record, None, |of, _| of == record)
                    .await?;
        }
        Some(dropped)
    }
}
