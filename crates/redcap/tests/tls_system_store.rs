//! The operating system's certificate store is trusted too: here through `SSL_CERT_FILE`,
//! which the system store honours (the way an institution's CA is installed on a server or in
//! a container). Its own test binary: the variable is set for the whole process.

#[path = "support/tls_server.rs"]
mod tls_server;

use std::time::Duration;

use redcap_client::{ApiToken, Client, ClientConfig};

#[tokio::test]
async fn a_certificate_authority_in_the_system_store_is_trusted() {
    let endpoint = tls_server::start("system-store").await;
    // Set before any client is built in this process (this binary has this one test).
    std::env::set_var("SSL_CERT_FILE", &endpoint.ca_file);
    std::env::remove_var("SSL_CERT_DIR");
    let client = Client::new(ClientConfig {
        timeout: Duration::from_secs(5),
        ..ClientConfig::new(
            endpoint.api_url.clone(),
            ApiToken::parse(tls_server::TOKEN).unwrap(),
        )
    })
    .unwrap();
    assert_eq!(client.version().await.unwrap().to_string(), "14.5.1");
}
