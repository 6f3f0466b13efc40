//! Which request headers a script may send without a preflight
//! ([§CORS-safelisted request-header]), which it may not send at all
//! (forbidden request-headers), and so whether a request needs a preflight.
//!
//! [§CORS-safelisted request-header]: https://fetch.spec.whatwg.org/#cors-safelisted-request-header

use http::HeaderValue;

use crate::cache::PreflightCache;
use crate::request::FetchRequest;
use crate::syntax::{
    get_decode_split, is_cors_safelisted_method, is_forbidden_method, is_token, mime_essence,
    normalize_method, normalize_value,
};

/// [§CORS-safelisted request-header](https://fetch.spec.whatwg.org/#cors-safelisted-request-header):
/// the per-value length limit, in bytes.
pub const SAFELISTED_VALUE_MAX: usize = 128;

/// [§CORS-unsafe request-header names](https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names):
/// the limit on the total size of the safelisted values, in bytes.
pub const SAFELISTED_TOTAL_MAX: usize = 1024;

/// [§CORS-safelisted request-header](https://fetch.spec.whatwg.org/#cors-safelisted-request-header): a CORS-unsafe request-header byte is a
/// byte less than 0x20 that is not 0x09 (HT), or one of `"():<>?@[\]{}` or
/// 0x7F (DEL).
pub fn is_cors_unsafe_request_header_byte(b: u8) -> bool {
    (b < 0x20 && b != 0x09)
        || matches!(
            b,
            b'"' | b'('
                | b')'
                | b':'
                | b'<'
                | b'>'
                | b'?'
                | b'@'
                | b'['
                | b'\\'
                | b']'
                | b'{'
                | b'}'
                | 0x7F
        )
}

/// [§Headers](https://fetch.spec.whatwg.org/#terminology-headers) "parse a single range header value" with allowWhitespace false:
/// `bytes=` start? `-` end?, at least one of them, start <= end. Returns
/// whether it parsed and whether a start was given.
fn parse_single_range(value: &[u8]) -> Option<(bool, bool)> {
    let rest = value.strip_prefix(b"bytes=")?;
    let start_len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let (start, rest) = rest.split_at(start_len);
    let rest = rest.strip_prefix(b"-")?;
    if !rest.iter().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let end = rest;
    if start.is_empty() && end.is_empty() {
        return None;
    }
    if !start.is_empty()
        && !end.is_empty()
        && decimal_cmp(start, end) == std::cmp::Ordering::Greater
    {
        return None;
    }
    Some((!start.is_empty(), !end.is_empty()))
}

/// Compares two ASCII-digit strings as numbers of any size.
fn decimal_cmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let strip = |s: &[u8]| -> Vec<u8> {
        let first = s.iter().position(|&d| d != b'0').unwrap_or(s.len());
        s[first..].to_vec()
    };
    let (a, b) = (strip(a), strip(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(&b))
}

/// [§CORS-safelisted request-header](https://fetch.spec.whatwg.org/#cors-safelisted-request-header), for (name, value):
/// 1. a value longer than 128 bytes is not safelisted;
/// 2. by byte-lowercased name:
///    `accept`: no CORS-unsafe request-header byte;
///    `accept-language`, `content-language`: only `0-9A-Za-z`, space and
///    `*,-.;=`;
///    `content-type`: no CORS-unsafe request-header byte, parses as a MIME
///    type, essence `application/x-www-form-urlencoded`,
///    `multipart/form-data` or `text/plain`;
///    `range`: a single range `bytes=N-` or `bytes=N-M` (a suffix range
///    `bytes=-N` is not safelisted);
///    anything else: not safelisted.
///
/// `value` is taken as it would be in the header list, i.e. already
/// normalised (no leading or trailing HTTP whitespace).
pub fn is_cors_safelisted_request_header(name: &str, value: &[u8]) -> bool {
    if value.len() > SAFELISTED_VALUE_MAX {
        return false;
    }
    match name.to_ascii_lowercase().as_str() {
        "accept" => !value.iter().any(|&b| is_cors_unsafe_request_header_byte(b)),
        "accept-language" | "content-language" => value.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b' ' | b'*' | b',' | b'-' | b'.' | b';' | b'=')
        }),
        "content-type" => {
            if value.iter().any(|&b| is_cors_unsafe_request_header_byte(b)) {
                return false;
            }
            matches!(
                mime_essence(value).as_deref(),
                Some("application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain")
            )
        }
        "range" => matches!(parse_single_range(value), Some((true, _))),
        _ => false,
    }
}

