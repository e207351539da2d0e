//! The shared call budget and breaker against a real redis-server.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use redcap_resume_shared::testing::RedisServer;
use redcap_resume_shared::{GateConfig, Refusal, FAILURES_TO_OPEN};
use tokio::time::Instant;

const WINDOW: Duration = Duration::from_secs(2);

fn config(per_window: u32, max_wait: Duration) -> GateConfig {
    GateConfig {
        per_window,
        window: WINDOW,
        max_wait,
        ban_pause: Duration::from_secs(600),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_together_get_exactly_the_budget() {
    let redis = RedisServer::start();
    let links = replicas(&redis.url(), 3).await;
    // 20 per 2 s, up to 3 s of waiting: slots at 0 s and 2 s fit, 4 s does not.
    let gates = gates(&links, config(20, Duration::from_secs(3)));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..150 {
        let gate = gates[i % 3].clone();
        tasks.push(tokio::spawn(async move {
            gate.admit().await.map(|()| start.elapsed())
        }));
    }
    let mut granted = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(at) => granted.push(at),
            Err(Refusal::Exhausted { retry_after }) => {
                assert!(retry_after > Duration::from_secs(3), "{retry_after:?}")
            }
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(granted.len(), 40, "two windows of 20, the rest refused");
    granted.sort();
    assert!(granted[19] < Duration::from_secs(1), "{granted:?}");
    assert!(
        granted[20] - granted[0] >= WINDOW - Duration::from_millis(30),
        "{granted:?}"
    );
    assert!(links.iter().all(|l| l.is_shared()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ban_seen_by_one_replica_pauses_all_and_is_logged_once() {
    let redis = RedisServer::start();
    let links = replicas(&redis.url(), 3).await;
    let gates = gates(&links, config(100, Duration::ZERO));
    gates[0].admit().await.unwrap();
    assert!(
        gates[0].record_ban().await,
        "the first replica to see the ban logs it"
    );
    assert!(
        !gates[1].record_ban().await,
        "a second sighting is not logged again"
    );
    for gate in &gates {
        match gate.admit().await {
            Err(Refusal::Paused { retry_after }) => {
                assert!(retry_after > Duration::from_secs(590), "{retry_after:?}")
            }
            other => panic!("{other:?}"),
        }
        assert!(gate.breaker_open_hint());
    }
    // A ban is not lifted by an answer (only by time, like the in-process breaker's pause).
    gates[2].record_answer().await;
    assert!(matches!(
        gates[2].admit().await,
        Err(Refusal::Paused { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outages_seen_by_different_replicas_add_up_and_an_answer_closes() {
    let redis = RedisServer::start();
    let links = replicas(&redis.url(), 3).await;
    let gates = gates(&links, config(100, Duration::ZERO));
    let mut opened = 0;
    for i in 0..FAILURES_TO_OPEN as usize {
        gates[0].admit().await.unwrap();
        assert!(
            gates[i % 3].admit().await.is_ok(),
            "closed until the fifth failure"
        );
        if gates[i % 3].record_failure().await {
            opened += 1;
        }
    }
    assert_eq!(opened, 1, "one replica opens it (and logs it)");
    for gate in &gates {
        assert!(matches!(gate.admit().await, Err(Refusal::Paused { .. })));
    }
    // A call that was already under way comes back with an answer: calls resume everywhere.
    gates[1].record_answer().await;
    for gate in &gates {
        assert!(gate.admit().await.is_ok());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_resets_the_shared_count() {
    let redis = RedisServer::start();
    let links = replicas(&redis.url(), 2).await;
    let gates = gates(&links, config(100, Duration::ZERO));
    for _ in 0..FAILURES_TO_OPEN - 1 {
        gates[0].record_failure().await;
    }
    gates[1].admit().await.unwrap(); // learns that the count is above zero
    gates[1].record_answer().await;
    assert!(!gates[0].record_failure().await);
    assert!(gates[0].admit().await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_absent_at_start_each_replica_has_its_share_then_they_rejoin() {
    let mut redis = RedisServer::start();
    redis.kill();
    let started = Instant::now();
    let links = replicas(&redis.url(), 3).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "start-up does not hang"
    );
    assert!(links.iter().all(|l| !l.is_shared()));
    let gates = gates(&links, config(30, Duration::ZERO));
    let mut granted = 0;
    for _ in 0..20 {
        for gate in &gates {
            if gate.admit().await.is_ok() {
                granted += 1;
            }
        }
    }
    assert_eq!(granted, 30, "10 each: together within the budget");

    redis.restart();
    assert!(
        eventually(Duration::from_secs(5), || links
            .iter()
            .all(|l| l.is_shared()))
        .await,
        "they rejoin when Redis is back"
    );
    // The 30 slots used alone were handed over: Redis gives none until they age out.
    let refused = gates[0].admit().await.unwrap_err();
    assert!(matches!(refused, Refusal::Exhausted { .. }), "{refused:?}");
    let keys: Vec<String> = redis.dump().into_iter().map(|(k, _)| k).collect();
    assert!(keys.iter().any(|k| k.ends_with(":slots")), "{keys:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_mid_burst_the_replicas_stay_within_the_budget() {
    let mut redis = RedisServer::start();
    let links = replicas(&redis.url(), 3).await;
    let per_window = 30;
    let gates = gates(&links, config(per_window, Duration::from_millis(300)));
    let start = Instant::now();
    let granted = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut load = Vec::new();
    for gate in gates.clone() {
        let granted = granted.clone();
        load.push(tokio::spawn(async move {
            while start.elapsed() < Duration::from_secs(10) {
                if gate.admit().await.is_ok() {
                    granted.lock().unwrap().push(start.elapsed());
                }
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    redis.kill();
    let killed_at = start.elapsed();
    assert!(
        eventually(Duration::from_secs(2), || links
            .iter()
            .all(|l| !l.is_shared()))
        .await
    );
    tokio::time::sleep(Duration::from_millis(4000)).await;
    redis.restart();
    let back_at = start.elapsed();
    assert!(
        eventually(Duration::from_secs(3), || links
            .iter()
            .all(|l| l.is_shared()))
        .await
    );
    for task in load {
        task.await.unwrap();
    }
    let mut times = granted.lock().unwrap().clone();
    let most = most_in_any_window(&mut times, WINDOW, Duration::from_millis(60));
    assert!(
        most <= per_window as usize,
        "{most} in one window: {times:?}"
    );
    let alone = times
        .iter()
        .filter(|&&t| t > killed_at && t < back_at)
        .count();
    let after = times.iter().filter(|&&t| t > back_at).count();
    assert!(
        alone > 0,
        "alone, after a window, each replica used its share: {times:?}"
    );
    assert!(after > 0, "after rejoining, calls go on: {times:?}");
}
