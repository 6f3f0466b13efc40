//! Applying a [`Decision`] to a response: mechanical, a function of the
//! decision and the response alone. No policy, no flag, no lookup.
//!
//! Every insertion is fallible: a response whose header map is full
//! (`HeaderMap` holds at most 24,576 distinct names) never panics the layer.
//! When the layer cannot write its headers it fails closed: the response
//! passes without any `Access-Control-*` header, so the browser grants
//! nothing.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, VARY,
};
use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode};

use super::decision::{
    header_count, Grant, PreflightValues, Vary, ALLOW_PRIVATE_NETWORK, REASON_HEADER, TRUE,
    VARY_ORIGIN,
};
use super::value::Value;

/// The `Access-Control-*` response names the layer owns on every response
/// it passes: what the inner service set under them never reaches the
/// browser ([Fetch, HTTP responses](https://fetch.spec.whatwg.org/#http-responses)).
const OWNED: [HeaderName; 7] = [
    ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_MAX_AGE,
    ALLOW_PRIVATE_NETWORK,
];

/// The layer's own response, for a decision with a [`status`](super::Decision::status):
/// that status, an empty body, and exactly the decision's headers. Only the
/// response's `HeaderMap` allocates; the map is the layer's own and sized
/// for them, so no insertion can fail.
///
/// The values move into the response rather than being cloned: an answer
/// is made once. Made again from what is left (a response future polled
/// after it completed), it has the status and `Vary` but no
/// `Access-Control-*` header: it fails closed.
pub(crate) fn respond<B: Default>(
    status: StatusCode,
    g: &mut Grant,
    p: &mut PreflightValues,
) -> Response<B> {
    let mut response = Response::new(B::default());
    *response.status_mut() = status;
    // Up to six headers fit the map `HeaderMap` makes on its first insert
    // (8 slots, 6 entries): the same sizes as the request's map, just freed,
    // so the allocator's fast path serves them. An explicit reservation of
    // another size missed it (callgrind: ~500 instructions on a refused
    // write). Only more headers than that reserve.
    let headers = response.headers_mut();
    let count = header_count(g, p);
    if count > 6 {
        *headers = HeaderMap::try_with_capacity(count).unwrap_or_default();
    }
    // A map of at most nine names, sized for them: no insertion can fail.
    let mut put = |name: HeaderName, value: HeaderValue| {
        let _ = headers.try_insert(name, value);
    };
    // The flags are granted with the origin, and only once.
    let granted = g.allow_origin.is_some();
    if let Some(v) = g.allow_origin.take() {
        put(ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    if granted && g.credentials {
        put(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
    }
    let value = g.value.take().map(Value::into_header);
    let reason = match (value, g.reason) {
        (Some(v), false) => {
            put(ACCESS_CONTROL_EXPOSE_HEADERS, v);
            None
        }
        (v, _) => v,
    };
    if let Some(v) = p.methods.take() {
        put(ACCESS_CONTROL_ALLOW_METHODS, v);
    }
    if let Some(v) = p.headers.take() {
        put(ACCESS_CONTROL_ALLOW_HEADERS, v);
    }
    if let Some(v) = p.max_age.take() {
        put(ACCESS_CONTROL_MAX_AGE, v);
    }
    if granted && g.private_network {
        put(ALLOW_PRIVATE_NETWORK, TRUE);
    }
    if let Some(v) = g.vary.header_value() {
        put(VARY, v);
    }
    if let Some(v) = reason {
        put(REASON_HEADER, v);
    }
    response
}

/// What one scan of the inner response's map saw.
#[derive(Clone, Copy)]
struct Seen {
    /// A name starting `access-control-`.
    cors: bool,
    /// `Vary`.
    vary: bool,
}

/// One pass over the names of the map (not its values): is any
/// `Access-Control-*` name there, and is `Vary`?
#[inline]
fn scan(headers: &HeaderMap) -> Seen {
    let mut seen = Seen {
        cors: false,
        vary: false,
    };
    for name in headers.keys() {
        if *name == VARY {
            seen.vary = true;
        } else if name.as_str().starts_with("access-control-") {
            seen.cors = true;
        }
    }
    seen
}

/// Removes every line of the seven owned names.
#[cold]
fn strip(headers: &mut HeaderMap) {
    for name in OWNED {
        headers.remove(name);
    }
}

/// Applies a decision without a status (its [`Grant`]) to the inner
/// service's response.
///
/// The layer owns the `Access-Control-*` response namespace on every
/// response it passes: whatever the inner service set under
/// `Access-Control-Allow-Origin`, `-Allow-Credentials`, `-Expose-Headers`,
/// `-Allow-Methods`, `-Allow-Headers`, `-Max-Age` or
/// `-Allow-Private-Network` is removed, and the decision's values are
/// written instead, so the browser sees exactly one, configured, value
/// ([Fetch: a second `Access-Control-Allow-Origin` fails the CORS check](https://fetch.spec.whatwg.org/#cors-check)).
/// `Vary` is merged, never replaced. One scan of the map finds both the
/// names to remove and an existing `Vary`; a response without either (the
/// common case) costs no lookup besides the writes.
///
/// A map too full to take the decision's headers fails closed: every owned
/// name is removed again, so the response grants nothing.
///
/// The values move into the response rather than being cloned: a grant is
/// applied once, when the inner response arrives.
pub(crate) fn apply(grant: &mut Grant, headers: &mut HeaderMap) {
    let seen = if headers.is_empty() {
        Seen {
            cors: false,
            vary: false,
        }
    } else {
        scan(headers)
    };
    if seen.cors {
        strip(headers);
    }
    let mut ok = true;
    if let Some(v) = grant.allow_origin.take() {
        ok &= headers.try_append(ACCESS_CONTROL_ALLOW_ORIGIN, v).is_ok();
    }
    if grant.credentials {
        ok &= headers
            .try_append(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE)
            .is_ok();
    }
    if grant.private_network {
        ok &= headers.try_append(ALLOW_PRIVATE_NETWORK, TRUE).is_ok();
    }
    match (grant.value.take().map(Value::into_header), grant.reason) {
        (None, _) => {}
        (Some(v), false) => {
            ok &= headers.try_append(ACCESS_CONTROL_EXPOSE_HEADERS, v).is_ok();
        }
        (Some(v), true) => {
            // Not a grant: written when there is room.
            let _ = headers.try_insert(REASON_HEADER, v);
        }
    }
    ok &= match (grant.vary, seen.vary) {
        // The common case: nothing to merge with, one constant to add.
        (Vary::Origin, false) => headers.try_append(VARY, VARY_ORIGIN).is_ok(),
        (vary, existing) => merge_vary(headers, vary.names(), existing),
    };
    if !ok {
        // Fail closed: a partial grant (an origin without its `Vary`, say)
        // is no grant.
        strip(headers);
    }
}

/// Adds each name to `Vary` unless it is there already (any case, any line)
/// or `Vary` is `*` ([RFC 9110 §12.5.5](https://www.rfc-editor.org/rfc/rfc9110#section-12.5.5)).
/// What the inner service set is kept; a name is added as a line of its own,
/// which HTTP reads as part of the same list
/// ([RFC 9110 §5.3](https://www.rfc-editor.org/rfc/rfc9110#section-5.3)).
/// `existing`: whether the map has a `Vary` at all (from the scan), so that
/// a response without one is not searched. `false` when the map was too
/// full to take a name.
pub(crate) fn merge_vary(
    headers: &mut HeaderMap,
    names: &'static [HeaderValue],
    existing: bool,
) -> bool {
    let mut ok = true;
    for name in names {
        let add = !existing
            || match covered(headers, name.as_bytes()) {
                Covered::Star => return ok,
                Covered::Yes => false,
                Covered::No => true,
            };
        if add {
            // The common case, `origin`, from a constant: no clone call.
            let value = match name.as_bytes() {
                b"origin" => VARY_ORIGIN,
                _ => name.clone(),
            };
            ok &= headers.try_append(VARY, value).is_ok();
        }
    }
    ok
}

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
        let existing = scan(&h).vary;
        assert!(merge_vary(&mut h, &ORIGIN, existing));
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

    #[test]
    fn the_scan_sees_owned_names_and_vary() {
        let mut h = HeaderMap::new();
        assert!(!scan(&h).cors && !scan(&h).vary);
        h.insert("content-type", HeaderValue::from_static("text/plain"));
        assert!(!scan(&h).cors);
        h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("5"));
        h.insert(VARY, HeaderValue::from_static("accept"));
        assert!(scan(&h).cors && scan(&h).vary);
        strip(&mut h);
        assert!(!scan(&h).cors);
        assert_eq!(h.len(), 2);
    }
}
