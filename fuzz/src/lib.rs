//! Helpers shared by the fuzz targets: a byte reader for structure-aware inputs, base64url, and
//! secret-leak checks.

/// Reads the fuzzer's bytes front to back; runs out gracefully (zeros, then empty strings).
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }

    /// Everything up to (not including) the next `sep`, or the rest.
    pub fn until(&mut self, sep: u8) -> &'a [u8] {
        match self.data.iter().position(|&b| b == sep) {
            Some(i) => {
                let (part, rest) = self.data.split_at(i);
                self.data = &rest[1..];
                part
            }
            None => self.rest(),
        }
    }

    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }
}

/// The text of fuzzer bytes (invalid UTF-8 becomes U+FFFD, as a lossy HTTP client would do).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Inserts `what` into `into` at about `at/255` of its length (on a char boundary).
pub fn insert_at(into: &str, at: u8, what: &str) -> String {
    let mut i = into.len() * usize::from(at) / 255;
    while !into.is_char_boundary(i) {
        i -= 1;
    }
    format!("{}{what}{}", &into[..i], &into[i..])
}

/// base64url without padding (what JWTs use).
pub fn b64url(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(T[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Standard base64 with padding (a wrong alphabet for JWTs: must be refused, never panic).
pub fn b64std_padded(bytes: &[u8]) -> String {
    let mut s = b64url(bytes).replace('-', "+").replace('_', "/");
    while s.len() % 4 != 0 {
        s.push('=');
    }
    s
}

/// Panics (the fuzzer's crash) when `shown` contains `secret`, ignoring ASCII case (REDCap
/// compares tokens and return codes case-insensitively, so a lowercased copy leaks as much).
#[track_caller]
pub fn assert_no_leak(shown: &str, secret: &str, what: &str) {
    let shown_lower = shown.to_ascii_lowercase();
    let secret_lower = secret.to_ascii_lowercase();
    assert!(
        !shown_lower.contains(&secret_lower),
        "{what} leaked into an error/Debug text: {shown:?}"
    );
}

/// A bug the fuzzer found that is not fixed yet: a panic at `file` whose message contains
/// `message`.
pub struct KnownBug {
    pub id: &'static str,
    pub file: &'static str,
    pub message: &'static str,
}

/// Runs `f`. When the environment variable `REDCAP_FUZZ_KNOWN` (comma-separated ids) names
/// `bug`, that bug's panic is caught and `None` returned, so that a long run can explore past a
/// reported, unfixed bug; any other panic still crashes. Without the variable (the smoke test,
/// CI) nothing is tolerated and the regression seed keeps failing until the bug is fixed.
pub fn tolerating<R>(bug: &'static KnownBug, f: impl FnOnce() -> R) -> Option<R> {
    use std::cell::Cell;
    use std::sync::Once;

    static HOOK: Once = Once::new();
    thread_local!(static EXPECTED: Cell<Option<&'static KnownBug>> = const { Cell::new(None) });

    if !is_known(bug.id) {
        return Some(f());
    }
    HOOK.call_once(|| {
        // libfuzzer-sys's hook aborts the process; keep it for every panic but the expected one.
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let known = EXPECTED.with(Cell::get).is_some_and(|bug| {
                info.location().is_some_and(|l| l.file().ends_with(bug.file)) && message.contains(bug.message)
            });
            if !known {
                previous(info);
            }
        }));
    });
    EXPECTED.with(|e| e.set(Some(bug)));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    EXPECTED.with(|e| e.set(None));
    result.ok()
}

/// Whether `REDCAP_FUZZ_KNOWN` (comma-separated ids) names this known, unfixed bug.
pub fn is_known(id: &str) -> bool {
    static IDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        std::env::var("REDCAP_FUZZ_KNOWN")
            .unwrap_or_default()
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    })
    .iter()
    .any(|known| known == id)
}
