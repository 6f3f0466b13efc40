//! The cross-site request forgery guard (opt-in,
//! [`csrf_protection`](crate::CorsBuilder::csrf_protection)): which requests
//! it judges, which paths it leaves alone, and the request's own host.
//!
//! The verdict itself is one branch of `Policy::decide` (`evaluate.rs`), so
//! that it is a [`Decision`](super::Decision) like any other. Everything here
//! reads the request in place and allocates nothing.
//!
//! Modelled on Go 1.25's `net/http.CrossOriginProtection`, with the CORS
//! allowlist as the trusted origins; the signals are
//! [Fetch Metadata](https://w3c.github.io/webappsec-fetch-metadata/)'s
//! `Sec-Fetch-Site` and the [`Origin`](https://www.rfc-editor.org/rfc/rfc6454#section-7)
//! header, which browsers send on every non-`GET`/`HEAD` request and on
//! every [WebSocket handshake](https://www.rfc-editor.org/rfc/rfc6455#section-4.1).

use http::header::{HOST, UPGRADE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};

use super::lookup::single;

/// `Sec-Fetch-Site` ([Fetch Metadata, §2.4](https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-site-header)).
pub(crate) const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// The compiled guard: the exempt paths, split by kind.
#[derive(Debug, Clone, Default)]
pub(crate) struct CsrfGuard {
    /// Every exempt path once, in configuration order (for `config()`).
    configured: Box<[Box<str>]>,
    /// Exact paths, sorted (binary search).
    exact: Box<[Box<str>]>,
    /// Prefixes, each ending in `/`.
    prefixes: Box<[Box<str>]>,
}

impl CsrfGuard {
    /// A guard exempting these (validated) paths: an entry ending in `/` is
    /// a prefix, any other an exact path.
    pub(crate) fn new<'a>(paths: impl Iterator<Item = &'a str>) -> Self {
        let mut exact: Vec<Box<str>> = Vec::new();
        let mut prefixes: Vec<Box<str>> = Vec::new();
        let mut configured: Vec<Box<str>> = Vec::new();
        for p in paths {
            if !configured.iter().any(|q| &**q == p) {
                configured.push(p.into());
            }
            let list = if p.ends_with('/') {
                &mut prefixes
            } else {
                &mut exact
            };
            if !list.iter().any(|q| &**q == p) {
                list.push(p.into());
            }
        }
        exact.sort_unstable();
        CsrfGuard {
            configured: configured.into_boxed_slice(),
            exact: exact.into_boxed_slice(),
            prefixes: prefixes.into_boxed_slice(),
        }
    }

    /// The exempt paths, each once, in configuration order.
    pub(crate) fn exempt_paths(&self) -> impl Iterator<Item = &str> {
        self.configured.iter().map(|p| &**p)
    }

    /// Whether the request is one the guard judges (§6 step 1): every
    /// method but `GET`, `HEAD` and `OPTIONS`, and a `GET` that asks for a
    /// WebSocket.
    #[inline]
    pub(crate) fn judges(method: &Method, headers: &HeaderMap) -> bool {
        match *method {
            Method::GET => is_websocket_handshake(headers),
            Method::HEAD | Method::OPTIONS => false,
            _ => true,
        }
    }

    /// Whether `path` is exempt (§6 step 2): byte-exact, not decoded.
    #[inline]
    pub(crate) fn exempts(&self, path: &str) -> bool {
        self.exact.binary_search_by(|p| (**p).cmp(path)).is_ok()
            || self.prefixes.iter().any(|p| path.starts_with(&**p))
    }
}

/// A [WebSocket opening handshake](https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1):
/// `Upgrade` lists the `websocket` protocol (case-insensitive, on any line,
/// with or without a `/version`).
#[inline]
pub(crate) fn is_websocket_handshake(headers: &HeaderMap) -> bool {
    headers.get_all(UPGRADE).iter().any(|line| {
        line.as_bytes().split(|&b| b == b',').any(|proto| {
            let proto = proto.trim_ascii();
            let name = proto.split(|&b| b == b'/').next().unwrap_or(proto);
            name.eq_ignore_ascii_case(b"websocket")
        })
    })
}

