//! `SharedCache`: answers fetched from REDCap, shared by all replicas for their time to live.
//!
//! Values are small serde blobs (JSON) under `prefix:cache:kind:hash(key)`; they may be return
//! codes, which are secrets: no value is ever logged, and they live only as long as their TTL
//! (Redis must not persist them, see SECURITY.md). Concurrent misses for one key, on any
//! replicas, cause one fetch: the first takes a short lock (`SET NX PX`), the others poll
//! briefly and read what it stored. Alone, a replica keeps its own cache (one fetch per key per
//! replica).
//!
//! Purging a participant (`redcap-resume cache purge`): an entry stored with the record it is
//! about is also listed in that record's index set, `prefix:cache:kind:record:hash(record)`,
//! which lives as long as its longest entry; [`SharedCache::purge_record`] deletes the listed
//! entries and the set in one script, so no `KEYS` or `SCAN` of the key space is needed.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::future::Cache;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::link::{Shared, Unreachable};

/// How long a fetch may hold the single-flight lock (others wait at most this long).
pub const LOCK_TIME: Duration = Duration::from_secs(5);
/// How often a waiting replica looks for the value.
const POLL: Duration = Duration::from_millis(20);

/// One kind of answer (links and codes, statuses, refusals…), keyed by a string the caller
/// builds from the request (hashed before it reaches Redis).
pub struct SharedCache<T> {
    shared: Shared,
    kind: String,
    alone: Cache<String, Entry<T>>,
}

#[derive(Clone)]
struct Entry<T> {
    value: T,
    ttl: Duration,
}

struct PerEntry;

impl<T> moka::Expiry<String, Entry<T>> for PerEntry {
    fn expire_after_create(&self, _: &String, entry: &Entry<T>, _: Instant) -> Option<Duration> {
        Some(entry.ttl)
    }
}

/// A fetched answer: the value, how long it may be served, and the record it is about (for
/// [`SharedCache::purge_record`]; `None` for answers about no one record).
pub struct Fetched<T> {
    pub value: T,
    pub ttl: Duration,
    pub record: Option<String>,
}

enum Look<T> {
    Hit(T),
    Fetch(String),
    Wait,
}

