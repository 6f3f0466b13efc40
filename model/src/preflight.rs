//! What a browser does with a preflight response ([§CORS-preflight fetch],
//! step 7): the status, the CORS check, the allowed methods and headers and
//! the max-age.
//!
//! [§CORS-preflight fetch]: https://fetch.spec.whatwg.org/#cors-preflight-fetch

use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_MAX_AGE,
};
use http::{HeaderMap, StatusCode};

use crate::cors_check::cors_check;
use crate::engine_rules::AuthorizationUnderWildcard;
use crate::failure::Failure;
use crate::request::FetchRequest;
use crate::safelist::{cors_unsafe_request_header_names, request_header_list};
use crate::syntax::{
    extract_header_list_values, is_cors_safelisted_method, normalize_method, trim_ows,
    HeaderListValues,
};

/// Chromium's cap on `Access-Control-Max-Age`, in seconds (Firefox uses
/// 86400). See [§CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch):
/// "the user agent may impose a limit".
pub const DEFAULT_MAX_AGE_CAP: u64 = 7200;

/// [§CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch):
/// "If max-age is failure or null, then set max-age to 5."
pub const DEFAULT_MAX_AGE: u64 = 5;

/// What a successful preflight allows, as stored in the preflight cache.
///
/// ([§CORS-preflight cache](https://fetch.spec.whatwg.org/#cors-preflight-cache) entries are made from it.)
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

/// [§CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch) step 7, max-age: `Access-Control-Max-Age` is
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

/// [§CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch), after the response arrives, with Chromium's cap of
/// 7200 s on max-age. See [`preflight_check_with_cap`].
pub fn preflight_check(
    req: &FetchRequest,
    status: StatusCode,
    headers: &HeaderMap,
) -> Result<PreflightResult, Failure> {
    preflight_check_with_cap(req, status, headers, DEFAULT_MAX_AGE_CAP)
}

/// [§CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch), step 7, in this order:
/// 1. the status must be an ok status (200-299);
/// 2. the [§CORS check](https://fetch.spec.whatwg.org/#cors-check), with the *actual request's* credentials mode ("The
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
///
/// This is the standard's rule on `authorization`; see
/// [`preflight_check_under`] for today's engines'.
pub fn preflight_check_with_cap(
    req: &FetchRequest,
    status: StatusCode,
    headers: &HeaderMap,
    max_age_cap: u64,
) -> Result<PreflightResult, Failure> {
    preflight_check_under(
        req,
        status,
        headers,
        max_age_cap,
        AuthorizationUnderWildcard::Standard,
    )
}

/// [`preflight_check_with_cap`], with step 5 as `authorization` says
/// ([`AuthorizationUnderWildcard`]): under
/// [`Engines2026`](AuthorizationUnderWildcard::Engines2026), a request
/// without credentials has `authorization` covered by `*` like any other
/// name, and a credentialed one that lists only `*` fails with
/// [`Failure::HeaderNotAllowed`]`("authorization")` (`*` is literal then);
/// under [`Standard`](AuthorizationUnderWildcard::Standard), `*` alone fails
/// with [`Failure::AuthorizationNotCoveredByWildcard`] in both modes.
pub fn preflight_check_under(
    req: &FetchRequest,
    status: StatusCode,
    headers: &HeaderMap,
    max_age_cap: u64,
    authorization: AuthorizationUnderWildcard,
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
        match authorization {
            _ if !headers_wildcard => {
                return Err(Failure::HeaderNotAllowed("authorization".to_string()))
            }
            AuthorizationUnderWildcard::Standard => {
                return Err(Failure::AuthorizationNotCoveredByWildcard)
            }
            AuthorizationUnderWildcard::Engines2026 if req.credentials => {
                return Err(Failure::HeaderNotAllowed("authorization".to_string()))
            }
            // Covered by `*`, like the other names below.
            AuthorizationUnderWildcard::Engines2026 => {}
        }
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
