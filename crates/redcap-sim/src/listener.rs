//! The simulator's own accept loop: it can drop a connection without an answer, go down (close
//! the listener and every connection) and come back on the same address.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

/// Per-connection facts handed to handlers: who is asking, and a switch that closes the
/// socket without an answer.
#[derive(Clone)]
pub(crate) struct ConnInfo {
    pub ip: IpAddr,
    pub kill: Arc<Notify>,
}

/// Whether the simulator answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Power {
    Up,
    Down,
    Off,
}

pub(crate) async fn accept_loop(
    listener: TcpListener,
    addr: SocketAddr,
    router: Router,
    mut power: watch::Receiver<Power>,
) {
    let mut listener = Some(listener);
    loop {
        let now = *power.borrow_and_update();
        match now {
            Power::Off => break,
            Power::Down => {
                listener = None;
                if power.changed().await.is_err() {
                    break;
                }
            }
            Power::Up => {
                if listener.is_none() {
                    match TcpListener::bind(addr).await {
                        Ok(l) => listener = Some(l),
                        Err(e) => {
                            tracing::warn!(%addr, error = %e, "redcap-sim could not listen again");
                            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                            continue;
                        }
                    }
                }
                let Some(l) = listener.as_ref() else { continue };
                tokio::select! {
                    accepted = l.accept() => match accepted {
                        Ok((stream, peer)) => {
                            tokio::spawn(serve(stream, peer, router.clone(), power.clone()));
                        }
                        Err(e) => tracing::debug!(error = %e, "accept failed"),
                    },
                    changed = power.changed() => if changed.is_err() { break },
                }
            }
        }
    }
}

/// Serves one connection until it ends, a handler pulls the kill switch, or the power goes.
async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    mut power: watch::Receiver<Power>,
) {
    let kill = Arc::new(Notify::new());
    let info = ConnInfo {
        ip: peer.ip(),
        kill: kill.clone(),
    };
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(info.clone());
        router.clone().oneshot(req)
    });
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => if let Err(e) = result {
            tracing::debug!(error = %e, "connection ended with an error");
        },
        _ = kill.notified() => tracing::debug!(%peer, "dropping the connection (fault)"),
        _ = powered_off(&mut power) => {}
    }
}

async fn powered_off(power: &mut watch::Receiver<Power>) {
    loop {
        if *power.borrow_and_update() != Power::Up {
            return;
        }
        if power.changed().await.is_err() {
            return;
        }
    }
}
