//! `/readyz`'s probe, single-flight: however many load balancers or attackers ask at once, at
//! most one probe of REDCap is in flight, every caller gets its result, and the result is
//! reused for [`READY_TTL`] (issue 15 item 5). A probe costs one call per REDCap server, taken
//! from the budget the participants share, so readiness spends at most that per [`READY_TTL`].

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

/// How long `/readyz`'s answer is reused before REDCap is asked again.
pub const READY_TTL: Duration = Duration::from_secs(10);

/// The last probe: in flight (`None` in the channel) or finished (when, and its result).
type ProbeState = watch::Receiver<Option<(Instant, bool)>>;

/// One readiness answer shared by every caller; see the module docs.
#[derive(Default)]
pub struct Readiness {
    last: Mutex<Option<ProbeState>>,
}

impl Readiness {
    /// The fresh result of the last probe; else joins the probe in flight; else starts
    /// `probe` as a task of its own (a caller that goes away does not cancel it, so the next
    /// caller cannot start a second one) and waits for it.
    pub async fn check<F>(&self, probe: impl FnOnce() -> F) -> bool
    where
        F: Future<Output = bool> + Send + 'static,
    {
        let mut receiver = {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            let reusable = last.as_ref().filter(|state| match *state.borrow() {
                None => true,
                Some((at, _)) => at.elapsed() < READY_TTL,
            });
            match reusable {
                Some(state) => state.clone(),
                None => {
                    let (sender, receiver) = watch::channel(None);
                    let probe = probe();
                    tokio::spawn(async move {
                        let ready = probe.await;
                        let _ = sender.send(Some((Instant::now(), ready)));
                    });
                    *last = Some(receiver.clone());
                    receiver
                }
            }
        };
        let outcome = receiver.wait_for(Option::is_some).await.map(|done| *done);
        match outcome {
            Ok(done) => done.is_some_and(|(_, ready)| ready),
            // The probe's task ended without an answer (it panicked): not ready; the next
            // caller starts another.
            Err(_) => {
                let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
                *last = None;
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_probe_and_its_result_is_reused_briefly() {
        let readiness = Arc::new(Readiness::default());
        let probes = Arc::new(AtomicUsize::new(0));
        let ask = |readiness: Arc<Readiness>, probes: Arc<AtomicUsize>, answer: bool| async move {
            readiness
                .check(move || async move {
                    probes.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    answer
                })
                .await
        };
        let callers: Vec<_> = (0..40)
            .map(|_| tokio::spawn(ask(readiness.clone(), probes.clone(), true)))
            .collect();
        for caller in callers {
            assert!(caller.await.unwrap());
        }
        assert_eq!(probes.load(Ordering::SeqCst), 1);
        // Reused within the TTL, even though this probe would say "not ready".
        tokio::time::advance(READY_TTL / 2).await;
        assert!(ask(readiness.clone(), probes.clone(), false).await);
        assert_eq!(probes.load(Ordering::SeqCst), 1);
        // Asked again once it is stale.
        tokio::time::advance(READY_TTL).await;
        assert!(!ask(readiness.clone(), probes.clone(), false).await);
        assert_eq!(probes.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_caller_that_goes_away_does_not_cancel_the_probe() {
        let readiness = Arc::new(Readiness::default());
        let probes = Arc::new(AtomicUsize::new(0));
        let counted = probes.clone();
        let first = {
            let readiness = readiness.clone();
            tokio::spawn(async move {
                readiness
                    .check(move || async move {
                        counted.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        true
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(10)).await;
        first.abort();
        let counted = probes.clone();
        let second = readiness
            .check(move || async move {
                counted.fetch_add(1, Ordering::SeqCst);
                false
            })
            .await;
        assert!(second, "joined the first probe, which says ready");
        assert_eq!(probes.load(Ordering::SeqCst), 1);
    }
}
