//! `SharedCache`: answers fetched from REDCap, shared by all replicas for their time to live.
//!
//! Values are small serde blobs (JSON) under `prefix:cache:kind:hash(key)`; they may be return
//! codes, which are secrets: no value is ever logged, and they live only as long as their TTL
//! (Redis must not persist them, see SECURITY.md). Concurrent misses for one key, on any
//! replicas, cause one fetch: the first takes a short lock (`SET NX PX`), the others poll
//! briefly and read what it stored. Alone, a replica keeps its own cache (one fetch per key per
//! replica).

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::future::Cache;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::link::Shared;

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
        let started = tokio::time::Instant::now();
        let token = rand::random::<u64>().to_string();
        loop {
            match self.look(key, &token).await {
                Some(Look::Hit(value)) => return Ok(value),
                Some(Look::Fetch(token)) => {
                    let fetched = fetch.await;
                    let stored = fetched.as_ref().ok().map(|(v, ttl)| (v, *ttl));
                    self.fill(key, &token, stored).await;
                    return fetched.map(|(value, _)| value);
                }
                Some(Look::Wait) if started.elapsed() < LOCK_TIME => {
                    tokio::time::sleep(POLL).await;
                }
                // The fetcher took too long: fetch without sharing (the answer is still stored).
                Some(Look::Wait) => {
                    let fetched = fetch.await;
                    if let Ok((value, ttl)) = &fetched {
                        self.fill(key, "", Some((value, *ttl))).await;
                    }
                    return fetched.map(|(value, _)| value);
                }
                None => return self.fetch_alone(key, fetch).await,
            }
        }
    }

    /// Stores `value` for `ttl` (for answers learnt otherwise).
    pub async fn insert(&self, key: &str, value: &T, ttl: Duration) {
        self.fill(key, "", Some((value, ttl))).await;
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

    async fn fill(&self, key: &str, token: &str, stored: Option<(&T, Duration)>) {
        let (bytes, ttl_ms) = match stored.map(|(v, ttl)| (serde_json::to_vec(v), ttl)) {
            Some((Ok(bytes), ttl)) => (bytes, ttl.as_millis().max(1) as u64),
            _ => (Vec::new(), 0),
        };
        let redis_key = self.redis_key(key);
        let lock_key = format!("{redis_key}:lock");
        let shared = self
            .shared
            .run(|mut conn| async move {
                FILL.key(&redis_key)
                    .key(&lock_key)
                    .arg(token)
                    .arg(ttl_ms)
                    .arg(bytes)
                    .invoke_async::<i64>(&mut conn)
                    .await
            })
            .await;
        if shared.is_err() {
            if let Some((value, ttl)) = stored {
                let entry = Entry {
                    value: value.clone(),
                    ttl,
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
}

static LOOK: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(include_str!("lua/cache.lua")));
static FILL: std::sync::LazyLock<redis::Script> =
    std::sync::LazyLock::new(|| redis::Script::new(include_str!("lua/fill.lua")));
