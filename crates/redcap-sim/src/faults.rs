//! Fault knobs: make the simulator slow, broken, or rude, at runtime.

use std::time::Duration;

/// What to do instead of a normal answer on `/api/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// HTTP 500 with an HTML error page (what a PHP fatal error behind Apache looks like).
    ServerError,
    /// HTTP 500 with an empty body.
    EmptyServerError,
    /// Any status with any body (`text/html`), e.g. `503` from a maintenance page.
    Status(u16, String),
    /// HTTP 200 with a PHP warning instead of the answer.
    Malformed,
    /// HTTP 200 with the real answer cut in half.
    Truncated,
    /// Close the socket without any HTTP answer.
    DropConnection,
}

/// The fault settings; [`Faults::default`] is "behave normally".
///
/// ```
/// use std::time::Duration;
/// use redcap_sim::{Failure, Faults};
/// let slow = Faults::latency(Duration::from_millis(300));
/// let flaky = Faults::failing(Failure::ServerError).times(2); // the next 2 calls fail
/// # let _ = (slow, flaky);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Added before every `/api/` answer (also before failures).
    pub latency: Duration,
    /// Answer this way instead of normally.
    pub failure: Option<Failure>,
    /// Apply to the next N `/api/` requests only, then behave normally again; `None`: until
    /// cleared.
    pub remaining: Option<u32>,
}

impl Faults {
    /// Only added latency.
    pub fn latency(latency: Duration) -> Self {
        Faults {
            latency,
            ..Faults::default()
        }
    }

    /// Only a failure.
    pub fn failing(failure: Failure) -> Self {
        Faults {
            failure: Some(failure),
            ..Faults::default()
        }
    }

    /// Adds latency to these faults.
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Limits these faults to the next `n` requests.
    pub fn times(mut self, n: u32) -> Self {
        self.remaining = Some(n);
        self
    }

    /// Takes the faults for one request, counting down `remaining`.
    pub(crate) fn take(&mut self) -> Faults {
        let now = self.clone();
        match &mut self.remaining {
            Some(0) => {
                *self = Faults::default();
                return Faults::default();
            }
            Some(n) => {
                *n -= 1;
                if *n == 0 {
                    *self = Faults::default();
                }
            }
            None => {}
        }
        now
    }
}

/// The HTML a PHP fatal error produces behind Apache.
pub(crate) const SERVER_ERROR_PAGE: &str = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n\
<html><head>\n<title>500 Internal Server Error</title>\n</head><body>\n\
<h1>Internal Server Error</h1>\n<p>The server encountered an internal error or\n\
misconfiguration and was unable to complete your request.</p>\n</body></html>\n";

/// A PHP warning where an answer should be.
pub(crate) const MALFORMED_BODY: &str = "<br />\n<b>Fatal error</b>:  Allowed memory size of \
134217728 bytes exhausted (tried to allocate 20480 bytes) in <b>/var/www/redcap/redcap_v14.5.10/\
Classes/Survey.php</b> on line <b>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_counts_down_then_clears() {
        let mut f = Faults::failing(Failure::Malformed).times(2);
        assert_eq!(f.take().failure, Some(Failure::Malformed));
        assert_eq!(f.take().failure, Some(Failure::Malformed));
        assert_eq!(f.take().failure, None);
        assert_eq!(f, Faults::default());
    }

    #[test]
    fn unlimited_stays() {
        let mut f = Faults::latency(Duration::from_millis(5));
        for _ in 0..3 {
            assert_eq!(f.take().latency, Duration::from_millis(5));
        }
    }
}
