//! Participant tickets: short-lived JWTs whose `sub` is the REDCap record id.
//!
//! ```
//! use redcap_resume::config::TicketKey;
//! use redcap_resume::ticket::{TicketIssuer, TicketVerifier};
//! use std::time::Duration;
//!
//! let key = TicketKey::Hs256("a-long-random-secret-of-32-bytes!".to_owned().into());
//! let ticket = TicketIssuer::hs256("a-long-random-secret-of-32-bytes!").mint("1001", Duration::from_secs(300)).unwrap();
//! let verifier = TicketVerifier::new(&key, Duration::from_secs(30)).unwrap();
//! assert_eq!(verifier.verify(&ticket).unwrap().as_str(), "1001");
//! ```
//!
//! The algorithm is fixed by configuration and never read from the ticket: `alg: none` and
//! algorithm confusion (an HS256 ticket signed with an RSA public key) are refused.
//!
//! A ticket must also say when it was issued (`iat`, not later than now plus the leeway), live
//! at most the configured maximum (`exp - iat`, and `exp` no further than that from now), and
//! carry no `crit` header: we understand no JWS extension, so RFC 7515 §4.1.11 says refuse.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use redcap_client::RecordId;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::config::ticket_key::TicketKey;

/// The audience every ticket must name.
pub const AUDIENCE: &str = "redcap-resume";
/// Tickets longer than this are refused before any parsing.
pub const MAX_TICKET_LEN: usize = 4096;
/// The longest a ticket may live unless `[auth] max_ticket_lifetime_seconds` says otherwise.
pub const DEFAULT_MAX_LIFETIME: Duration = Duration::from_secs(3600);

#[derive(Serialize, Deserialize)]
struct Claims {
    sub: String,
    aud: String,
    exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iat: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nbf: Option<u64>,
}

/// Why a ticket was refused (for the log; the participant only reads "please sign in again").
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("ticket too long")]
    TooLong,
    #[error("ticket expired")]
    Expired,
    #[error("ticket not yet valid")]
    NotYetValid,
    #[error("ticket for another audience")]
    WrongAudience,
    #[error("ticket signature or algorithm refused")]
    BadSignature,
    #[error("ticket malformed or missing a claim")]
    Malformed,
    #[error("ticket subject is not a REDCap record id")]
    BadSubject,
    #[error("ticket says not when it was issued (no iat)")]
    NoIssuedAt,
    #[error("ticket issued in the future (iat beyond the leeway)")]
    IssuedInFuture,
    #[error("ticket lives longer than the maximum lifetime")]
    TooLongLived,
    #[error("ticket has a critical header extension we do not understand (crit)")]
    UnknownCritical,
}

impl TicketError {
    /// A fixed text for the log line that says why a participant must sign in again.
    pub fn reason(self) -> &'static str {
        match self {
            TicketError::TooLong => "ticket too long",
            TicketError::Expired => "ticket expired",
            TicketError::NotYetValid => "ticket not yet valid",
            TicketError::WrongAudience => "ticket for another audience",
            TicketError::BadSignature => "ticket signature refused",
            TicketError::Malformed => "ticket malformed",
            TicketError::BadSubject => "ticket subject not a record id",
            TicketError::NoIssuedAt => "ticket without iat",
            TicketError::IssuedInFuture => "ticket iat in the future",
            TicketError::TooLongLived => "ticket lifetime over the maximum",
            TicketError::UnknownCritical => "ticket with an unknown crit header",
        }
    }
}

/// Checks tickets with the configured key and algorithm.
pub struct TicketVerifier {
    key: DecodingKey,
    validation: Validation,
    /// Seconds of clock skew allowed on `exp`, `nbf` and `iat` (at most 60).
    leeway: u64,
    /// Seconds a ticket may live at most.
    max_lifetime: u64,
}

