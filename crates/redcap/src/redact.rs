//! Short, secret-free excerpts of what REDCap or the network said, for logs.

/// The longest excerpt kept for the log.
const EXCERPT_CHARS: usize = 160;

/// A short, single-line excerpt for the log: control characters removed, and anything that
/// could be a secret (a token, a hash, a return code) replaced by `[REDACTED]`.
pub(crate) fn excerpt(message: &str) -> String {
    let flat: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    let redacted = redact_secret_like(&flat);
    if redacted.is_empty() {
        return String::from("(empty body)");
    }
    if redacted.chars().count() > EXCERPT_CHARS {
        let mut cut: String = redacted.chars().take(EXCERPT_CHARS).collect();
        cut.push('…');
        cut
    } else {
        redacted
    }
}

/// Replaces runs of ASCII letters and digits that could be secrets, and only those:
///
/// * API tokens: 20 or more characters with a digit, or all uppercase hex;
/// * return codes: 6 or more letters and digits together, or only characters of REDCap's code
///   alphabet (`34789ACDEFHJKLMNPRTWXY`);
/// * survey hashes: 6 or more with mixed case — unless the word reads as CamelCase words
///   (`UnknownIssuer`, `NotValidForName`: the names TLS and I/O errors give their causes);
/// * any value after `=` (`s=…`, `token=…`) of 6 or more.
///
/// Ordinary words stay, so an error still says what went wrong.
fn redact_secret_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if is_secret_like(run, out.ends_with('=')) {
            out.push_str("[REDACTED]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

fn is_secret_like(run: &str, after_equals: bool) -> bool {
    let letters = run.bytes().any(|b| b.is_ascii_alphabetic());
    let digits = run.bytes().any(|b| b.is_ascii_digit());
    let upper_hex = run
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b));
    let mixed_case = run.bytes().skip(1).any(|b| b.is_ascii_uppercase())
        && run.bytes().any(|b| b.is_ascii_lowercase());
    let code_alphabet = run.bytes().all(|b| b"34789ACDEFHJKLMNPRTWXY".contains(&b));
    (run.len() >= 20 && (digits || upper_hex))
        || (run.len() >= 6
            && (after_equals
                || (letters && digits)
                || code_alphabet
                || (mixed_case && !reads_as_words(run))))
}

/// `UnknownIssuer`, `notValidForName`: words of an uppercase letter and two or more lowercase
/// letters each (the first may be all lowercase).
fn reads_as_words(run: &str) -> bool {
    let bytes = run.as_bytes();
    let mut starts: Vec<usize> = (1..bytes.len())
        .filter(|&i| bytes[i].is_ascii_uppercase())
        .collect();
    starts.insert(0, 0);
    starts.push(bytes.len());
    starts.windows(2).enumerate().all(|(i, w)| {
        let word = &bytes[w[0]..w[1]];
        let lower_tail = word.len() >= 3 && word[1..].iter().all(u8::is_ascii_lowercase);
        let head_ok = word[0].is_ascii_uppercase() || (i == 0 && word[0].is_ascii_lowercase());
        head_ok && lower_tail
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_are_words_not_secrets() {
        for cause in [
            "invalid peer certificate: UnknownIssuer",
            "invalid peer certificate: NotValidForName",
            "invalid peer certificate: Expired",
            "received fatal alert: HandshakeFailure",
            "invalid peer certificate: UnhandledCriticalExtension",
            "ApplicationVerificationFailure",
            "Connection refused (os error 111)",
            "dns error: failed to lookup address information: Name or service not known",
        ] {
            assert_eq!(excerpt(cause), cause);
        }
    }

    #[test]
    fn excerpts_hide_secret_like_words() {
        let e = excerpt(
            "token 0123456789ABCDEF0123456789ABCDEF code KX7HD3LW hash AbCdEfGhJkLmNpQr ok",
        );
        assert_eq!(e, "token [REDACTED] code [REDACTED] hash [REDACTED] ok");
        assert_eq!(
            excerpt("KXHDLWMN Internal Server Error"),
            "[REDACTED] Internal Server Error"
        );
        assert!(excerpt(&"a".repeat(500)).len() < 200);
        assert_eq!(excerpt("s=AbCdEfGhJkLmNpQr"), "s=[REDACTED]");
        assert_eq!(
            excerpt("https://x/surveys/?s=UnknownIssuer"),
            "https://x/surveys/?s=[REDACTED]"
        );
        assert_eq!(excerpt(&"ABCDEF".repeat(6)), "[REDACTED]");
        assert_eq!(excerpt(" \n "), "(empty body)");
    }
}
