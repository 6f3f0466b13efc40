//! Token lists: allowed methods and header names, and the bounded,
//! allocation-free parser for `Access-Control-Request-Headers`.

use http::HeaderValue;

/// RFC 9110 `tchar`, as a table: one load per byte on the request path.
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

/// RFC 9110 `tchar`.
#[inline]
pub(crate) const fn is_tchar(b: u8) -> bool {
    TCHAR[b as usize]
}

/// RFC 9110 `token`: one or more `tchar`.
#[inline]
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// Normalises a method the way `fetch()` does: a byte-case-insensitive match
/// for `DELETE`, `GET`, `HEAD`, `OPTIONS`, `POST` or `PUT` is upper-cased;
/// every other method is kept as written (methods are case-sensitive).
pub(crate) fn normalize_method(m: &str) -> String {
    const NORMALISED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    match NORMALISED.iter().find(|n| n.eq_ignore_ascii_case(m)) {
        Some(n) => (*n).to_owned(),
        None => m.to_owned(),
    }
}

/// Fetch "forbidden method": `CONNECT`, `TRACE`, `TRACK`, any case.
pub(crate) fn is_forbidden_method(m: &[u8]) -> bool {
    [&b"CONNECT"[..], b"TRACE", b"TRACK"]
        .iter()
        .any(|f| f.eq_ignore_ascii_case(m))
}

/// Fetch "CORS-safelisted method": `GET`, `HEAD`, `POST`, byte-exact.
#[inline]
pub(crate) fn is_safelisted_method(m: &[u8]) -> bool {
    matches!(m, b"GET" | b"HEAD" | b"POST")
}

/// Fetch "forbidden request-header" names (lower-case input): headers that
/// scripts can never set, so allowing them in a preflight means nothing.
pub(crate) fn is_forbidden_request_header(lower: &str) -> bool {
    const FORBIDDEN: [&str; 21] = [
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
    FORBIDDEN.contains(&lower) || lower.starts_with("proxy-") || lower.starts_with("sec-")
}

/// Fetch "forbidden response-header name": never exposed to scripts.
pub(crate) fn is_forbidden_response_header(lower: &str) -> bool {
    lower == "set-cookie" || lower == "set-cookie2"
}

/// The configured methods (normalised), or any.
#[derive(Debug, Clone)]
pub(crate) enum AllowedMethods {
    /// `*`: any method the request names (echoed back).
    Any,
    /// Exactly these methods, byte-exact, plus the safelisted ones.
    List(Box<[Box<[u8]>]>),
}

impl AllowedMethods {
    /// Whether a preflight's requested method (already checked to be a token,
    /// and not forbidden) is allowed.
    #[inline]
    pub(crate) fn allows(&self, method: &[u8]) -> bool {
        if is_safelisted_method(method) {
            return true;
        }
        match self {
            AllowedMethods::Any => true,
            AllowedMethods::List(list) => list.iter().any(|m| **m == *method),
        }
    }

    /// The configured list, for diagnostics.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        let list: &[Box<[u8]>] = match self {
            AllowedMethods::Any => &[],
            AllowedMethods::List(l) => l,
        };
        list.iter().filter_map(|m| std::str::from_utf8(m).ok())
    }
}

/// The configured request header names (lower-case, sorted, unique), or any.
#[derive(Debug, Clone)]
pub(crate) struct AllowedHeaders {
    /// `*` was configured.
    pub(crate) any: bool,
    /// Explicit names, lower-case, sorted, unique. With `any`, only names that
    /// mean something beside `*` (`authorization`) matter.
    names: Box<[Box<[u8]>]>,
    longest: usize,
}

/// Lists up to this long are scanned rather than binary-searched.
const SCAN_LIMIT: usize = 16;

/// Most names a wildcard (`*`) header configuration echoes in one preflight.
pub(crate) const MAX_WILDCARD_NAMES: usize = 128;
/// Longest header name a wildcard configuration echoes.
pub(crate) const MAX_WILDCARD_NAME_LEN: usize = 256;
/// Most bytes of `Access-Control-Request-Headers`, all lines together.
pub(crate) const MAX_REQUEST_HEADERS_BYTES: usize = 16 * 1024;
/// Most header lines of `Access-Control-Request-Headers`.
pub(crate) const MAX_REQUEST_HEADERS_LINES: usize = 16;
/// Most empty list elements (`a, , b`) tolerated, as RFC 9110 asks.
pub(crate) const MAX_EMPTY_ELEMENTS: usize = 16;

