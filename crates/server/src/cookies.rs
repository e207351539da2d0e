//! Finding the ticket cookie in the `Cookie` header, byte by byte.
//!
//! Other cookies of the site are none of our business: a neighbour such as `pref=café` (bytes
//! outside ASCII, which the `http` crate refuses to show as text) must not hide the ticket.
//! Two different values under the ticket's name are refused: a sibling subdomain can set a
//! cookie for the parent domain, and the browser then sends both in an order nobody controls
//! (a planted ticket would resume the attacker's record; planted junk would lock the
//! participant out). A `__Host-` name (the default) stops such planting in the browser.

use axum::http::{header, HeaderMap};

/// What the `Cookie` header(s) say about one cookie name.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// No cookie of that name (or only empty ones).
    None,
    /// Exactly one value (repeats of the same bytes count as one).
    One(String),
    /// Several different values.
    Ambiguous,
    /// The value is not printable ASCII (a ticket never is anything else).
    Unreadable,
}

/// The value of the cookie named `name` in every `Cookie` header of the request.
pub fn find(headers: &HeaderMap, name: &str) -> Found {
    let mut found: Option<&[u8]> = None;
    for value in headers.get_all(header::COOKIE) {
        for pair in value.as_bytes().split(|&b| b == b';') {
            let pair = trim(pair);
            let Some(eq) = pair.iter().position(|&b| b == b'=') else {
                continue;
            };
            if trim(&pair[..eq]) != name.as_bytes() {
                continue;
            }
            let v = trim(&pair[eq + 1..]);
            if v.is_empty() {
                continue;
            }
            match found {
                Some(seen) if seen != v => return Found::Ambiguous,
                _ => found = Some(v),
            }
        }
    }
    match found {
        None => Found::None,
        Some(v) if v.iter().all(|b| b.is_ascii_graphic()) => {
            Found::One(String::from_utf8_lossy(v).into_owned())
        }
        Some(_) => Found::Unreadable,
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| !matches!(b, b' ' | b'\t'));
    let end = bytes.iter().rposition(|b| !matches!(b, b' ' | b'\t'));
    match (start, end) {
        (Some(s), Some(e)) => &bytes[s..=e],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn jar(values: &[&[u8]]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::COOKIE, HeaderValue::from_bytes(v).unwrap());
        }
        h
    }

    const T: &str = "__Host-t";

    #[test]
    fn the_ticket_is_found_among_any_neighbours() {
        let cases: &[(&[&[u8]], Found)] = &[
            (&[b"a=1; __Host-t=T1; b=2"], Found::One("T1".into())),
            (&[b"pref=caf\xc3\xa9; __Host-t=T1"], Found::One("T1".into())),
            (&[b"__Host-t=T1; pref=\xff\xfe"], Found::One("T1".into())),
            (&[b"a=1", b"__Host-t=T1"], Found::One("T1".into())),
            (&[b"__Host-t=T1;__Host-t=T1"], Found::One("T1".into())),
            (&[b"  __Host-t = T1 ;x"], Found::One("T1".into())),
            (&[b"junk; ;=; __Host-t=T1"], Found::One("T1".into())),
            (&[b"a=1; b=2"], Found::None),
            (&[b"__Host-t="], Found::None),
            (&[b"__host-t=T1; x__Host-t=T2"], Found::None),
            (&[], Found::None),
        ];
        for (values, expected) in cases {
            assert_eq!(&find(&jar(values), T), expected, "{values:?}");
        }
    }

    #[test]
    fn two_different_tickets_are_ambiguous() {
        for values in [
            &[&b"__Host-t=MINE; __Host-t=PLANTED"[..]][..],
            &[b"__Host-t=MINE", b"__Host-t=PLANTED"],
            &[b"__Host-t=MINE; __Host-t=junk"],
        ] {
            assert_eq!(find(&jar(values), T), Found::Ambiguous, "{values:?}");
        }
        assert_eq!(find(&jar(&[b"__Host-t=caf\xc3\xa9"]), T), Found::Unreadable);
    }
}
