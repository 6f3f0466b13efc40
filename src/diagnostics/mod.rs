//! Diagnostics for the 2 AM runbook: why a request was refused (tracing
//! events and, in debug mode, a response header), and an audit of cookies
//! that browsers will drop or not send.
//!
//! Nothing here logs a cookie value or an `Authorization` value: events carry
//! the origin, the methods, the offending header *name* and a reason code.
// Without the `tracing` feature only debug mode's reason header is used.
#![cfg_attr(not(feature = "tracing"), allow(dead_code, unused_imports))]

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use http::{HeaderMap, HeaderValue};

use crate::protocol::{Decision, Evaluation, Rejection};

/// The debug-mode response header naming why a request was refused.
pub(crate) const REASON_HEADER: &str = "x-cors-debug";

/// Longest slice of request bytes put in an event or a debug header.
const MAX_SHOWN: usize = 256;

/// Request bytes as printable, escaped, bounded text (no allocation).
pub(crate) struct Shown<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = &self.0[..self.0.len().min(MAX_SHOWN)];
        write!(f, "{}", bytes.escape_ascii())?;
        if self.0.len() > MAX_SHOWN {
            write!(f, "...({} bytes)", self.0.len())?;
        }
        Ok(())
    }
}

/// The value of the debug-mode reason header, e.g.
/// `header_not_allowed: x-custom`.
pub(crate) fn reason_value(eval: &Evaluation<'_>, rejection: Rejection) -> HeaderValue {
    let detail: Option<&[u8]> = match rejection {
        Rejection::OriginNotAllowed => eval.origin.map(|o| o.as_bytes()),
        Rejection::MethodNotAllowed | Rejection::InvalidMethod => {
            eval.requested_method.map(|m| m.as_bytes())
        }
        Rejection::HeaderNotAllowed => eval.offending_header,
        Rejection::MalformedHeaders => None,
    };
    let text = match detail {
        Some(d) => format!("{}: {}", rejection.code(), Shown(d)),
        None => rejection.code().to_owned(),
    };
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("refused"))
}

/// Emits the event for a refused (or malformed) request.
#[cfg(feature = "tracing")]
pub(crate) fn report(
    unknown_origin_level: tracing::Level,
    method: &http::Method,
    eval: &Evaluation<'_>,
) {
    use tracing::Level;

    macro_rules! event_at {
        ($level:expr, $($rest:tt)*) => {
            match $level {
                Level::ERROR => tracing::event!(target: "strict_cors", Level::ERROR, $($rest)*),
                Level::WARN => tracing::event!(target: "strict_cors", Level::WARN, $($rest)*),
                Level::INFO => tracing::event!(target: "strict_cors", Level::INFO, $($rest)*),
                Level::DEBUG => tracing::event!(target: "strict_cors", Level::DEBUG, $($rest)*),
                _ => tracing::event!(target: "strict_cors", Level::TRACE, $($rest)*),
            }
        };
    }

    if eval.multiple_origins {
        tracing::warn!(
            target: "strict_cors",
            reason = "multiple_origins",
            method = %method,
            "request with several Origin headers treated as not CORS"
        );
        return;
    }
    let (rejection, preflight) = match &eval.decision {
        Decision::PreflightRejected(r) => (*r, true),
        Decision::ActualRejected(r) => (*r, false),
        _ => return,
    };
    let level = match rejection {
        Rejection::OriginNotAllowed => unknown_origin_level,
        Rejection::MethodNotAllowed | Rejection::HeaderNotAllowed => Level::INFO,
        Rejection::InvalidMethod | Rejection::MalformedHeaders => Level::WARN,
    };
    let origin = Shown(eval.origin.map_or(&[][..], |o| o.as_bytes()));
    let requested_method = Shown(eval.requested_method.map_or(&[][..], |m| m.as_bytes()));
    let header = Shown(eval.offending_header.unwrap_or_default());
    event_at!(
        level,
        reason = rejection.code(),
        preflight,
        origin = %origin,
        method = %method,
        requested_method = %requested_method,
        header = %header,
        "CORS request refused: {}",
        rejection
    );
}

/// How the request's origin relates to the API's host, for the cookie audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Site {
    /// Same site (same scheme-less registrable domain): SameSite cookies flow.
    Same,
    /// Cross-site: only `SameSite=None; Secure` cookies are sent.
    Cross,
    /// Not known (no `Host`, unparsable origin).
    Unknown,
}

