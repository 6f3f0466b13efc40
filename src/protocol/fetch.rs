//! Rules taken from the standards, as data: the token grammar
//! ([RFC 9110 §5.6.2](https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2)), the safelisted and forbidden methods and
//! the forbidden header names ([WHATWG Fetch](https://fetch.spec.whatwg.org/#terminology-headers)).
//! Each item links to its section.

/// [RFC 9110 `tchar`](https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2), as a table: one load per byte on the request path.
const TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = matches!(c,
            b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.'
            | b'^' | b'_' | b'`' | b'|' | b'~'
            | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z');
        b += 1;
    }
    table
};

/// [RFC 9110 `tchar`](https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2).
#[inline]
pub(crate) const fn is_tchar(b: u8) -> bool {
    TCHAR[b as usize]
}

/// [RFC 9110 `token`](https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2): one or more `tchar`. Methods
/// ([RFC 9110 §9.1](https://www.rfc-editor.org/rfc/rfc9110#section-9.1)) and field names
/// ([§5.1](https://www.rfc-editor.org/rfc/rfc9110#section-5.1)) are tokens.
#[inline]
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// Normalises a method the way `fetch()` does: a byte-case-insensitive match
/// for `DELETE`, `GET`, `HEAD`, `OPTIONS`, `POST` or `PUT` is upper-cased;
/// every other method is kept as written (methods are case-sensitive,
/// [RFC 9110 §9.1](https://www.rfc-editor.org/rfc/rfc9110#section-9.1)). [Fetch, "normalize a method"](https://fetch.spec.whatwg.org/#concept-method-normalize).
pub(crate) fn normalize_method(m: &str) -> String {
    const NORMALISED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    match NORMALISED.iter().find(|n| n.eq_ignore_ascii_case(m)) {
        Some(n) => (*n).to_owned(),
        None => m.to_owned(),
    }
}

/// [Fetch "forbidden method"](https://fetch.spec.whatwg.org/#forbidden-method): `CONNECT`,
/// `TRACE`, `TRACK`, any case.
pub(crate) fn is_forbidden_method(m: &[u8]) -> bool {
    [&b"CONNECT"[..], b"TRACE", b"TRACK"]
        .iter()
        .any(|f| f.eq_ignore_ascii_case(m))
}

/// [Fetch "CORS-safelisted method"](https://fetch.spec.whatwg.org/#cors-safelisted-method): `GET`,
/// `HEAD`, `POST`, byte-exact. A preflight always allows them
/// ([CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch), the method check).
#[inline]
pub(crate) fn is_safelisted_method(m: &[u8]) -> bool {
    matches!(m, b"GET" | b"HEAD" | b"POST")
}

/// [Fetch "forbidden request-header"](https://fetch.spec.whatwg.org/#forbidden-request-header) names (lower-case input): headers that
/// scripts can never set, so allowing them in a preflight means nothing.
pub(crate) fn is_forbidden_request_header(lower: &str) -> bool {
    FORBIDDEN_REQUEST_HEADERS.contains(&lower)
        || lower.starts_with("proxy-")
        || lower.starts_with("sec-")
}

/// The forbidden request-header names listed one by one (`proxy-` and `sec-`
/// prefixes aside).
const FORBIDDEN_REQUEST_HEADERS: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// [Fetch "forbidden response-header name"](https://fetch.spec.whatwg.org/#forbidden-response-header-name):
/// never exposed to scripts.
pub(crate) fn is_forbidden_response_header(lower: &str) -> bool {
    lower == "set-cookie" || lower == "set-cookie2"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tchar_table_matches_the_grammar() {
        let specials = b"!#$%&'*+-.^_`|~";
        for b in 0..=255u8 {
            let expected = b.is_ascii_alphanumeric() || specials.contains(&b);
            assert_eq!(is_tchar(b), expected, "{b}");
        }
    }

    #[test]
    fn tokens() {
        assert!(is_token(b"GET"));
        assert!(is_token(b"x-custom_1.a~"));
        assert!(!is_token(b""));
        assert!(!is_token(b"GE T"));
        assert!(!is_token(b"a,b"));
        assert!(!is_token("é".as_bytes()));
    }

    /// The layer's rules and the browser model's (`strict-cors-model`) are
    /// written apart on purpose: the model is the oracle the layer is
    /// tested against, so neither depends on the other. Here they must
    /// agree, name by name and method by method.
    #[test]
    fn the_same_rules_as_the_browser_model() {
        use strict_cors_model as model;
        let mut names: Vec<&str> = vec![
            "proxy-authorization",
            "sec-fetch-site",
            "sec-",
            "proxy-",
            "x-sec",
            "x-proxy",
            "content-type",
            "authorization",
            "x-requested-with",
            "accept",
            "cookies",
            "origin2",
        ];
        for name in FORBIDDEN_REQUEST_HEADERS {
            names.push(name);
        }
        for name in names {
            assert_eq!(
                is_forbidden_request_header(name),
                model::is_forbidden_request_header(name, b""),
                "{name}"
            );
        }
        for m in [
            "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
            "TRACK", "connect", "trace", "track", "get", "post", "Get", "QUERY",
        ] {
            let b = m.as_bytes();
            assert_eq!(is_forbidden_method(b), model::is_forbidden_method(b), "{m}");
            assert_eq!(
                is_safelisted_method(b),
                model::is_cors_safelisted_method(m),
                "{m}"
            );
        }
        for t in [
            "GET",
            "x-a_b.c~",
            "",
            "a b",
            "a,b",
            "é",
            "a\tb",
            "!#$%&'*+-.^_`|~",
        ] {
            assert_eq!(
                is_token(t.as_bytes()),
                model::is_token(t.as_bytes()),
                "{t:?}"
            );
        }
    }

    #[test]
    fn forbidden_headers() {
        for h in [
            "cookie",
            "host",
            "origin",
            "content-length",
            "sec-fetch-mode",
            "proxy-x",
        ] {
            assert!(is_forbidden_request_header(h), "{h}");
        }
        for h in ["content-type", "authorization", "x-sec", "x-proxy"] {
            assert!(!is_forbidden_request_header(h), "{h}");
        }
    }
}
