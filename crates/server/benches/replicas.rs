//! `cargo bench -p redcap-resume --bench replicas` (part of `cargo xtask bench`): one server
//! with its state in memory beside the same server with `[shared]` on a local Redis, on
//! loopback against the simulator. Prints figures side by side; asserts nothing.
//!
//! - cold: first card loads (two REDCap calls each, within the budget);
//! - warm: card loads whose link and code are cached;
//! - per card load with `[shared]`: Redis round trips counted on the client
//!   ([`redcap_resume_shared::round_trips`]: one per command or script call sent), beside the
//!   commands Redis processed (`INFO stats` `total_commands_processed`, which also counts every
//!   command a Lua script runs inside Redis, so it is not a count of round trips).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use redcap_resume::app::AppState;
use redcap_resume::config::Config;
use redcap_resume::ticket::TicketIssuer;
use redcap_resume_shared::testing::RedisServer;
use redcap_sim::{seed, SimConfig, Simulator};

const CONCURRENCY: usize = 32;
const SECRET: &str = "bench-secret-bench-secret-bench-secret-00";
const PARTICIPANTS: usize = 140;
const WARM: usize = 4_000;

struct Run {
    rate: f64,
    p50: Duration,
    ok: usize,
    redis_commands: Option<u64>,
    round_trips: u64,
    count: usize,
}

async fn load(
    addr: SocketAddr,
    tickets: &[String],
    count: usize,
    redis: Option<&RedisServer>,
) -> Run {
    let http = reqwest::Client::new();
    let before = redis.map(RedisServer::commands_processed);
    let trips_before = redcap_resume_shared::round_trips();
    let started = Instant::now();
    let mut results: Vec<(Duration, u16)> = stream::iter(0..count)
        .map(|i| {
            let request = http
                .get(format!("http://{addr}/redcap-resume/api/surveys/baseline"))
                .header("X-CSRF", "1")
                .header("Sec-Fetch-Site", "same-origin")
                .header(
                    "Cookie",
                    format!("__Host-redcap_resume_ticket={}", tickets[i % tickets.len()]),
                );
            async move {
                let t = Instant::now();
                let status = request
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0);
                (t.elapsed(), status)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let round_trips = redcap_resume_shared::round_trips() - trips_before;
    // The INFO call itself is one command: not counted.
    let redis_commands = redis
        .zip(before)
        .map(|(r, b)| r.commands_processed().saturating_sub(b + 1));
    results.sort();
    Run {
        rate: count as f64 / elapsed.as_secs_f64(),
        p50: results[results.len() / 2].0,
        ok: results.iter().filter(|r| r.1 == 200).count(),
        redis_commands,
        round_trips,
        count,
    }
}

async fn server(
    sim: &Simulator,
    shared: Option<&RedisServer>,
    prefix: &str,
) -> (SocketAddr, Vec<String>) {
    let shared_table = shared
        .map(|r| format!("[shared]\nredis_url = \"{}\"\nreplicas = 3\n", r.url()))
        .unwrap_or_default();
    let text = format!(
        "{shared_table}[redcap]\nurl = \"{}\"\ntoken_env = \"T\"\nmax_requests_per_minute = 300\n[auth]\nticket_secret_env = \"S\"\n[limits]\nper_participant_per_minute = 100000\nper_ip_per_minute = 10000000\n[surveys.baseline]\ntitle = \"Baseline\"\ninstrument = \"baseline_survey\"\n",
        sim.api_url()
    );
    let secrets: std::collections::HashMap<String, String> = [
        ("T".to_owned(), seed::DEMO_TOKEN.to_owned()),
        ("S".to_owned(), SECRET.to_owned()),
    ]
    .into_iter()
    .collect();
    let state = AppState::new(Config::parse(&text, &secrets).expect("valid")).expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(redcap_resume::serve::serve(
        listener,
        state,
        std::future::pending(),
    ));
    let issuer = TicketIssuer::hs256(SECRET);
    let tickets = (0..PARTICIPANTS)
        .map(|i| {
            let p = format!("{prefix}{i:03}");
            sim.add_record(seed::DEMO_PROJECT, &p);
            issuer.mint(&p, Duration::from_secs(600)).unwrap()
        })
        .collect();
    (addr, tickets)
}

/// Redis round trips per load (client-side count), and commands Redis processed per load.
fn per_request(run: &Run) -> (String, String) {
    let per = |n: u64| format!("{:.1}", n as f64 / run.count as f64);
    (
        per(run.round_trips),
        run.redis_commands.map(per).unwrap_or_else(|| "-".into()),
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator starts");
    let redis = RedisServer::start();
    let (memory_addr, memory_tickets) = server(&sim, None, "mem").await;
    let (shared_addr, shared_tickets) = server(&sim, Some(&redis), "shr").await;

    let calls = sim.api_call_count();
    let memory_cold = load(memory_addr, &memory_tickets, PARTICIPANTS, None).await;
    let memory_calls = sim.api_call_count() - calls;
    let shared_cold = load(shared_addr, &shared_tickets, PARTICIPANTS, Some(&redis)).await;
    let shared_calls = sim.api_call_count() - calls - memory_calls;
    let memory_warm = load(memory_addr, &memory_tickets, WARM, None).await;
    let shared_warm = load(shared_addr, &shared_tickets, WARM, Some(&redis)).await;

    println!("redcap-resume with and without [shared] (Redis on loopback), {CONCURRENCY} concurrent requests, 2 worker threads");
    println!(
        "{:<6} {:>22} {:>22} {:>18} {:>22}",
        "", "in memory", "[shared]", "round trips / load", "Redis commands / load"
    );
    for (label, m, s) in [
        ("cold", &memory_cold, &shared_cold),
        ("warm", &memory_warm, &shared_warm),
    ] {
        let (trips, commands) = per_request(s);
        println!(
            "{:<6} {:>9.0} req/s p50 {:>6.1?} {:>9.0} req/s p50 {:>6.1?} {:>18} {:>22}",
            label, m.rate, m.p50, s.rate, s.p50, trips, commands
        );
        println!(
            "{:<6} {:>22} {:>22}",
            "",
            format!("{} × 200", m.ok),
            format!("{} × 200", s.ok)
        );
    }
    println!("REDCap calls for the {PARTICIPANTS} cold loads: {memory_calls} in memory, {shared_calls} with [shared]");
    println!("round trips: counted by the client, one per command or script call sent; Redis commands: INFO total_commands_processed, which also counts the commands Lua scripts run inside Redis");
    sim.shutdown().await;
}