/// Compares the site of an `Origin` with the site of the API's host.
pub(crate) fn site_of(origin: &[u8], api_host: Option<&[u8]>) -> Site {
    let Some(api_host) = api_host else {
        return Site::Unknown;
    };
    let Some(origin_host) = origin_host(origin) else {
        return Site::Unknown;
    };
    let api_host = strip_port(api_host);
    if origin_host.eq_ignore_ascii_case(api_host) {
        return Site::Same;
    }
    match (registrable(origin_host), registrable(api_host)) {
        (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => Site::Same,
        _ => Site::Cross,
    }
}

/// The host of a serialised origin `scheme://host[:port]`.
fn origin_host(origin: &[u8]) -> Option<&[u8]> {
    let pos = origin.windows(3).position(|w| w == b"://")?;
    Some(strip_port(&origin[pos + 3..]))
}

/// `host[:port]` → `host` (IPv6 literals keep their brackets).
fn strip_port(authority: &[u8]) -> &[u8] {
    if authority.first() == Some(&b'[') {
        return match authority.iter().position(|&b| b == b']') {
            Some(end) => &authority[..=end],
            None => authority,
        };
    }
    match authority.iter().rposition(|&b| b == b':') {
        Some(colon) => &authority[..colon],
        None => authority,
    }
}

/// The registrable domain (eTLD+1) of a host, from the public suffix list;
/// IP addresses and single-label hosts are their own site.
fn registrable(host: &[u8]) -> Option<&[u8]> {
    if host.first() == Some(&b'[') || host.iter().all(|b| b.is_ascii_digit() || *b == b'.') {
        return None;
    }
    psl::domain(host).map(|d| d.as_bytes())
}

/// A `Set-Cookie` problem worth a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CookieProblem {
    /// `SameSite=None` without `Secure`: every current browser drops it.
    NoneWithoutSecure,
    /// `SameSite=Lax`/`Strict` or no `SameSite` (Lax by default) on a
    /// cross-site response: the browser stores it but never sends it back on
    /// the cross-site `fetch` that needs it.
    NotSentCrossSite,
}

impl CookieProblem {
    pub(crate) fn code(self) -> &'static str {
        match self {
            CookieProblem::NoneWithoutSecure => "cookie_samesite_none_without_secure",
            CookieProblem::NotSentCrossSite => "cookie_not_sent_cross_site",
        }
    }

    pub(crate) fn fix(self) -> &'static str {
        match self {
            CookieProblem::NoneWithoutSecure => {
                "browsers drop SameSite=None cookies without Secure; add `Secure` (it works on http://localhost too)"
            }
            CookieProblem::NotSentCrossSite => {
                "the page is on another site, so this cookie will not be sent with credentials: 'include'; set `SameSite=None; Secure`"
            }
        }
    }
}

/// Checks one `Set-Cookie` value; returns the cookie's name and its problem.
pub(crate) fn check_cookie(value: &[u8], site: Site) -> Option<(&[u8], CookieProblem)> {
    let mut parts = value.split(|&b| b == b';');
    let pair = parts.next()?;
    let name = match pair.iter().position(|&b| b == b'=') {
        Some(eq) => pair[..eq].trim_ascii(),
        None => pair.trim_ascii(),
    };
    let mut secure = false;
    let mut same_site: Option<&[u8]> = None;
    for attr in parts {
        let attr = attr.trim_ascii();
        let (key, val) = match attr.iter().position(|&b| b == b'=') {
            Some(eq) => (attr[..eq].trim_ascii(), attr[eq + 1..].trim_ascii()),
            None => (attr, &[][..]),
        };
        if key.eq_ignore_ascii_case(b"secure") {
            secure = true;
        } else if key.eq_ignore_ascii_case(b"samesite") {
            same_site = Some(val);
        }
    }
    let none = same_site.is_some_and(|v| v.eq_ignore_ascii_case(b"none"));
    if none && !secure {
        return Some((name, CookieProblem::NoneWithoutSecure));
    }
    if !none && site == Site::Cross {
        return Some((name, CookieProblem::NotSentCrossSite));
    }
    None
}

/// At most one cookie warning per window, with a count of those held back.
#[derive(Debug)]
pub(crate) struct RateLimit {
    start: Instant,
    /// Seconds since `start` before which no event is emitted (+1, 0 = none yet).
    next: AtomicU64,
    suppressed: AtomicU64,
    window_secs: u64,
}

impl RateLimit {
    pub(crate) fn new(window_secs: u64) -> Self {
        RateLimit {
            start: Instant::now(),
            next: AtomicU64::new(0),
            suppressed: AtomicU64::new(0),
            window_secs,
        }
    }

