//! REDCap behind an institution's own certificate authority (issue 14): not trusted by
//! default, trusted with `ca_file`; and a refused certificate says why (`UnknownIssuer`) in the
//! error, the log excerpt and the hint.

#[path = "support/tls_server.rs"]
mod tls_server;

use std::time::Duration;

use redcap_client::{ApiToken, BuildError, Client, ClientConfig, RedcapError};

fn config(endpoint: &tls_server::TlsRedcap) -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_secs(5),
        ..ClientConfig::new(
            endpoint.api_url.clone(),
            ApiToken::parse(tls_server::TOKEN).unwrap(),
        )
    }
}

#[tokio::test]
async fn an_unknown_certificate_authority_is_refused_and_named() {
    let endpoint = tls_server::start("refused").await;
    let e = Client::new(config(&endpoint))
        .unwrap()
        .version()
        .await
        .unwrap_err();
    match &e {
        RedcapError::Unavailable {
            status: None,
            detail,
        } => {
            assert!(detail.starts_with("connect"), "{detail}");
            assert!(detail.contains("UnknownIssuer"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("UnknownIssuer"), "{e}");
    assert!(e.hint().contains("ca_file"), "{}", e.hint());
    assert!(e.is_retryable());
}

#[tokio::test]
async fn a_configured_ca_file_is_trusted() {
    let endpoint = tls_server::start("trusted").await;
    let client = Client::new(ClientConfig {
        ca_file: Some(endpoint.ca_file.clone()),
        ..config(&endpoint)
    })
    .unwrap();
    assert_eq!(client.version().await.unwrap().to_string(), "14.5.1");
}

#[tokio::test]
async fn a_ca_file_that_is_not_a_certificate_is_a_build_error() {
    let endpoint = tls_server::start("bad-file").await;
    let missing = endpoint.ca_file.with_extension("missing");
    let not_pem = endpoint.ca_file.with_extension("txt");
    std::fs::write(&not_pem, "not a certificate\n").unwrap();
    for (path, words) in [
        (missing, "not found"),
        (not_pem.clone(), "no PEM certificate"),
    ] {
        let e = Client::new(ClientConfig {
            ca_file: Some(path.clone()),
            ..config(&endpoint)
        })
        .unwrap_err();
        assert!(matches!(e, BuildError::CaFile { .. }), "{e:?}");
        let shown = e.to_string();
        assert!(
            shown.contains(words) && shown.contains("ca_file"),
            "{shown}"
        );
        assert!(shown.contains(&path.display().to_string()), "{shown}");
    }
    let _ = std::fs::remove_file(not_pem);
}
