//! Three replicas (in this test process), one Redis, the simulator: together they are one
//! client to REDCap (`[shared]`).

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use common::{config_text, is_return_code, log_text, logs, secrets, Answer, Options, SECRET};
use redcap_resume::app::AppState;
use redcap_resume::config::Config;
use redcap_resume::ticket::TicketIssuer;
use redcap_resume_shared::testing::RedisServer;
use redcap_sim::{seed, SimConfig, Simulator};
use tokio::sync::oneshot;

/// One replica: its own state, listener and link to Redis.
struct Replica {
    addr: SocketAddr,
    state: Arc<AppState>,
    _stop: oneshot::Sender<()>,
}

struct Deployment {
    sim: Simulator,
    replicas: Vec<Replica>,
    http: reqwest::Client,
}

impl Deployment {
    async fn start(redis: &RedisServer, options: Options) -> Deployment {
        Self::start_with(redis, options, |_, text| text).await
    }

    /// As [`Deployment::start`], the configuration's text changed by `tweak` once the
    /// simulator runs.
    async fn start_with(
        redis: &RedisServer,
        options: Options,
        tweak: impl Fn(&Simulator, String) -> String,
    ) -> Deployment {
        logs();
        let sim = Simulator::start(options.sim.clone())
            .await
            .expect("simulator starts");
        let options = Options {
            extra: format!(
                "[shared]\nredis_url = \"{}\"\nreplicas = 3\n{}",
                redis.url(),
                options.extra
            ),
            ..options
        };
        let text = tweak(&sim, config_text(sim.api_url().as_str(), &options));
        let config = Config::parse(&text, &secrets()).expect("valid configuration");
        let mut replicas = Vec::new();
        for _ in 0..3 {
            let state = AppState::new(config.clone()).expect("state builds");
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let (stop, stopped) = oneshot::channel::<()>();
            tokio::spawn(redcap_resume::serve::serve(
                listener,
                state.clone(),
                async {
                    let _ = stopped.await;
                },
            ));
            replicas.push(Replica {
                addr,
                state,
                _stop: stop,
            });
        }
        Deployment {
            sim,
            replicas,
            http: reqwest::Client::new(),
        }
    }

    async fn ask(&self, replica: usize, record: &str, path: &str) -> Answer {
        let ticket = TicketIssuer::hs256(SECRET)
            .mint(record, Duration::from_secs(300))
            .unwrap();
        let url = format!(
            "http://{}/redcap-resume/api{path}",
            self.replicas[replica % 3].addr
        );
        let response = tokio::time::timeout(
            Duration::from_secs(20),
            self.http
                .get(url)
                .header("X-CSRF", "1")
                .header("Sec-Fetch-Site", "same-origin")
                .header("Cookie", format!("__Host-redcap_resume_ticket={ticket}"))
                .send(),
        )
        .await
        .expect("no request hangs")
        .expect("every request is answered");
        Answer::read(response).await
    }

    /// `n` new participants at once, spread over the three replicas: (served, told to retry).
    async fn burst(&self, prefix: &str, n: usize) -> (usize, usize) {
        let records: Vec<String> = (0..n).map(|i| format!("{prefix}{i:04}")).collect();
        for r in &records {
            assert!(self.sim.add_record(seed::DEMO_PROJECT, r));
        }
        let answers = futures_util::future::join_all(
            records
                .iter()
                .enumerate()
                .map(|(i, r)| self.ask(i, r, "/surveys/plain")),
        )
        .await;
        let (mut ok, mut retry) = (0, 0);
        for a in answers {
            match a.status {
                200 => ok += 1,
                503 => {
                    assert_eq!(a.error_code(), "upstream_unavailable", "{}", a.body);
                    assert!(a.header("retry-after").is_some());
                    retry += 1;
                }
                other => panic!("unexpected {other}: {}", a.body),
            }
        }
        (ok, retry)
    }

    fn all_shared(&self) -> bool {
        self.replicas
            .iter()
            .all(|r| r.state.shared.as_ref().is_some_and(|s| s.is_shared()))
    }