/// Whether the origin's `host[:port]` is the request's own (§6 step 4):
/// the URI's authority (HTTP/2's `:authority`, or an absolute-form
/// request target, which [RFC 9112 §3.2.2](https://www.rfc-editor.org/rfc/rfc9112#section-3.2.2)
/// puts before `Host`), otherwise the single `Host` header. Compared
/// ASCII-case-insensitively; the scheme is not compared (behind a TLS
/// terminator the server cannot know it), but it gives the default port:
/// `Host: api.example.com:443` is the host of `https://api.example.com`
/// ([RFC 9110 §4.2.3](https://www.rfc-editor.org/rfc/rfc9110#section-4.2.3)),
/// not of `http://api.example.com`.
#[inline]
pub(crate) fn is_same_host(origin: &HeaderValue, uri: &Uri, headers: &HeaderMap) -> bool {
    let origin = origin.as_bytes();
    let Some(at) = origin.windows(3).position(|w| w == b"://") else {
        return false;
    };
    let origin_host = &origin[at + 3..];
    let own: &[u8] = match uri.authority() {
        // Without user info: `user@host` is never an origin's host.
        Some(a) => {
            let a = a.as_str().as_bytes();
            match a.iter().rposition(|&b| b == b'@') {
                Some(i) => &a[i + 1..],
                None => a,
            }
        }
        None => match single(headers, &HOST).one() {
            Some(h) => h.as_bytes().trim_ascii(),
            None => return false,
        },
    };
    if own.is_empty() {
        return false;
    }
    if origin_host.eq_ignore_ascii_case(own) {
        return true;
    }
    // RFC 9110 §4.2.3: `host:443` is `host` for https (`:80` for http).
    // An `Origin` is serialised without its default port
    // (https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin),
    // so only the request's side is normalised.
    let default_port: &[u8] = match &origin[..at] {
        b"https" => b":443",
        b"http" => b":80",
        _ => return false,
    };
    match own.strip_suffix(default_port) {
        Some(host) => !host.is_empty() && origin_host.eq_ignore_ascii_case(host),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.append(*n, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn websocket_token_is_case_insensitive_and_listed() {
        for v in [
            "websocket",
            "WebSocket",
            "h2c, websocket",
            " WEBSOCKET ",
            "websocket/13",
        ] {
            assert!(is_websocket_handshake(&headers(&[("upgrade", v)])), "{v}");
        }
        for v in ["h2c", "websockets", "web socket", ""] {
            assert!(!is_websocket_handshake(&headers(&[("upgrade", v)])), "{v}");
        }
        assert!(!is_websocket_handshake(&HeaderMap::new()));
    }

    #[test]
    fn exempt_paths_exact_or_prefix() {
        let g = CsrfGuard::new(["/webhooks/", "/oauth/callback"].into_iter());
        assert!(g.exempts("/webhooks/stripe"));
        assert!(g.exempts("/webhooks/"));
        assert!(!g.exempts("/webhooks"));
        assert!(!g.exempts("/webhooksevil"));
        assert!(g.exempts("/oauth/callback"));
        assert!(!g.exempts("/oauth/callback/x"));
        assert!(!g.exempts("/oauth/callbackx"));
        assert!(!g.exempts("/OAUTH/callback"));
    }

    #[test]
    fn same_host_uses_authority_then_host() {
        let o = HeaderValue::from_static("https://api.example.com");
        let uri: Uri = "/x".parse().unwrap();
        assert!(is_same_host(
            &o,
            &uri,
            &headers(&[("host", "api.example.com")])
        ));
        assert!(is_same_host(
            &o,
            &uri,
            &headers(&[("host", "API.example.com")])
        ));
        assert!(!is_same_host(
            &o,
            &uri,
            &headers(&[("host", "api.example.com:8443")])
        ));
        assert!(!is_same_host(&o, &uri, &HeaderMap::new()));
        let two = headers(&[("host", "api.example.com"), ("host", "api.example.com")]);
        assert!(!is_same_host(&o, &uri, &two));
        let abs: Uri = "https://api.example.com/x".parse().unwrap();
        assert!(is_same_host(&o, &abs, &headers(&[("host", "evil.net")])));
        let evil = HeaderValue::from_static("https://api.example.com.evil.net");
        assert!(!is_same_host(
            &evil,
            &uri,
            &headers(&[("host", "api.example.com")])
        ));
        assert!(!is_same_host(
            &HeaderValue::from_static("null"),
            &uri,
            &headers(&[("host", "null")])
        ));
    }

    /// RFC 9110 §4.2.3: an authority with the scheme's default port is the
    /// same as one without it; the Origin's scheme says which port that is.
    #[test]
    fn same_host_explicit_default_port_is_the_same_origin() {
        let uri: Uri = "/x".parse().unwrap();
        let https = HeaderValue::from_static("https://api.example.com");
        let http = HeaderValue::from_static("http://api.example.com");
        let host = |h: &'static str| headers(&[("host", h)]);
        assert!(is_same_host(&https, &uri, &host("api.example.com:443")));
        assert!(is_same_host(&http, &uri, &host("api.example.com:80")));
        // Another scheme's default port is another origin.
        assert!(!is_same_host(&http, &uri, &host("api.example.com:443")));
        assert!(!is_same_host(&https, &uri, &host("api.example.com:80")));
        assert!(!is_same_host(&https, &uri, &host(":443")));
        // The URI authority (HTTP/2 `:authority`) the same way.
        let abs: Uri = "https://api.example.com:443/x".parse().unwrap();
        assert!(is_same_host(&https, &abs, &HeaderMap::new()));
        // IPv6 literals keep their brackets on both sides.
        let v6 = HeaderValue::from_static("http://[::1]:8080");
        assert!(is_same_host(&v6, &uri, &host("[::1]:8080")));
        assert!(!is_same_host(&v6, &uri, &host("[::1]:8081")));
        assert!(!is_same_host(&v6, &uri, &host("[::2]:8080")));
        let v6_default = HeaderValue::from_static("https://[::1]");
        assert!(is_same_host(&v6_default, &uri, &host("[::1]:443")));
        assert!(is_same_host(&v6_default, &uri, &host("[::1]")));
        // An Origin is never serialised with its default port: not trusted.
        let odd = HeaderValue::from_static("https://api.example.com:443");
        assert!(!is_same_host(&odd, &uri, &host("api.example.com")));
    }
}