/// [§Headers](https://fetch.spec.whatwg.org/#terminology-headers): a forbidden request-header. `fetch()`'s `Headers` object (guard
/// "request") silently ignores these, so they never reach the request.
pub fn is_forbidden_request_header(name: &str, value: &[u8]) -> bool {
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
    let lname = name.to_ascii_lowercase();
    if FORBIDDEN.contains(&lname.as_str())
        || lname.starts_with("proxy-")
        || lname.starts_with("sec-")
    {
        return true;
    }
    if matches!(
        lname.as_str(),
        "x-http-method" | "x-http-method-override" | "x-method-override"
    ) {
        return get_decode_split(value)
            .iter()
            .any(|m| is_forbidden_method(m));
    }
    false
}

/// Why a request header is invalid for `fetch()` (which then throws a
/// TypeError): the name is not a token, or the normalised value contains
/// 0x00, 0x0A or 0x0D. Also rejected: values `http::HeaderValue` cannot carry
/// (other control bytes), which the model could not send.
pub(crate) fn request_header_is_valid(name: &str, value: &[u8]) -> bool {
    is_token(name.as_bytes())
        && !value.iter().any(|&b| matches!(b, 0x00 | 0x0A | 0x0D))
        && HeaderValue::from_bytes(value).is_ok()
}

/// The request's header list as `fetch()` builds it from the author headers:
/// each value normalised (leading/trailing HTTP whitespace removed), invalid
/// entries left out (fetch() would have thrown, see [`validate_request`](crate::validate_request)),
/// forbidden request-headers dropped silently. Names keep their case; each
/// (name, value) is its own entry, as in the standard's header list.
///
/// ([§Headers class](https://fetch.spec.whatwg.org/#headers-class), guard "request".)
pub fn request_header_list(headers: &[(String, String)]) -> Vec<(String, Vec<u8>)> {
    headers
        .iter()
        .filter_map(|(name, value)| {
            let value = normalize_value(value.as_bytes());
            if !request_header_is_valid(name, value) || is_forbidden_request_header(name, value) {
                None
            } else {
                Some((name.clone(), value.to_vec()))
            }
        })
        .collect()
}

/// [§CORS-unsafe request-header names](https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names): every header that is not a
/// CORS-safelisted request-header is unsafe; if the values of the safelisted
/// ones add up to more than 1024 bytes, all of those are unsafe too. Returns
/// the names lowercased, sorted and deduplicated (the standard's "convert
/// header names to a sorted-lowercase set").
///
/// `headers` are author headers: they first go through
/// [`request_header_list`] (normalised values, forbidden ones dropped), so
/// the result is exactly what `Access-Control-Request-Headers` carries.
///
/// Decision: the 1024-byte total counts only the author headers. The
/// standard's fetch algorithm appends `Accept: */*` (3 bytes) to the header
/// list before this runs; the model does not add it (see the module docs).
pub fn cors_unsafe_request_header_names(headers: &[(String, String)]) -> Vec<String> {
    let list = request_header_list(headers);
    let mut unsafe_names = Vec::new();
    let mut potentially_unsafe = Vec::new();
    let mut safelist_value_size = 0usize;
    for (name, value) in &list {
        if is_cors_safelisted_request_header(name, value) {
            potentially_unsafe.push(name.to_ascii_lowercase());
            safelist_value_size += value.len();
        } else {
            unsafe_names.push(name.to_ascii_lowercase());
        }
    }
    if safelist_value_size > SAFELISTED_TOTAL_MAX {
        unsafe_names.extend(potentially_unsafe);
    }
    unsafe_names.sort();
    unsafe_names.dedup();
    unsafe_names
}

/// Whether the request needs a CORS-preflight fetch if nothing is cached
/// ([§HTTP fetch](https://fetch.spec.whatwg.org/#http-fetch): the method is not a CORS-safelisted method, or there are
/// CORS-unsafe request-header names).
pub fn preflight_eligible(req: &FetchRequest) -> bool {
    !is_cors_safelisted_method(&normalize_method(&req.method))
        || !cors_unsafe_request_header_names(&req.headers).is_empty()
}

/// [§HTTP fetch](https://fetch.spec.whatwg.org/#http-fetch): a preflight is made when the method is not safelisted or some
/// header is CORS-unsafe, unless the CORS-preflight cache covers the method
/// and every unsafe header name.
pub fn needs_preflight(req: &FetchRequest, cache: &PreflightCache, now_secs: u64) -> bool {
    preflight_eligible(req) && !cache.covers(req, now_secs)
}
