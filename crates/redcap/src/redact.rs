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

/// Replaces runs of ASCII letters and digits that could be secrets: 20 or more characters
/// (tokens), or 6 or more that mix letters and digits, mix cases inside the word (survey hashes)
/// or use only the return-code alphabet (return codes).
fn redact_secret_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let letters = run.bytes().any(|b| b.is_ascii_alphabetic());
        let digits = run.bytes().any(|b| b.is_ascii_digit());
        let mixed_case = run.bytes().skip(1).any(|b| b.is_ascii_uppercase())
            && run.bytes().any(|b| b.is_ascii_lowercase());
        let code_alphabet = run.bytes().all(|b| b"34789ACDEFHJKLMNPRTWXY".contains(&b));
        if run.len() >= 20
            || (run.len() >= 6 && ((letters && digits) || mixed_case || code_alphabet))
        {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(excerpt(" \n "), "(empty body)");
    }
}
