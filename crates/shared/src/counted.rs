//! Redis round trips counted where they are sent: every command (or pipeline) a state
//! operation sends through [`Shared`](crate::Shared) is one request and one reply on the
//! connection. Unlike Redis's `INFO stats` `total_commands_processed`, the commands a Lua
//! script runs inside Redis do not count (they cost no round trip).

use std::sync::atomic::{AtomicU64, Ordering};

use redis::aio::{ConnectionLike, ConnectionManager};
use redis::{Cmd, Pipeline, RedisFuture, Value};

static ROUND_TRIPS: AtomicU64 = AtomicU64::new(0);

/// Round trips to Redis this process has made for shared state since it started (every
/// replica in this process together; a script's `EVALSHA` is one, a pipeline is one).
pub fn round_trips() -> u64 {
    ROUND_TRIPS.load(Ordering::Relaxed)
}

/// A connection that counts what it sends.
#[derive(Clone)]
pub(crate) struct Counted(pub ConnectionManager);

impl ConnectionLike for Counted {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        ROUND_TRIPS.fetch_add(1, Ordering::Relaxed);
        self.0.req_packed_command(cmd)
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        ROUND_TRIPS.fetch_add(1, Ordering::Relaxed);
        self.0.req_packed_commands(pipeline, offset, count)
    }

    fn get_db(&self) -> i64 {
        self.0.get_db()
    }
}
