//! Shared request limits and the shared answer cache against a real redis-server.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use redcap_resume_shared::testing::RedisServer;
use redcap_resume_shared::{Shared, SharedCache, SharedLimit};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_limit_of_ten_per_minute_holds_across_three_replicas() {
    let redis = RedisServer::start();
    let links = replicas(&redis.url(), 3).await;
    let limits: Vec<_> = links
        .iter()
        .map(|l| SharedLimit::per_minute(l, "participant", 10))
        .collect();
    let mut allowed = 0;
    for i in 0..30 {
        match limits[i % 3].check("record-7").await {
            Ok(()) => allowed += 1,
            Err(retry) => assert!(
                retry > Duration::from_secs(5) && retry <= Duration::from_secs(6),
                "one every 6 s after the burst of 10: {retry:?}"
            ),
        }
    }
    assert_eq!(allowed, 10);
    assert!(
        limits[0].check("record-8").await.is_ok(),
        "each key has its own"
    );
    let keys: Vec<String> = redis.dump().into_iter().map(|(k, _)| k).collect();
    assert!(
        keys.iter().all(|k| !k.contains("record-")),
        "keys are hashed: {keys:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alone_each_replica_allows_its_share_of_the_limit() {
    let mut redis = RedisServer::start();
    redis.kill();
    let links = replicas(&redis.url(), 3).await;
    let limits: Vec<_> = links
        .iter()
        .map(|l| SharedLimit::per_minute(l, "ip", 10))
        .collect();
    let mut allowed = 0;
    for i in 0..30 {
        if limits[i % 3].check("192.0.2.1").await.is_ok() {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 9, "3 each (10 / 3): together within the limit");
}

async fn three_caches(redis: &RedisServer) -> (Vec<Shared>, Vec<Arc<SharedCache<String>>>) {
    let links = replicas(&redis.url(), 3).await;
    let caches = links
        .iter()
        .map(|l| Arc::new(SharedCache::<String>::new(l, "codes", 100)))
        .collect();
    (links, caches)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_misses_across_replicas_cause_one_fetch() {
    let redis = RedisServer::start();
    let (_links, caches) = three_caches(&redis).await;
    let fetches = Arc::new(AtomicU32::new(0));
    let mut tasks = Vec::new();
    for i in 0..30 {
        let cache = caches[i % 3].clone();
        let fetches = fetches.clone();
        tasks.push(tokio::spawn(async move {
            cache
                .get_or_fetch("record-1/baseline", async {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    Ok::<_, ()>(("CODE-ABC".to_owned(), Duration::from_secs(60)))
                })
                .await
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), "CODE-ABC");
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    // Loaded through one, served by the others.
    for cache in &caches {
        assert_eq!(
            cache.get("record-1/baseline").await.as_deref(),
            Some("CODE-ABC")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_live_for_their_ttl_and_errors_are_not_stored() {
    let redis = RedisServer::start();
    let (_links, caches) = three_caches(&redis).await;
    let failed: Result<String, &str> = caches[0]
        .get_or_fetch("k", async { Err("REDCap down") })
        .await;
    assert_eq!(failed, Err("REDCap down"));
    let got = caches[1]
        .get_or_fetch("k", async {
            Ok::<_, ()>(("v1".to_owned(), Duration::from_millis(300)))
        })
        .await;
    assert_eq!(got, Ok("v1".to_owned()), "a failure left no lock behind");
    assert_eq!(caches[2].get("k").await.as_deref(), Some("v1"));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(caches[2].get("k").await, None, "expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alone_each_replica_caches_for_itself_and_rejoins() {
    let mut redis = RedisServer::start();
    redis.kill();
    let (links, caches) = three_caches(&redis).await;
    let fetches = Arc::new(AtomicU32::new(0));
    for _ in 0..2 {
        for cache in &caches {
            let f = fetches.clone();
            let v = cache
                .get_or_fetch("k", async move {
                    f.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, ()>(("v".to_owned(), Duration::from_secs(60)))
                })
                .await;
            assert_eq!(v.unwrap(), "v");
        }
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 3, "one fetch per replica");
    redis.restart();
    assert!(
        eventually(Duration::from_secs(5), || links
            .iter()
            .all(|l| l.is_shared()))
        .await
    );
    caches[0]
        .insert("k2", &"w".to_owned(), Duration::from_secs(60), None)
        .await;
    assert_eq!(caches[1].get("k2").await.as_deref(), Some("w"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_cache_entries_hold_a_code_and_auth_comes_from_the_url() {
    let redis = RedisServer::start_with_password("pw-for-the-test");
    let url = redis.url();
    assert!(!format!("{url} {url:?}").contains("pw-for-the-test"));
    let links = replicas(&url, 3).await;
    assert!(links.iter().all(|l| l.is_shared()), "AUTH from the URL");
    let gates = gates(
        &links,
        redcap_resume_shared::GateConfig {
            per_window: 100,
            window: Duration::from_secs(60),
            max_wait: Duration::ZERO,
            ban_pause: Duration::from_secs(600),
        },
    );
    let cache = SharedCache::<String>::new(&links[0], "resumable", 10);
    let limit = SharedLimit::per_minute(&links[1], "participant", 10);
    gates[0].admit().await.unwrap();
    limit.check("p1").await.unwrap();
    cache
        .get_or_fetch("p1", async {
            Ok::<_, ()>(("SECRET-CODE-77".to_owned(), Duration::from_secs(60)))
        })
        .await
        .unwrap();
    gates[1].record_failure().await;
    let dump = redis.dump();
    let holding: Vec<_> = dump
        .iter()
        .filter(|(k, v)| k.contains("SECRET-CODE-77") || v.contains("SECRET-CODE-77"))
        .collect();
    assert_eq!(holding.len(), 1, "{dump:?}");
    assert!(
        holding[0].0.starts_with("test:cache:resumable:"),
        "{holding:?}"
    );

    let wrong: redcap_resume_shared::RedisUrl =
        format!("redis://:nope@127.0.0.1:{}/0", redis.port())
            .parse()
            .unwrap();
    let refused = Shared::connect(wrong, 3, "test", FAST).await;
    assert!(
        !refused.is_shared(),
        "a wrong password: alone, not an error"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rediss_never_falls_back_to_plain_text() {
    let redis = RedisServer::start();
    let tls: redcap_resume_shared::RedisUrl = format!("rediss://127.0.0.1:{}/0", redis.port())
        .parse()
        .unwrap();
    assert!(tls.is_tls());
    let link = Shared::connect(tls, 3, "test", FAST).await;
    assert!(
        !link.is_shared(),
        "a TLS URL to a plain-text Redis is refused, not downgraded"
    );
    assert!(redis.dump().is_empty(), "nothing was written in plain text");
}
