//! Issue 15, the per-participant REDCap call cap with `[shared]`: three replicas (in this test
//! process), one real Redis, the simulator. The cap is a key of the limiter the replicas share,
//! so spreading reloads over three replicas cannot give one participant three times the cap.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use common::{config_text, logs, secrets, Answer, Options, SECRET};
use redcap_resume::app::AppState;
use redcap_resume::config::Config;
use redcap_resume::ticket::TicketIssuer;
use redcap_resume_shared::testing::RedisServer;
use redcap_sim::{seed, Simulator};
use tokio::sync::oneshot;

/// What each participant may cause: far fewer calls than the surveys asked below need.
const CAP: u32 = 4;

struct Replicas {
    sim: Simulator,
    servers: Vec<(SocketAddr, Arc<AppState>, oneshot::Sender<()>)>,
    http: reqwest::Client,
}

impl Replicas {
    async fn start(redis: &RedisServer) -> Replicas {
        logs();
        let sim = Simulator::start(Default::default())
            .await
            .expect("simulator starts");
        let options = Options {
            redcap_calls: CAP,
            extra: format!("[shared]\nredis_url = \"{}\"\nreplicas = 3\n", redis.url()),
            ..Options::default()
        };
        let text = config_text(sim.api_url().as_str(), &options);
        let config = Config::parse(&text, &secrets()).expect("valid configuration");
        let mut servers = Vec::new();
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
            servers.push((addr, state, stop));
        }
        Replicas {
            sim,
            servers,
            http: reqwest::Client::new(),
        }
    }

    fn all_shared(&self) -> bool {
        self.servers
            .iter()
            .all(|(_, state, _)| state.shared.as_ref().is_some_and(|s| s.is_shared()))
    }

    async fn wait_until_shared(&self) {
        for _ in 0..600 {
            if self.all_shared() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the replicas did not join Redis");
    }

    async fn ask(&self, replica: usize, record: &str, path: &str) -> Answer {
        let ticket = TicketIssuer::hs256(SECRET)
            .mint(record, Duration::from_secs(300))
            .unwrap();
        let url = format!("http://{}/redcap-resume/api{path}", self.servers[replica].0);
        let response = self
            .http
            .get(url)
            .header("X-CSRF", "1")
            .header("Sec-Fetch-Site", "same-origin")
            .header("Cookie", format!("__Host-redcap_resume_ticket={ticket}"))
            .send()
            .await
            .expect("answered");
        Answer::read(response).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redcap_call_cap_of_one_participant_holds_across_three_replicas() {
    let redis = RedisServer::start();
    let d = Replicas::start(&redis).await;
    d.wait_until_shared().await;
    d.sim.reset_calls();
    // A record REDCap does not have, asking every survey once (each its own target, so no
    // cached refusal stands in the way), each time through the next replica: every answer
    // costs REDCap calls until the cap is reached.
    let surveys = [
        "baseline", "plain", "rc", "contact", "diary", "consent", "exit", "month3",
    ];
    let mut limited = 0;
    for (i, survey) in surveys.iter().enumerate() {
        let a = d
            .ask(i % 3, seed::MISSING_RECORD, &format!("/surveys/{survey}"))
            .await;
        match a.error_code().as_str() {
            "record_not_found" => {}
            "rate_limited" => limited += 1,
            other => panic!("{survey}: {other}: {}", a.body),
        }
    }
    let calls = d.sim.api_call_count();
    println!("replicas: one participant over 3 replicas caused {calls} REDCap calls (cap {CAP}); {limited} of {} answers rate_limited", surveys.len());
    assert!(
        calls <= CAP as usize,
        "{calls} REDCap calls for one participant (cap {CAP} for all replicas together)"
    );
    assert!(limited >= 1, "the cap was reached");
    // Another participant has an allowance of their own.
    let other = d.ask(2, seed::RECORD_IN_PROGRESS, "/surveys/plain").await;
    assert_eq!(other.status, 200, "{}", other.body);
    assert!(d.all_shared(), "the cap was counted on Redis, not alone");
}
