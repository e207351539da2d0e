//! Helpers shared by the tests of this crate.
#![allow(dead_code)]

use std::time::Duration;

use redcap_resume_shared::{GateConfig, RedcapGate, RedisUrl, Shared, Tuning};

pub const FAST: Tuning = Tuning {
    op_timeout: Duration::from_millis(300),
    probe_interval: Duration::from_millis(200),
};

/// `n` replicas on one Redis: each its own link (as separate processes would have).
pub async fn replicas(url: &RedisUrl, n: u32) -> Vec<Shared> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(Shared::connect(url.clone(), n, "test", FAST).await);
    }
    out
}

pub fn gates(replicas: &[Shared], config: GateConfig) -> Vec<RedcapGate> {
    replicas
        .iter()
        .map(|s| RedcapGate::new(s, "https://redcap.test", "https://redcap.test/api/", config))
        .collect()
}

/// Waits until `cond` holds (at most `limit`).
pub async fn eventually(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    cond()
}

/// The most grants in any span shorter than `window` by `slack` (the time a woken task takes
/// to run on a busy machine).
pub fn most_in_any_window(times: &mut [Duration], window: Duration, slack: Duration) -> usize {
    times.sort();
    let span = window - slack;
    (0..times.len())
        .map(|i| {
            times[i..]
                .iter()
                .take_while(|&&t| t - times[i] < span)
                .count()
        })
        .max()
        .unwrap_or(0)
}
