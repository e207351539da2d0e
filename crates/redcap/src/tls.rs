//! Which certificate authorities a client trusts: Mozilla's roots bundled with the client, the
//! operating system's store (which honours `SSL_CERT_FILE` and `SSL_CERT_DIR`), and an
//! optional PEM file of the caller's (an institution's own certificate authority).

use std::path::Path;

use crate::config::BuildError;

/// The certificates of a PEM file (one or more `CERTIFICATE` blocks), to trust as roots.
pub(crate) fn extra_roots(path: &Path) -> Result<Vec<reqwest::Certificate>, BuildError> {
    let fail = |reason: &str| BuildError::CaFile {
        path: path.display().to_string(),
        reason: reason.to_owned(),
    };
    let pem = std::fs::read(path).map_err(|e| fail(&e.kind().to_string()))?;
    if !pem
        .windows(b"-----BEGIN CERTIFICATE-----".len())
        .any(|w| w == b"-----BEGIN CERTIFICATE-----")
    {
        return Err(fail(
            "no PEM certificate (-----BEGIN CERTIFICATE-----) in it",
        ));
    }
    let roots = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|_| fail("not a readable PEM certificate bundle"))?;
    if roots.is_empty() {
        return Err(fail("no certificate in it"));
    }
    Ok(roots)
}
