//! The request a page's script makes ([`FetchRequest`]), what `fetch()`
//! checks before anything goes on the network, and the two requests a
//! browser sends for it: the CORS-preflight request and the actual request.

use http::header::{ACCEPT, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::{HeaderName, HeaderValue, Method, Request, Uri};

use crate::failure::Failure;
use crate::safelist::{
    cors_unsafe_request_header_names, request_header_is_valid, request_header_list,
};
use crate::syntax::{is_forbidden_method, is_token, normalize_method, normalize_value};

/// What the page's script asks for (the `fetch()` call).
///
/// (The parts of a [§request](https://fetch.spec.whatwg.org/#concept-request) CORS depends on.)
#[derive(Clone, Debug)]
pub struct FetchRequest {
    /// Serialised origin of the page, e.g. `"https://app.example.com"` (may also
    /// be "null").
    pub origin: String,
    /// Target URL, used as the request target and as the preflight cache key
    /// (e.g. `"https://api.example.com/me"`).
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
    ///
    /// ([§credentials mode](https://fetch.spec.whatwg.org/#concept-request-credentials-mode).)
    pub fn credentials(mut self, include: bool) -> Self {
        self.credentials = include;
        self
    }
}

/// Checks what `fetch()` itself checks before anything goes on the network
/// (it throws a TypeError otherwise): the method is a token and not a
/// forbidden method, every author header is valid, the URL parses.
///
/// ([§Request class](https://fetch.spec.whatwg.org/#request-class) constructor, [§Headers class](https://fetch.spec.whatwg.org/#headers-class).)
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

/// [§CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch), steps 1-5: `OPTIONS` to the same URL with
/// `Accept: */*`, `Access-Control-Request-Method: <method>` and, when there
/// are CORS-unsafe request-header names, `Access-Control-Request-Headers`
/// with them joined by "," (no space: "This intentionally does not use
/// combine"). The preflight never carries credentials (no `Cookie`, no
/// `Authorization`) nor the author headers. `Origin` is added as for any
/// CORS request ([§Origin header](https://fetch.spec.whatwg.org/#origin-header)).
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
///
/// ([§`Origin` header](https://fetch.spec.whatwg.org/#origin-header).)
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
