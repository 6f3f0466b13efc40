//! Which response headers the script can read ([§CORS-safelisted
//! response-header name], `Access-Control-Expose-Headers`).
//!
//! [§CORS-safelisted response-header name]: https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name

use http::header::ACCESS_CONTROL_EXPOSE_HEADERS;
use http::HeaderMap;

use crate::request::FetchRequest;
use crate::syntax::{extract_header_list_values, HeaderListValues};

/// [§CORS-safelisted response-header name](https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name) (without an exposed list):
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

/// [§Headers](https://fetch.spec.whatwg.org/#terminology-headers): forbidden response-header names, never exposed to script.
pub fn is_forbidden_response_header_name(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "set-cookie" | "set-cookie2"
    )
}

/// [§Main fetch](https://fetch.spec.whatwg.org/#main-fetch) (CORS-exposed header-name list) and §CORS-safelisted
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
