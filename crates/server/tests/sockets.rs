//! Attacks at the socket (rows of the attack table): half-sent requests, idle connections,
//! and shutdown with connections still open. Real sockets, release limits made short.

mod common;

use std::time::{Duration, Instant};

use common::{Harness, Options};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn limits(extra: &str) -> Options {
    Options {
        limits_override: Some(format!(
            "[limits]\nper_participant_per_minute = 1000\nper_ip_per_minute = 100000\n{extra}\n"
        )),
        ..Options::default()
    }
}

/// Reads until the server closes the connection; `Some(elapsed)` if it did within `within`.
async fn closed_by_server(mut s: TcpStream, within: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 1024];
    tokio::time::timeout(within, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return start.elapsed(),
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()
}

/// `/healthz` on a new connection (a pooled one may be closed by the server at any moment).
async fn healthz(h: &Harness) -> u16 {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
        .get(h.url("/healthz"))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::test]
async fn half_sent_requests_are_closed_within_the_timeout_and_new_connections_are_served() {
    let h = Harness::with(limits(
        "header_read_timeout_ms = 1000\nmax_connections = 1000",
    ))
    .await;
    let opened = Instant::now();
    let mut slow = Vec::new();
    for _ in 0..1100 {
        let mut s = TcpStream::connect(h.addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1")
            .await
            .unwrap();
        slow.push(s);
    }
    let took_to_open = opened.elapsed();
    // While they are held, a new participant still gets an answer (after at most one
    // header timeout, when the cap frees places).
    let asked = Instant::now();
    assert_eq!(healthz(&h).await, 200, "a new connection is served");
    let answered_in = asked.elapsed();
    let closed = futures_util::future::join_all(
        slow.into_iter()
            .map(|s| closed_by_server(s, Duration::from_secs(10))),
    )
    .await;
    let still_open = closed.iter().filter(|c| c.is_none()).count();
    let slowest = closed.iter().flatten().max().copied().unwrap_or_default();
    eprintln!(
        "1,100 half-sent requests: opened in {took_to_open:?}; a new request answered in {answered_in:?}; last closed {slowest:?} after the end of opening; {still_open} still open"
    );
    assert_eq!(still_open, 0, "every half-sent request is closed");
    // 1 s header timeout; the 100 over the cap wait to be accepted, then get their own second.
    assert!(slowest < Duration::from_secs(4), "{slowest:?}");
    assert!(answered_in < Duration::from_secs(4), "{answered_in:?}");
    assert_eq!(healthz(&h).await, 200, "still serving afterwards");
    assert_eq!(h.sim.api_call_count(), 0);
    h.stop().await;
}

#[tokio::test]
async fn a_connection_where_nothing_moves_is_closed_after_the_idle_timeout() {
    let h = Harness::with(limits(
        "request_timeout_ms = 500\nidle_timeout_ms = 1000\nheader_read_timeout_ms = 60000",
    ))
    .await;
    let silent = TcpStream::connect(h.addr).await.unwrap();
    let closed = closed_by_server(silent, Duration::from_secs(10)).await;
    let closed = closed.expect("the silent connection is closed");
    assert!(
        closed >= Duration::from_millis(900) && closed < Duration::from_secs(3),
        "{closed:?}"
    );
    assert_eq!(healthz(&h).await, 200);
    h.stop().await;
}

#[tokio::test]
async fn shutdown_returns_within_the_grace_period_with_connections_open() {
    let h = Harness::with(limits(
        "header_read_timeout_ms = 60000\nidle_timeout_ms = 120000\nshutdown_grace_ms = 500",
    ))
    .await;
    let mut open = Vec::new();
    for i in 0..50 {
        let mut s = TcpStream::connect(h.addr).await.unwrap();
        if i % 2 == 0 {
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                .await
                .unwrap();
        }
        open.push(s);
    }
    // Let the server accept them all.
    assert_eq!(healthz(&h).await, 200);
    let asked = Instant::now();
    let addr = h.addr;
    h.stop().await;
    let took = asked.elapsed();
    eprintln!("shutdown with 50 connections open took {took:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
    drop(open);
}
