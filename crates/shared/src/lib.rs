//! State that the replicas of one redcap-resume deployment share on Redis 7 or Valkey.
//!
//! Replicas behind one egress IP are one client to REDCap, which counts and bans per IP. With
//! `[shared]` configured they keep on Redis what a single server keeps in memory:
//! - [`RedcapGate`]: each REDCap server's call budget ("at most N calls in any window", exact,
//!   one Lua script on Redis's clock) and its breaker (ban and outages; the operator's log line
//!   once, not once per replica);
//! - [`SharedLimit`]: per-participant and per-client-IP request limits;
//! - [`SharedCache`]: REDCap's answers with their TTLs, one fetch for concurrent misses.
//!
//! When Redis is unreachable or failing each replica goes on alone with `1/replicas` of every
//! budget and limit (so together they stay within it), logged once, and rejoins when Redis is
//! back ([`Shared`]). Start-up with Redis down works the same way.

mod alone;
mod cache;
mod counted;
mod gate;
mod keys;
mod limit;
mod link;
pub mod testing;
mod url;

pub use cache::{Fetched, SharedCache, LOCK_TIME};
pub use counted::round_trips;
pub use gate::{GateConfig, RedcapGate, Refusal, FAILURES_TO_OPEN, FAILURE_PAUSE};
pub use limit::SharedLimit;
pub use link::{Shared, Tuning, Unreachable};
pub use url::{RedisUrl, RedisUrlError};