impl TicketVerifier {
    /// A verifier for `key`'s algorithm only, allowing `leeway` of clock skew (capped at 60 s)
    /// and tickets of at most [`DEFAULT_MAX_LIFETIME`] (see [`Self::with_max_lifetime`]).
    pub fn new(key: &TicketKey, leeway: Duration) -> Result<Self, jsonwebtoken::errors::Error> {
        let (key, algorithm) = match key {
            TicketKey::Hs256(secret) => (
                DecodingKey::from_secret(secret.expose_secret().as_bytes()),
                Algorithm::HS256,
            ),
            TicketKey::EdDsa(pem) => (DecodingKey::from_ed_pem(pem)?, Algorithm::EdDSA),
            TicketKey::Rs256(pem) => (DecodingKey::from_rsa_pem(pem)?, Algorithm::RS256),
        };
        let mut validation = Validation::new(algorithm);
        validation.algorithms = vec![algorithm];
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "aud", "sub"]);
        validation.leeway = leeway.as_secs().min(60);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        let leeway = validation.leeway;
        Ok(Self {
            key,
            validation,
            leeway,
            max_lifetime: DEFAULT_MAX_LIFETIME.as_secs(),
        })
    }

    /// Refuses tickets whose `exp - iat`, or whose `exp` from now, is over `max` (whole seconds).
    pub fn with_max_lifetime(mut self, max: Duration) -> Self {
        self.max_lifetime = max.as_secs();
        self
    }

    /// The record id the ticket vouches for.
    pub fn verify(&self, ticket: &str) -> Result<RecordId, TicketError> {
        if ticket.len() > MAX_TICKET_LEN {
            return Err(TicketError::TooLong);
        }
        let data =
            jsonwebtoken::decode::<Claims>(ticket, &self.key, &self.validation).map_err(|e| {
                use jsonwebtoken::errors::ErrorKind as K;
                match e.kind() {
                    K::ExpiredSignature => TicketError::Expired,
                    K::ImmatureSignature => TicketError::NotYetValid,
                    K::InvalidAudience => TicketError::WrongAudience,
                    K::InvalidSignature
                    | K::InvalidAlgorithm
                    | K::InvalidAlgorithmName
                    | K::InvalidKeyFormat => TicketError::BadSignature,
                    _ => TicketError::Malformed,
                }
            })?;
        if data.header.crit.is_some() {
            return Err(TicketError::UnknownCritical);
        }
        let claims = data.claims;
        let iat = claims.iat.ok_or(TicketError::NoIssuedAt)?;
        let now = unix_now();
        if iat > now.saturating_add(self.leeway) {
            return Err(TicketError::IssuedInFuture);
        }
        // With iat at most now + leeway, this also bounds exp from now.
        if claims.exp.saturating_sub(iat) > self.max_lifetime {
            return Err(TicketError::TooLongLived);
        }
        RecordId::parse(&claims.sub).map_err(|_| TicketError::BadSubject)
    }
}

/// Mints HS256 tickets (the `ticket` command, the demo sign-in, tests).
pub struct TicketIssuer {
    key: EncodingKey,
}

impl TicketIssuer {
    pub fn hs256(secret: &str) -> Self {
        Self {
            key: EncodingKey::from_secret(secret.as_bytes()),
        }
    }

    pub fn mint(&self, record: &str, ttl: Duration) -> Result<String, jsonwebtoken::errors::Error> {
        self.mint_expiring_at(record, unix_now() + ttl.as_secs())
    }

