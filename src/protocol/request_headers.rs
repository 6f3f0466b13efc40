//! The parser of [`Access-Control-Request-Headers`](https://fetch.spec.whatwg.org/#http-access-control-request-headers):
//! one linear pass over all its lines, bounded, allocation-free. The value is
//! a comma list of field names ([RFC 9110 §5.6.1](https://www.rfc-editor.org/rfc/rfc9110#section-5.6.1)); several
//! lines are one list ([RFC 9110 §5.3](https://www.rfc-editor.org/rfc/rfc9110#section-5.3)).

use http::HeaderValue;

use super::allowlists::AllowedHeaders;
use super::fetch::is_tchar;

/// Most names a wildcard (`*`) header configuration echoes in one preflight.
pub(crate) const MAX_WILDCARD_NAMES: usize = 128;
/// Longest header name a wildcard configuration echoes.
pub(crate) const MAX_WILDCARD_NAME_LEN: usize = 256;
/// Most bytes of `Access-Control-Request-Headers`, all lines together.
pub(crate) const MAX_REQUEST_HEADERS_BYTES: usize = 16 * 1024;
/// Most header lines of `Access-Control-Request-Headers`.
pub(crate) const MAX_REQUEST_HEADERS_LINES: usize = 16;
/// Most empty list elements (`a, , b`) tolerated, as
/// [RFC 9110 §5.6.1](https://www.rfc-editor.org/rfc/rfc9110#section-5.6.1) asks.
pub(crate) const MAX_EMPTY_ELEMENTS: usize = 16;

