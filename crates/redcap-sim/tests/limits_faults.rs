//! The per-IP ban, the fault knobs, and REDCap going down.

mod common;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use common::{client, post, sim};
use redcap_sim::seed::*;
use redcap_sim::{Failure, Faults};

const VERSION: [(&str, &str); 2] = [("token", DEMO_TOKEN), ("content", "version")];

#[tokio::test]
async fn ban_after_the_threshold_until_an_admin_lifts_it() {
    let sim = sim().await;
    sim.set_rate_limit(5);
    for _ in 0..5 {
        assert_eq!(post(&sim, &VERSION).await.status, 200);
    }
    let banned = post(&sim, &VERSION).await;
    assert_eq!(banned.status, 429);
    assert!(banned.content_type.starts_with("text/plain"));
    assert_eq!(
        banned.body,
        "Your IP address (127.0.0.1) has been banned due to suspected abuse."
    );
    let localhost: IpAddr = "127.0.0.1".parse().unwrap();
    assert!(sim.is_banned(localhost));
    sim.set_rate_limit(600);
    assert_eq!(
        post(&sim, &VERSION).await.status,
        429,
        "a ban does not expire by itself"
    );
    let get = client().get(sim.api_url()).send().await.unwrap();
    assert_eq!(get.status().as_u16(), 429, "everything on /api/ is refused");
    sim.unban_all();
    assert!(!sim.is_banned(localhost));
    assert_eq!(post(&sim, &VERSION).await.status, 200);
    assert_eq!(
        sim.api_call_count(),
        9,
        "banned requests are counted as received"
    );
}

#[tokio::test]
async fn latency_is_added() {
    let sim = sim().await;
    sim.set_faults(Faults::latency(Duration::from_millis(200)));
    let start = Instant::now();
    assert_eq!(post(&sim, &VERSION).await.status, 200);
    assert!(start.elapsed() >= Duration::from_millis(200));
    sim.clear_faults();
}

#[tokio::test]
async fn server_errors_html_and_empty() {
    let sim = sim().await;
    sim.set_faults(Faults::failing(Failure::ServerError));
    let a = post(&sim, &VERSION).await;
    assert_eq!(a.status, 500);
    assert!(a.body.contains("Internal Server Error"));
    sim.set_faults(Faults::failing(Failure::EmptyServerError));
    let a = post(&sim, &VERSION).await;
    assert_eq!((a.status, a.body.as_str()), (500, ""));
    sim.set_faults(Faults::failing(Failure::Status(
        503,
        "Down for maintenance".into(),
    )));
    assert_eq!(post(&sim, &VERSION).await.status, 503);
    sim.clear_faults();
    assert_eq!(post(&sim, &VERSION).await.status, 200);
}

#[tokio::test]
async fn malformed_and_truncated_bodies_come_with_200() {
    let sim = sim().await;
    sim.set_faults(Faults::failing(Failure::Malformed));
    let a = post(&sim, &VERSION).await;
    assert_eq!(a.status, 200);
    assert!(a.body.contains("Fatal error"));
    sim.set_faults(Faults::failing(Failure::Truncated));
    let link = common::survey(
        &sim,
        DEMO_TOKEN,
        "surveyLink",
        &[("record", "1001"), ("instrument", BASELINE)],
    )
    .await;
    sim.clear_faults();
    let full = common::survey(
        &sim,
        DEMO_TOKEN,
        "surveyLink",
        &[("record", "1001"), ("instrument", BASELINE)],
    )
    .await;
    assert_eq!(link.status, 200);
    assert!(full.body.starts_with(&link.body) && link.body.len() < full.body.len());
}

#[tokio::test]
async fn faults_for_the_next_n_calls_only() {
    let sim = sim().await;
    sim.set_faults(Faults::failing(Failure::ServerError).times(2));
    assert_eq!(post(&sim, &VERSION).await.status, 500);
    assert_eq!(post(&sim, &VERSION).await.status, 500);
    assert_eq!(post(&sim, &VERSION).await.status, 200);
}

#[tokio::test]
async fn dropped_connection_gets_no_http_answer() {
    let sim = sim().await;
    sim.set_faults(Faults::failing(Failure::DropConnection).times(1));
    let err = client()
        .post(sim.api_url())
        .form(&VERSION)
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    assert_eq!(
        post(&sim, &VERSION).await.status,
        200,
        "the next call is fine"
    );
    assert_eq!(sim.api_call_count(), 2);
}

#[tokio::test]
async fn going_down_refuses_connections_and_coming_back_works() {
    let sim = sim().await;
    let c = client();
    assert!(c.post(sim.api_url()).form(&VERSION).send().await.is_ok());
    sim.go_down();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let err = c
        .post(sim.api_url())
        .form(&VERSION)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_connect() || err.is_request(), "{err:?}");
    sim.come_up();
    let mut answered = false;
    for _ in 0..50 {
        if let Ok(r) = c.post(sim.api_url()).form(&VERSION).send().await {
            assert_eq!(r.text().await.unwrap(), REDCAP_VERSION);
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(answered, "listening again on the same port");
}

#[tokio::test]
async fn shutdown_closes_the_port() {
    let sim = sim().await;
    let addr = sim.addr();
    assert_eq!(post(&sim, &VERSION).await.status, 200);
    sim.shutdown().await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
