//! A model of what a browser does for CORS, written from the WHATWG Fetch
//! standard (<https://fetch.spec.whatwg.org/>).
//!
//! Tests use it as an oracle: hand a `FetchRequest` (what a page's script
//! passes to `fetch()`) and a server (a closure standing in for the Tower
//! service) to [`Browser::fetch`], and it answers what the script would see.
//! The building blocks (safelisting, the CORS check, the preflight check, the
//! preflight cache, the exposed response headers) are public too, so tests
//! can check a single rule.
//!
//! Section names in the comments are the standard's. Where the standard was
//! ambiguous or browsers differ, the choice made is written next to the code
//! under "Decision:".
//!
//! Scope: every request is treated as a cross-origin request in "cors" mode
//! (what `fetch()` does for another origin). Redirects are not followed (the
//! status of a 3xx actual response is reported as is), cookies are not
//! modelled (only the credentials flag is), the network partition key of the
//! preflight cache is not modelled, and the user agent's own request headers
//! (`Accept`, `Accept-Language`, `User-Agent`, `Sec-Fetch-*`) are not added to
//! the actual request.

#![allow(dead_code)]

use std::fmt;

use http::header::{
    ACCEPT, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode, Uri};

/// Chromium's cap on `Access-Control-Max-Age`, in seconds (Firefox uses 86400).
pub const DEFAULT_MAX_AGE_CAP: u64 = 7200;

/// §CORS-preflight fetch: "If max-age is failure or null, then set max-age to 5."
pub const DEFAULT_MAX_AGE: u64 = 5;

/// §CORS-safelisted request-header: the per-value length limit.
pub const SAFELISTED_VALUE_MAX: usize = 128;

/// §CORS-unsafe request-header names: the limit on the total size of the
/// safelisted values.
pub const SAFELISTED_TOTAL_MAX: usize = 1024;

// ---------------------------------------------------------------------------
// The request the script makes
// ---------------------------------------------------------------------------

/// What the page's script asks for (the `fetch()` call).
#[derive(Clone, Debug)]
pub struct FetchRequest {
    /// Serialised origin of the page, e.g. "https://app.example.com" (may also
    /// be "null").
    pub origin: String,
    /// Target URL, used as the request target and as the preflight cache key
    /// (e.g. "https://api.example.com/me").
    pub url: String,
    /// As given to `fetch()`; normalised with [`normalize_method`] wherever it
    /// is used.
    pub method: String,
    /// Author request headers (name, value), in order.
    pub headers: Vec<(String, String)>,
    /// Credentials mode "include" (true); "same-origin"/"omit" are treated as
    /// not credentialed (false), as every request here is cross-origin.
    pub credentials: bool,
}

impl FetchRequest {
    /// A non-credentialed request without author headers.
    pub fn new(origin: &str, url: &str, method: &str) -> Self {
        FetchRequest {
            origin: origin.to_string(),
            url: url.to_string(),
            method: method.to_string(),
            headers: Vec::new(),
            credentials: false,
        }
    }

    /// Adds an author request header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets credentials mode "include" (true) or not (false).
    pub fn credentials(mut self, include: bool) -> Self {
        self.credentials = include;
        self
    }
}

// ---------------------------------------------------------------------------
// Byte classes (§HTTP, RFC 9110)
// ---------------------------------------------------------------------------

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// RFC 9110 `token`: one or more tchar.
pub fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| is_tchar(b))
}

/// §HTTP: HTTP whitespace bytes are 0x09, 0x0A, 0x0D and 0x20.
fn is_http_whitespace(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\r' | b' ')
}

/// HTTP tab or space bytes (0x09, 0x20).
fn is_http_tab_or_space(b: u8) -> bool {
    matches!(b, b'\t' | b' ')
}

