//! The participant ticket verifier (`redcap_resume::ticket::TicketVerifier::verify`).
//!
//! Input: `[mode] rest…`. Mode 0–63 (a quarter): `rest` is the ticket as text. Otherwise the
//! input is structure-aware: `header-json \n claims-json \n signature-bytes`, base64url-encoded
//! into three parts so that the verifier gets past its split and base64 steps, then signed
//! according to `mode`:
//!
//! | mode % 8 | signature |
//! |---|---|
//! | 0, 1, 2 | HMAC-SHA256 with the configured secret (a valid ticket if the claims are) |
//! | 3 | HMAC-SHA256 with another secret |
//! | 4 | the fuzzer's bytes, base64url |
//! | 5 | the fuzzer's text as is |
//! | 6 | none (`header.claims.`) |
//! | 7 | correct HMAC, but the parts in standard base64 with padding |
//!
//! Properties: nothing panics; only a ticket signed with the configured secret under an HS256
//! header is ever accepted (the last part is the HMAC of the rest), and then its record id is the `sub` claim and it is not expired
//! (beyond the 60 s leeway cap) and names the audience, says when it was issued (not in the
//! future beyond the cap), lives at most an hour (`exp - iat`) and has no `crit` header; no
//! error text shows the secret.
#![no_main]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey};
use libfuzzer_sys::fuzz_target;
use redcap_resume::config::TicketKey;
use redcap_resume::ticket::{TicketError, TicketVerifier, AUDIENCE};
use redcap_resume_fuzz::{assert_no_leak, b64std_padded, b64url, text, Bytes};
use serde_json::Value;

const SECRET: &str = "fuzz-ticket-secret-0123456789abcdef";
const OTHER_SECRET: &str = "another-secret-another-secret-xxxx";

fn verifier() -> &'static TicketVerifier {
    static V: std::sync::OnceLock<TicketVerifier> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        TicketVerifier::new(&TicketKey::Hs256(SECRET.to_owned().into()), Duration::from_secs(30)).expect("HS256 key")
    })
}

fn hs256(message: &str, secret: &str) -> String {
    jsonwebtoken::crypto::sign(message.as_bytes(), &EncodingKey::from_secret(secret.as_bytes()), Algorithm::HS256)
        .expect("HMAC never fails")
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes::new(data);
    let mode = input.byte();
    let ticket = if mode < 64 {
        text(input.rest())
    } else {
        let header = input.until(b'\n');
        let claims = input.until(b'\n');
        let signature = input.rest();
        let message = format!("{}.{}", b64url(header), b64url(claims));
        match mode % 8 {
            0..=2 => format!("{message}.{}", hs256(&message, SECRET)),
            3 => format!("{message}.{}", hs256(&message, OTHER_SECRET)),
            4 => format!("{message}.{}", b64url(signature)),
            5 => format!("{message}.{}", text(signature)),
            6 => format!("{message}."),
            _ => {
                let message = format!("{}.{}", b64std_padded(header), b64std_padded(claims));
                format!("{message}.{}", hs256(&message, SECRET))
            }
        }
    };
    // The oracle: the last part is exactly the HMAC of the rest under the configured secret.
    let validly_signed = ticket
        .rsplit_once('.')
        .is_some_and(|(message, signature)| hs256(message, SECRET) == signature);

    let result = verifier().verify(&ticket);
    // A refusal never shows the secret. (An accepted ticket's record id is the portal's own
    // words: a portal holding the secret may put anything there, the secret included.)
    if let Err(e) = &result {
        assert_no_leak(&format!("{e:?} {e}"), SECRET, "the ticket secret");
    }

    match result {
        Ok(record) => {
            assert!(validly_signed, "a ticket not signed with the secret was accepted: {ticket:?}");
            let mut parts = ticket.split('.');
            let (header, claims) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
            let (Some(header), Some(claims)) = (decode_json(header), decode_json(claims)) else {
                return;
            };
            assert_eq!(header.get("alg").and_then(Value::as_str), Some("HS256"), "accepted under another alg: {header}");
            assert_eq!(claims.get("sub").and_then(Value::as_str), Some(record.as_str()), "record is not the sub claim");
            let audience_ok = match claims.get("aud") {
                Some(Value::String(a)) => a == AUDIENCE,
                Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(AUDIENCE)),
                _ => false,
            };
            assert!(audience_ok, "accepted for another audience: {claims}");
            let exp = claims.get("exp").and_then(Value::as_f64).expect("accepted without a numeric exp");
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64();
            assert!(exp + 61.0 >= now, "accepted an expired ticket (exp {exp}, now {now})");
            let iat = claims.get("iat").and_then(Value::as_f64).expect("accepted without a numeric iat");
            assert!(iat <= now + 61.0, "accepted a ticket issued in the future (iat {iat}, now {now})");
            assert!(exp - iat <= 3600.0, "accepted a ticket living over an hour (iat {iat}, exp {exp})");
            assert!(header.get("crit").is_none(), "accepted a crit header: {header}");
            if let Some(nbf) = claims.get("nbf").and_then(Value::as_f64) {
                assert!(nbf <= now + 61.0, "accepted a ticket not yet valid (nbf {nbf}, now {now})");
            }
        }
        Err(TicketError::TooLong) => assert!(ticket.len() > redcap_resume::ticket::MAX_TICKET_LEN),
        Err(_) => {}
    }
});

/// Decodes a base64url (or, for mode 7, standard padded) JSON part the verifier accepted.
fn decode_json(part: &str) -> Option<Value> {
    let bytes = b64decode(part).unwrap_or_else(|| panic!("accepted part is not base64: {part:?}"));
    // The verifier (like serde) skips claims it ignores without checking them: invalid UTF-8, lone
    // surrogate escapes (`\ud800`) or numbers beyond f64 there are accepted, which `Value`
    // refuses. Then only the signature property is checked.
    serde_json::from_slice(&bytes).ok()
}

fn b64decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}
