//! Byte classes, methods and header-value parsing: the building blocks the
//! rest of the model reads headers with (RFC 9110 tokens, [§Methods], the
//! [§Headers] parsing algorithms, the MIME Sniffing standard's essence).
//!
//! [§Methods]: https://fetch.spec.whatwg.org/#methods
//! [§Headers]: https://fetch.spec.whatwg.org/#terminology-headers

use http::{HeaderMap, HeaderName};

/// RFC 9110 `tchar`.
pub(crate) fn is_tchar(b: u8) -> bool {
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
pub(crate) fn is_http_whitespace(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\r' | b' ')
}

/// HTTP tab or space bytes (0x09, 0x20).
pub(crate) fn is_http_tab_or_space(b: u8) -> bool {
    matches!(b, b'\t' | b' ')
}

pub(crate) fn trim_bytes(bytes: &[u8], strip: fn(u8) -> bool) -> &[u8] {
    let start = bytes.iter().position(|&b| !strip(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !strip(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// [§Headers](https://fetch.spec.whatwg.org/#terminology-headers): to normalize a byte sequence, remove leading and trailing HTTP
/// whitespace bytes.
pub(crate) fn normalize_value(bytes: &[u8]) -> &[u8] {
    trim_bytes(bytes, is_http_whitespace)
}

/// What an HTTP/1.1 parser does to a field line: optional whitespace (SP and
/// HTAB) around the field value is not part of it. A test server builds
/// `http::Response` values directly, so the model applies this itself.
pub(crate) fn trim_ows(bytes: &[u8]) -> &[u8] {
    trim_bytes(bytes, is_http_tab_or_space)
}

pub(crate) fn lower(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_ascii_lowercase()
}

/// [§Methods](https://fetch.spec.whatwg.org/#methods): to normalize a method, if it is a byte-case-insensitive match
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

/// [§Methods](https://fetch.spec.whatwg.org/#methods): a CORS-safelisted method is `GET`, `HEAD` or `POST` (byte-exact).
pub fn is_cors_safelisted_method(m: &str) -> bool {
    matches!(m, "GET" | "HEAD" | "POST")
}

/// [§Methods](https://fetch.spec.whatwg.org/#methods): a forbidden method is a byte-case-insensitive match for
/// `CONNECT`, `TRACE` or `TRACK`.
pub fn is_forbidden_method(m: &[u8]) -> bool {
    [&b"CONNECT"[..], b"TRACE", b"TRACK"]
        .iter()
        .any(|f| f.eq_ignore_ascii_case(m))
}

/// [§Headers](https://fetch.spec.whatwg.org/#terminology-headers), "get, decode, and split" for one value: split on commas outside
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

/// The result of [§Headers](https://fetch.spec.whatwg.org/#terminology-headers) "extract header list values" for the comma-list
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

/// [§Headers](https://fetch.spec.whatwg.org/#terminology-headers) "extract header list values" for the `#token` lists used by
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

/// [§Headers](https://fetch.spec.whatwg.org/#terminology-headers) "get": the values of all header lines named `name`, in order,
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

/// MIME Sniffing "parse a MIME type", steps 1 to 10: returns the essence
/// (`type/subtype`, ASCII-lowercased) or `None` on failure. Parameters never
/// make the parse fail, so they are not parsed. Bytes are isomorphic-decoded
/// (a byte >= 0x80 is a code point that is not an HTTP token code point).
///
/// ([MIME Sniffing, parse a MIME type](https://mimesniff.spec.whatwg.org/#parse-a-mime-type).)
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