    /// `Some(held back since the last one)` when an event may be emitted now.
    pub(crate) fn admit(&self) -> Option<u64> {
        let now = self.start.elapsed().as_secs() + 1;
        let next = self.next.load(Ordering::Relaxed);
        if now >= next
            && self
                .next
                .compare_exchange(
                    next,
                    now + self.window_secs,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
        {
            return Some(self.suppressed.swap(0, Ordering::Relaxed));
        }
        self.suppressed.fetch_add(1, Ordering::Relaxed);
        None
    }
}

/// Audits the `Set-Cookie` headers of an allowed credentialed response.
#[cfg(feature = "tracing")]
pub(crate) fn audit_cookies(limit: &RateLimit, site: Site, origin: &[u8], headers: &HeaderMap) {
    for value in headers.get_all(http::header::SET_COOKIE) {
        if let Some((name, problem)) = check_cookie(value.as_bytes(), site) {
            if let Some(suppressed) = limit.admit() {
                tracing::warn!(
                    target: "strict_cors",
                    reason = problem.code(),
                    cookie = %Shown(name),
                    origin = %Shown(origin),
                    suppressed,
                    "cookie {} will not work cross-site: {}",
                    Shown(name),
                    problem.fix()
                );
            }
        }
    }
}

/// Without the `tracing` feature there is nowhere to report to.
#[cfg(not(feature = "tracing"))]
pub(crate) fn audit_cookies(_: &RateLimit, _: Site, _: &[u8], _: &HeaderMap) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites() {
        let s = |o: &str, h: &str| site_of(o.as_bytes(), Some(h.as_bytes()));
        assert_eq!(s("https://app.example.com", "api.example.com"), Site::Same);
        assert_eq!(
            s("https://app.example.com", "api.example.com:8443"),
            Site::Same
        );
        assert_eq!(s("https://example.com", "example.com"), Site::Same);
        assert_eq!(
            s("https://app.example.co.uk", "api.example.co.uk"),
            Site::Same
        );
        assert_eq!(s("https://a.github.io", "b.github.io"), Site::Cross);
        assert_eq!(s("https://app.example.com", "api.example.net"), Site::Cross);
        assert_eq!(s("http://localhost:3000", "127.0.0.1:8080"), Site::Cross);
        assert_eq!(s("http://localhost:3000", "localhost:8080"), Site::Same);
        assert_eq!(s("http://127.0.0.1:3000", "127.0.0.1:8080"), Site::Same);
        assert_eq!(s("http://[::1]:3000", "[::1]:8080"), Site::Same);
        assert_eq!(site_of(b"https://a.com", None), Site::Unknown);
        assert_eq!(site_of(b"garbage", Some(b"a.com")), Site::Unknown);
    }

    #[test]
    fn cookies() {
        use CookieProblem::*;
        let c = |v: &str, site| check_cookie(v.as_bytes(), site).map(|(n, p)| (n.to_vec(), p));
        assert_eq!(
            c("sid=1; SameSite=None", Site::Same),
            Some((b"sid".to_vec(), NoneWithoutSecure))
        );
        assert_eq!(
            c("sid=1; SameSite=None; Secure; HttpOnly", Site::Cross),
            None
        );
        assert_eq!(c("sid=1; samesite=none; secure", Site::Cross), None);
        assert_eq!(
            c("sid=1; HttpOnly", Site::Cross),
            Some((b"sid".to_vec(), NotSentCrossSite))
        );
        assert_eq!(
            c("sid=1; SameSite=Lax; Secure", Site::Cross),
            Some((b"sid".to_vec(), NotSentCrossSite))
        );
        assert_eq!(c("sid=1; SameSite=Strict", Site::Same), None);
        assert_eq!(c("sid=1", Site::Unknown), None);
        assert_eq!(c("", Site::Cross), Some((b"".to_vec(), NotSentCrossSite)));
    }

    #[test]
    fn rate_limit_admits_one_per_window() {
        let l = RateLimit::new(60);
        assert_eq!(l.admit(), Some(0));
        assert_eq!(l.admit(), None);
        assert_eq!(l.admit(), None);
        assert_eq!(l.suppressed.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn shown_is_escaped_and_bounded() {
        assert_eq!(Shown(b"a\nb\xff").to_string(), "a\\nb\\xff");
        let long = vec![b'x'; 300];
        let s = Shown(&long).to_string();
        assert!(s.ends_with("...(300 bytes)"), "{s}");
        assert!(s.len() < 300);
    }
}
