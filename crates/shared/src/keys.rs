//! How a lookup key reaches Redis.

/// A key as Redis sees it: SHA-256, hex (no record id, IP address or lookup value in Redis's
/// key space).
pub(crate) fn hashed(key: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
