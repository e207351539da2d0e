//! Who a REDCap call is made for, and the cap on the calls one participant can cause.
//!
//! A handler runs its work inside [`CallerCap::on_behalf_of`]; every REDCap call made while
//! that work runs (in the same task: coalesced cache fills run in the task of the first asker)
//! first takes one call from that participant's allowance (`[limits]
//! redcap_calls_per_participant_per_minute`), then from the server's budget. A participant whose
//! answers are all cached spends nothing; one who makes REDCap work on every reload (a
//! not-enrolled ticket, an unknown SSO user) is stopped at the cap, far below the budget every
//! participant shares (issue 15 item 2). With `[shared]` the allowance is a key of the limiter
//! the replicas share on Redis (`redcap-calls`), so N replicas cannot give one participant N
//! times the cap.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use redcap_resume_shared::Shared;

use crate::limits::Limit;

tokio::task_local! {
    static CALLER: Caller;
}

#[derive(Clone)]
struct Caller {
    key: String,
    cap: Arc<Limit<String>>,
}

/// The per-participant cap on REDCap calls: this process's, or (with `[shared]`) all
/// replicas' together.
#[derive(Clone)]
pub struct CallerCap {
    cap: Arc<Limit<String>>,
}

impl CallerCap {
    /// At most `per_minute` REDCap calls per participant per minute; with `shared`, counted on
    /// Redis for every replica together (alone while Redis is unreachable: `1/replicas` each).
    pub fn per_minute(per_minute: u32, shared: Option<&Shared>) -> Self {
        Self {
            cap: Arc::new(Limit::per_minute(shared, "redcap-calls", per_minute)),
        }
    }

    /// Runs `work` with its REDCap calls charged to `participant` (a record id or a lookup
    /// value; only used as a key in memory, never logged).
    pub async fn on_behalf_of<T>(&self, participant: String, work: impl Future<Output = T>) -> T {
        let caller = Caller {
            key: participant,
            cap: self.cap.clone(),
        };
        CALLER.scope(caller, work).await
    }

    /// Forgets participants back to a full allowance.
    pub fn forget_idle(&self) {
        self.cap.forget_idle();
    }
}

/// Takes one call from the allowance of the participant the current work runs for:
/// `Err(retry_after)` when it is used up. Work run for nobody (readiness) is not capped.
pub(super) async fn charge() -> Result<(), Duration> {
    match CALLER.try_with(Caller::clone) {
        Ok(caller) => caller.cap.check(&caller.key).await,
        Err(_) => Ok(()),
    }
}
