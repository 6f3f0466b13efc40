//! Problems a readable response can still have: a missing `Vary: Origin`
//! (caches), response headers the script cannot read, and a preflight that
//! passes only by today's engines' leniency on `authorization` under `*`.

use http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, VARY};
use http::{HeaderMap, HeaderName, StatusCode};

use super::explain::authorization_by_name;
use super::Warning;
use crate::engine_rules::AuthorizationUnderWildcard;
use crate::failure::Failure;
use crate::preflight::{preflight_check_under, DEFAULT_MAX_AGE_CAP};
use crate::request::FetchRequest;
use crate::response::is_forbidden_response_header_name;
use crate::syntax::{extract_header_list_values, get_combined, get_decode_split, HeaderListValues};

/// The warnings for a readable response to `req`; `readable` is what the
/// script can read, `wanted` the names it means to read.
pub(crate) fn warnings(
    req: &FetchRequest,
    headers: &HeaderMap,
    readable: &[String],
    wanted: &[String],
) -> Vec<Warning> {
    let mut out = Vec::new();
    let acao = get_combined(headers, &ACCESS_CONTROL_ALLOW_ORIGIN);
    if acao.as_deref() == Some(req.origin.as_bytes()) {
        let vary = get_combined(headers, &VARY).unwrap_or_default();
        let names = get_decode_split(&vary);
        if !names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(b"origin") || n.as_slice() == b"*")
        {
            out.push(Warning {
                code: "vary_origin_missing",
                message: format!(
                    "Access-Control-Allow-Origin names the origin ({}) but Vary does not list Origin: if the server answers other origins differently (or not at all), a cache (CDN, proxy, the browser's own) can serve one origin's response to another, which the browser then blocks; send Vary: Origin (strict-cors always does)",
                    req.origin
                ),
            });
        }
    }
    let exposed = match extract_header_list_values(headers, &ACCESS_CONTROL_EXPOSE_HEADERS) {
        HeaderListValues::Values(v) => v,
        _ => Vec::new(),
    };
    let wildcard_literal = req.credentials && exposed.iter().any(|e| e == "*");
    if wildcard_literal {
        out.push(Warning {
            code: "expose_wildcard_with_credentials",
            message: "Access-Control-Expose-Headers: * exposes nothing on a credentialed request (browsers read * as a header name then); list the names, e.g. .expose_headers([\"x-request-id\"])".to_string(),
        });
    }
    for name in wanted {
        let lname = name.to_ascii_lowercase();
        if readable.contains(&lname) {
            continue;
        }
        let present = HeaderName::from_bytes(lname.as_bytes())
            .map(|n| headers.contains_key(n))
            .unwrap_or(false);
        let why = if !present {
            "the response has no such header".to_string()
        } else if is_forbidden_response_header_name(&lname) {
            "scripts can never read it, whatever the server sends".to_string()
        } else if wildcard_literal {
            "Access-Control-Expose-Headers is * and the request is credentialed".to_string()
        } else {
            format!(
                "it is not listed in Access-Control-Expose-Headers; add it: .expose_headers([\"{lname}\"])"
            )
        };
        out.push(Warning {
            code: "header_not_exposed",
            message: format!("the script cannot read {lname}: {why}"),
        });
    }
    out
}

/// Chromium's DevTools "Deprecated Feature Used" issue for it.
const CHROMIUM_DEPRECATION: &str = "Authorization will not be covered by the wildcard symbol (*) in CORS `Access-Control-Allow-Headers` handling.";

/// For a preflight response (`status`, `headers`) to `req` that passed: the
/// warning when it passed only because `*` covered `authorization` (today's
/// engines), which the standard's rule refuses.
pub(crate) fn authorization_under_wildcard(
    req: &FetchRequest,
    status: StatusCode,
    headers: &HeaderMap,
) -> Option<Warning> {
    let standard = preflight_check_under(
        req,
        status,
        headers,
        DEFAULT_MAX_AGE_CAP,
        AuthorizationUnderWildcard::Standard,
    );
    if standard != Err(Failure::AuthorizationNotCoveredByWildcard) {
        return None;
    }
    Some(Warning {
        code: "authorization_under_wildcard",
        message: format!(
            "authorization is covered only by * in Access-Control-Allow-Headers: today's browsers (Chromium 156, Firefox 153 ESR and WebKitGTK 2.50, as measured by strict-cors's browser suite) still let it through on a request without credentials, so this works today; but the Fetch standard says a wildcard never covers authorization (https://fetch.spec.whatwg.org/#cors-preflight-fetch, the step on authorization, a CORS non-wildcard request-header name), browsers are expected to enforce it (Chromium's DevTools already reports it as a deprecated feature: \"{CHROMIUM_DEPRECATION}\"), and then this request will be blocked; list it by name: {}",
            authorization_by_name(headers, false)
        ),
    })
}