    async fn wait_until(&self, shared: bool) {
        for _ in 0..600 {
            if self.all_shared() == shared {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the replicas did not become shared = {shared}");
    }
}

fn budget(n: u32) -> Options {
    Options {
        budget: n,
        max_queue_wait_ms: 1000,
        ..Options::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_hundred_participants_over_three_replicas_stay_within_one_budget() {
    let redis = RedisServer::start();
    let d = Deployment::start(&redis, budget(60)).await;
    let (ok, retry) = d.burst("p", 600).await;
    let calls = d.sim.api_call_count();
    println!("replicas: 600 participants over 3 replicas: {ok} served, {retry} told to retry; REDCap received {calls} calls (budget 60 for all)");
    assert_eq!(ok + retry, 600, "every request answered");
    assert!(calls <= 60, "REDCap received {calls} calls");
    assert!((1..=30).contains(&ok), "{ok} served");
    // A replica starved of CPU may take a slow answer for an outage and go on alone for a
    // moment (the budget held all the same, above); it rejoins by itself.
    d.wait_until(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ban_seen_by_one_replica_stops_all_and_is_logged_once() {
    let redis = RedisServer::start();
    let sim = SimConfig {
        rate_limit_per_minute: 6,
        ..SimConfig::default()
    };
    let d = Deployment::start(
        &redis,
        Options {
            sim,
            ..Options::default()
        },
    )
    .await;
    let localhost = std::net::IpAddr::from([127, 0, 0, 1]);
    for i in 0..20 {
        let record = format!("ban-{i}");
        d.sim.add_record(seed::DEMO_PROJECT, &record);
        d.ask(0, &record, "/surveys/plain").await;
        if d.sim.is_banned(localhost) {
            break;
        }
    }
    assert!(d.sim.is_banned(localhost), "REDCap banned the IP");
    let calls = d.sim.api_call_count();
    for replica in 0..3 {
        let record = format!("after-ban-{replica}");
        d.sim.add_record(seed::DEMO_PROJECT, &record);
        let a = d.ask(replica, &record, "/surveys/plain").await;
        assert_eq!(a.error_code(), "upstream_unavailable");
    }
    assert_eq!(
        d.sim.api_call_count(),
        calls,
        "no replica called REDCap during the pause"
    );
    let logs = log_text();
    let operator_lines: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("BANNED") || l.contains("Redis") || l.contains("REDCap"))
        .collect();
    assert_eq!(
        logs.matches("has BANNED").count(),
        1,
        "one operator line for all: {operator_lines:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_loaded_through_one_replica_is_served_by_the_others_and_only_the_cache_holds_the_code(
) {
    let redis = RedisServer::start();
    let d = Deployment::start(&redis, Options::default()).await;
    let first = d.ask(0, seed::RECORD_IN_PROGRESS, "/surveys/plain").await;
    assert_eq!(first.status, 200, "{}", first.body);
    let code = first.json()["return_code"].as_str().unwrap().to_owned();
    assert!(is_return_code(&code));
    let calls = d.sim.api_call_count();
    for replica in 1..3 {
        let a = d
            .ask(replica, seed::RECORD_IN_PROGRESS, "/surveys/plain")
            .await;
        assert_eq!(a.json()["return_code"], code.as_str());
        assert_eq!(a.header("cache-control"), Some("no-store"));
    }
    assert_eq!(
        d.sim.api_call_count(),
        calls,
        "served from the shared cache"
    );

    let dump = redis.dump();
    let holding: Vec<_> = dump
        .iter()
        .filter(|(k, v)| k.contains(&code) || v.contains(&code))
        .collect();
    assert_eq!(holding.len(), 1, "{holding:?}");
    assert!(
        holding[0]
            .0
            .starts_with("redcap-resume:cache:default:resumable:"),
        "{}",
        holding[0].0
    );
    assert!(
        dump.iter()
            .all(|(k, _)| !k.contains(seed::RECORD_IN_PROGRESS)),
        "no record id in Redis keys"
    );
    assert!(!log_text().contains(&code), "the code is never logged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_limit_of_ten_a_minute_holds_across_three_replicas() {
    let redis = RedisServer::start();
    let d = Deployment::start(
        &redis,
        Options {
            per_participant: 10,
            ..Options::default()
        },
    )
    .await;
    let mut limited = 0;
    for i in 0..30 {
        let a = d.ask(i, seed::RECORD_IN_PROGRESS, "/surveys/plain").await;
        match a.status {
            200 => {}
            429 => limited += 1,
            other => panic!("{other}: {}", a.body),
        }
    }
    assert_eq!(limited, 20, "10 of 30 allowed, whichever replica was asked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_absent_at_start_then_back_the_replicas_stay_within_the_budget_and_rejoin() {
    let mut redis = RedisServer::start();
    redis.kill();
    let d = Deployment::start(&redis, budget(60)).await;
    let (ok, _) = d.burst("a", 300).await;
    assert!(!d.all_shared());
    let alone = d.sim.api_call_count();
    assert!(alone <= 60 && ok >= 1, "alone: {alone} calls, {ok} served");
    redis.restart();
    d.wait_until(true).await;
    let (_, _) = d.burst("b", 300).await;
    let calls = d.sim.api_call_count();
    println!("replicas: Redis absent at start: {alone} calls alone, {calls} in the minute after rejoining (budget 60)");
    assert!(
        calls <= 60,
        "the slots used alone count after rejoining: {calls}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_mid_burst_the_replicas_stay_within_the_budget_and_rejoin() {
    let redis = RedisServer::start();
    let d = Arc::new(Deployment::start(&redis, budget(60)).await);
    // Redis is killed once REDCap has started receiving the burst's calls. (The burst runs in
    // this test's own task: 600 futures polled together would starve a server worker.)
    let killer = {
        let d = d.clone();
        tokio::spawn(async move {
            let mut redis = redis;
            for _ in 0..4000 {
                if d.sim.api_call_count() >= 10 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            let before_kill = d.sim.api_call_count();
            redis.kill();
            (redis, before_kill)
        })
    };
    let (ok, retry) = d.burst("k", 600).await;
    let (mut redis, before_kill) = killer.await.unwrap();
    assert!(
        before_kill >= 10,
        "Redis was killed mid-burst, not before it"
    );
    assert_eq!(ok + retry, 600, "every request answered");
    let (more_ok, _) = d.burst("m", 150).await;
    let calls = d.sim.api_call_count();
    println!(
        "replicas: Redis killed mid-burst (after {before_kill} calls): {} served, REDCap received {calls} calls (budget 60)",
        ok + more_ok
    );
    assert!(calls <= 60, "REDCap received {calls} calls");
    assert!(!d.all_shared());
    redis.restart();
    d.wait_until(true).await;
    let again = d.ask(1, seed::RECORD_IN_PROGRESS, "/surveys/plain").await;
    assert!(matches!(again.status, 200 | 503), "{}", again.body);
}

/// A counter's value in Prometheus text (0 when absent).
fn counter(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_through_one_replica_makes_all_three_ask_redcap_again_and_shared_hits_are_counted()
{
    let redis = RedisServer::start();
    let options = Options {
        extra: "[metrics]\nlisten = \"127.0.0.1:0\"\n".into(),
        ..Options::default()
    };
    let d = Deployment::start(&redis, options).await;
    let (admin, _task) =
        redcap_resume::app::admin::start(d.replicas[1].state.clone(), std::future::pending())
            .await
            .unwrap()
            .expect("[metrics] is configured");
    let scrape = || async {
        reqwest::get(format!("http://{admin}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let hit = "redcap_resume_cache_requests_total{result=\"hit\"}";
    let miss = "redcap_resume_cache_requests_total{result=\"miss\"}";
    let before = scrape().await;

    let record = seed::RECORD_IN_PROGRESS;
    assert_eq!(d.ask(0, record, "/surveys/plain").await.status, 200);
    let calls = d.sim.api_call_count();
    for replica in 1..3 {
        assert_eq!(d.ask(replica, record, "/surveys/plain").await.status, 200);
    }
    assert_eq!(
        d.sim.api_call_count(),
        calls,
        "served from the shared cache"
    );
    let after = scrape().await;
    // Other tests of this process count too: at least this test's look-ups.
    assert!(
        counter(&after, miss) >= counter(&before, miss) + 1.0,
        "{after}"
    );
    assert!(
        counter(&after, hit) >= counter(&before, hit) + 2.0,
        "{after}"
    );

    // Another participant's purge leaves this one's entries.
    let none = redcap_resume::cache_purge::purge_at(admin, seed::RECORD_COMPLETED, None)
        .await
        .unwrap();
    assert_eq!(none, 0);
    assert_eq!(d.ask(2, record, "/surveys/plain").await.status, 200);
    assert_eq!(d.sim.api_call_count(), calls);

    // Purged through replica 1: replicas 0 and 2 miss and ask REDCap again.
    let purged = redcap_resume::cache_purge::purge_at(admin, record, None)
        .await
        .unwrap();
    assert!(purged >= 1, "{purged}");
    assert_eq!(d.ask(0, record, "/surveys/plain").await.status, 200);
    let refetched = d.sim.api_call_count();
    assert!(refetched > calls, "replica 0 asked REDCap again");
    assert_eq!(d.ask(2, record, "/surveys/plain").await.status, 200);
    assert_eq!(
        d.sim.api_call_count(),
        refetched,
        "and replica 2 reads its fresh answer"
    );

    // One survey only: that survey's entries go, the purge says how many.
    let one = redcap_resume::cache_purge::purge_at(admin, record, Some("plain".into()))
        .await
        .unwrap();
    assert!(one >= 1, "{one}");
    assert_eq!(d.ask(2, record, "/surveys/plain").await.status, 200);
    assert!(
        d.sim.api_call_count() > refetched,
        "replica 2 asked REDCap again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_link_or_its_refusal_fetched_by_one_replica_serves_them_all() {
    let redis = RedisServer::start();
    let d = Deployment::start(&redis, Options::default()).await;
    d.wait_until(true).await;
    let queue_calls = || {
        d.sim
            .calls()
            .iter()
            .filter(|c| c.content.as_deref() == Some("surveyQueueLink"))
            .count()
    };
    let first = d
        .ask(0, seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue")
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let link = first.json()["queue_link"].as_str().unwrap().to_owned();
    for replica in [1, 2] {
        let a = d
            .ask(replica, seed::RECORD_IN_PROGRESS, "/surveys/diary/queue")
            .await;
        assert_eq!(a.json()["queue_link"], link.as_str(), "replica {replica}");
    }
    assert_eq!(queue_calls(), 1, "one REDCap call for the three replicas");

    assert!(d.sim.set_survey_queue(seed::DEMO_PROJECT, false));
    for replica in 0..3 {
        let a = d
            .ask(replica, seed::RECORD_COMPLETED, "/surveys/baseline/queue")
            .await;
        assert_eq!(a.error_code(), "resume_not_available", "replica {replica}");
    }
    assert_eq!(queue_calls(), 2, "the refusal is remembered on Redis too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_under_the_survey_base_url_are_read_back_from_redis() {
    let redis = RedisServer::start();
    let sim = SimConfig {
        survey_host: Some("localhost".into()),
        ..SimConfig::default()
    };
    let options = Options {
        sim,
        ..Options::default()
    };
    let d = Deployment::start_with(&redis, options, |sim, text| {
        let marker = "[projects.cohort]";
        let base = sim.survey_base_url();
        text.replacen(
            marker,
            &format!("survey_base_url = \"{base}\"\n\n{marker}"),
            1,
        )
    })
    .await;
    d.wait_until(true).await;
    let base = d.sim.survey_base_url().to_string();
    assert!(base.contains("localhost"), "{base}");
    // Each replica learns the record-id field once (`metadata`, in its own memory): not an
    // answer the cache holds.
    let answer_calls = || {
        d.sim
            .calls()
            .iter()
            .filter(|c| c.content.as_deref() != Some("metadata"))
            .count()
    };
    // A code and its link, a queue link, and a plain link (a survey not started yet).
    for (record, path) in [
        (seed::RECORD_IN_PROGRESS, "/surveys/baseline"),
        (seed::RECORD_IN_PROGRESS, "/surveys/baseline/queue"),
        (seed::RECORD_NOT_STARTED, "/surveys/baseline"),
    ] {
        let first = d.ask(0, record, path).await;
        assert_eq!(first.status, 200, "{path}: {}", first.body);
        let j = first.json();
        let link = j["survey_link"]
            .as_str()
            .or(j["queue_link"].as_str())
            .unwrap()
            .to_owned();
        assert!(link.starts_with(&base), "{link}");
        let calls = answer_calls();
        for replica in [1, 2] {
            let again = d.ask(replica, record, path).await;
            assert_eq!(again.status, 200, "{path} from Redis: {}", again.body);
            assert_eq!(again.json(), j, "{path}");
        }
        assert_eq!(answer_calls(), calls, "{path}: read back from Redis");
    }
}
