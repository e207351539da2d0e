//! `cargo bench -p redcap-resume` (or `cargo xtask bench`): how fast the server answers, on
//! loopback, against the built-in REDCap simulator. Prints figures; asserts nothing.
//!
//! - warm: card loads whose link and code are cached (what a busy portal mostly sees);
//! - cold: first loads, each costing two REDCap calls (bounded by the 300/minute budget);
//! - refused: requests with a bad ticket (what a flood of junk costs).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use redcap_resume::app::AppState;
use redcap_resume::config::Config;
use redcap_resume::ticket::TicketIssuer;
use redcap_sim::{seed, SimConfig, Simulator};

const CONCURRENCY: usize = 32;

struct Figures {
    label: &'static str,
    count: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    ok: usize,
}

impl Figures {
    fn print(mut self) {
        self.latencies.sort();
        let pct = |p: f64| self.latencies[((self.latencies.len() as f64 - 1.0) * p) as usize];
        println!(
            "{:<8} {:>6} requests in {:>7.2?}: {:>8.0} req/s, p50 {:>8.2?}, p99 {:>8.2?}, {} × 200",
            self.label,
            self.count,
            self.elapsed,
            self.count as f64 / self.elapsed.as_secs_f64(),
            pct(0.5),
            pct(0.99),
            self.ok
        );
    }
}

async fn run(label: &'static str, addr: SocketAddr, tickets: &[String], count: usize) -> Figures {
    let http = reqwest::Client::new();
    let started = Instant::now();
    let results: Vec<(Duration, u16)> = stream::iter(0..count)
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
    Figures {
        label,
        count,
        elapsed: started.elapsed(),
        ok: results.iter().filter(|r| r.1 == 200).count(),
        latencies: results.into_iter().map(|r| r.0).collect(),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sim = Simulator::start(SimConfig::default())
        .await
        .expect("simulator starts");
    let secret = "bench-secret-bench-secret-bench-secret-00";
    // The production defaults, but limits per participant and per IP lifted: every request of
    // the benchmark comes from one loopback client.
    let text = format!(
        "[redcap]\nurl = \"{}\"\ntoken_env = \"T\"\nmax_requests_per_minute = 300\n[auth]\nticket_secret_env = \"S\"\n[limits]\nper_participant_per_minute = 100000\nper_ip_per_minute = 10000000\n[surveys.baseline]\ntitle = \"Baseline\"\ninstrument = \"baseline_survey\"\n",
        sim.api_url()
    );
    let secrets: std::collections::HashMap<String, String> = [
        ("T".to_owned(), seed::DEMO_TOKEN.to_owned()),
        ("S".to_owned(), secret.to_owned()),
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

    let participants: Vec<String> = (0..150).map(|i| format!("bench{i:03}")).collect();
    for p in &participants {
        sim.add_record(seed::DEMO_PROJECT, p);
    }
    let issuer = TicketIssuer::hs256(secret);
    let tickets: Vec<String> = participants
        .iter()
        .map(|p| issuer.mint(p, Duration::from_secs(600)).unwrap())
        .collect();

    println!("redcap-resume throughput on loopback, {CONCURRENCY} concurrent requests, release build, 2 worker threads");
    run("cold", addr, &tickets, tickets.len()).await.print();
    println!(
        "         (REDCap received {} calls: two per participant, within the 300/minute budget)",
        sim.api_call_count()
    );
    run("warm", addr, &tickets, 6_000).await.print();
    let bad: Vec<String> = vec!["not-a-ticket".into()];
    run("refused", addr, &bad, 6_000).await.print();
    sim.shutdown().await;
}