impl AllowedHeaders {
    pub(crate) fn new(any: bool, mut names: Vec<String>) -> Self {
        for n in &mut names {
            n.make_ascii_lowercase();
        }
        names.sort();
        names.dedup();
        let longest = names.iter().map(String::len).max().unwrap_or(0);
        AllowedHeaders {
            any,
            names: names
                .into_iter()
                .map(|n| n.into_bytes().into_boxed_slice())
                .collect(),
            longest,
        }
    }

    /// Case-insensitive membership, without allocating: a length-filtered
    /// scan for short lists (most names differ in length, so few bytes are
    /// compared), a binary search for long ones.
    #[inline]
    pub(crate) fn contains(&self, name: &[u8]) -> bool {
        if self.names.len() <= SCAN_LIMIT {
            return self
                .names
                .iter()
                .any(|n| n.len() == name.len() && (**n == *name || n.eq_ignore_ascii_case(name)));
        }
        self.names
            .binary_search_by(|probe| cmp_ignore_ascii_case(probe, name))
            .is_ok()
    }

    /// Whether one requested header name is allowed.
    #[inline]
    fn allows(&self, name: &[u8], credentials: bool) -> bool {
        if self.contains(name) {
            return true;
        }
        // `*` covers every name but `authorization`, unless credentials are on:
        // then the layer echoes the requested names, which browsers accept.
        self.any && (credentials || !name.eq_ignore_ascii_case(b"authorization"))
    }

    /// The configured names, for diagnostics.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.names
            .iter()
            .filter_map(|m| std::str::from_utf8(m).ok())
    }

    /// Checks every name of `Access-Control-Request-Headers` (all its lines)
    /// in one linear pass, without allocating. Bounded: a value longer than
    /// [`MAX_REQUEST_HEADERS_BYTES`], more names than could possibly be allowed,
    /// a name longer than any allowed one, or too many empty elements is
    /// refused before it is scanned further.
    pub(crate) fn check_request<'a, I>(
        &self,
        lines: impl Fn() -> I,
        credentials: bool,
    ) -> HeaderCheck<'a>
    where
        I: Iterator<Item = &'a HeaderValue>,
    {
        let mut total = 0usize;
        for (i, line) in lines().enumerate() {
            total += line.len();
            if i >= MAX_REQUEST_HEADERS_LINES || total > MAX_REQUEST_HEADERS_BYTES {
                return HeaderCheck::Malformed;
            }
        }
        let (max_names, max_len) = if self.any {
            (MAX_WILDCARD_NAMES, MAX_WILDCARD_NAME_LEN)
        } else {
            (self.names.len(), self.longest)
        };
        let mut names = 0usize;
        let mut empties = 0usize;
        for line in lines() {
            let bytes = line.as_bytes();
            let mut i = 0;
            loop {
                // Skip optional whitespace before the element.
                while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
                    i += 1;
                }
                let start = i;
                while i < bytes.len() && is_tchar(bytes[i]) {
                    i += 1;
                    if i - start > max_len {
                        return if self.any {
                            HeaderCheck::Malformed
                        } else {
                            HeaderCheck::NotAllowed(truncate(&bytes[start..]))
                        };
                    }
                }
                let name = &bytes[start..i];
                while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
                    i += 1;
                }
                if i < bytes.len() && bytes[i] != b',' {
                    return HeaderCheck::Malformed;
                }
                if name.is_empty() {
                    empties += 1;
                    if empties > MAX_EMPTY_ELEMENTS {
                        return HeaderCheck::Malformed;
                    }
                } else {
                    names += 1;
                    if names > max_names {
                        return if self.any {
                            HeaderCheck::Malformed
                        } else {
                            HeaderCheck::NotAllowed(name)
                        };
                    }
                    if !self.allows(name, credentials) {
                        return HeaderCheck::NotAllowed(name);
                    }
                }
                if i >= bytes.len() {
                    break;
                }
                i += 1; // the comma
            }
        }
        if names == 0 {
            HeaderCheck::Empty
        } else {
            HeaderCheck::Allowed
        }
    }
}

