//! `Shared`: one replica's connection to the shared Redis, and what it knows of its health.
//!
//! Every shared operation goes through [`Shared::run`]: a Redis that does not answer within
//! [`Tuning::op_timeout`], refuses the connection or returns an error makes this replica go on
//! alone ([`Unreachable`]), logged once; a probe then tries every [`Tuning::probe_interval`] and
//! rejoins when Redis answers again, first letting each shared object hand over what it did
//! alone (see `Rejoin`). Start-up with Redis down works the same way: the replica starts alone.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::RedisResult;
use tokio::time::Instant;

use crate::counted::Counted;
use crate::url::RedisUrl;

/// Redis could not be used for this operation: the caller goes on alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the shared Redis is unreachable: this replica goes on alone")]
pub struct Unreachable;

/// Timing of the link (defaults suit production; tests shorten them).
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// The longest a Redis command may take before Redis counts as failing.
    pub op_timeout: Duration,
    /// How often an unreachable Redis is tried again.
    pub probe_interval: Duration,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            // Far above a healthy Redis's answer (well under a millisecond on a LAN), so a busy
            // replica does not take its own queueing for an outage.
            op_timeout: Duration::from_secs(2),
            probe_interval: Duration::from_secs(1),
        }
    }
}

/// What a rejoining replica learns before it uses Redis again.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rejoining {
    /// When this replica lost Redis (`None`: it started without it).
    pub lost_at: Option<Instant>,
    /// Redis lost its state since this replica last used it (restarted, flushed), or this
    /// replica never saw it before.
    pub state_lost: bool,
}

type Handover<'a> = Pin<Box<dyn Future<Output = RedisResult<()>> + Send + 'a>>;

/// A shared object that has something to hand over when its replica rejoins.
pub(crate) trait Rejoin: Send + Sync {
    fn rejoin<'a>(&'a self, conn: &'a mut ConnectionManager, how: Rejoining) -> Handover<'a>;
}

/// This replica's handle on the shared state (cheap to clone).
#[derive(Clone)]
pub struct Shared(Arc<Inner>);

struct Inner {
    url: RedisUrl,
    replicas: u32,
    prefix: String,
    tuning: Tuning,
    /// `Some` while Redis is in use.
    conn: Mutex<Option<ConnectionManager>>,
    up: AtomicBool,
    state: Mutex<LinkState>,
    handovers: Mutex<Vec<Weak<dyn Rejoin>>>,
    /// True once the first attempt to join is over (operations wait for it, briefly).
    tried: tokio::sync::watch::Sender<bool>,
}

#[derive(Default)]
struct LinkState {
    lost_at: Option<Instant>,
    /// The value of the epoch key when this replica last joined (`None`: never joined).
    epoch: Option<String>,
}

impl Shared {
    /// Connects to `url` for a deployment of `replicas` replicas (at least 1), naming every key
    /// `prefix:…`. Never fails: when Redis does not answer within `tuning.op_timeout` the
    /// replica starts alone (logged once) and rejoins when Redis answers.
    pub async fn connect(url: RedisUrl, replicas: u32, prefix: &str, tuning: Tuning) -> Self {
        let shared = Self::start(url, replicas, prefix, tuning);
        shared.first_attempt().await;
        shared
    }

    /// As [`Shared::connect`] without waiting: the first attempt runs in the background
    /// (needs a tokio runtime), and the first operations wait for it (at most about
    /// `2 × op_timeout`).
    pub fn start(url: RedisUrl, replicas: u32, prefix: &str, tuning: Tuning) -> Self {
        let shared = Self(Arc::new(Inner {
            url,
            replicas: replicas.max(1),
            prefix: prefix.to_owned(),
            tuning,
            conn: Mutex::new(None),
            up: AtomicBool::new(false),
            state: Mutex::new(LinkState::default()),
            handovers: Mutex::new(Vec::new()),
            tried: tokio::sync::watch::Sender::new(false),
        }));
        let first = shared.clone();
        tokio::spawn(async move {
            if let Err(cause) = first.0.join().await {
                tracing::warn!(
                    redis = %first.0.url,
                    %cause,
                    replicas = first.0.replicas,
                    "Redis unreachable at start: this replica goes on alone with 1/{} of every REDCap \
                     budget and request limit until Redis answers",
                    first.0.replicas
                );
                first.spawn_probe();
            }
            first.0.tried.send_replace(true);
        });
        shared
    }

    async fn first_attempt(&self) {
        let mut tried = self.0.tried.subscribe();
        let limit = self.0.tuning.op_timeout * 2 + Duration::from_millis(100);
        let _ = tokio::time::timeout(limit, tried.wait_for(|done| *done)).await;
    }

    /// True while this replica uses the shared state (false: alone, with its share).
    pub fn is_shared(&self) -> bool {
        self.0.up.load(Ordering::Acquire)
    }

    /// The number of replicas this deployment is configured for.
    pub fn replicas(&self) -> u32 {
        self.0.replicas
    }

