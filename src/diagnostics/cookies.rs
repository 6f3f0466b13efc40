//! The cookie audit: warns when an allowed, credentialed response sets a
//! cookie that the browser will drop or never send back cross-site
//! ([RFC 6265bis, "SameSite"](https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-5.6.7)).
//! Reads the decision; never logs a cookie value.
// Without the `tracing` feature there is nowhere to report to.
#![cfg_attr(not(feature = "tracing"), allow(dead_code, unused_imports))]

use std::sync::Arc;

use http::uri::Authority;
use http::{HeaderMap, HeaderValue, Request};

use super::rate_limit::Runtime;
use crate::protocol::{Decision, Grant, RequestKind, Shown};

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
///
/// The name is what precedes the first `=` of the name-value pair; a pair
/// without `=` is a cookie with an empty name whose *value* is the whole
/// pair ([RFC 6265bis §5.6, the `Set-Cookie` parsing algorithm](https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-5.6)),
/// so the name returned is then empty: the value is never returned.
pub(crate) fn check_cookie(value: &[u8], site: Site) -> Option<(&[u8], CookieProblem)> {
    let mut parts = value.split(|&b| b == b';');
    let pair = parts.next()?;
    let name = match pair.iter().position(|&b| b == b'=') {
        Some(eq) => pair[..eq].trim_ascii(),
        None => &[][..],
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

/// A cookie audit armed for one request: made from the decision and the
/// request when the request starts, run on the inner service's response.
#[derive(Debug)]
pub(crate) struct CookieAudit {
    host: ApiHost,
    runtime: Arc<Runtime>,
}

/// The API's own host as the request named it (`Host`, or the target's
/// authority in HTTP/2), held (a reference count, no copy) so that the
/// site, which takes public suffix lookups, is worked out only for a
/// response that sets a cookie.
#[derive(Debug)]
enum ApiHost {
    Header(HeaderValue),
    Authority(Authority),
    Unknown,
}

impl ApiHost {
    fn bytes(&self) -> Option<&[u8]> {
        match self {
            ApiHost::Header(v) => Some(v.as_bytes()),
            ApiHost::Authority(a) => Some(a.as_str().as_bytes()),
            ApiHost::Unknown => None,
        }
    }
}

impl CookieAudit {
    /// An audit for an allowed, credentialed actual request, when `WARN`
    /// events of `strict_cors` are enabled; `None` (no work at all) otherwise.
    #[inline]
    pub(crate) fn arm<B>(
        decision: &Decision,
        req: &Request<B>,
        runtime: &Arc<Runtime>,
    ) -> Option<Self> {
        #[cfg(feature = "tracing")]
        if decision.kind() == RequestKind::Actual
            && decision.is_allowed()
            && decision.is_credentialed()
            && tracing::enabled!(target: "strict_cors", tracing::Level::WARN)
        {
            let host = match (req.headers().get(http::header::HOST), req.uri().authority()) {
                (Some(h), _) => ApiHost::Header(h.clone()),
                (None, Some(a)) => ApiHost::Authority(a.clone()),
                (None, None) => ApiHost::Unknown,
            };
            return Some(CookieAudit {
                host,
                runtime: runtime.clone(),
            });
        }
        let _ = (decision, req, runtime);
        None
    }

    /// Audits the `Set-Cookie` headers of the response. A response without
    /// one (most) costs one lookup.
    pub(crate) fn run(&self, grant: &Grant, headers: &HeaderMap) {
        let mut cookies = headers.get_all(http::header::SET_COOKIE).iter().peekable();
        if cookies.peek().is_none() {
            return;
        }
        // A credentialed grant echoes the request's `Origin` (`*` never
        // comes with credentials): no second lookup of it.
        let origin = grant.allow_origin().map_or(&[][..], |o| o.as_bytes());
        let site = match origin.is_empty() {
            true => Site::Unknown,
            false => site_of(origin, self.host.bytes()),
        };
        audit_cookies(&self.runtime, site, origin, cookies);
    }
}

/// Audits the `Set-Cookie` headers of an allowed credentialed response.
#[cfg(feature = "tracing")]
fn audit_cookies<'a>(
    runtime: &Runtime,
    site: Site,
    origin: &[u8],
    cookies: impl Iterator<Item = &'a HeaderValue>,
) {
    for value in cookies {
        if let Some((name, problem)) = check_cookie(value.as_bytes(), site) {
            if let Some(suppressed) = runtime.cookie_warnings.admit() {
                // A nameless cookie is named by that fact, never by its value.
                let shown = if name.is_empty() { "(nameless)" } else { "" };
                tracing::warn!(
                    target: "strict_cors",
                    reason = problem.code(),
                    cookie = %Shown(name),
                    origin = %Shown(origin),
                    suppressed,
                    "cookie {}{} will not work cross-site: {}",
                    Shown(name),
                    shown,
                    problem.fix()
                );
            }
        }
    }
}

/// Without the `tracing` feature there is nowhere to report to.
#[cfg(not(feature = "tracing"))]
fn audit_cookies<'a>(_: &Runtime, _: Site, _: &[u8], _: impl Iterator<Item = &'a HeaderValue>) {}

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
        // No `=`: the pair is the value (RFC 6265bis §5.6), the name is empty.
        assert_eq!(
            c("s3cr3t-value; Path=/; HttpOnly", Site::Cross),
            Some((b"".to_vec(), NotSentCrossSite))
        );
        assert_eq!(
            c(" =s3cr3t; SameSite=None", Site::Same),
            Some((b"".to_vec(), NoneWithoutSecure))
        );
    }
}
