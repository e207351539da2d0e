//! Where a project remembers REDCap's answers: in this process, or (with `[shared]`) on Redis
//! for every replica, with the same time to live.
//!
//! Either way concurrent misses for one key cause one REDCap call (moka's coalescing here, a
//! short lock on Redis there) and failures are not remembered. Shared entries are stored in a
//! small wire form ([`Wire`]) and checked again when read, as if REDCap had just sent them: a
//! survey link must still be on the project's REDCap (or under its survey base URL,
//! [`LinkHome`]), a code must still look like a code.

use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;
use redcap_client::RecordId;
use redcap_resume_shared::{Fetched, Shared, SharedCache};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use crate::error::Failure;

const CACHE_CAPACITY: u64 = 100_000;

/// How a value is stored on Redis and read back.
pub(super) trait Wire: Sized {
    type Form: Serialize + DeserializeOwned + Clone + Send + Sync + 'static;
    fn to_wire(&self) -> Self::Form;
    /// `None` when the stored form is not valid (then the caller gets an internal error).
    fn from_wire(form: Self::Form, home: &LinkHome) -> Option<Self>;
    /// The record this answer names (a record id found by a look-up), for `cache purge`.
    fn record(&self) -> Option<&RecordId> {
        None
    }
}

/// Where a project's links may point, as its REDCap client checks them when REDCap sends
/// them: on the API URL's origin, or under the survey base URL when one is configured.
#[derive(Clone)]
pub(super) struct LinkHome {
    pub api_url: Url,
    pub survey_base_url: Option<Url>,
}

/// A key as it appears (hashed) on Redis.
pub(super) trait WireKey {
    fn wire_key(&self) -> String;
    /// The record this key is about (a survey target's), for `cache purge`.
    fn record(&self) -> Option<&RecordId> {
        None
    }
}

/// One kind of answer of one project, remembered for `ttl`.
pub(super) enum Answers<K, V: Wire> {
    Local(Cache<K, V>),
    Shared {
        cache: SharedCache<V::Form>,
        ttl: Duration,
        /// One per project, shared by its kinds of answer.
        home: Arc<LinkHome>,
    },
}

impl<K, V> Answers<K, V>
where
    K: WireKey + Hash + Eq + Clone + Send + Sync + 'static,
    V: Wire + Clone + Send + Sync + 'static,
{
    /// `what` names this kind of answer on Redis, with the project's name.
    pub fn new(
        shared: Option<&Shared>,
        project: &str,
        what: &str,
        ttl: Duration,
        home: &Arc<LinkHome>,
    ) -> Self {
        match shared {
            None => Answers::Local(
                Cache::builder()
                    .max_capacity(CACHE_CAPACITY)
                    .time_to_live(ttl)
                    .build(),
            ),
            Some(shared) => Answers::Shared {
                cache: SharedCache::new(shared, &format!("{project}:{what}"), CACHE_CAPACITY),
                ttl,
                home: home.clone(),
            },
        }
    }

    /// The remembered answer, if any.
    pub async fn get(&self, key: &K) -> Option<V> {
        match self {
            Answers::Local(cache) => cache.get(key).await,
            Answers::Shared { cache, home, .. } => Box::pin(cache.get(&key.wire_key()))
                .await
                .and_then(|form| V::from_wire(form, home)),
        }
    }

    /// The remembered answer, or `fetch`'s (remembered when it is not a failure).
    pub async fn get_or_fetch(
        &self,
        key: &K,
        fetch: impl Future<Output = Result<V, Failure>>,
    ) -> Result<V, Failure> {
        match self {
            Answers::Local(cache) => {
                crate::metrics::cache_lookup(cache.contains_key(key));
                cache
                    .try_get_with_by_ref(key, fetch)
                    .await
                    .map_err(|e| (*e).clone())
            }
            Answers::Shared { cache, ttl, home } => {
                let fetched = std::sync::atomic::AtomicBool::new(false);
                // Boxed: the Redis round trips' futures would make every request's larger.
                let form = Box::pin(cache.get_or_fetch_of(&key.wire_key(), async {
                    fetched.store(true, std::sync::atomic::Ordering::Relaxed);
                    fetch.await.map(|value| Fetched {
                        value: value.to_wire(),
                        ttl: *ttl,
                        record: key
                            .record()
                            .or(value.record())
                            .map(|r| r.as_str().to_owned()),
                    })
                }))
                .await;
                crate::metrics::cache_lookup(!fetched.load(std::sync::atomic::Ordering::Relaxed));
                V::from_wire(form?, home).ok_or_else(invalid_entry)
            }
        }
    }

    /// Remembers `value` for `key`.
    pub async fn insert(&self, key: &K, value: V) {
        match self {
            Answers::Local(cache) => cache.insert(key.clone(), value).await,
            Answers::Shared { cache, ttl, .. } => {
                let record = key
                    .record()
                    .or(value.record())
                    .map(|r| r.as_str().to_owned());
                Box::pin(cache.insert(&key.wire_key(), &value.to_wire(), *ttl, record.as_deref()))
                    .await
            }
        }
    }
}

impl<K, V> Answers<K, V>
where
    K: WireKey + Hash + Eq + Send + Sync + 'static,
    V: Wire + Clone + Send + Sync + 'static,
{
    /// Forgets `record`'s entries — only `only`'s when given — and returns how many there
    /// were: in this process's cache those `doomed` picks, on Redis the entry `only` names or
    /// every entry listed under the record. `None`: Redis is unreachable (entries there expire
    /// by their TTL).
    pub async fn purge(
        &self,
        record: &RecordId,
        only: Option<&K>,
        doomed: impl Fn(&K, &V) -> bool,
    ) -> Option<u64> {
        match (self, only) {
            (Answers::Local(_), _) => self.purge_where(doomed).await,
            (Answers::Shared { cache, .. }, Some(key)) => {
                cache.remove(&key.wire_key()).await.ok().map(u64::from)
            }
            (Answers::Shared { cache, .. }, None) => cache.purge_record(record.as_str()).await.ok(),
        }
    }

    /// Drops the entries `doomed` picks from this process's cache; how many there were. `None`
    /// for a cache shared on Redis (its keys cannot be listed: [`Answers::purge`] uses the
    /// record's index there).
    pub async fn purge_where(&self, doomed: impl Fn(&K, &V) -> bool) -> Option<u64> {
        let Answers::Local(cache) = self else {
            return None;
        };
        let keys: Vec<_> = cache
            .iter()
            .filter(|(k, v)| doomed(k, v))
            .map(|(k, _)| k)
            .collect();
        let mut dropped = 0;
        for key in keys {
            if cache.remove(&*key).await.is_some() {
                dropped += 1;
            }
        }
        Some(dropped)
    }
}

fn invalid_entry() -> Failure {
    // No value in the message: it may hold a code.
    tracing::warn!(
        "a shared cache entry was not valid when read back: check who can write to Redis"
    );
    Failure::Internal("invalid shared cache entry".into())
}