fn trim_bytes(bytes: &[u8], strip: fn(u8) -> bool) -> &[u8] {
    let start = bytes.iter().position(|&b| !strip(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !strip(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// §Headers: to normalize a byte sequence, remove leading and trailing HTTP
/// whitespace bytes.
fn normalize_value(bytes: &[u8]) -> &[u8] {
    trim_bytes(bytes, is_http_whitespace)
}

/// What an HTTP/1.1 parser does to a field line: optional whitespace (SP and
/// HTAB) around the field value is not part of it. A test server builds
/// `http::Response` values directly, so the model applies this itself.
fn trim_ows(bytes: &[u8]) -> &[u8] {
    trim_bytes(bytes, is_http_tab_or_space)
}

fn lower(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_ascii_lowercase()
}

// ---------------------------------------------------------------------------
// Methods (§Methods)
// ---------------------------------------------------------------------------

/// §Methods: to normalize a method, if it is a byte-case-insensitive match
/// for `DELETE`, `GET`, `HEAD`, `OPTIONS`, `POST` or `PUT`, byte-uppercase
/// it. Anything else (e.g. `patch`) is kept as is.
pub fn normalize_method(m: &str) -> String {
    const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    if NORMALIZED.iter().any(|n| n.eq_ignore_ascii_case(m)) {
        m.to_ascii_uppercase()
    } else {
        m.to_string()
    }
}

/// §Methods: a CORS-safelisted method is `GET`, `HEAD` or `POST` (byte-exact).
pub fn is_cors_safelisted_method(m: &str) -> bool {
    matches!(m, "GET" | "HEAD" | "POST")
}

/// §Methods: a forbidden method is a byte-case-insensitive match for
/// `CONNECT`, `TRACE` or `TRACK`.
pub fn is_forbidden_method(m: &[u8]) -> bool {
    [&b"CONNECT"[..], b"TRACE", b"TRACK"]
        .iter()
        .any(|f| f.eq_ignore_ascii_case(m))
}

// ---------------------------------------------------------------------------
// Header value parsing helpers (§Headers)
// ---------------------------------------------------------------------------

/// §Headers, "get, decode, and split" for one value: split on commas outside
/// quoted strings, strip HTTP tab or space around each element. Elements keep
/// their quotes. Isomorphic decoding is the identity on bytes, so this works
/// on bytes directly.
pub fn get_decode_split(value: &[u8]) -> Vec<Vec<u8>> {
    let mut values = Vec::new();
    let mut current = Vec::new();
    let mut i = 0;
    while i < value.len() {
        match value[i] {
            b'"' => {
                // Collect an HTTP quoted string (without extracting the value).
                current.push(b'"');
                i += 1;
                while i < value.len() {
                    let b = value[i];
                    current.push(b);
                    i += 1;
                    if b == b'\\' {
                        if let Some(&next) = value.get(i) {
                            current.push(next);
                            i += 1;
                        }
                    } else if b == b'"' {
                        break;
                    }
                }
            }
            b',' => {
                values.push(trim_bytes(&current, is_http_tab_or_space).to_vec());
                current.clear();
                i += 1;
            }
            b => {
                current.push(b);
                i += 1;
            }
        }
    }
    values.push(trim_bytes(&current, is_http_tab_or_space).to_vec());
    values
}

/// The result of §Headers "extract header list values" for the comma-list
/// CORS headers (`#method`, `#field-name`, each possibly `*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderListValues {
    /// The header is not present (the standard's "null").
    Absent,
    /// Some element is not a token: the standard's "failure".
    Failure,
    /// The elements, in order, as they appeared (case kept).
    Values(Vec<String>),
}

/// §Headers "extract header list values" for the `#token` lists used by
/// `Access-Control-Allow-Methods`, `Access-Control-Allow-Headers` and
/// `Access-Control-Expose-Headers`: every header line is parsed on its own
/// and the values are concatenated (which is the same as parsing the lines
/// combined with ", "); each element, after trimming HTTP tab or space, must
/// be a token (RFC 9110 tchar), otherwise the whole result is failure.
///
/// Decision (empty elements): RFC 9110 §5.6.1 says a recipient MUST accept
/// and ignore empty list elements, which the `#` ABNF the standard uses
/// inherits; web-platform-tests (cors/request-headers "Strange allowheaders",
/// cors/access-control-expose-headers-parsing `,bb-8`) expect a leading comma
/// to be accepted, and Chromium skips empty values. So empty elements (and a
/// whitespace-only header value) are ignored, not a failure.
pub fn extract_header_list_values(headers: &HeaderMap, name: &HeaderName) -> HeaderListValues {
    let mut present = false;
    let mut values = Vec::new();
    for line in headers.get_all(name) {
        present = true;
        for element in line.as_bytes().split(|&b| b == b',') {
            let element = trim_bytes(element, is_http_tab_or_space);
            if element.is_empty() {
                continue;
            }
            if !is_token(element) {
                return HeaderListValues::Failure;
            }
            // A token is ASCII, so this is lossless.
            values.push(String::from_utf8_lossy(element).into_owned());
        }
    }
    if present {
        HeaderListValues::Values(values)
    } else {
        HeaderListValues::Absent
    }
}

/// §Headers "get": the values of all header lines named `name`, in order,
/// separated by 0x2C 0x20 (", "); `None` when there is none. Each line's
/// value is trimmed of optional whitespace first, as an HTTP parser would.
pub fn get_combined(headers: &HeaderMap, name: &HeaderName) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    for line in headers.get_all(name) {
        let v = trim_ows(line.as_bytes());
        match out.as_mut() {
            None => out = Some(v.to_vec()),
            Some(buf) => {
                buf.extend_from_slice(b", ");
                buf.extend_from_slice(v);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// MIME type parsing (MIME Sniffing standard, "parse a MIME type")
// ---------------------------------------------------------------------------

/// MIME Sniffing "parse a MIME type", steps 1 to 10: returns the essence
/// (`type/subtype`, ASCII-lowercased) or `None` on failure. Parameters never
/// make the parse fail, so they are not parsed. Bytes are isomorphic-decoded
/// (a byte >= 0x80 is a code point that is not an HTTP token code point).
pub fn mime_essence(value: &[u8]) -> Option<String> {
    // 1. Remove leading and trailing HTTP whitespace.
    let input = normalize_value(value);
    // 3-4. type: code points up to "/", non-empty, all token code points.
    let slash = input.iter().position(|&b| b == b'/')?;
    let ty = &input[..slash];
    if !is_token(ty) {
        return None;
    }
    // 5-6. Past the "/".
    let rest = &input[slash + 1..];
    // 7-9. subtype: up to ";", trailing HTTP whitespace removed, non-empty,
    // all token code points (so a leading whitespace fails).
    let end = rest.iter().position(|&b| b == b';').unwrap_or(rest.len());
    let subtype = &rest[..end];
    let kept = subtype
        .iter()
        .rposition(|&b| !is_http_whitespace(b))
        .map_or(0, |i| i + 1);
    let subtype = &subtype[..kept];
    if !is_token(subtype) {
        return None;
    }
    Some(format!("{}/{}", lower(ty), lower(subtype)))
}

// ---------------------------------------------------------------------------
// §CORS-safelisted request-header
// ---------------------------------------------------------------------------

/// §CORS-safelisted request-header: a CORS-unsafe request-header byte is a
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

/// §Headers "parse a single range header value" with allowWhitespace false:
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

/// §CORS-safelisted request-header, for (name, value):
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

/// §Headers: a forbidden request-header. `fetch()`'s `Headers` object (guard
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
fn request_header_is_valid(name: &str, value: &[u8]) -> bool {
    is_token(name.as_bytes())
        && !value.iter().any(|&b| matches!(b, 0x00 | 0x0A | 0x0D))
        && HeaderValue::from_bytes(value).is_ok()
}

/// The request's header list as `fetch()` builds it from the author headers:
/// each value normalised (leading/trailing HTTP whitespace removed), invalid
/// entries left out (fetch() would have thrown, see [`validate_request`]),
/// forbidden request-headers dropped silently. Names keep their case; each
/// (name, value) is its own entry, as in the standard's header list.
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

/// §CORS-unsafe request-header names: every header that is not a
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
/// (§HTTP fetch: the method is not a CORS-safelisted method, or there are
/// CORS-unsafe request-header names).
pub fn preflight_eligible(req: &FetchRequest) -> bool {
    !is_cors_safelisted_method(&normalize_method(&req.method))
        || !cors_unsafe_request_header_names(&req.headers).is_empty()
}

/// §HTTP fetch: a preflight is made when the method is not safelisted or some
/// header is CORS-unsafe, unless the CORS-preflight cache covers the method
/// and every unsafe header name.
pub fn needs_preflight(req: &FetchRequest, cache: &PreflightCache, now_secs: u64) -> bool {
    preflight_eligible(req) && !cache.covers(req, now_secs)
}

/// Checks what `fetch()` itself checks before anything goes on the network
/// (it throws a TypeError otherwise): the method is a token and not a
/// forbidden method, every author header is valid, the URL parses.
pub fn validate_request(req: &FetchRequest) -> Result<(), Failure> {
    if !is_token(req.method.as_bytes()) {
        return Err(Failure::InvalidMethod(req.method.clone()));
    }
    if is_forbidden_method(req.method.as_bytes()) {
        return Err(Failure::ForbiddenMethod(req.method.clone()));
    }
    for (name, value) in &req.headers {
        if !request_header_is_valid(name, normalize_value(value.as_bytes())) {
            return Err(Failure::InvalidHeader(name.clone()));
        }
    }
    match req.url.parse::<Uri>() {
        Ok(uri) if uri.scheme().is_some() && uri.authority().is_some() => Ok(()),
        _ => Err(Failure::InvalidUrl(req.url.clone())),
    }
}

fn target_uri(url: &str) -> Uri {
    url.parse::<Uri>().unwrap_or_default()
}

/// §CORS-preflight fetch, steps 1-5: `OPTIONS` to the same URL with
/// `Accept: */*`, `Access-Control-Request-Method: <method>` and, when there
/// are CORS-unsafe request-header names, `Access-Control-Request-Headers`
/// with them joined by "," (no space: "This intentionally does not use
/// combine"). The preflight never carries credentials (no `Cookie`, no
/// `Authorization`) nor the author headers. `Origin` is added as for any
/// CORS request (§Origin header).
pub fn preflight_request(req: &FetchRequest) -> Request<()> {
    let mut request = Request::new(());
    *request.method_mut() = Method::OPTIONS;
    *request.uri_mut() = target_uri(&req.url);
    let headers = request.headers_mut();
    if let Ok(v) = HeaderValue::from_bytes(req.origin.as_bytes()) {
        headers.insert(ORIGIN, v);
    }
    headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
    if let Ok(v) = HeaderValue::from_bytes(normalize_method(&req.method).as_bytes()) {
        headers.insert(ACCESS_CONTROL_REQUEST_METHOD, v);
    }
    let names = cors_unsafe_request_header_names(&req.headers).join(",");
    match HeaderValue::from_str(&names) {
        Ok(v) if !names.is_empty() => {
            headers.insert(ACCESS_CONTROL_REQUEST_HEADERS, v);
        }
        _ => {}
    }
    request
}

/// The actual request: the normalised method, `Origin`, and the author
/// headers as the header list holds them (normalised values, forbidden
/// headers dropped). Cookies are not modelled.
pub fn actual_request(req: &FetchRequest) -> Request<()> {
    let mut request = Request::new(());
    *request.method_mut() =
        Method::from_bytes(normalize_method(&req.method).as_bytes()).unwrap_or(Method::GET);
    *request.uri_mut() = target_uri(&req.url);
    let headers = request.headers_mut();
    for (name, value) in request_header_list(&req.headers) {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(&value),
        ) {
            headers.append(n, v);
        }
    }
    if let Ok(v) = HeaderValue::from_bytes(req.origin.as_bytes()) {
        headers.insert(ORIGIN, v);
    }
    request
}

// ---------------------------------------------------------------------------
// Failures
// ---------------------------------------------------------------------------

/// Why the browser turned the fetch into a network error (the script sees a
/// TypeError).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// `fetch()` throws: the method is not a token.
    InvalidMethod(String),
    /// `fetch()` throws: `CONNECT`, `TRACE` or `TRACK`.
    ForbiddenMethod(String),
    /// `fetch()` throws: a header name is not a token or its value is invalid.
    InvalidHeader(String),
    /// `fetch()` throws: the URL does not parse (as an absolute URL).
    InvalidUrl(String),
    /// The preflight response's status is not an ok status (200-299).
    PreflightStatus(u16),
    /// No `Access-Control-Allow-Origin`.
    NoAllowOrigin,
    /// `Access-Control-Allow-Origin` has more than one value (two header lines,
    /// or a comma in the value).
    MultipleAllowOrigin,
    /// `Access-Control-Allow-Origin` is not byte-equal to the request's origin.
    AllowOriginMismatch,
    /// `Access-Control-Allow-Origin: *` on a credentialed request.
    WildcardWithCredentials,
    /// Credentialed and `Access-Control-Allow-Credentials` is not exactly `true`.
    AllowCredentialsNotTrue,
    /// `Access-Control-Allow-Methods` does not parse as a list of tokens.
    MethodsParse,
    /// `Access-Control-Allow-Headers` does not parse as a list of tokens.
    HeadersParse,
    /// The (normalised) method is not allowed by the preflight.
    MethodNotAllowed(String),
    /// A CORS-unsafe request-header name (lowercased) is not allowed.
    HeaderNotAllowed(String),
    /// `authorization` was requested and `Access-Control-Allow-Headers` only
    /// has `*` for it, which never covers `authorization`.
    AuthorizationNotCoveredByWildcard,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::InvalidMethod(m) => write!(f, "fetch() throws: {m:?} is not a method"),
            Failure::ForbiddenMethod(m) => write!(f, "fetch() throws: {m:?} is a forbidden method"),
            Failure::InvalidHeader(n) => write!(f, "fetch() throws: invalid header {n:?}"),
            Failure::InvalidUrl(u) => write!(f, "fetch() throws: invalid URL {u:?}"),
            Failure::PreflightStatus(s) => {
                write!(f, "preflight response status {s} is not an ok status")
            }
            Failure::NoAllowOrigin => f.write_str("no Access-Control-Allow-Origin header"),
            Failure::MultipleAllowOrigin => {
                f.write_str("Access-Control-Allow-Origin has multiple values")
            }
            Failure::AllowOriginMismatch => {
                f.write_str("Access-Control-Allow-Origin does not match the origin")
            }
            Failure::WildcardWithCredentials => {
                f.write_str("Access-Control-Allow-Origin is * but the request is credentialed")
            }
            Failure::AllowCredentialsNotTrue => {
                f.write_str("Access-Control-Allow-Credentials is not `true`")
            }
            Failure::MethodsParse => f.write_str("Access-Control-Allow-Methods does not parse"),
            Failure::HeadersParse => f.write_str("Access-Control-Allow-Headers does not parse"),
            Failure::MethodNotAllowed(m) => write!(f, "method {m:?} not allowed by preflight"),
            Failure::HeaderNotAllowed(h) => write!(f, "header {h:?} not allowed by preflight"),
            Failure::AuthorizationNotCoveredByWildcard => {
                f.write_str("authorization must be listed explicitly: * does not cover it")
            }
        }
    }
}

impl std::error::Error for Failure {}

// ---------------------------------------------------------------------------
// §CORS check
// ---------------------------------------------------------------------------

/// §CORS check, for `req` and a response's headers (its status plays no
/// part):
/// 1. origin = get `Access-Control-Allow-Origin`; null -> failure;
/// 2. not credentialed and origin is `*` -> success;
/// 3. origin is not byte-equal to the request's serialised origin -> failure;
/// 4. not credentialed -> success;
/// 5. credentialed: `Access-Control-Allow-Credentials` must be `true`
///    (byte-exact, so `True` fails).
///
/// "get" combines several header lines with ", ", so two lines never pass.
pub fn cors_check(req: &FetchRequest, headers: &HeaderMap) -> Result<(), Failure> {
    let lines = headers.get_all(ACCESS_CONTROL_ALLOW_ORIGIN).iter().count();
    let origin =
        get_combined(headers, &ACCESS_CONTROL_ALLOW_ORIGIN).ok_or(Failure::NoAllowOrigin)?;
    if !req.credentials && origin == b"*" {
        return Ok(());
    }
    if origin != req.origin.as_bytes() {
        return Err(if lines > 1 || origin.contains(&b',') {
            Failure::MultipleAllowOrigin
        } else if origin == b"*" {
            Failure::WildcardWithCredentials
        } else {
            Failure::AllowOriginMismatch
        });
    }
    if !req.credentials {
        return Ok(());
    }
    match get_combined(headers, &ACCESS_CONTROL_ALLOW_CREDENTIALS) {
        Some(v) if v == b"true" => Ok(()),
        _ => Err(Failure::AllowCredentialsNotTrue),
    }
}

// ---------------------------------------------------------------------------
// §CORS-preflight fetch (after the response)
// ---------------------------------------------------------------------------

/// What a successful preflight allows, as stored in the preflight cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreflightResult {
    /// `Access-Control-Allow-Methods` values, case kept (compared byte-exact);
    /// empty when the header is absent.
    pub methods: Vec<String>,
    /// `Access-Control-Allow-Headers` values, lowercased (compared
    /// case-insensitively); empty when the header is absent.
    pub headers: Vec<String>,
    /// Seconds, after the default (5) and the cap.
    pub max_age: u64,
}

/// §CORS-preflight fetch step 7, max-age: `Access-Control-Max-Age` is
/// `delta-seconds` (1*DIGIT), a single-value header, so two header lines or a
/// non-digit value is failure; failure or absent -> 5. A value too big for
/// u64 is taken as u64::MAX (RFC 9111 delta-seconds: use the greatest
/// integer representable), then everything is clamped to `cap`.
pub fn preflight_max_age(headers: &HeaderMap, cap: u64) -> u64 {
    let mut lines = headers.get_all(ACCESS_CONTROL_MAX_AGE).iter();
    let parsed = match (lines.next(), lines.next()) {
        (Some(v), None) => {
            let v = trim_ows(v.as_bytes());
            if !v.is_empty() && v.iter().all(u8::is_ascii_digit) {
                Some(v.iter().fold(0u64, |acc, d| {
                    acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))
                }))
            } else {
                None
            }
        }
        _ => None,
    };
    parsed.unwrap_or(DEFAULT_MAX_AGE).min(cap)
}

