//! `[auth] algorithm` and its key: how tickets are verified. The algorithm comes from here,
//! never from the ticket.

use std::path::Path;

use secrecy::SecretString;

use super::error::{invalid, ConfigError};
use super::secrets::{read_secret, SecretSource};

/// RS256 public keys shorter than this (bits of the modulus) are refused at start-up
/// (NIST SP 800-131A: 2048 bits at least).
pub const MIN_RSA_BITS: usize = 2048;

/// How tickets are verified.
#[derive(Clone)]
pub enum TicketKey {
    /// HS256: the secret's bytes exactly as configured (at least 32).
    Hs256(SecretString),
    /// EdDSA (Ed25519) public key, PEM.
    EdDsa(Vec<u8>),
    /// RS256 public key, PEM, of at least [`MIN_RSA_BITS`].
    Rs256(Vec<u8>),
}

impl std::fmt::Debug for TicketKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TicketKey::Hs256(_) => f.write_str("Hs256([REDACTED])"),
            TicketKey::EdDsa(_) => f.write_str("EdDsa(public key)"),
            TicketKey::Rs256(_) => f.write_str("Rs256(public key)"),
        }
    }
}

/// The `[auth]` keys that choose and locate the ticket key.
pub(super) struct KeySettings<'a> {
    pub algorithm: Option<&'a str>,
    pub secret_env: Option<&'a str>,
    pub secret_file: Option<&'a Path>,
    pub public_key_file: Option<&'a Path>,
}

impl KeySettings<'_> {
    /// Reads and checks the key; each mistake names its `auth.` key.
    pub(super) fn read(&self, secrets: &dyn SecretSource) -> Result<TicketKey, ConfigError> {
        let algorithm = self.algorithm.unwrap_or("HS256");
        match algorithm {
            "HS256" => {
                if self.public_key_file.is_some() {
                    return Err(invalid("auth.ticket_public_key_file", "HS256 uses a shared secret (ticket_secret_env or ticket_secret_file), not a public key"));
                }
                let secret = read_secret(
                    "auth.ticket_secret",
                    self.secret_env,
                    self.secret_file,
                    secrets,
                    "ticket secret",
                )?;
                if secret.len() < 32 {
                    return Err(invalid(
                        "auth.ticket_secret",
                        "must be at least 32 bytes long (use a random value)",
                    ));
                }
                Ok(TicketKey::Hs256(SecretString::from(secret)))
            }
            "EdDSA" | "RS256" => {
                if self.secret_env.is_some() || self.secret_file.is_some() {
                    return Err(invalid("auth.ticket_secret_env", format!("{algorithm} uses a public key (ticket_public_key_file), not a shared secret")));
                }
                let path = self.public_key_file.ok_or_else(|| {
                    invalid(
                        "auth.ticket_public_key_file",
                        format!("missing: {algorithm} needs the portal's public key (PEM)"),
                    )
                })?;
                let pem = secrets.file(path).map_err(|e| {
                    invalid(
                        "auth.ticket_public_key_file",
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?;
                let not_a_key = || {
                    invalid(
                        "auth.ticket_public_key_file",
                        format!("not a PEM {algorithm} public key"),
                    )
                };
                if algorithm == "EdDSA" {
                    jsonwebtoken::DecodingKey::from_ed_pem(pem.as_bytes())
                        .map_err(|_| not_a_key())?;
                    return Ok(TicketKey::EdDsa(pem.into_bytes()));
                }
                let bits = rsa_bits(pem.as_bytes()).ok_or_else(not_a_key)?;
                if bits < MIN_RSA_BITS {
                    return Err(invalid(
                        "auth.ticket_public_key_file",
                        format!(
                            "the RS256 key in {} has {bits} bits; use at least {MIN_RSA_BITS}",
                            path.display()
                        ),
                    ));
                }
                Ok(TicketKey::Rs256(pem.into_bytes()))
            }
            other => Err(invalid(
                "auth.algorithm",
                format!("`{other}` is not supported; use \"HS256\", \"EdDSA\" or \"RS256\""),
            )),
        }
    }
}

/// The modulus size of an RSA public key in PEM (PKCS#1 or SubjectPublicKeyInfo).
fn rsa_bits(pem: &[u8]) -> Option<usize> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::traits::PublicKeyParts;
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(pem).ok()?;
    let der = key.try_get_as_bytes().ok()?;
    let public = rsa::RsaPublicKey::from_pkcs1_der(der).ok()?;
    Some(public.n().bits())
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{env, GOOD};
    use super::super::Config;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

    fn rs256(file: &str) -> Result<Config, String> {
        let text = GOOD.replace(
            "ticket_secret_env = \"SECRET\"",
            &format!("algorithm = \"RS256\"\nticket_public_key_file = \"{FIXTURES}/{file}\""),
        );
        Config::parse(&text, &env()).map_err(|e| e.to_string())
    }

    #[test]
    fn rs256_keys_under_2048_bits_are_refused_naming_the_key() {
        assert!(rs256("rsa_public.pem").is_ok(), "the 2048-bit fixture");
        let err = rs256("rsa1024_public.pem").unwrap_err();
        assert!(
            err.contains("auth.ticket_public_key_file")
                && err.contains("rsa1024_public.pem")
                && err.contains("1024 bits"),
            "{err}"
        );
        let err = rs256("ed25519_public.pem").unwrap_err();
        assert!(err.contains("not a PEM RS256 public key"), "{err}");
    }
}
