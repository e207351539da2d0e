//! Running the application on a socket: HTTP/1.1 with limits at the socket and a bounded
//! graceful shutdown.
//!
//! - A request's head must arrive within `header_read_timeout` (hyper's timer; it restarts
//!   after each answer, so it also ends idle keep-alive): half-sent requests cannot hold a
//!   connection open.
//! - A connection on which no byte moves for `idle_timeout` is closed (a client that never
//!   reads its answer).
//! - At most `max_connections` are open at once; more wait in the kernel's accept queue,
//!   so the process never runs out of file descriptors.
//! - On shutdown the listener closes, connections finish their request in flight, and after
//!   `shutdown_grace` the rest are closed.

mod activity;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tower::Service;

use crate::app::{app, AppState};
use crate::config::SocketLimits;
use activity::{Activity, Tracked};

/// Serves until `shutdown` resolves; requests in flight then get `shutdown_grace` to finish.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let housekeeping = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                state.housekeeping();
            }
        })
    };
    let limits = state.config.limits.socket;
    let result = serve_router(listener, app(state), limits, shutdown).await;
    housekeeping.abort();
    result
}

/// Serves `router` (with the peer's address as `ConnectInfo<SocketAddr>`) within `limits`
/// until `shutdown` resolves. Returns within `limits.shutdown_grace` after that.
pub async fn serve_router(
    listener: TcpListener,
    router: Router,
    limits: SocketLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    warn_if_over_the_file_limit(limits.max_connections);
    let mut make = router.into_make_service_with_connect_info::<SocketAddr>();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopping) = watch::channel(());
    let mut connections = JoinSet::new();
    let mut full = false;
    tokio::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        if slots.available_permits() == 0 && !full {
            tracing::warn!(
                max_connections = limits.max_connections,
                "connection cap reached: new connections wait until one closes"
            );
        }
        full = slots.available_permits() == 0;
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = slots.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
        };
        let service = match make.call(peer).await {
            Ok(service) => service,
            Err(never) => match never {},
        };
        let connection = Connection {
            http: http.clone(),
            idle_timeout: limits.idle_timeout,
            stopping: stopping.clone(),
            _slot: permit,
        };
        connections.spawn(connection.run(stream, TowerToHyperService::new(service)));
    }
    drop(listener);
    let _ = stop.send(());
    let open = connections.len();
    let finished = tokio::time::timeout(limits.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            open = connections.len(),
            of = open,
            grace_ms = limits.shutdown_grace.as_millis() as u64,
            "shutdown: closing connections still open after the grace period"
        );
        connections.abort_all();
    }
    Ok(())
}

/// One accepted connection and what bounds it.
struct Connection {
    http: http1::Builder,
    idle_timeout: Duration,
    stopping: watch::Receiver<()>,
    /// Held while the connection is open: frees a place under the connection cap on drop.
    _slot: OwnedSemaphorePermit,
}

impl Connection {
    async fn run<S>(mut self, stream: TcpStream, service: S)
    where
        S: hyper::service::Service<
                hyper::Request<hyper::body::Incoming>,
                Response = hyper::Response<axum::body::Body>,
                Error = Infallible,
            > + Send
            + 'static,
        S::Future: Send + 'static,
    {
        let _ = stream.set_nodelay(true);
        let activity = Activity::new();
        let io = TokioIo::new(Tracked::new(stream, activity.clone()));
        let conn = self.http.serve_connection(io, service);
        tokio::pin!(conn);
        let mut asked_to_stop = false;
        loop {
            let idle_until = activity.last() + self.idle_timeout;
            tokio::select! {
                _ = conn.as_mut() => return,
                () = tokio::time::sleep_until(idle_until.into()) => {
                    if activity.last() + self.idle_timeout <= std::time::Instant::now() {
                        tracing::debug!("closing a connection idle for {:?}", self.idle_timeout);
                        return;
                    }
                }
                _ = self.stopping.changed(), if !asked_to_stop => {
                    asked_to_stop = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// Accept errors: a connection reset before it was accepted is the client's business; any
/// other (no file descriptors left) is logged and retried after a pause.
async fn accept_failed(e: &std::io::Error) {
    use std::io::ErrorKind as K;
    if matches!(
        e.kind(),
        K::ConnectionRefused | K::ConnectionAborted | K::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "cannot accept a connection; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Warns when the connection cap leaves too few of the process's file descriptors for
/// REDCap calls, the audit log and the listener (Linux: `/proc/self/limits`).
fn warn_if_over_the_file_limit(max_connections: usize) {
    const MARGIN: u64 = 64;
    let Some(limit) = open_file_limit() else {
        return;
    };
    if max_connections as u64 + MARGIN > limit {
        tracing::warn!(
            max_connections,
            open_file_limit = limit,
            "[limits] max_connections leaves fewer than {MARGIN} file descriptors for REDCap calls and logs: lower it or raise LimitNOFILE"
        );
    }
}

fn open_file_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_open_file_limit_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(super::open_file_limit().is_some_and(|n| n > 0));
        }
    }
}
