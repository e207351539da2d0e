//! Round trips are counted on the client: one per command sent, none for what a Lua script
//! does inside Redis. (Its own test binary: the counter is per process.)

mod common;

use std::time::Duration;

use common::replicas;

use redcap_resume_shared::testing::RedisServer;
use redcap_resume_shared::{round_trips, SharedCache};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_command_is_one_round_trip_and_a_script_is_one() {
    let redis = RedisServer::start();
    let link = replicas(&redis.url(), 1).await.remove(0);
    let cache = SharedCache::<String>::new(&link, "codes", 10);
    // Load the scripts once, so EVALSHA does not need a second try below.
    cache
        .insert("warm", &"x".into(), Duration::from_secs(5), None)
        .await;
    let _ = cache
        .get_or_fetch("warm", async {
            Ok::<_, ()>(("x".into(), Duration::from_secs(5)))
        })
        .await;

    let before = round_trips();
    assert_eq!(cache.get("k").await, None);
    assert_eq!(round_trips() - before, 1, "GET is one round trip");

    let before = round_trips();
    let got = cache
        .get_or_fetch("k", async {
            Ok::<_, ()>(("v".into(), Duration::from_secs(5)))
        })
        .await;
    assert_eq!(got, Ok("v".into()));
    // Two scripts (look, fill), several commands each inside Redis.
    assert_eq!(round_trips() - before, 2, "a miss is two script calls");

    let before = round_trips();
    let got = cache
        .get_or_fetch("k", async {
            Ok::<_, ()>(("other".into(), Duration::from_secs(5)))
        })
        .await;
    assert_eq!(got, Ok("v".into()));
    assert_eq!(round_trips() - before, 1, "a hit is one script call");
}