/// §CORS-preflight fetch, after the response arrives, with Chromium's cap of
/// 7200 s on max-age. See [`preflight_check_with_cap`].
pub fn preflight_check(
    req: &FetchRequest,
    status: StatusCode,
    headers: &HeaderMap,
) -> Result<PreflightResult, Failure> {
    preflight_check_with_cap(req, status, headers, DEFAULT_MAX_AGE_CAP)
}

/// §CORS-preflight fetch, step 7, in this order:
/// 1. the status must be an ok status (200-299);
/// 2. the §CORS check, with the *actual request's* credentials mode ("The
///    CORS check is done on request rather than preflight to ensure the
///    correct credentials mode is used");
/// 3. `Access-Control-Allow-Methods` and `-Headers` are extracted as header
///    list values; a failure of either fails the preflight;
/// 4. the method passes if listed (byte-exact), if it is a CORS-safelisted
///    method, or if `*` is listed and the request is not credentialed;
/// 5. `authorization`, if in the request's header list, must be listed
///    (byte-case-insensitive): `*` never covers it (a CORS non-wildcard
///    request-header name);
/// 6. every CORS-unsafe request-header name must be listed
///    (case-insensitively), or `*` listed and the request not credentialed;
/// 7. max-age, see [`preflight_max_age`].
pub fn preflight_check_with_cap(
    req: &FetchRequest,
    status: StatusCode,
    headers: &HeaderMap,
    max_age_cap: u64,
) -> Result<PreflightResult, Failure> {
    if !status.is_success() {
        return Err(Failure::PreflightStatus(status.as_u16()));
    }
    cors_check(req, headers)?;

    let methods = extract_header_list_values(headers, &ACCESS_CONTROL_ALLOW_METHODS);
    let header_names = extract_header_list_values(headers, &ACCESS_CONTROL_ALLOW_HEADERS);
    // "If methods is null and request's use-CORS-preflight flag is set" does
    // not apply: fetch() never sets that flag.
    let methods = match methods {
        HeaderListValues::Failure => return Err(Failure::MethodsParse),
        HeaderListValues::Absent => Vec::new(),
        HeaderListValues::Values(v) => v,
    };
    let header_names: Vec<String> = match header_names {
        HeaderListValues::Failure => return Err(Failure::HeadersParse),
        HeaderListValues::Absent => Vec::new(),
        HeaderListValues::Values(v) => v.iter().map(|h| h.to_ascii_lowercase()).collect(),
    };

    let method = normalize_method(&req.method);
    let methods_wildcard = methods.iter().any(|m| m == "*");
    if !methods.contains(&method)
        && !is_cors_safelisted_method(&method)
        && (req.credentials || !methods_wildcard)
    {
        return Err(Failure::MethodNotAllowed(method));
    }

    let headers_wildcard = header_names.iter().any(|h| h == "*");
    let listed = |name: &str| header_names.iter().any(|h| h.eq_ignore_ascii_case(name));
    let has_authorization = request_header_list(&req.headers)
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("authorization"));
    if has_authorization && !listed("authorization") {
        return Err(if headers_wildcard {
            Failure::AuthorizationNotCoveredByWildcard
        } else {
            Failure::HeaderNotAllowed("authorization".to_string())
        });
    }
    for name in cors_unsafe_request_header_names(&req.headers) {
        if !listed(&name) && (req.credentials || !headers_wildcard) {
            return Err(Failure::HeaderNotAllowed(name));
        }
    }

    Ok(PreflightResult {
        methods,
        headers: header_names,
        max_age: preflight_max_age(headers, max_age_cap),
    })
}

// ---------------------------------------------------------------------------
// Response headers the script can read
// ---------------------------------------------------------------------------

/// §CORS-safelisted response-header name (without an exposed list):
/// `cache-control`, `content-language`, `content-length`, `content-type`,
/// `expires`, `last-modified`, `pragma`.
pub fn is_cors_safelisted_response_header_name(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "cache-control"
            | "content-language"
            | "content-length"
            | "content-type"
            | "expires"
            | "last-modified"
            | "pragma"
    )
}

/// §Headers: forbidden response-header names, never exposed to script.
pub fn is_forbidden_response_header_name(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "set-cookie" | "set-cookie2"
    )
}

/// §Main fetch (CORS-exposed header-name list) and §CORS-safelisted
/// response-header name: the headers of a CORS response the script can read
/// are the safelisted ones plus those listed in
/// `Access-Control-Expose-Headers` (case-insensitively); `*` there means all
/// of them only when the request is not credentialed; `set-cookie` and
/// `set-cookie2` never. An `Access-Control-Expose-Headers` that does not
/// parse exposes nothing extra (it is not a network error). Returns the
/// lowercased names present in `headers`, sorted.
pub fn readable_response_headers(req: &FetchRequest, headers: &HeaderMap) -> Vec<String> {
    let exposed = match extract_header_list_values(headers, &ACCESS_CONTROL_EXPOSE_HEADERS) {
        HeaderListValues::Values(v) => v,
        HeaderListValues::Absent | HeaderListValues::Failure => Vec::new(),
    };
    let wildcard = !req.credentials && exposed.iter().any(|h| h == "*");
    let mut names: Vec<String> = headers
        .keys()
        .map(|n| n.as_str().to_ascii_lowercase())
        .filter(|n| {
            !is_forbidden_response_header_name(n)
                && (is_cors_safelisted_response_header_name(n)
                    || wildcard
                    || exposed.iter().any(|e| e.eq_ignore_ascii_case(n)))
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

// ---------------------------------------------------------------------------
// §CORS-preflight cache
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq)]
enum CacheItem {
    /// Compared byte-exact.
    Method(String),
    /// Stored lowercased, compared case-insensitively.
    Header(String),
}

#[derive(Clone, Debug)]
struct CacheEntry {
    origin: String,
    url: String,
    credentials: bool,
    expires_at: u64,
    item: CacheItem,
}

/// §CORS-preflight cache: one entry per (origin, URL, credentials flag, method
/// or header name), each with its expiry. The network partition key is not
/// modelled.
///
/// Matching (§CORS-preflight cache, "cache entry match"): same origin and URL,
/// and the entry is credentialed or the request is not (a credentialed entry
/// serves both modes, an uncredentialed one only uncredentialed requests). A
/// method entry matches when its method is byte-equal to the request's; a
/// header entry when its name matches case-insensitively. A `*` entry matches
/// any method, or any header name but `authorization`, and only for a
/// non-credentialed request (in credentialed mode `*` is not a wildcard).
///
/// Decision: a CORS-safelisted method is always covered. The standard reads
/// as if a preflight made for an unsafe header on `GET`/`POST` also needed a
/// method entry, but Chromium, Firefox and WebKit skip the method check for
/// safelisted methods, and a preflight without `Access-Control-Allow-Methods`
/// stores no method entry at all.
///
/// Decision: storing an entry that exists already (same origin, URL,
/// credentials flag and item) replaces its expiry (now + max-age); the
/// standard only says "set matched entry's max-age to max-age".
#[derive(Default, Clone, Debug)]
pub struct PreflightCache {
    entries: Vec<CacheEntry>,
}

impl PreflightCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// §CORS-preflight fetch, steps 7.12-7.15: create or refresh one entry per
    /// allowed method and per allowed header name, expiring `result.max_age`
    /// seconds from `now_secs`. Expired entries are dropped. A max-age of 0
    /// stores nothing (and ends the life of matching entries).
    pub fn store(&mut self, req: &FetchRequest, result: &PreflightResult, now_secs: u64) {
        self.entries.retain(|e| now_secs < e.expires_at);
        let items = result
            .methods
            .iter()
            .map(|m| CacheItem::Method(m.clone()))
            .chain(
                result
                    .headers
                    .iter()
                    .map(|h| CacheItem::Header(h.to_ascii_lowercase())),
            );
        let expires_at = now_secs.saturating_add(result.max_age);
        for item in items {
            self.entries.retain(|e| {
                !(e.origin == req.origin
                    && e.url == req.url
                    && e.credentials == req.credentials
                    && e.item == item)
            });
            if result.max_age > 0 {
                self.entries.push(CacheEntry {
                    origin: req.origin.clone(),
                    url: req.url.clone(),
                    credentials: req.credentials,
                    expires_at,
                    item,
                });
            }
        }
    }

    fn live_matches<'a>(
        &'a self,
        req: &'a FetchRequest,
        now_secs: u64,
    ) -> impl Iterator<Item = &'a CacheEntry> + 'a {
        self.entries.iter().filter(move |e| {
            now_secs < e.expires_at
                && e.origin == req.origin
                && e.url == req.url
                && (e.credentials || !req.credentials)
        })
    }

    /// §CORS-preflight cache, "method cache entry match".
    pub fn method_match(&self, req: &FetchRequest, method: &str, now_secs: u64) -> bool {
        self.live_matches(req, now_secs).any(|e| match &e.item {
            CacheItem::Method(m) => m == method || (m == "*" && !req.credentials),
            CacheItem::Header(_) => false,
        })
    }

    /// §CORS-preflight cache, "header-name cache entry match".
    pub fn header_match(&self, req: &FetchRequest, name: &str, now_secs: u64) -> bool {
        self.live_matches(req, now_secs).any(|e| match &e.item {
            CacheItem::Header(h) => {
                h.eq_ignore_ascii_case(name)
                    || (h == "*" && !req.credentials && !name.eq_ignore_ascii_case("authorization"))
            }
            CacheItem::Method(_) => false,
        })
    }

    /// Whether the cache covers the request's method and every one of its
    /// CORS-unsafe request-header names (§HTTP fetch), so no preflight is
    /// needed.
    pub fn covers(&self, req: &FetchRequest, now_secs: u64) -> bool {
        let method = normalize_method(&req.method);
        (is_cors_safelisted_method(&method) || self.method_match(req, &method, now_secs))
            && cors_unsafe_request_header_names(&req.headers)
                .iter()
                .all(|n| self.header_match(req, n, now_secs))
    }

    /// §CORS-preflight cache, "clear cache entries": remove every entry for
    /// this origin and URL (both credentials modes).
    pub fn clear(&mut self, origin: &str, url: &str) {
        self.entries
            .retain(|e| !(e.origin == origin && e.url == url));
    }

    /// Number of entries stored (expired ones are dropped by `store`).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

