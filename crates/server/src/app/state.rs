//! `AppState`: everything a request needs, built once from the configuration.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use redcap_resume_shared::{Shared, Tuning};

use super::readiness::Readiness;
use crate::audit::AuditLog;
use crate::config::Config;
use crate::error::Failure;
use crate::limits::RequestLimits;
use crate::participant::Authenticator;
use crate::resume::Resumer;
use crate::upstream::Redcap;

/// What every key of this service on the shared Redis starts with.
pub const SHARED_PREFIX: &str = "redcap-resume";
/// What a participant is told to wait when REDCap was too slow.
const SLOW_RETRY: Duration = Duration::from_secs(30);

/// Everything a request needs, built once from the configuration.
pub struct AppState {
    pub config: Arc<Config>,
    /// Every REDCap server and project.
    pub redcap: Redcap,
    /// The surveys, each holding its project.
    pub resumer: Resumer,
    pub auth: Authenticator,
    pub limits: RequestLimits,
    pub audit: Option<AuditLog>,
    /// With `[shared]`: this replica's link to the state it shares with the others.
    pub shared: Option<Shared>,
    /// The longest a whole answer may take: the slowest configured REDCap's timeout.
    deadline: Duration,
    /// `/readyz`'s probe, single-flight and reused briefly.
    readiness: Readiness,
}

impl AppState {
    /// Builds the REDCap servers, surveys, authenticator, limits and audit log; the error
    /// says which part could not be built (a ticket key, the audit file). With `[shared]`
    /// (inside a tokio runtime) it starts joining Redis; an unreachable Redis is not an
    /// error: the replica goes on alone until Redis answers.
    pub fn new(config: Config) -> Result<Arc<Self>, String> {
        let shared = config.shared.as_ref().map(|s| {
            Shared::start(
                s.redis_url.clone(),
                s.replicas,
                SHARED_PREFIX,
                Tuning::default(),
            )
        });
        let redcap = Redcap::build(&config, shared.as_ref())?;
        let resumer = Resumer::new(&config, &redcap);
        let auth = Authenticator::new(&config.auth, &redcap)?;
        let limits = RequestLimits::new(&config.limits, shared.as_ref());
        let audit = match &config.audit {
            Some(a) => Some(AuditLog::open(&a.path, a.fail_closed).map_err(|e| {
                format!(
                    "audit.path: cannot open {} for appending: {e}",
                    a.path.display()
                )
            })?),
            None => None,
        };
        let deadline = config
            .projects
            .iter()
            .map(|p| p.timeout)
            .max()
            .unwrap_or(Duration::from_secs(8));
        Ok(Arc::new(Self {
            config: Arc::new(config),
            redcap,
            resumer,
            auth,
            limits,
            audit,
            shared,
            deadline,
            readiness: Readiness::default(),
        }))
    }

    /// Forgets idle rate-limit keys; the server calls this every minute.
    pub fn housekeeping(&self) {
        self.limits.per_participant.forget_idle();
        self.limits.per_ip.forget_idle();
        self.redcap.callers().forget_idle();
    }

    /// `work`, or "REDCap did not answer in time" once the deadline passes.
    pub async fn within_deadline<T>(
        &self,
        work: impl Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        tokio::time::timeout(self.deadline, work)
            .await
            .unwrap_or_else(|_| {
                Err(Failure::UpstreamUnavailable {
                    cause: "REDCap did not answer in time".into(),
                    retry_after: SLOW_RETRY,
                })
            })
    }

    /// Whether every configured REDCap server answers: one probe in flight at most, shared
    /// by concurrent callers and reused for [`READY_TTL`](super::readiness::READY_TTL), so
    /// readiness costs the participants' budget at most one call per server that often.
    ///
    /// With `[shared]`, this process's own health only (it is up and configured): N replicas
    /// asking REDCap would spend its budget N times, and a REDCap outage would take every
    /// replica out of the load balancer at once, so participants would get its bare 503
    /// instead of the card's message. REDCap's state is in the logs (the breaker's lines,
    /// written once for all replicas).
    pub async fn ready(self: &Arc<Self>) -> bool {
        if self.shared.is_some() {
            return true;
        }
        let state = self.clone();
        self.readiness
            .check(move || async move { state.redcap.ready().await })
            .await
    }
}