impl AllowedHeaders {
    /// Checks every name of `Access-Control-Request-Headers` (all its lines)
    /// in one linear pass, without allocating. Bounded: a value longer than
    /// [`MAX_REQUEST_HEADERS_BYTES`], more names than could possibly be allowed,
    /// a name longer than any allowed one, or too many empty elements is
    /// refused before it is scanned further.
    pub(crate) fn check_request<'a, I>(&self, lines: impl Fn() -> I) -> HeaderCheck<'a>
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
            self.bounds()
        };
        if let Some(check) = self.check_configured(lines(), max_names, max_len) {
            return check;
        }
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
                    if !self.allows(name) {
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

impl AllowedHeaders {
    /// The common browser case, without scanning byte classes: every line
    /// is configured names, byte for byte, joined by `,` (browsers send the
    /// names lowercased, sorted and comma-joined, without whitespace). A
    /// configured name is a token, so when this answers it is the full
    /// check's answer; `None` (whitespace, an empty element, a name in
    /// another case or not configured, more than `max_names` names, one
    /// longer than `max_len`, or a list too long to scan) leaves the value
    /// to the full check. Bounded by the configuration, not the request: it
    /// gives up after `max_names` names; no allocation.
    #[inline]
    fn check_configured<'a>(
        &self,
        lines: impl Iterator<Item = &'a HeaderValue>,
        max_names: usize,
        max_len: usize,
    ) -> Option<HeaderCheck<'a>> {
        let mut names = 0usize;
        for line in lines {
            let mut rest = line.as_bytes();
            loop {
                let len = self.leading_name(rest)?;
                names += 1;
                if names > max_names || len > max_len {
                    return None;
                }
                match rest.get(len + 1..) {
                    Some(tail) => rest = tail,
                    None => break,
                }
            }
        }
        (names > 0).then_some(HeaderCheck::Allowed)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn hv(s: &str) -> HeaderValue {
        HeaderValue::from_str(s).unwrap()
    }

    /// The check, with `NotAllowed` flattened to its name for comparison.
    fn check(allowed: &AllowedHeaders, lines: &[&str]) -> HeaderCheck<'static> {
        let values: Vec<HeaderValue> = lines.iter().map(|s| hv(s)).collect();
        match allowed.check_request(|| values.iter()) {
            HeaderCheck::NotAllowed(_) => HeaderCheck::NotAllowed(b""),
            HeaderCheck::Empty => HeaderCheck::Empty,
            HeaderCheck::Allowed => HeaderCheck::Allowed,
            HeaderCheck::Malformed => HeaderCheck::Malformed,
        }
    }

    #[test]
    fn the_offending_name_is_reported() {
        let a = AllowedHeaders::new(false, vec!["content-type".into()]);
        let v = [hv("content-type, X-Other ,x-third")];
        assert_eq!(
            a.check_request(|| v.iter()),
            HeaderCheck::NotAllowed(b"X-Other")
        );
        let long = [hv(&"y".repeat(500))];
        assert_eq!(
            a.check_request(|| long.iter()),
            HeaderCheck::NotAllowed("y".repeat(64).as_bytes())
        );
    }

    #[test]
    fn request_headers_list() {
        let a = AllowedHeaders::new(false, vec!["Content-Type".into(), "authorization".into()]);
        assert!(a.contains(b"CONTENT-TYPE"));
        assert_eq!(check(&a, &["content-type"]), HeaderCheck::Allowed);
        assert_eq!(
            check(&a, &["authorization,content-type"]),
            HeaderCheck::Allowed
        );
        assert_eq!(
            check(&a, &[" Authorization ,\tcontent-type "]),
            HeaderCheck::Allowed
        );
        assert_eq!(
            check(&a, &["authorization", "content-type"]),
            HeaderCheck::Allowed
        );
        assert_eq!(check(&a, &["x-other"]), HeaderCheck::NotAllowed(b""));
        assert_eq!(
            check(&a, &["content-type,x-other"]),
            HeaderCheck::NotAllowed(b"")
        );
        assert_eq!(check(&a, &["content-type;x"]), HeaderCheck::Malformed);
        assert_eq!(check(&a, &["content type"]), HeaderCheck::Malformed);
        assert_eq!(check(&a, &[""]), HeaderCheck::Empty);
        assert_eq!(check(&a, &[]), HeaderCheck::Empty);
        assert_eq!(
            check(&a, &["content-type, ,authorization"]),
            HeaderCheck::Allowed
        );
        // More names than allowed: browsers never repeat a name.
        assert_eq!(
            check(&a, &["content-type,content-type,content-type"]),
            HeaderCheck::NotAllowed(b"")
        );
    }

    #[test]
    fn wildcard_and_authorization() {
        let any = AllowedHeaders::new(true, vec![]);
        assert_eq!(check(&any, &["x-a,x-b"]), HeaderCheck::Allowed);
        assert_eq!(
            check(&any, &["authorization"]),
            HeaderCheck::NotAllowed(b"")
        );
        // One rule with or without credentials: `*` never covers it.
        let named = AllowedHeaders::new(false, vec!["authorization".into()]);
        assert_eq!(check(&named, &["Authorization"]), HeaderCheck::Allowed);
        let any_auth = AllowedHeaders::new(true, vec!["authorization".into()]);
        assert_eq!(
            check(&any_auth, &["authorization,x-a"]),
            HeaderCheck::Allowed
        );
    }

    #[test]
    fn hostile_values_are_refused_early() {
        let a = AllowedHeaders::new(false, vec!["content-type".into()]);
        let any = AllowedHeaders::new(true, vec![]);
        let commas = ",".repeat(1 << 20);
        assert_eq!(check(&a, &[&commas]), HeaderCheck::Malformed);
        assert_eq!(check(&a, &[&commas[..1000]]), HeaderCheck::Malformed);
        let many: String = (0..10_000).map(|i| format!("x-{i},")).collect();
        assert_eq!(check(&any, &[&many]), HeaderCheck::Malformed);
        assert_eq!(check(&any, &[&many[..8000]]), HeaderCheck::Malformed);
        assert_eq!(check(&a, &[&many[..8000]]), HeaderCheck::NotAllowed(b""));
        let long = "x".repeat(300);
        assert_eq!(check(&any, &[&long]), HeaderCheck::Malformed);
        assert_eq!(check(&a, &[&long]), HeaderCheck::NotAllowed(b""));
        let spaces = " ".repeat(5000);
        assert_eq!(check(&a, &[&spaces]), HeaderCheck::Empty);
        let lines: Vec<&str> = std::iter::repeat("content-type").take(20).collect();
        assert_eq!(check(&a, &lines), HeaderCheck::Malformed);
    }

    /// The fast path for configured names answers only what the full check
    /// would: not past the bounds, not for whitespace or empty elements.
    #[test]
    fn configured_names_fast_path_keeps_the_bounds() {
        let a = AllowedHeaders::new(false, vec!["content-type".into(), "x-a".into()]);
        assert_eq!(check(&a, &["content-type,x-a"]), HeaderCheck::Allowed);
        assert_eq!(check(&a, &["content-type", "x-a"]), HeaderCheck::Allowed);
        assert_eq!(check(&a, &["x-a,x-a,x-a"]), HeaderCheck::NotAllowed(b""));
        assert_eq!(check(&a, &["x-a,,content-type"]), HeaderCheck::Allowed);
        assert_eq!(check(&a, &["x-a,"]), HeaderCheck::Allowed);
        assert_eq!(check(&a, &[","]), HeaderCheck::Empty);
        // One configured name the prefix of another; other cases.
        let p = AllowedHeaders::new(false, vec!["x-a".into(), "x-ab".into()]);
        assert_eq!(check(&p, &["x-ab,x-a"]), HeaderCheck::Allowed);
        assert_eq!(check(&p, &["x-a,x-ab"]), HeaderCheck::Allowed);
        assert_eq!(check(&p, &["X-AB, x-a"]), HeaderCheck::Allowed);
        assert_eq!(check(&p, &["x-abc"]), HeaderCheck::NotAllowed(b""));
        assert_eq!(check(&p, &["x-a;"]), HeaderCheck::Malformed);
        // A configured name longer than a wildcard echoes is still refused.
        let long = "x".repeat(MAX_WILDCARD_NAME_LEN + 1);
        let any = AllowedHeaders::new(true, vec![long.clone()]);
        assert_eq!(check(&any, &[&long]), HeaderCheck::Malformed);
    }

    #[test]
    fn obs_text_is_malformed() {
        let a = AllowedHeaders::new(true, vec![]);
        let v = HeaderValue::from_bytes(b"x-a,\xff\xfe").unwrap();
        assert_eq!(
            a.check_request(|| std::iter::once(&v)),
            HeaderCheck::Malformed
        );
    }
}