    /// This replica's share of a limit of `n` while it is alone: `n / replicas`, at least 1.
    pub fn share(&self, n: u32) -> u32 {
        (n / self.0.replicas).max(1)
    }

    /// The Redis key `prefix:part:part…`.
    pub(crate) fn key(&self, parts: &[&str]) -> String {
        let mut key = self.0.prefix.clone();
        for part in parts {
            key.push(':');
            key.push_str(part);
        }
        key
    }

    /// How often an unreachable Redis is tried again.
    pub(crate) fn probe_interval(&self) -> Duration {
        self.0.tuning.probe_interval
    }

    /// When this replica last lost Redis (`None`: it never did, or started without it).
    pub(crate) fn lost_at(&self) -> Option<Instant> {
        lock(&self.0.state).lost_at
    }

    /// Runs one Redis operation; any error or a timeout makes this replica go on alone.
    pub(crate) async fn run<T, F, Fut>(&self, op: F) -> Result<T, Unreachable>
    where
        F: FnOnce(Counted) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        if !*self.0.tried.borrow() {
            self.first_attempt().await;
        }
        let conn = if self.is_shared() {
            lock(&self.0.conn).clone()
        } else {
            None
        };
        let conn = conn.ok_or(Unreachable)?;
        match tokio::time::timeout(self.0.tuning.op_timeout, op(Counted(conn))).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => {
                self.lost(&error.to_string());
                Err(Unreachable)
            }
            Err(_) => {
                self.lost(&format!("no answer within {:?}", self.0.tuning.op_timeout));
                Err(Unreachable)
            }
        }
    }

    /// Registers an object to hand over its state when this replica rejoins.
    pub(crate) fn on_rejoin(&self, object: Weak<dyn Rejoin>) {
        lock(&self.0.handovers).push(object);
    }

    fn lost(&self, cause: &str) {
        if !self.0.up.swap(false, Ordering::AcqRel) {
            return;
        }
        lock(&self.0.conn).take();
        lock(&self.0.state).lost_at = Some(Instant::now());
        tracing::warn!(
            redis = %self.0.url,
            cause,
            replicas = self.0.replicas,
            "Redis unreachable: this replica goes on alone with 1/{} of every REDCap budget and request \
             limit (and no new REDCap call for one budget window) until Redis answers again",
            self.0.replicas
        );
        self.spawn_probe();
    }

    fn spawn_probe(&self) {
        let weak = Arc::downgrade(&self.0);
        let interval = self.0.tuning.probe_interval;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(interval).await;
                let Some(inner) = weak.upgrade() else { return };
                if inner.join().await.is_ok() {
                    tracing::warn!(redis = %inner.url, "Redis answers again: replicas share budgets, limits and the cache again");
                    return;
                }
            }
        });
    }
}

impl Inner {
    /// Connects, reads the epoch, lets every shared object hand over, then marks Redis in use.
    async fn join(&self) -> Result<(), String> {
        let timeout = self.tuning.op_timeout;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1);
        let client = self.url.client().map_err(|e| e.to_string())?;
        let mut conn = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(|e| e.to_string())?;
        let fresh: String = rand::random::<u64>().to_string();
        let epoch_key = format!("{}:epoch", self.prefix);
        let epoch: String = match tokio::time::timeout(
            timeout,
            EPOCH.key(&epoch_key).arg(&fresh).invoke_async(&mut conn),
        )
        .await
        {
            Ok(answer) => answer.map_err(|e| e.to_string())?,
            Err(_) => return Err(silence_cause(&client, timeout).await),
        };
        let how = {
            let state = lock(&self.state);
            Rejoining {
                lost_at: state.lost_at,
                state_lost: state.epoch.as_deref() != Some(epoch.as_str()),
            }
        };
        let objects: Vec<_> = lock(&self.handovers)
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        for object in objects {
            tokio::time::timeout(timeout, object.rejoin(&mut conn, how))
                .await
                .map_err(|_| format!("no answer within {timeout:?}"))?
                .map_err(|e| e.to_string())?;
        }
        lock(&self.state).epoch = Some(epoch);
        *lock(&self.conn) = Some(conn);
        self.up.store(true, Ordering::Release);
        Ok(())
    }
}

/// The epoch key: set once per Redis lifetime (no expiry), so a replica can tell that Redis
/// restarted (or was flushed) and lost the budget's record while the replica was away.
static EPOCH: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
    redis::Script::new(
        "local e = redis.call('GET', KEYS[1]) \
         if not e then redis.call('SET', KEYS[1], ARGV[1]) e = ARGV[1] end \
         return e",
    )
});

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Why Redis did not answer in time: the manager retries a refused connection (a TLS
/// certificate it does not trust, a closed port) until the timeout, hiding the reason; one
/// plain attempt names it (the error names no password: the URL is not part of it).
async fn silence_cause(client: &redis::Client, timeout: Duration) -> String {
    match tokio::time::timeout(timeout, client.get_multiplexed_async_connection()).await {
        Ok(Err(e)) => e.to_string(),
        _ => format!("no answer within {timeout:?}"),
    }
}
