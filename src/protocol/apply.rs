//! Applying a [`Decision`] to a response: mechanical, a function of the
//! decision and the response alone. No policy, no flag, no lookup.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, VARY,
};
use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode};

use super::decision::{Decision, Extra, ALLOW_PRIVATE_NETWORK, REASON_HEADER};

const TRUE: HeaderValue = HeaderValue::from_static("true");

/// The layer's own response, for a decision with a [`status`](Decision::status):
/// that status, an empty body, and exactly the decision's headers. Only the
/// response's `HeaderMap` allocates.
pub(crate) fn respond<B: Default>(status: StatusCode, decision: &Decision) -> Response<B> {
    let mut response = Response::new(B::default());
    *response.status_mut() = status;
    // Exactly the room needed: up to six headers fit the smallest map (one
    // small allocation), where a larger reservation would cost a trip past
    // the allocator's fast path on every preflight.
    let headers = response.headers_mut();
    *headers = HeaderMap::with_capacity(decision.header_count());
    if let Some(v) = decision.allow_origin() {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, v.clone());
    }
    if decision.is_credentialed() {
        headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
    }
    let e = decision.extra();
    if let Some(v) = e.expose_headers() {
        headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, v.clone());
    }
    if let Some(v) = e.allow_methods() {
        headers.insert(ACCESS_CONTROL_ALLOW_METHODS, v.clone());
    }
    if let Some(v) = e.allow_headers() {
        headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, v.clone());
    }
    if let Some(v) = e.max_age() {
        headers.insert(ACCESS_CONTROL_MAX_AGE, v.clone());
    }
    if decision.allows_private_network() {
        headers.insert(ALLOW_PRIVATE_NETWORK, TRUE);
    }
    if let Some(v) = decision.vary_value() {
        headers.insert(VARY, v.clone());
    }
    if let Some(v) = e.debug_reason() {
        headers.insert(REASON_HEADER, v.clone());
    }
    response
}

/// Applies a decision without a status to the inner service's response.
///
/// The layer owns `Access-Control-Allow-Origin`, `-Allow-Credentials` and
/// `-Expose-Headers` on every response it passes: what the inner service set
/// under those names is replaced by the decision's values, or removed when
/// the decision has none, so the browser sees exactly one, configured, value
/// ([Fetch: a second `Access-Control-Allow-Origin` fails the CORS check](https://fetch.spec.whatwg.org/#cors-check)).
/// Any other header of the decision is set; `Vary` is merged, never
/// replaced.
///
/// The decision's header values move into the response rather than being
/// cloned: it is applied once, when the inner response arrives.
pub(crate) fn apply(decision: &mut Decision, headers: &mut HeaderMap) {
    // Removals first: on a response with no headers yet they cost nothing,
    // where after the first insert each would hash and probe.
    if decision.is_credentialed() {
        headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
    } else {
        headers.remove(ACCESS_CONTROL_ALLOW_CREDENTIALS);
    }
    if decision.allows_private_network() {
        headers.insert(ALLOW_PRIVATE_NETWORK, TRUE);
    }
    let (allow_origin, extra) = decision.take_values();
    set_or_remove(headers, ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
    let mut expose = None;
    match extra {
        Extra::None => {}
        Extra::Expose(v) => expose = Some(v),
        Extra::Reason(v) => {
            headers.insert(REASON_HEADER, v);
        }
        Extra::Preflight {
            methods,
            headers: allow_headers,
            max_age,
        } => {
            headers.insert(ACCESS_CONTROL_ALLOW_METHODS, methods);
            insert_some(headers, ACCESS_CONTROL_ALLOW_HEADERS, allow_headers);
            insert_some(headers, ACCESS_CONTROL_MAX_AGE, max_age);
        }
        Extra::Hint {
            methods,
            headers: allow_headers,
            reason,
        } => {
            insert_some(headers, ACCESS_CONTROL_ALLOW_METHODS, methods);
            insert_some(headers, ACCESS_CONTROL_ALLOW_HEADERS, allow_headers);
            headers.insert(REASON_HEADER, reason);
        }
    }
    set_or_remove(headers, ACCESS_CONTROL_EXPOSE_HEADERS, expose);
    merge_vary(headers, decision.vary_names());
}

#[inline]
fn insert_some(headers: &mut HeaderMap, name: HeaderName, value: Option<HeaderValue>) {
    if let Some(v) = value {
        headers.insert(name, v);
    }
}

#[inline]
fn set_or_remove(headers: &mut HeaderMap, name: HeaderName, value: Option<HeaderValue>) {
    match value {
        Some(v) => {
            headers.insert(name, v);
        }
        None => {
            headers.remove(name);
        }
    }
}

/// Adds each name to `Vary` unless it is there already (any case, any line)
/// or `Vary` is `*` ([RFC 9110 §12.5.5](https://www.rfc-editor.org/rfc/rfc9110#section-12.5.5)).
/// What the inner service set is kept; a name is added as a line of its own,
/// which HTTP reads as part of the same list
/// ([RFC 9110 §5.3](https://www.rfc-editor.org/rfc/rfc9110#section-5.3)).
pub(crate) fn merge_vary(headers: &mut HeaderMap, names: &'static [HeaderValue]) {
    for name in names {
        match covered(headers, name.as_bytes()) {
            Covered::Star => return,
            Covered::Yes => {}
            // The common case, `origin`, from a constant: no clone call.
            Covered::No if name.as_bytes() == b"origin" => {
                headers.append(VARY, VARY_ORIGIN);
            }
            Covered::No => {
                headers.append(VARY, name.clone());
            }
        }
    }
}

const VARY_ORIGIN: HeaderValue = HeaderValue::from_static("origin");

enum Covered {
    Yes,
    No,
    /// `Vary: *`: nothing is to be added.
    Star,
}

/// Whether `Vary` (any line, any case) names `name`, or is `*`.
#[inline]
fn covered(headers: &HeaderMap, name: &[u8]) -> Covered {
    let mut found = false;
    for line in headers.get_all(VARY) {
        for item in line.as_bytes().split(|&b| b == b',') {
            let item = item.trim_ascii();
            if item == b"*" {
                return Covered::Star;
            }
            found |= item.eq_ignore_ascii_case(name);
        }
    }
    if found {
        Covered::Yes
    } else {
        Covered::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static ORIGIN: [HeaderValue; 1] = [HeaderValue::from_static("origin")];

    fn vary(lines: &[&str]) -> Vec<String> {
        let mut h = HeaderMap::new();
        for l in lines {
            h.append(VARY, HeaderValue::from_str(l).unwrap());
        }
        merge_vary(&mut h, &ORIGIN);
        h.get_all(VARY)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn vary_is_merged_never_duplicated() {
        assert_eq!(vary(&[]), ["origin"]);
        assert_eq!(vary(&["accept-encoding"]), ["accept-encoding", "origin"]);
        assert_eq!(vary(&["Origin"]), ["Origin"]);
        assert_eq!(
            vary(&["accept-encoding, ORIGIN"]),
            ["accept-encoding, ORIGIN"]
        );
        assert_eq!(vary(&["a", " origin "]), ["a", " origin "]);
        assert_eq!(vary(&["*"]), ["*"]);
        assert_eq!(vary(&["accept, *"]), ["accept, *"]);
        assert_eq!(vary(&["origins"]), ["origins", "origin"]);
    }
}
