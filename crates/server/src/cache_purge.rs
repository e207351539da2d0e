//! `redcap-resume cache purge`: asks the running server, through its admin listener, to
//! forget what it cached about one participant.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::app::admin::{PurgeAnswer, PurgeRequest, PURGE_PATH};
use crate::config::Config;

/// Where to reach the admin listener from this machine: `[metrics] listen`, with an
/// unspecified address (`0.0.0.0`, `::`) replaced by loopback (the purge answers loopback
/// peers only).
pub fn admin_address(config: &Config) -> Result<SocketAddr, String> {
    let listen = config
        .metrics
        .ok_or("`cache purge` talks to the server's admin listener: configure [metrics] listen")?
        .listen;
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    Ok(SocketAddr::new(ip, listen.port()))
}

/// Purges `record` (one `survey`, or all) on the server `config` describes; the number of
/// cache entries it dropped, or what went wrong (server not running, refusal and its reason).
pub async fn purge(config: &Config, record: &str, survey: Option<String>) -> Result<u64, String> {
    let addr = admin_address(config)?;
    purge_at(addr, record, survey).await
}

/// [`purge`] against the admin listener at `addr`.
pub async fn purge_at(
    addr: SocketAddr,
    record: &str,
    survey: Option<String>,
) -> Result<u64, String> {
    let url = format!("http://{addr}{PURGE_PATH}");
    let answer = reqwest::Client::new()
        .post(&url)
        .json(&PurgeRequest {
            record: record.to_owned(),
            survey,
        })
        .send()
        .await
        .map_err(|e| format!("cannot reach the server's admin listener at {addr}: {e}"))?;
    let status = answer.status();
    if !status.is_success() {
        let reason = answer.text().await.unwrap_or_default();
        return Err(format!("the server refused the purge ({status}): {reason}"));
    }
    let answer: PurgeAnswer = answer
        .json()
        .await
        .map_err(|e| format!("unexpected answer from the admin listener: {e}"))?;
    Ok(answer.purged)
}
