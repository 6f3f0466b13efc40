//! Problems a readable response can still have: a missing `Vary: Origin`
//! (caches) and response headers the script cannot read.

use http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, VARY};
use http::{HeaderMap, HeaderName};

use super::Warning;
use crate::request::FetchRequest;
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
        } else if matches!(lname.as_str(), "set-cookie" | "set-cookie2") {
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