impl<T> SharedCache<T>
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    /// `kind` names this cache in Redis keys; `capacity` bounds the replica's own cache.
    pub fn new(shared: &Shared, kind: &str, capacity: u64) -> Self {
        Self {
            shared: shared.clone(),
            kind: kind.to_owned(),
            alone: Cache::builder()
                .max_capacity(capacity)
                .expire_after(PerEntry)
                .build(),
        }
    }

    /// The cached value, if any (no lock taken).
    pub async fn get(&self, key: &str) -> Option<T> {
        let redis_key = self.redis_key(key);
        match self
            .shared
            .run(|mut conn| async move {
                redis::cmd("GET")
                    .arg(&redis_key)
                    .query_async::<Option<Vec<u8>>>(&mut conn)
                    .await
            })
            .await
        {
            Ok(bytes) => bytes.and_then(|b| serde_json::from_slice(&b).ok()),
            Err(_) => self.alone.get(key).await.map(|e| e.value),
        }
    }

    /// The cached value, or `fetch`'s (stored for the TTL it returns; an `Err` is not stored).
    /// Across replicas, one caller fetches while the others wait up to [`LOCK_TIME`].
    pub async fn get_or_fetch<E, F>(&self, key: &str, fetch: F) -> Result<T, E>
    where
        E: Clone + Send + Sync + 'static,
        F: Future<Output = Result<(T, Duration), E>>,
    {
        self.get_or_fetch_of(key, async {
            fetch.await.map(|(value, ttl)| Fetched {
                value,
                ttl,
                record: None,
            })
        })
        .await
    }

    /// [`SharedCache::get_or_fetch`] for an answer about a record (the fetch names it), so
    /// that [`SharedCache::purge_record`] finds it.
    pub async fn get_or_fetch_of<E, F>(&self, key: &str, fetch: F) -> Result<T, E>
    where
        E: Clone + Send + Sync + 'static,
        F: Future<Output = Result<Fetched<T>, E>>,
    {
        let started = tokio::time::Instant::now();
        let token = rand::random::<u64>().to_string();
        loop {
            match self.look(key, &token).await {
                Some(Look::Hit(value)) => return Ok(value),
                Some(Look::Fetch(token)) => {
                    let fetched = fetch.await;
                    self.fill(key, &token, fetched.as_ref().ok()).await;
                    return fetched.map(|f| f.value);
                }
                Some(Look::Wait) if started.elapsed() < LOCK_TIME => {
                    tokio::time::sleep(POLL).await;
                }
                // The fetcher took too long: fetch without sharing (the answer is still stored).
                Some(Look::Wait) => {
                    let fetched = fetch.await;
                    if let Ok(f) = &fetched {
                        self.fill(key, "", Some(f)).await;
                    }
                    return fetched.map(|f| f.value);
                }
                None => {
                    let fetched = async { fetch.await.map(|f| (f.value, f.ttl)) };
                    return self.fetch_alone(key, fetched).await;
                }
            }
        }
    }

    /// Stores `value` for `ttl` (for answers learnt otherwise), listed under `record` if given.
    pub async fn insert(&self, key: &str, value: &T, ttl: Duration, record: Option<&str>) {
        let fetched = Fetched {
            value: value.clone(),
            ttl,
            record: record.map(str::to_owned),
        };
        self.fill(key, "", Some(&fetched)).await;
    }

    /// Forgets one entry on Redis and in this replica's own cache; whether Redis had it.
    ///
    /// Errors: [`Unreachable`] when Redis cannot be asked (its entry then expires by its TTL).
    pub async fn remove(&self, key: &str) -> Result<bool, Unreachable> {
        self.alone.invalidate(key).await;
        let redis_key = self.redis_key(key);
        self.shared
            .run(|mut conn| async move {
                redis::cmd("DEL")
                    .arg(&redis_key)
                    .query_async::<u64>(&mut conn)
                    .await
            })
            .await
            .map(|n| n > 0)
    }

    /// Forgets every entry stored about `record` (see the module's doc); how many Redis still
    /// had. This replica's own cache (used while Redis is unreachable) is emptied whole: it
    /// does not know which of its entries are about the record.
    ///
    /// Errors: [`Unreachable`] when Redis cannot be asked.
    pub async fn purge_record(&self, record: &str) -> Result<u64, Unreachable> {
        self.alone.invalidate_all();
        let index = self.index_key(record);
        self.shared
            .run(|mut conn| async move { PURGE.key(&index).invoke_async::<u64>(&mut conn).await })
            .await
    }

    /// `None`: Redis is unreachable.
    async fn look(&self, key: &str, token: &str) -> Option<Look<T>> {
        let redis_key = self.redis_key(key);
        let lock_key = format!("{redis_key}:lock");
        let reply: (i64, Option<Vec<u8>>) = self
            .shared
            .run(|mut conn| async move {
                LOOK.key(&redis_key)
                    .key(&lock_key)
                    .arg(token)
                    .arg(LOCK_TIME.as_millis() as u64)
                    .invoke_async(&mut conn)
                    .await
            })
            .await
            .ok()?;
        Some(match reply {
            (1, Some(bytes)) => match serde_json::from_slice(&bytes) {
                Ok(value) => Look::Hit(value),
                // Written by another version: fetch it again (no error text: it may quote a code).
                Err(_) => Look::Fetch(String::new()),
            },
            (2, _) => Look::Fetch(token.to_owned()),
            _ => Look::Wait,
        })
    }

    async fn fill(&self, key: &str, token: &str, stored: Option<&Fetched<T>>) {
        let (bytes, ttl_ms) = match stored.map(|f| (serde_json::to_vec(&f.value), f.ttl)) {
            Some((Ok(bytes), ttl)) => (bytes, ttl.as_millis().max(1) as u64),
            _ => (Vec::new(), 0),
        };
        let record = stored.and_then(|f| f.record.as_deref());
        let index = self.index_key(record.unwrap_or(""));
        let listed = if record.is_some() { "1" } else { "0" };
        let redis_key = self.redis_key(key);
        let lock_key = format!("{redis_key}:lock");
        let shared = self
            .shared
            .run(|mut conn| async move {
                FILL.key(&redis_key)
                    .key(&lock_key)
                    .key(&index)
                    .arg(token)
                    .arg(ttl_ms)
                    .arg(bytes)
                    .arg(listed)
                    .invoke_async::<i64>(&mut conn)
                    .await
            })
            .await;
        if shared.is_err() {
            if let Some(f) = stored {
                let entry = Entry {
                    value: f.value.clone(),
                    ttl: f.ttl,
                };
                self.alone.insert(key.to_owned(), entry).await;
            }
        }
    }

    async fn fetch_alone<E, F>(&self, key: &str, fetch: F) -> Result<T, E>
    where
        E: Clone + Send + Sync + 'static,
        F: Future<Output = Result<(T, Duration), E>>,
    {
        self.alone
            .try_get_with_by_ref(key, async {
                fetch.await.map(|(value, ttl)| Entry { value, ttl })
            })
            .await
            .map(|entry| entry.value)
            .map_err(|e: Arc<E>| (*e).clone())
    }

    fn redis_key(&self, key: &str) -> String {
        self.shared
            .key(&["cache", &self.kind, &crate::keys::hashed(key)])
    }

    fn index_key(&self, record: &str) -> String {
        self.shared
            .key(&["cache", &self.kind, "record", &crate::keys::hashed(record)])
    }
}

static LOOK: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(include_str!("lua/cache.lua")));
static FILL: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(include_str!("lua/fill.lua")));
static PURGE: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(include_str!("lua/purge.lua")));