// ---------------------------------------------------------------------------
// The whole fetch
// ---------------------------------------------------------------------------

/// What the script sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The script gets the response: its status and the header names it may
    /// read (lowercased, sorted).
    Readable {
        status: u16,
        readable_headers: Vec<String>,
    },
    /// The script sees a TypeError (network error).
    Blocked(Failure),
}

impl Outcome {
    /// Whether the script got a response.
    pub fn is_readable(&self) -> bool {
        matches!(self, Outcome::Readable { .. })
    }

    /// The failure, when blocked.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Outcome::Blocked(f) => Some(f),
            Outcome::Readable { .. } => None,
        }
    }
}

/// Whether the first request a server saw is a CORS-preflight request.
pub fn is_preflight(request: &Request<()>) -> bool {
    request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

/// A browser: its preflight cache, a clock (seconds) and its max-age cap.
#[derive(Clone, Debug)]
pub struct Browser {
    pub cache: PreflightCache,
    pub now_secs: u64,
    /// Cap on `Access-Control-Max-Age` (7200 like Chromium by default).
    pub max_age_cap: u64,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    pub fn new() -> Self {
        Browser {
            cache: PreflightCache::default(),
            now_secs: 0,
            max_age_cap: DEFAULT_MAX_AGE_CAP,
        }
    }

    /// Moves the clock forward.
    pub fn advance(&mut self, secs: u64) {
        self.now_secs = self.now_secs.saturating_add(secs);
    }

    /// Runs the whole algorithm (§Main fetch, §HTTP fetch):
    /// 1. what `fetch()` checks itself (method, headers, URL): a failure is
    ///    `Blocked` with no request sent;
    /// 2. if a preflight is needed and the cache does not cover the request,
    ///    sends [`preflight_request`] through `server` and runs
    ///    [`preflight_check_with_cap`]: on success the result is stored in the
    ///    cache, on failure the origin+URL entries are cleared and the fetch
    ///    is blocked;
    /// 3. sends [`actual_request`] through `server` and runs [`cors_check`]
    ///    on its response, whatever its status.
    ///
    /// §Main fetch: "If corsWithPreflightResponse is a network error, then
    /// clear cache entries using request", so a request that takes the
    /// preflight path (method not safelisted or unsafe headers, cached or not)
    /// also clears the origin+URL entries when the actual response fails the
    /// CORS check. (Chromium does not do this last part; nothing observable
    /// differs except for the next request's preflight.)
    ///
    /// Returns the outcome and the requests the server saw, in order.
    pub fn fetch(
        &mut self,
        req: &FetchRequest,
        server: &mut dyn FnMut(Request<()>) -> Response<()>,
    ) -> (Outcome, Vec<Request<()>>) {
        let mut seen = Vec::new();
        if let Err(failure) = validate_request(req) {
            return (Outcome::Blocked(failure), seen);
        }
        let with_preflight = preflight_eligible(req);

        if with_preflight && !self.cache.covers(req, self.now_secs) {
            seen.push(preflight_request(req));
            let response = server(preflight_request(req));
            match preflight_check_with_cap(
                req,
                response.status(),
                response.headers(),
                self.max_age_cap,
            ) {
                Ok(result) => self.cache.store(req, &result, self.now_secs),
                Err(failure) => {
                    self.cache.clear(&req.origin, &req.url);
                    return (Outcome::Blocked(failure), seen);
                }
            }
        }

        seen.push(actual_request(req));
        let response = server(actual_request(req));
        match cors_check(req, response.headers()) {
            Ok(()) => (
                Outcome::Readable {
                    status: response.status().as_u16(),
                    readable_headers: readable_response_headers(req, response.headers()),
                },
                seen,
            ),
            Err(failure) => {
                if with_preflight {
                    self.cache.clear(&req.origin, &req.url);
                }
                (Outcome::Blocked(failure), seen)
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Tests of the model itself
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "https://app.example.com";
    const API: &str = "https://api.example.com/me";

    fn req(method: &str) -> FetchRequest {
        FetchRequest::new(APP, API, method)
    }

    fn hm(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (n, v) in pairs {
            map.append(
                HeaderName::from_bytes(n.as_bytes()).expect("test header name"),
                HeaderValue::from_bytes(v.as_bytes()).expect("test header value"),
            );
        }
        map
    }

    fn response(status: u16, pairs: &[(&str, &str)]) -> Response<()> {
        let mut r = Response::new(());
        *r.status_mut() = StatusCode::from_u16(status).expect("test status");
        *r.headers_mut() = hm(pairs);
        r
    }

    fn unsafe_names(pairs: &[(&str, &str)]) -> Vec<String> {
        let v: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        cors_unsafe_request_header_names(&v)
    }

    /// A server that answers preflights with `preflight` (status, headers) and
    /// actual requests with `actual`.
    fn server(
        preflight: (u16, Vec<(&'static str, &'static str)>),
        actual: (u16, Vec<(&'static str, &'static str)>),
    ) -> impl FnMut(Request<()>) -> Response<()> {
        move |r: Request<()>| {
            if is_preflight(&r) {
                response(preflight.0, &preflight.1)
            } else {
                response(actual.0, &actual.1)
            }
        }
    }

    fn good_preflight() -> (u16, Vec<(&'static str, &'static str)>) {
        (
            204,
            vec![
                ("access-control-allow-origin", APP),
                ("access-control-allow-credentials", "true"),
                (
                    "access-control-allow-methods",
                    "GET, POST, PUT, PATCH, DELETE",
                ),
                (
                    "access-control-allow-headers",
                    "content-type, authorization, x-request-id",
                ),
                ("access-control-max-age", "600"),
            ],
        )
    }

    fn good_actual() -> (u16, Vec<(&'static str, &'static str)>) {
        (
            200,
            vec![
                ("access-control-allow-origin", APP),
                ("access-control-allow-credentials", "true"),
                ("content-type", "application/json"),
            ],
        )
    }

    // --- §Methods ---------------------------------------------------------

    #[test]
    fn patch_stays_lower_case() {
        assert_eq!(normalize_method("patch"), "patch");
        assert_eq!(normalize_method("Patch"), "Patch");
        assert_eq!(normalize_method("get"), "GET");
        assert_eq!(normalize_method("pOsT"), "POST");
        assert_eq!(normalize_method("delete"), "DELETE");
        assert_eq!(normalize_method("options"), "OPTIONS");
        assert_eq!(normalize_method("put"), "PUT");
        assert_eq!(normalize_method("head"), "HEAD");
        assert_eq!(normalize_method("Foo"), "Foo");
    }

    #[test]
    fn safelisted_methods_are_byte_exact() {
        assert!(is_cors_safelisted_method("GET"));
        assert!(is_cors_safelisted_method("HEAD"));
        assert!(is_cors_safelisted_method("POST"));
        assert!(!is_cors_safelisted_method("get"));
        assert!(!is_cors_safelisted_method("PUT"));
        assert!(!is_cors_safelisted_method("PATCH"));
        // ...but fetch("...", {method: "post"}) is normalised first.
        assert!(!needs_preflight(
            &req("post"),
            &PreflightCache::default(),
            0
        ));
        assert!(needs_preflight(
            &req("patch"),
            &PreflightCache::default(),
            0
        ));
        assert!(needs_preflight(
            &req("DELETE"),
            &PreflightCache::default(),
            0
        ));
    }

    #[test]
    fn forbidden_and_invalid_methods_throw_before_any_request() {
        let mut b = Browser::new();
        let mut s = server(good_preflight(), good_actual());
        let (o, seen) = b.fetch(&req("trace"), &mut s);
        assert_eq!(
            o,
            Outcome::Blocked(Failure::ForbiddenMethod("trace".into()))
        );
        assert!(seen.is_empty());
        let (o, seen) = b.fetch(&req("GE T"), &mut s);
        assert_eq!(o, Outcome::Blocked(Failure::InvalidMethod("GE T".into())));
        assert!(seen.is_empty());
    }

    // --- §CORS-safelisted request-header ---------------------------------

    #[test]
    fn content_type_json_needs_preflight_text_plain_does_not() {
        let cache = PreflightCache::default();
        let json = req("POST").header("Content-Type", "application/json");
        assert!(needs_preflight(&json, &cache, 0));
        assert_eq!(
            unsafe_names(&[("Content-Type", "application/json")]),
            ["content-type"]
        );
        let text = req("POST").header("Content-Type", "text/plain;charset=utf-8");
        assert!(!needs_preflight(&text, &cache, 0));
    }

    #[test]
    fn content_type_mime_parse() {
        let ok = |v: &str| is_cors_safelisted_request_header("content-type", v.as_bytes());
        assert!(ok("text/plain"));
        assert!(ok("TEXT/Plain"));
        assert!(ok("text/plain;"));
        assert!(ok("text/plain ; charset=utf-8"));
        assert!(ok("multipart/form-data; boundary=something"));
        assert!(ok("application/x-www-form-urlencoded"));
        assert!(ok("text/plain; foo=bar;;baz"));
        assert!(!ok("application/json"));
        assert!(!ok("text/html"));
        assert!(!ok("text/plain, application/json")); // subtype is not a token
        assert!(!ok("text /plain"));
        assert!(!ok("text/ plain"));
        assert!(!ok("text"));
        assert!(!ok("/plain"));
        assert!(!ok("text/"));
        assert!(!ok("text/plain; charset=\"utf-8\"")); // `"` is an unsafe byte
        assert!(!ok("text/plain(x)"));
        assert_eq!(
            mime_essence(b" Text/Plain ;x=y").as_deref(),
            Some("text/plain")
        );
        assert_eq!(mime_essence(b"text/pl\xe9in"), None);
        assert_eq!(mime_essence(b""), None);
    }

    #[test]
    fn accept_value_of_129_bytes_is_unsafe() {
        let v128 = "a".repeat(128);
        let v129 = "a".repeat(129);
        assert!(is_cors_safelisted_request_header("accept", v128.as_bytes()));
        assert!(!is_cors_safelisted_request_header(
            "Accept",
            v129.as_bytes()
        ));
        assert_eq!(unsafe_names(&[("Accept", &v129)]), ["accept"]);
        assert!(unsafe_names(&[("Accept", &v128)]).is_empty());
        assert!(needs_preflight(
            &req("GET").header("Accept", &v129),
            &PreflightCache::default(),
            0
        ));
    }

    #[test]
    fn accept_unsafe_bytes() {
        assert!(is_cors_safelisted_request_header(
            "accept",
            b"application/json, */*;q=0.8"
        ));
        assert!(is_cors_safelisted_request_header("accept", b"a\tb"));
        for bad in [
            &b"a\"b"[..],
            b"a(b",
            b"a:b",
            b"a<b",
            b"a?b",
            b"a@b",
            b"a{b",
            b"a\x01b",
            b"a\x7fb",
        ] {
            assert!(!is_cors_safelisted_request_header("accept", bad), "{bad:?}");
        }
    }

    #[test]
    fn language_headers_allowed_bytes() {
        for name in ["accept-language", "Content-Language"] {
            assert!(is_cors_safelisted_request_header(
                name,
                b"en-US,en;q=0.9, *"
            ));
            assert!(!is_cors_safelisted_request_header(name, b"en_US"));
            assert!(!is_cors_safelisted_request_header(name, b"en\tUS"));
            assert!(!is_cors_safelisted_request_header(name, b"en/US"));
        }
    }

    #[test]
    fn range_single_byte_range_only() {
        let ok = |v: &str| is_cors_safelisted_request_header("range", v.as_bytes());
        assert!(ok("bytes=0-"));
        assert!(ok("bytes=0-100"));
        assert!(ok("bytes=5-5"));
        assert!(!ok("bytes=-5")); // suffix range
        assert!(!ok("bytes=5-1"));
        assert!(!ok("bytes=0-1,2-3"));
        assert!(!ok("bytes = 0-1"));
        assert!(!ok("bytes=-"));
        assert!(!ok("items=0-1"));
        assert!(ok(
            "bytes=00000000000000000000000000000001-99999999999999999999999999999"
        ));
        assert!(!ok("bytes=99999999999999999999999999999-1"));
    }

    #[test]
    fn other_headers_and_authorization_are_unsafe() {
        assert!(!is_cors_safelisted_request_header(
            "authorization",
            b"Bearer x"
        ));
        assert!(!is_cors_safelisted_request_header("x-request-id", b"1"));
        assert_eq!(
            unsafe_names(&[
                ("X-B", "1"),
                ("Authorization", "Bearer t"),
                ("x-b", "2"),
                ("Accept", "*/*"),
                ("X-A", "3"),
            ]),
            ["authorization", "x-a", "x-b"]
        );
    }

    #[test]
    fn total_safelisted_size_over_1024_makes_all_unsafe() {
        // 8 values of 128 bytes = 1024: still safe.
        let v = "a".repeat(128);
        let names = ["accept", "accept-language", "content-language"];
        let mut at_limit: Vec<(String, String)> = (0..8)
            .map(|i| (names[i % 3].to_string(), v.clone()))
            .collect();
        assert!(cors_unsafe_request_header_names(&at_limit).is_empty());
        // One more byte: every safelisted header becomes unsafe.
        at_limit.push(("Content-Type".to_string(), "text/plain".to_string()));
        assert_eq!(
            cors_unsafe_request_header_names(&at_limit),
            [
                "accept",
                "accept-language",
                "content-language",
                "content-type"
            ]
        );
        // Unsafe headers' values do not count towards the total.
        let mut with_unsafe: Vec<(String, String)> = (0..8)
            .map(|i| (names[i % 3].to_string(), v.clone()))
            .collect();
        with_unsafe.push(("x-big".to_string(), "b".repeat(500)));
        assert_eq!(cors_unsafe_request_header_names(&with_unsafe), ["x-big"]);
    }

    #[test]
    fn forbidden_headers_are_dropped_and_values_normalised() {
        assert!(is_forbidden_request_header("Cookie", b"a=b"));
        assert!(is_forbidden_request_header("Sec-Fetch-Mode", b"cors"));
        assert!(is_forbidden_request_header("Proxy-Authorization", b"x"));
        assert!(is_forbidden_request_header(
            "X-HTTP-Method-Override",
            b"GET, trace"
        ));
        assert!(!is_forbidden_request_header(
            "X-HTTP-Method-Override",
            b"PATCH"
        ));
        assert!(!is_forbidden_request_header(
            "X-HTTP-Method-Override",
            b"\"a,TRACE\""
        ));
        let r = req("GET")
            .header("Cookie", "a=b")
            .header("Origin", "https://evil.example")
            .header("Content-Type", "  text/plain  ");
        assert!(cors_unsafe_request_header_names(&r.headers).is_empty());
        assert!(!needs_preflight(&r, &PreflightCache::default(), 0));
        let actual = actual_request(&r);
        assert!(actual.headers().get("cookie").is_none());
        assert_eq!(actual.headers()["origin"], APP);
        assert_eq!(actual.headers()["content-type"], "text/plain");
    }

    #[test]
    fn get_decode_split_matches_the_standard_examples() {
        assert_eq!(
            get_decode_split(b"nosniff,"),
            vec![b"nosniff".to_vec(), b"".to_vec()]
        );
        assert_eq!(get_decode_split(b""), vec![b"".to_vec()]);
        assert_eq!(
            get_decode_split(b"text/html;\", x/x"),
            vec![b"text/html;\", x/x".to_vec()]
        );
        assert_eq!(
            get_decode_split(b"x/x;test=\"hi\",y/y"),
            vec![b"x/x;test=\"hi\"".to_vec(), b"y/y".to_vec()]
        );
    }

    // --- requests ---------------------------------------------------------

    #[test]
    fn preflight_request_shape() {
        let r = req("put")
            .credentials(true)
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer t")
            .header("X-Request-Id", "1")
            .header("Accept", "application/json");
        let p = preflight_request(&r);
        assert_eq!(p.method(), Method::OPTIONS);
        assert_eq!(p.uri(), API);
        let h = p.headers();
        assert_eq!(h["origin"], APP);
        assert_eq!(h["access-control-request-method"], "PUT");
        assert_eq!(
            h["access-control-request-headers"],
            "authorization,content-type,x-request-id"
        );
        assert_eq!(h["accept"], "*/*");
        assert!(h.get("authorization").is_none());
        assert!(h.get("cookie").is_none());
        assert!(h.get("x-request-id").is_none());
        assert_eq!(h.len(), 4);
    }

    #[test]
    fn preflight_request_omits_request_headers_when_none_unsafe() {
        let p = preflight_request(&req("DELETE").header("Accept", "text/plain"));
        assert_eq!(p.headers()["access-control-request-method"], "DELETE");
        assert!(p.headers().get("access-control-request-headers").is_none());
        let p = preflight_request(&req("patch"));
        assert_eq!(p.headers()["access-control-request-method"], "patch");
    }

    #[test]
    fn actual_request_shape() {
        let r = req("patch")
            .header("X-A", "1")
            .header("x-a", "2")
            .header("Content-Type", "application/json");
        let a = actual_request(&r);
        assert_eq!(a.method().as_str(), "patch");
        assert_eq!(a.uri(), API);
        assert_eq!(a.headers()["origin"], APP);
        let xa: Vec<_> = a.headers().get_all("x-a").iter().collect();
        assert_eq!(xa, ["1", "2"]);
        assert_eq!(a.headers()["content-type"], "application/json");
    }

    // --- §CORS check ------------------------------------------------------

    #[test]
    fn allow_credentials_true_capitalised_fails() {
        let r = req("GET").credentials(true);
        let base = [("access-control-allow-origin", APP)];
        assert_eq!(
            cors_check(
                &r,
                &hm(&[base[0], ("access-control-allow-credentials", "True")])
            ),
            Err(Failure::AllowCredentialsNotTrue)
        );
        for bad in ["TRUE", "\"true\"", "1", "yes", ""] {
            assert_eq!(
                cors_check(
                    &r,
                    &hm(&[base[0], ("access-control-allow-credentials", bad)])
                ),
                Err(Failure::AllowCredentialsNotTrue),
                "{bad}"
            );
        }
        assert_eq!(
            cors_check(&r, &hm(&base)),
            Err(Failure::AllowCredentialsNotTrue)
        );
        assert_eq!(
            cors_check(
                &r,
                &hm(&[
                    base[0],
                    ("access-control-allow-credentials", "true"),
                    ("access-control-allow-credentials", "true"),
                ])
            ),
            Err(Failure::AllowCredentialsNotTrue)
        );
        assert_eq!(
            cors_check(
                &r,
                &hm(&[base[0], ("access-control-allow-credentials", "true")])
            ),
            Ok(())
        );
        // Not credentialed: Allow-Credentials does not matter.
        assert_eq!(cors_check(&req("GET"), &hm(&base)), Ok(()));
    }

    #[test]
    fn two_allow_origin_values_fail() {
        let r = req("GET");
        assert_eq!(
            cors_check(
                &r,
                &hm(&[
                    ("access-control-allow-origin", APP),
                    ("access-control-allow-origin", APP)
                ])
            ),
            Err(Failure::MultipleAllowOrigin)
        );
        assert_eq!(
            cors_check(
                &r,
                &hm(&[
                    ("access-control-allow-origin", "*"),
                    ("access-control-allow-origin", "*")
                ])
            ),
            Err(Failure::MultipleAllowOrigin)
        );
        assert_eq!(
            cors_check(
                &r,
                &hm(&[(
                    "access-control-allow-origin",
                    "https://app.example.com, https://x.example"
                )])
            ),
            Err(Failure::MultipleAllowOrigin)
        );
    }

    #[test]
    fn allow_origin_must_be_byte_equal() {
        let r = req("GET");
        assert_eq!(
            cors_check(&r, &HeaderMap::new()),
            Err(Failure::NoAllowOrigin)
        );
        for bad in [
            "https://app.example.com/",
            "https://APP.example.com",
            "http://app.example.com",
            "https://app.example.com:443",
            "app.example.com",
            "null",
            "",
        ] {
            assert_eq!(
                cors_check(&r, &hm(&[("access-control-allow-origin", bad)])),
                Err(Failure::AllowOriginMismatch),
                "{bad}"
            );
        }
        // OWS around a field value is not part of it on the wire.
        assert_eq!(
            cors_check(
                &r,
                &hm(&[("access-control-allow-origin", " https://app.example.com ")])
            ),
            Ok(())
        );
        // The standard lets `null` match an opaque origin (servers should not).
        let null = FetchRequest::new("null", API, "GET");
        assert_eq!(
            cors_check(&null, &hm(&[("access-control-allow-origin", "null")])),
            Ok(())
        );
    }

    #[test]
    fn wildcard_with_credentials_fails() {
        let star = hm(&[("access-control-allow-origin", "*")]);
        assert_eq!(cors_check(&req("GET"), &star), Ok(()));
        assert_eq!(
            cors_check(&req("GET").credentials(true), &star),
            Err(Failure::WildcardWithCredentials)
        );
        let star_cred = hm(&[
            ("access-control-allow-origin", "*"),
            ("access-control-allow-credentials", "true"),
        ]);
        assert_eq!(
            cors_check(&req("GET").credentials(true), &star_cred),
            Err(Failure::WildcardWithCredentials)
        );
    }

    #[test]
    fn non_utf8_response_headers_do_not_panic() {
        let mut map = HeaderMap::new();
        map.append(
            ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_bytes(b"https://app.example.com\xff").expect("obs-text"),
        );
        map.append(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_bytes(b"x-\xe9").expect("obs-text"),
        );
        map.append(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_bytes(b"\xff\xfe").expect("obs-text"),
        );
        map.append(
            ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_bytes(b"\xff").expect("obs-text"),
        );
        let r = req("GET");
        assert_eq!(cors_check(&r, &map), Err(Failure::AllowOriginMismatch));
        assert_eq!(
            extract_header_list_values(&map, &ACCESS_CONTROL_ALLOW_HEADERS),
            HeaderListValues::Failure
        );
        assert_eq!(preflight_max_age(&map, 7200), 5);
        assert!(readable_response_headers(&r, &map).is_empty());
    }

    // --- §CORS-preflight fetch --------------------------------------------

    fn put_json(credentials: bool) -> FetchRequest {
        req("PUT")
            .credentials(credentials)
            .header("Content-Type", "application/json")
    }

    #[test]
    fn preflight_204_passes() {
        let (status, h) = good_preflight();
        let result = preflight_check(
            &put_json(true),
            StatusCode::from_u16(status).expect("status"),
            &hm(&h),
        )
        .expect("204 preflight passes");
        assert_eq!(result.methods, ["GET", "POST", "PUT", "PATCH", "DELETE"]);
        assert_eq!(
            result.headers,
            ["content-type", "authorization", "x-request-id"]
        );
        assert_eq!(result.max_age, 600);
        for ok in [200, 201, 299] {
            assert!(preflight_check(
                &put_json(true),
                StatusCode::from_u16(ok).expect("status"),
                &hm(&h)
            )
            .is_ok());
        }
    }

    #[test]
    fn preflight_non_ok_status_fails() {
        let (_, h) = good_preflight();
        for status in [
            301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405, 500, 502, 503,
        ] {
            assert_eq!(
                preflight_check(
                    &put_json(true),
                    StatusCode::from_u16(status).expect("status"),
                    &hm(&h)
                ),
                Err(Failure::PreflightStatus(status)),
                "{status}"
            );
        }
    }

    #[test]
    fn preflight_runs_the_cors_check_with_the_request_credentials() {
        let h = hm(&[
            ("access-control-allow-origin", APP),
            ("access-control-allow-methods", "PUT"),
            ("access-control-allow-headers", "content-type"),
        ]);
        assert!(preflight_check(&put_json(false), StatusCode::OK, &h).is_ok());
        assert_eq!(
            preflight_check(&put_json(true), StatusCode::OK, &h),
            Err(Failure::AllowCredentialsNotTrue)
        );
        let star = hm(&[
            ("access-control-allow-origin", "*"),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "PUT"),
            ("access-control-allow-headers", "content-type"),
        ]);
        assert_eq!(
            preflight_check(&put_json(true), StatusCode::OK, &star),
            Err(Failure::WildcardWithCredentials)
        );
        assert_eq!(
            preflight_check(&put_json(true), StatusCode::OK, &HeaderMap::new()),
            Err(Failure::NoAllowOrigin)
        );
    }

    fn allow(
        cred: bool,
        methods: Option<&'static str>,
        headers: Option<&'static str>,
    ) -> HeaderMap {
        let mut v = vec![("access-control-allow-origin", APP)];
        if cred {
            v.push(("access-control-allow-credentials", "true"));
        }
        if let Some(m) = methods {
            v.push(("access-control-allow-methods", m));
        }
        if let Some(h) = headers {
            v.push(("access-control-allow-headers", h));
        }
        hm(&v)
    }

    #[test]
    fn authorization_is_not_covered_by_wildcard() {
        for cred in [false, true] {
            let r = req("GET")
                .credentials(cred)
                .header("Authorization", "Bearer t");
            assert_eq!(
                preflight_check(&r, StatusCode::OK, &allow(cred, None, Some("*"))),
                Err(Failure::AuthorizationNotCoveredByWildcard)
            );
            assert_eq!(
                preflight_check(&r, StatusCode::OK, &allow(cred, None, Some("x-other"))),
                Err(Failure::HeaderNotAllowed("authorization".into()))
            );
            assert!(preflight_check(
                &r,
                StatusCode::OK,
                &allow(cred, None, Some("*, Authorization"))
            )
            .is_ok());
            assert!(preflight_check(
                &r,
                StatusCode::OK,
                &allow(cred, None, Some("AUTHORIZATION"))
            )
            .is_ok());
        }
    }

    #[test]
    fn wildcard_headers_only_without_credentials() {
        let r = req("GET").header("X-Request-Id", "1");
        assert!(preflight_check(&r, StatusCode::OK, &allow(false, None, Some("*"))).is_ok());
        let rc = r.clone().credentials(true);
        assert_eq!(
            preflight_check(&rc, StatusCode::OK, &allow(true, None, Some("*"))),
            Err(Failure::HeaderNotAllowed("x-request-id".into()))
        );
        assert!(preflight_check(
            &rc,
            StatusCode::OK,
            &allow(true, None, Some("X-Request-ID"))
        )
        .is_ok());
        assert_eq!(
            preflight_check(&r, StatusCode::OK, &allow(false, None, None)),
            Err(Failure::HeaderNotAllowed("x-request-id".into()))
        );
    }

    #[test]
    fn wildcard_methods_only_without_credentials() {
        assert!(preflight_check(
            &req("PURGE"),
            StatusCode::OK,
            &allow(false, Some("*"), None)
        )
        .is_ok());
        assert_eq!(
            preflight_check(
                &req("PURGE").credentials(true),
                StatusCode::OK,
                &allow(true, Some("*"), None)
            ),
            Err(Failure::MethodNotAllowed("PURGE".into()))
        );
    }

    #[test]
    fn method_check_is_byte_exact_except_safelisted() {
        assert_eq!(
            preflight_check(
                &req("patch"),
                StatusCode::OK,
                &allow(false, Some("PATCH"), None)
            ),
            Err(Failure::MethodNotAllowed("patch".into()))
        );
        assert!(preflight_check(
            &req("patch"),
            StatusCode::OK,
            &allow(false, Some("patch"), None)
        )
        .is_ok());
        assert!(preflight_check(
            &req("PATCH"),
            StatusCode::OK,
            &allow(false, Some("PATCH"), None)
        )
        .is_ok());
        // "put" is normalised to PUT.
        assert!(preflight_check(
            &req("put"),
            StatusCode::OK,
            &allow(false, Some("PUT"), None)
        )
        .is_ok());
        assert_eq!(
            preflight_check(
                &req("put"),
                StatusCode::OK,
                &allow(false, Some("put"), None)
            ),
            Err(Failure::MethodNotAllowed("PUT".into()))
        );
        assert_eq!(
            preflight_check(&req("DELETE"), StatusCode::OK, &allow(false, None, None)),
            Err(Failure::MethodNotAllowed("DELETE".into()))
        );
        // Safelisted methods always pass, even when not listed.
        let post = req("POST").header("X-A", "1");
        assert!(preflight_check(
            &post,
            StatusCode::OK,
            &allow(false, Some("PUT"), Some("x-a"))
        )
        .is_ok());
    }

    #[test]
    fn allow_lists_must_parse() {
        let r = req("PUT").header("X-A", "1");
        assert_eq!(
            preflight_check(
                &r,
                StatusCode::OK,
                &allow(false, Some("PUT; x"), Some("x-a"))
            ),
            Err(Failure::MethodsParse)
        );
        assert_eq!(
            preflight_check(
                &r,
                StatusCode::OK,
                &allow(false, Some("PUT DELETE"), Some("x-a"))
            ),
            Err(Failure::MethodsParse)
        );
        assert_eq!(
            preflight_check(
                &r,
                StatusCode::OK,
                &allow(false, Some("PUT"), Some("x-a, x b"))
            ),
            Err(Failure::HeadersParse)
        );
        assert_eq!(
            preflight_check(
                &r,
                StatusCode::OK,
                &allow(false, Some("PUT"), Some("\"x-a\""))
            ),
            Err(Failure::HeadersParse)
        );
        // A parse failure fails even when the request needs nothing from it.
        assert_eq!(
            preflight_check(
                &r,
                StatusCode::OK,
                &allow(false, Some("PUT"), Some("x-a, @"))
            ),
            Err(Failure::HeadersParse)
        );
        // Empty elements are ignored (RFC 9110 §5.6.1, WPT).
        assert!(preflight_check(
            &r,
            StatusCode::OK,
            &allow(false, Some(",PUT,,"), Some(" , x-a ,"))
        )
        .is_ok());
        assert!(preflight_check(
            &req("GET"),
            StatusCode::OK,
            &allow(false, Some(""), Some(""))
        )
        .is_ok());
    }

    #[test]
    fn allow_lists_over_several_lines_are_combined() {
        let r = req("PUT").header("X-A", "1").header("X-B", "2");
        let h = hm(&[
            ("access-control-allow-origin", APP),
            ("access-control-allow-methods", "GET"),
            ("access-control-allow-methods", "PUT"),
            ("access-control-allow-headers", "x-a"),
            ("access-control-allow-headers", "x-b"),
        ]);
        let result = preflight_check(&r, StatusCode::OK, &h).expect("combined lists");
        assert_eq!(result.methods, ["GET", "PUT"]);
        assert_eq!(result.headers, ["x-a", "x-b"]);
    }

    #[test]
    fn max_age_default_and_clamp() {
        let with = |v: &[&'static str]| {
            let mut pairs = vec![("access-control-allow-origin", APP)];
            pairs.extend(v.iter().map(|x| ("access-control-max-age", *x)));
            hm(&pairs)
        };
        let age = |h: &HeaderMap| {
            preflight_check(&req("DELETE"), StatusCode::OK, &{
                let mut h = h.clone();
                h.insert(
                    ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("DELETE"),
                );
                h
            })
            .expect("preflight")
            .max_age
        };
        assert_eq!(age(&with(&[])), 5);
        assert_eq!(age(&with(&["abc"])), 5);
        assert_eq!(age(&with(&["-1"])), 5);
        assert_eq!(age(&with(&["1.5"])), 5);
        assert_eq!(age(&with(&[""])), 5);
        assert_eq!(age(&with(&["600", "600"])), 5);
        assert_eq!(age(&with(&["0"])), 0);
        assert_eq!(age(&with(&["600"])), 600);
        assert_eq!(age(&with(&["7200"])), 7200);
        assert_eq!(age(&with(&["86400"])), 7200);
        assert_eq!(age(&with(&["99999999999999999999999999"])), 7200);
        assert_eq!(preflight_max_age(&with(&["86400"]), 86400), 86400);
        assert_eq!(preflight_max_age(&with(&[]), 2), 2);
    }

    // --- readable response headers ----------------------------------------

    #[test]
    fn set_cookie_is_never_readable() {
        let h = hm(&[
            ("access-control-allow-origin", APP),
            (
                "access-control-expose-headers",
                "set-cookie, Set-Cookie2, x-total",
            ),
            ("set-cookie", "a=b"),
            ("set-cookie2", "c=d"),
            ("x-total", "3"),
        ]);
        assert_eq!(readable_response_headers(&req("GET"), &h), ["x-total"]);
        let star = hm(&[
            ("access-control-expose-headers", "*"),
            ("set-cookie", "a=b"),
            ("x-y", "1"),
        ]);
        let names = readable_response_headers(&req("GET"), &star);
        assert!(!names.contains(&"set-cookie".to_string()));
        assert!(names.contains(&"x-y".to_string()));
    }

    #[test]
    fn expose_wildcard_only_uncredentialed() {
        let h = hm(&[
            ("access-control-allow-origin", APP),
            ("access-control-expose-headers", "*"),
            ("content-type", "application/json"),
            ("x-request-id", "1"),
        ]);
        assert_eq!(
            readable_response_headers(&req("GET"), &h),
            [
                "access-control-allow-origin",
                "access-control-expose-headers",
                "content-type",
                "x-request-id"
            ]
        );
        assert_eq!(
            readable_response_headers(&req("GET").credentials(true), &h),
            ["content-type"]
        );
        // Credentialed: names must be listed.
        let listed = hm(&[
            ("access-control-expose-headers", "X-Request-Id"),
            ("x-request-id", "1"),
        ]);
        assert_eq!(
            readable_response_headers(&req("GET").credentials(true), &listed),
            ["x-request-id"]
        );
    }

    #[test]
    fn safelisted_response_headers_and_unparsable_expose() {
        let h = hm(&[
            ("cache-control", "no-store"),
            ("content-language", "en"),
            ("content-length", "2"),
            ("content-type", "text/plain"),
            ("expires", "0"),
            ("last-modified", "x"),
            ("pragma", "no-cache"),
            ("x-hidden", "1"),
            ("access-control-expose-headers", "x-hidden, @bad"),
        ]);
        assert_eq!(
            readable_response_headers(&req("GET"), &h),
            [
                "cache-control",
                "content-language",
                "content-length",
                "content-type",
                "expires",
                "last-modified",
                "pragma"
            ]
        );
    }

    // --- §CORS-preflight cache --------------------------------------------

    #[test]
    fn cache_hit_avoids_second_preflight_within_max_age() {
        let mut b = Browser::new();
        let mut s = server(good_preflight(), good_actual());
        let r = put_json(true);
        let (o, seen) = b.fetch(&r, &mut s);
        assert!(o.is_readable(), "{o:?}");
        assert_eq!(seen.len(), 2);
        assert!(is_preflight(&seen[0]));
        assert_eq!(seen[1].method(), Method::PUT);

        b.advance(599);
        let (o, seen) = b.fetch(&r, &mut s);
        assert!(o.is_readable());
        assert_eq!(seen.len(), 1, "cache hit: no preflight");
        assert!(!is_preflight(&seen[0]));

        b.advance(1); // 600 s after the preflight: expired.
        assert!(needs_preflight(&r, &b.cache, b.now_secs));
        let (o, seen) = b.fetch(&r, &mut s);
        assert!(o.is_readable());
        assert_eq!(seen.len(), 2, "cache miss after max-age");
    }

    #[test]
    fn default_max_age_is_five_seconds_and_zero_disables_caching() {
        let mut b = Browser::new();
        let mut s = server(
            (
                204,
                vec![
                    ("access-control-allow-origin", "*"),
                    ("access-control-allow-methods", "DELETE"),
                ],
            ),
            (204, vec![("access-control-allow-origin", "*")]),
        );
        let r = req("DELETE");
        assert_eq!(b.fetch(&r, &mut s).1.len(), 2);
        b.advance(4);
        assert_eq!(b.fetch(&r, &mut s).1.len(), 1);
        b.advance(1);
        assert_eq!(b.fetch(&r, &mut s).1.len(), 2);

        let mut b = Browser::new();
        let mut s = server(
            (
                204,
                vec![
                    ("access-control-allow-origin", "*"),
                    ("access-control-allow-methods", "DELETE"),
                    ("access-control-max-age", "0"),
                ],
            ),
            (204, vec![("access-control-allow-origin", "*")]),
        );
        assert_eq!(b.fetch(&r, &mut s).1.len(), 2);
        assert_eq!(b.fetch(&r, &mut s).1.len(), 2);
        assert!(b.cache.is_empty());
    }

    #[test]
    fn max_age_cap_applies_to_cache() {
        let mut b = Browser::new();
        let mut s = server(
            (
                204,
                vec![
                    ("access-control-allow-origin", "*"),
                    ("access-control-allow-methods", "DELETE"),
                    ("access-control-max-age", "86400"),
                ],
            ),
            (204, vec![("access-control-allow-origin", "*")]),
        );
        let r = req("DELETE");
        assert_eq!(b.fetch(&r, &mut s).1.len(), 2);
        b.advance(7199);
        assert_eq!(b.fetch(&r, &mut s).1.len(), 1);
        b.advance(1);
        assert_eq!(b.fetch(&r, &mut s).1.len(), 2);

        let mut b = Browser::new();
        b.max_age_cap = 86400;
        assert_eq!(b.fetch(&r, &mut s).1.len(), 2);
        b.advance(86399);
        assert_eq!(b.fetch(&r, &mut s).1.len(), 1);
    }

    #[test]
    fn uncredentialed_entry_does_not_serve_credentialed_request() {
        let result = PreflightResult {
            methods: vec!["PUT".into()],
            headers: vec!["content-type".into()],
            max_age: 600,
        };
        let mut cache = PreflightCache::default();
        cache.store(&put_json(false), &result, 0);
        assert!(cache.covers(&put_json(false), 10));
        assert!(!cache.covers(&put_json(true), 10));
        assert!(needs_preflight(&put_json(true), &cache, 10));

        let mut cache = PreflightCache::default();
        cache.store(&put_json(true), &result, 0);
        assert!(cache.covers(&put_json(true), 10));
        assert!(
            cache.covers(&put_json(false), 10),
            "credentialed entry serves both"
        );
    }

    #[test]
    fn cache_is_keyed_by_origin_and_url() {
        let result = PreflightResult {
            methods: vec!["PUT".into()],
            headers: vec!["Content-Type".into()],
            max_age: 600,
        };
        let mut cache = PreflightCache::default();
        cache.store(&put_json(false), &result, 0);
        let mut other_url = put_json(false);
        other_url.url = "https://api.example.com/other".into();
        assert!(!cache.covers(&other_url, 1));
        let mut other_origin = put_json(false);
        other_origin.origin = "https://evil.example".into();
        assert!(!cache.covers(&other_origin, 1));
        // Header names case-insensitively, methods byte-exact.
        assert!(cache.covers(&req("PUT").header("CONTENT-TYPE", "application/json"), 1));
        let patch = PreflightResult {
            methods: vec!["PATCH".into()],
            headers: vec![],
            max_age: 600,
        };
        cache.store(&req("PATCH"), &patch, 0);
        assert!(cache.covers(&req("PATCH"), 1));
        assert!(!cache.covers(&req("patch"), 1));
        assert!(!cache.covers(&put_json(false).header("X-Other", "1"), 1));
        assert_eq!(cache.len(), 3);
    }

    #[test]
    fn wildcard_cache_entries() {
        let result = PreflightResult {
            methods: vec!["*".into()],
            headers: vec!["*".into()],
            max_age: 600,
        };
        let mut cache = PreflightCache::default();
        cache.store(&req("PURGE").header("X-A", "1"), &result, 0);
        assert!(cache.covers(&req("PURGE").header("X-B", "1"), 1));
        assert!(cache.covers(&req("patch"), 1));
        assert!(!cache.covers(&req("GET").header("Authorization", "Bearer t"), 1));
        // A credentialed `*` entry still does not serve credentialed requests.
        let mut cache = PreflightCache::default();
        cache.store(&req("PURGE").credentials(true), &result, 0);
        assert!(!cache.covers(&req("PURGE").credentials(true), 1));
        assert!(!cache.covers(&req("GET").credentials(true).header("X-A", "1"), 1));
        assert!(cache.covers(&req("PURGE"), 1));
    }

    #[test]
    fn failed_preflight_clears_cache() {
        let mut b = Browser::new();
        let mut ok = server(good_preflight(), good_actual());
        let r = put_json(true);
        assert!(b.fetch(&r, &mut ok).0.is_readable());
        assert!(!b.cache.is_empty());

        // A request the cache does not cover triggers a preflight, which fails.
        let other = r.clone().header("X-Unlisted", "1");
        let (o, seen) = b.fetch(&other, &mut ok);
        assert_eq!(
            o,
            Outcome::Blocked(Failure::HeaderNotAllowed("x-unlisted".into()))
        );
        assert_eq!(seen.len(), 1, "no actual request after a failed preflight");
        assert!(b.cache.is_empty(), "entries for origin+url cleared");
        // So the request that was cached needs a preflight again.
        assert_eq!(b.fetch(&r, &mut ok).1.len(), 2);
    }

    #[test]
    fn clear_removes_only_that_origin_and_url() {
        let result = PreflightResult {
            methods: vec!["PUT".into()],
            headers: vec![],
            max_age: 600,
        };
        let mut cache = PreflightCache::default();
        cache.store(&req("PUT"), &result, 0);
        let mut other = req("PUT");
        other.url = "https://api.example.com/other".into();
        cache.store(&other, &result, 0);
        cache.store(&req("PUT").credentials(true), &result, 0);
        assert_eq!(cache.len(), 3);
        cache.clear(APP, API);
        assert_eq!(cache.len(), 1);
        assert!(cache.covers(&other, 1));
    }

    #[test]
    fn failed_actual_cors_check_clears_cache_on_preflight_path() {
        let mut b = Browser::new();
        let mut good = server(good_preflight(), good_actual());
        let r = put_json(true);
        assert!(b.fetch(&r, &mut good).0.is_readable());
        let mut bad_actual = server(
            good_preflight(),
            (200, vec![("access-control-allow-origin", APP)]),
        );
        let (o, seen) = b.fetch(&r, &mut bad_actual);
        assert_eq!(o, Outcome::Blocked(Failure::AllowCredentialsNotTrue));
        assert_eq!(seen.len(), 1);
        assert!(b.cache.is_empty());
    }

    // --- whole fetches ----------------------------------------------------

    #[test]
    fn actual_401_with_correct_headers_is_readable() {
        let mut b = Browser::new();
        let mut s = server(
            good_preflight(),
            (
                401,
                vec![
                    ("access-control-allow-origin", APP),
                    ("access-control-allow-credentials", "true"),
                    ("www-authenticate", "Bearer"),
                    ("content-type", "application/json"),
                ],
            ),
        );
        let (o, _) = b.fetch(&req("GET").credentials(true), &mut s);
        assert_eq!(
            o,
            Outcome::Readable {
                status: 401,
                readable_headers: vec!["content-type".into()],
            }
        );
        // Without the CORS headers the script sees nothing, not even 401.
        let mut s = server(good_preflight(), (401, vec![]));
        let (o, _) = b.fetch(&req("GET").credentials(true), &mut s);
        assert_eq!(o, Outcome::Blocked(Failure::NoAllowOrigin));
    }

    #[test]
    fn simple_request_goes_straight_to_the_server() {
        let mut b = Browser::new();
        let mut s = server(
            (500, vec![]),
            (
                200,
                vec![("access-control-allow-origin", "*"), ("x-secret", "1")],
            ),
        );
        let r = req("POST").header("Content-Type", "text/plain;charset=utf-8");
        let (o, seen) = b.fetch(&r, &mut s);
        assert_eq!(
            o,
            Outcome::Readable {
                status: 200,
                readable_headers: vec![]
            }
        );
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].method(), Method::POST);
        // Even a blocked simple request reached the server.
        let mut s = server((500, vec![]), (200, vec![]));
        let (o, seen) = b.fetch(&r, &mut s);
        assert_eq!(o, Outcome::Blocked(Failure::NoAllowOrigin));
        assert_eq!(seen.len(), 1);
    }

    #[test]
    fn preflight_failure_blocks_before_the_actual_request() {
        for status in [301, 302, 401, 403, 500] {
            let mut b = Browser::new();
            let (_, h) = good_preflight();
            let mut s = server((status, h), good_actual());
            let (o, seen) = b.fetch(&put_json(true), &mut s);
            assert_eq!(o, Outcome::Blocked(Failure::PreflightStatus(status)));
            assert_eq!(seen.len(), 1);
            assert!(b.cache.is_empty());
        }
    }

    #[test]
    fn patch_needs_exact_allow_methods_entry() {
        let mut b = Browser::new();
        let mut s = server(
            (
                204,
                vec![
                    ("access-control-allow-origin", APP),
                    ("access-control-allow-methods", "PATCH"),
                ],
            ),
            (200, vec![("access-control-allow-origin", APP)]),
        );
        let (o, seen) = b.fetch(&req("patch"), &mut s);
        assert_eq!(
            o,
            Outcome::Blocked(Failure::MethodNotAllowed("patch".into()))
        );
        assert_eq!(seen[0].headers()["access-control-request-method"], "patch");
        let (o, seen) = b.fetch(&req("PATCH"), &mut s);
        assert!(o.is_readable());
        assert_eq!(seen[1].method().as_str(), "PATCH");
    }

    #[test]
    fn invalid_header_throws() {
        let mut b = Browser::new();
        let mut s = server(good_preflight(), good_actual());
        let (o, seen) = b.fetch(&req("GET").header("X Bad", "1"), &mut s);
        assert_eq!(o, Outcome::Blocked(Failure::InvalidHeader("X Bad".into())));
        assert!(seen.is_empty());
        let (o, _) = b.fetch(&req("GET").header("X-A", "a\nb"), &mut s);
        assert_eq!(o, Outcome::Blocked(Failure::InvalidHeader("X-A".into())));
        let bad_url = FetchRequest::new(APP, "not a url", "GET");
        let (o, _) = b.fetch(&bad_url, &mut s);
        assert_eq!(o, Outcome::Blocked(Failure::InvalidUrl("not a url".into())));
    }

    /// A small deterministic generator, so the model needs no dev-dependency.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }

        fn bytes(&mut self, alphabet: &[u8], max_len: u64) -> Vec<u8> {
            let len = self.next() % (max_len + 1);
            (0..len)
                .map(|_| {
                    if self.next() & 3 == 0 {
                        (self.next() % 256) as u8
                    } else {
                        alphabet[(self.next() % alphabet.len() as u64) as usize]
                    }
                })
                .collect()
        }
    }

    #[test]
    fn arbitrary_input_never_panics() {
        let alphabet = b"aA0*/,;= \t\"-=:tbytesplain()@";
        let names = [
            "access-control-allow-origin",
            "access-control-allow-credentials",
            "access-control-allow-methods",
            "access-control-allow-headers",
            "access-control-expose-headers",
            "access-control-max-age",
            "set-cookie",
            "x-a",
        ];
        let mut rng = Lcg(42);
        for _ in 0..3000 {
            let value = rng.bytes(alphabet, 40);
            for n in ["accept", "accept-language", "content-type", "range", "x"] {
                let _ = is_cors_safelisted_request_header(n, &value);
            }
            let _ = mime_essence(&value);
            let _ = get_decode_split(&value);
            let _ = is_forbidden_request_header("x-http-method-override", &value);

            let mut map = HeaderMap::new();
            for _ in 0..(rng.next() % 5) {
                let name = names[(rng.next() % names.len() as u64) as usize];
                if let Ok(v) = HeaderValue::from_bytes(&rng.bytes(alphabet, 20)) {
                    map.append(name, v);
                }
            }
            let text = String::from_utf8_lossy(&value).into_owned();
            let r = FetchRequest::new(APP, API, &text)
                .header(&text, &text)
                .header("content-type", &text)
                .credentials(rng.next() & 1 == 0);
            let _ = cors_check(&r, &map);
            let _ = preflight_check(&r, StatusCode::OK, &map);
            let _ = readable_response_headers(&r, &map);
            let _ = preflight_request(&r);
            let _ = actual_request(&r);
            let mut b = Browser::new();
            let mut reply = |_req: Request<()>| {
                let mut resp = Response::new(());
                *resp.headers_mut() = map.clone();
                resp
            };
            let _ = b.fetch(&r, &mut reply);
        }
    }

    #[test]
    fn failure_messages_are_nonempty() {
        for f in [
            Failure::PreflightStatus(500),
            Failure::NoAllowOrigin,
            Failure::AuthorizationNotCoveredByWildcard,
            Failure::HeaderNotAllowed("x".into()),
        ] {
            assert!(!f.to_string().is_empty());
        }
    }
}
