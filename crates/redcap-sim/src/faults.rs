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
    /// HTTP 200, `text/html`: the page REDCap's bootstrap prints when it cannot reach its
    /// database ("CRITICAL ERROR: REDCap server is offline!"), whatever was asked.
    DatabaseOffline,
    /// HTTP 200 with an empty body.
    EmptyOk,
    /// A web server, WAF or proxy in front of REDCap answers `/api/` with its own HTML page.
    FrontEnd(FrontEndPage),
    /// REDCap's "System Offline" mode: HTTP 400 in the requested envelope (`returnFormat`, else
    /// `format`, else xml) with the administrator's own free text — any words at all.
    Maintenance(String),
}

/// Who wrote a front end's error page (the markup differs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontEnd {
    /// nginx's built-in pages (`<center><h1>403 Forbidden</h1></center>`…).
    Nginx,
    /// Apache httpd's built-in pages (`<!DOCTYPE HTML PUBLIC …><title>403 Forbidden</title>`…).
    Apache,
}

/// A front end's own error page: who wrote it and its status (401, 403, 404, 405, 502,
/// 503, 504 are the ones seen in front of REDCap; any status works).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrontEndPage {
    /// nginx or Apache.
    pub server: FrontEnd,
    /// The HTTP status, e.g. 403.
    pub status: u16,
}

impl FrontEndPage {
    /// nginx's page for `status`.
    pub fn nginx(status: u16) -> Self {
        FrontEndPage {
            server: FrontEnd::Nginx,
            status,
        }
    }

    /// Apache's page for `status`.
    pub fn apache(status: u16) -> Self {
        FrontEndPage {
            server: FrontEnd::Apache,
            status,
        }
    }

    /// The page's HTML.
    pub fn body(&self) -> String {
        match self.server {
            FrontEnd::Nginx => format!(
                "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n\
<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                code = self.status,
                reason = nginx_reason(self.status)
            ),
            FrontEnd::Apache => {
                let (reason, text) = apache_text(self.status);
                format!(
                    "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n\
<title>{code} {reason}</title>\n</head><body>\n<h1>{reason}</h1>\n<p>{text}</p>\n<hr>\n\
<address>Apache/2.4.62 (Debian) Server at redcap.example.edu Port 443</address>\n\
</body></html>\n",
                    code = self.status
                )
            }
        }
    }
}

fn nginx_reason(status: u16) -> &'static str {
    match status {
        401 => "Authorization Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Not Allowed",
        502 => "Bad Gateway",
        503 => "Service Temporarily Unavailable",
        504 => "Gateway Time-out",
        _ => "Error",
    }
}

fn apache_text(status: u16) -> (&'static str, &'static str) {
    match status {
        401 => ("Unauthorized", "This server could not verify that you are authorized to access the document requested."),
        403 => ("Forbidden", "You don't have permission to access this resource."),
        404 => ("Not Found", "The requested URL was not found on this server."),
        405 => ("Method Not Allowed", "The requested method POST is not allowed for this URL."),
        502 => ("Proxy Error", "The proxy server received an invalid response from an upstream server."),
        503 => ("Service Unavailable", "The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later."),
        504 => ("Gateway Timeout", "The gateway did not receive a timely response from the upstream server or application."),
        _ => ("Error", "The server could not answer this request."),
    }
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

/// The page REDCap's bootstrap prints, with status 200, when it cannot reach its database
/// (as `db_connect()` writes it; the administrators' details stay hidden).
pub(crate) const DATABASE_OFFLINE_PAGE: &str = "<div style=\"font: normal 12px Verdana, Arial;\
padding:20px;border: 1px solid red;color: #800000;max-width: 600px;background: #FFE1E1;\">\n\
<div style=\"font-weight:bold;font-size:15px;padding-bottom:5px;\">\n\
CRITICAL ERROR: REDCap server is offline!\n</div>\n<div>\n\
For unknown reasons, REDCap cannot communicate with its database server, which may be offline. \
Please contact your local REDCap administrator to inform them of this issue immediately. \
We are sorry for any inconvenience.\n</div>\n</div>\n";

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