    /// A ticket that expires at `exp` (seconds since 1970; may lie in the past, for tests).
    pub fn mint_expiring_at(
        &self,
        record: &str,
        exp: u64,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = Claims {
            sub: record.to_owned(),
            aud: AUDIENCE.to_owned(),
            exp,
            iat: Some(unix_now()),
            nbf: None,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.key)
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef-test";

    fn verifier() -> TicketVerifier {
        TicketVerifier::new(
            &TicketKey::Hs256(SECRET.to_owned().into()),
            Duration::from_secs(30),
        )
        .unwrap()
    }

    fn now() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    fn sign(claims: serde_json::Value, secret: &str) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    fn b64(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    #[test]
    fn a_good_ticket_names_its_record() {
        let t = TicketIssuer::hs256(SECRET)
            .mint("1001", Duration::from_secs(60))
            .unwrap();
        assert_eq!(verifier().verify(&t).unwrap().as_str(), "1001");
    }

    #[test]
    fn refusals_say_why() {
        let cases = [
            (
                sign(
                    serde_json::json!({"sub":"1","aud":AUDIENCE,"exp":now()-120}),
                    SECRET,
                ),
                TicketError::Expired,
            ),
            (
                sign(
                    serde_json::json!({"sub":"1","aud":AUDIENCE,"exp":now()+120,"nbf":now()+600}),
                    SECRET,
                ),
                TicketError::NotYetValid,
            ),
            (
                sign(
                    serde_json::json!({"sub":"1","aud":"another-app","exp":now()+120}),
                    SECRET,
                ),
                TicketError::WrongAudience,
            ),
            (
                sign(
                    serde_json::json!({"sub":"1","aud":AUDIENCE,"exp":now()+120}),
                    "another-secret-another-secret-xx",
                ),
                TicketError::BadSignature,
            ),
            (
                sign(serde_json::json!({"sub":"1","aud":AUDIENCE}), SECRET),
                TicketError::Malformed,
            ),
            (
                sign(serde_json::json!({"aud":AUDIENCE,"exp":now()+120}), SECRET),
                TicketError::Malformed,
            ),
            (
                sign(
                    serde_json::json!({"sub":"a\u{0}b","aud":AUDIENCE,"iat":now(),"exp":now()+120}),
                    SECRET,
                ),
                TicketError::BadSubject,
            ),
            (
                sign(
                    serde_json::json!({"sub":"1","aud":AUDIENCE,"exp":now()+120}),
                    SECRET,
                ),
                TicketError::NoIssuedAt,
            ),
            (
                sign(
                    serde_json::json!({"sub":"1","aud":AUDIENCE,"iat":now()+600,"exp":now()+900}),
                    SECRET,
                ),
                TicketError::IssuedInFuture,
            ),
            ("x".repeat(MAX_TICKET_LEN + 1), TicketError::TooLong),
            ("not.a.ticket".to_owned(), TicketError::Malformed),
        ];
        for (ticket, expected) in cases {
            assert_eq!(verifier().verify(&ticket), Err(expected));
        }
    }

    #[test]
    fn lifetimes_over_the_maximum_are_refused() {
        let v = verifier().with_max_lifetime(Duration::from_secs(3600));
        let t = |iat: u64, exp: u64| {
            sign(
                serde_json::json!({"sub":"1","aud":AUDIENCE,"iat":iat,"exp":exp}),
                SECRET,
            )
        };
        let n = now();
        assert!(v.verify(&t(n, n + 3600)).is_ok(), "exactly the maximum");
        assert!(
            v.verify(&t(n + 20, n + 300)).is_ok(),
            "iat within the leeway"
        );
        for (what, ticket, why) in [
            (
                "ten years",
                t(n, n + 10 * 365 * 86_400),
                TicketError::TooLongLived,
            ),
            ("one second over", t(n, n + 3601), TicketError::TooLongLived),
            (
                "the largest integer",
                t(n, u64::MAX),
                TicketError::TooLongLived,
            ),
            (
                "back-dated iat",
                t(n - 3000, n + 3000),
                TicketError::TooLongLived,
            ),
            // Moving iat ahead to look short-lived is the future-iat refusal.
            (
                "iat a day ahead",
                t(n + 86_400, n + 87_000),
                TicketError::IssuedInFuture,
            ),
        ] {
            assert_eq!(v.verify(&ticket), Err(why), "{what}");
        }
    }

    #[test]
    fn an_unknown_crit_header_is_refused() {
        let claims = serde_json::json!({"sub":"1","aud":AUDIENCE,"iat":now(),"exp":now()+60});
        let mut header = Header::new(Algorithm::HS256);
        header.crit = Some(vec!["exp-ext".to_owned()]);
        let with_crit = jsonwebtoken::encode(
            &header,
            &claims,
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap();
        assert_eq!(
            verifier().verify(&with_crit),
            Err(TicketError::UnknownCritical)
        );
        assert!(verifier().verify(&sign(claims, SECRET)).is_ok());
    }

    #[test]
    fn alg_none_is_refused() {
        let header = b64(br#"{"alg":"none","typ":"JWT"}"#);
        let body = b64(format!(
            r#"{{"sub":"1001","aud":"{AUDIENCE}","exp":{}}}"#,
            now() + 300
        )
        .as_bytes());
        for ticket in [format!("{header}.{body}."), format!("{header}.{body}")] {
            assert!(verifier().verify(&ticket).is_err(), "{ticket}");
        }
    }

    #[test]
    fn leeway_is_capped_at_sixty_seconds() {
        let v = TicketVerifier::new(
            &TicketKey::Hs256(SECRET.to_owned().into()),
            Duration::from_secs(3600),
        )
        .unwrap();
        let t = sign(
            serde_json::json!({"sub":"1","aud":AUDIENCE,"iat":now()-200,"exp":now()-90}),
            SECRET,
        );
        assert_eq!(v.verify(&t), Err(TicketError::Expired));
    }
}