/// At most this many bytes of an offending name are reported.
const MAX_REPORTED_NAME: usize = 64;

fn truncate(name: &[u8]) -> &[u8] {
    let end = name
        .iter()
        .take(MAX_REPORTED_NAME)
        .position(|b| !is_tchar(*b))
        .unwrap_or(name.len().min(MAX_REPORTED_NAME));
    &name[..end]
}

/// The result of checking `Access-Control-Request-Headers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderCheck<'a> {
    /// No names at all (absent, empty, or only empty elements).
    Empty,
    /// Every name is allowed.
    Allowed,
    /// This name (borrowed from the request, at most 64 bytes) is not allowed.
    NotAllowed(&'a [u8]),
    /// Not a list of tokens, or over the bounds.
    Malformed,
}

fn cmp_ignore_ascii_case(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let n = a.len().min(b.len());
    for i in 0..n {
        let (x, y) = (a[i].to_ascii_lowercase(), b[i].to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hv(s: &str) -> HeaderValue {
        HeaderValue::from_str(s).unwrap()
    }

    /// The check, with `NotAllowed` flattened to its name for comparison.
    fn check(allowed: &AllowedHeaders, lines: &[&str], credentials: bool) -> HeaderCheck<'static> {
        let values: Vec<HeaderValue> = lines.iter().map(|s| hv(s)).collect();
        match allowed.check_request(|| values.iter(), credentials) {
            HeaderCheck::NotAllowed(_) => HeaderCheck::NotAllowed(b""),
            HeaderCheck::Empty => HeaderCheck::Empty,
            HeaderCheck::Allowed => HeaderCheck::Allowed,
            HeaderCheck::Malformed => HeaderCheck::Malformed,
        }
    }

    #[test]
    fn long_lists_are_searched_like_short_ones() {
        let names: Vec<String> = (0..100).map(|i| format!("X-Header-{i}")).collect();
        let long = AllowedHeaders::new(false, names.clone());
        let short = AllowedHeaders::new(false, names[..10].to_vec());
        for i in 0..100 {
            let lower = format!("x-header-{i}");
            assert!(long.contains(lower.as_bytes()));
            assert!(long.contains(lower.to_uppercase().as_bytes()));
            assert_eq!(short.contains(lower.as_bytes()), i < 10);
        }
        assert!(!long.contains(b"x-header-100"));
        assert!(!long.contains(b"x-header"));
        assert!(!short.contains(b""));
    }

    #[test]
    fn tchar_table_matches_the_grammar() {
        let specials = b"!#$%&'*+-.^_`|~";
        for b in 0..=255u8 {
            let expected = b.is_ascii_alphanumeric() || specials.contains(&b);
            assert_eq!(is_tchar(b), expected, "{b}");
        }
    }

    #[test]
    fn the_offending_name_is_reported() {
        let a = AllowedHeaders::new(false, vec!["content-type".into()]);
        let v = [hv("content-type, X-Other ,x-third")];
        assert_eq!(
            a.check_request(|| v.iter(), true),
            HeaderCheck::NotAllowed(b"X-Other")
        );
        let long = [hv(&"y".repeat(500))];
        assert_eq!(
            a.check_request(|| long.iter(), true),
            HeaderCheck::NotAllowed("y".repeat(64).as_bytes())
        );
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

    #[test]
    fn methods() {
        assert_eq!(normalize_method("get"), "GET");
        assert_eq!(normalize_method("Delete"), "DELETE");
        assert_eq!(normalize_method("patch"), "patch");
        assert_eq!(normalize_method("PATCH"), "PATCH");
        assert!(is_forbidden_method(b"connect"));
        assert!(is_forbidden_method(b"TRACK"));
        assert!(!is_forbidden_method(b"POST"));
        let list = AllowedMethods::List(vec![b"PUT".to_vec().into_boxed_slice()].into());
        assert!(list.allows(b"PUT"));
        assert!(list.allows(b"GET"));
        assert!(!list.allows(b"put"));
        assert!(!list.allows(b"DELETE"));
        assert!(AllowedMethods::Any.allows(b"PATCH"));
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

    #[test]
    fn request_headers_list() {
        let a = AllowedHeaders::new(false, vec!["Content-Type".into(), "authorization".into()]);
        assert!(a.contains(b"CONTENT-TYPE"));
        assert_eq!(check(&a, &["content-type"], true), HeaderCheck::Allowed);
        assert_eq!(
            check(&a, &["authorization,content-type"], true),
            HeaderCheck::Allowed
        );
        assert_eq!(
            check(&a, &[" Authorization ,\tcontent-type "], true),
            HeaderCheck::Allowed
        );
        assert_eq!(
            check(&a, &["authorization", "content-type"], true),
            HeaderCheck::Allowed
        );
        assert_eq!(check(&a, &["x-other"], true), HeaderCheck::NotAllowed(b""));
        assert_eq!(
            check(&a, &["content-type,x-other"], true),
            HeaderCheck::NotAllowed(b"")
        );
        assert_eq!(check(&a, &["content-type;x"], true), HeaderCheck::Malformed);
        assert_eq!(check(&a, &["content type"], true), HeaderCheck::Malformed);
        assert_eq!(check(&a, &[""], true), HeaderCheck::Empty);
        assert_eq!(check(&a, &[], true), HeaderCheck::Empty);
        assert_eq!(
            check(&a, &["content-type, ,authorization"], true),
            HeaderCheck::Allowed
        );
        // More names than allowed: browsers never repeat a name.
        assert_eq!(
            check(&a, &["content-type,content-type,content-type"], true),
            HeaderCheck::NotAllowed(b"")
        );
    }

    #[test]
    fn wildcard_and_authorization() {
        let any = AllowedHeaders::new(true, vec![]);
        assert_eq!(check(&any, &["x-a,x-b"], false), HeaderCheck::Allowed);
        assert_eq!(
            check(&any, &["authorization"], false),
            HeaderCheck::NotAllowed(b"")
        );
        assert_eq!(check(&any, &["authorization"], true), HeaderCheck::Allowed);
        let any_auth = AllowedHeaders::new(true, vec!["authorization".into()]);
        assert_eq!(
            check(&any_auth, &["authorization,x-a"], false),
            HeaderCheck::Allowed
        );
    }

    #[test]
    fn hostile_values_are_refused_early() {
        let a = AllowedHeaders::new(false, vec!["content-type".into()]);
        let any = AllowedHeaders::new(true, vec![]);
        let commas = ",".repeat(1 << 20);
        assert_eq!(check(&a, &[&commas], true), HeaderCheck::Malformed);
        assert_eq!(check(&a, &[&commas[..1000]], true), HeaderCheck::Malformed);
        let many: String = (0..10_000).map(|i| format!("x-{i},")).collect();
        assert_eq!(check(&any, &[&many], false), HeaderCheck::Malformed);
        assert_eq!(check(&any, &[&many[..8000]], false), HeaderCheck::Malformed);
        assert_eq!(
            check(&a, &[&many[..8000]], false),
            HeaderCheck::NotAllowed(b"")
        );
        let long = "x".repeat(300);
        assert_eq!(check(&any, &[&long], false), HeaderCheck::Malformed);
        assert_eq!(check(&a, &[&long], false), HeaderCheck::NotAllowed(b""));
        let spaces = " ".repeat(5000);
        assert_eq!(check(&a, &[&spaces], false), HeaderCheck::Empty);
        let lines: Vec<&str> = std::iter::repeat("content-type").take(20).collect();
        assert_eq!(check(&a, &lines, false), HeaderCheck::Malformed);
    }

    #[test]
    fn obs_text_is_malformed() {
        let a = AllowedHeaders::new(true, vec![]);
        let v = HeaderValue::from_bytes(b"x-a,\xff\xfe").unwrap();
        assert_eq!(
            a.check_request(|| std::iter::once(&v), false),
            HeaderCheck::Malformed
        );
    }
}
