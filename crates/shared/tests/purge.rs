//! `cache purge` on the shared cache, against a real redis-server: a record's entries purged
//! through one replica are gone for all three; other records' entries stay.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use redcap_resume_shared::testing::RedisServer;
use redcap_resume_shared::{Fetched, SharedCache};

/// Loads `key` (about `record`) through `cache`, counting the fetches it causes.
async fn load(cache: &SharedCache<String>, key: &str, record: &str, fetches: &AtomicU32) -> String {
    cache
        .get_or_fetch_of(key, async {
            fetches.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ()>(Fetched {
                value: format!("answer for {key}"),
                ttl: Duration::from_secs(60),
                record: Some(record.to_owned()),
            })
        })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_purged_through_one_replica_is_fetched_again_by_all() {
    let redis = RedisServer::start();
    let links = replicas(&redis.url(), 3).await;
    let caches: Vec<Arc<SharedCache<String>>> = links
        .iter()
        .map(|l| Arc::new(SharedCache::new(l, "resumable", 100)))
        .collect();
    let fetches = AtomicU32::new(0);
    for key in ["1001/baseline", "1001/followup", "1002/baseline"] {
        let record = &key[..4];
        load(&caches[0], key, record, &fetches).await;
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 3);
    // Served by the other two from Redis.
    for cache in &caches[1..] {
        load(cache, "1001/baseline", "1001", &fetches).await;
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 3);

    assert_eq!(caches[1].purge_record("1001").await, Ok(2));
    for cache in [&caches[0], &caches[2]] {
        assert_eq!(cache.get("1001/baseline").await, None);
        assert_eq!(cache.get("1001/followup").await, None);
        assert_eq!(
            cache.get("1002/baseline").await.as_deref(),
            Some("answer for 1002/baseline"),
            "another record's entry stays"
        );
    }
    load(&caches[2], "1001/baseline", "1001", &fetches).await;
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        4,
        "a purged entry is fetched again"
    );
    assert_eq!(
        caches[0].purge_record("9999").await,
        Ok(0),
        "nothing cached"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_entry_removed_and_its_record_index_kept_consistent() {
    let redis = RedisServer::start();
    let links = replicas(&redis.url(), 2).await;
    let a = SharedCache::<String>::new(&links[0], "statuses", 10);
    let b = SharedCache::<String>::new(&links[1], "statuses", 10);
    a.insert(
        "1001/baseline",
        &"partial".into(),
        Duration::from_secs(60),
        Some("1001"),
    )
    .await;
    a.insert(
        "1001/followup",
        &"none".into(),
        Duration::from_secs(60),
        Some("1001"),
    )
    .await;
    assert_eq!(b.remove("1001/baseline").await, Ok(true));
    assert_eq!(b.remove("1001/baseline").await, Ok(false));
    assert_eq!(a.get("1001/baseline").await, None);
    assert_eq!(a.get("1001/followup").await.as_deref(), Some("none"));
    assert_eq!(
        b.purge_record("1001").await,
        Ok(1),
        "only the entry still there counts"
    );
}
