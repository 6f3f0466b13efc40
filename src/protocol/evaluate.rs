//! The pure half of the protocol: `evaluate(request) -> Decision`, the
//! complete answer, before any response exists.
//!
//! Classification follows the [CORS protocol](https://fetch.spec.whatwg.org/#http-cors-protocol):
//! no single `Origin` is not a CORS request; `OPTIONS` with `Origin` and
//! `Access-Control-Request-Method` is a
//! [CORS-preflight request](https://fetch.spec.whatwg.org/#cors-preflight-request);
//! anything else with `Origin` is an actual request.

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};

use super::csrf::{is_same_host, CsrfGuard, SEC_FETCH_SITE};
use super::debug::reason_value;
use super::decision::{Decision, Grant, PreflightValues, RequestKind, Vary};
use super::facts::Facts;
use super::fetch::{is_forbidden_method, is_token};
use super::lookup::{single, Single};
use super::policy::{AllowedOrigins, Policy, MAX_METHOD_LEN, REQUEST_PRIVATE_NETWORK};
use super::rejection::Rejection;
use super::request_headers::HeaderCheck;
use super::value::Value;

const ANY: HeaderValue = HeaderValue::from_static("*");

impl Policy {
    /// Classifies and judges a request, and says the whole answer. Pure:
    /// reads the method, the URI (the CSRF guard's exempt paths and the
    /// request's own authority) and the headers, and allocates nothing
    /// outside debug mode (a multi-line `Access-Control-Request-Headers`
    /// that is allowed is joined into one value, the only exception).
    pub(crate) fn evaluate(&self, method: &Method, uri: &Uri, headers: &HeaderMap) -> Decision {
        self.decide(method, uri, headers, &mut Facts::default())
    }

    /// [`evaluate`](Self::evaluate), noting in `facts` what it saw in the
    /// request (for the events). The service calls it with facts of its
    /// own, so that the decision is not moved out of a wrapper.
    #[inline]
    pub(crate) fn decide<'a>(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &'a HeaderMap,
        facts: &mut Facts<'a>,
    ) -> Decision {
        let origin = single(headers, &ORIGIN);
        let allow_origin = match origin {
            Single::One(o) => {
                facts.origin = Some(o);
                self.allow_origin(o)
            }
            Single::Many => {
                facts.multiple_origins = true;
                None
            }
            Single::None => None,
        };
        if matches!(origin, Single::One(_)) && method == Method::OPTIONS {
            match single(headers, &ACCESS_CONTROL_REQUEST_METHOD) {
                Single::None => {}
                requested => return self.preflight(allow_origin, requested, headers, facts),
            }
        }
        // Not a preflight: the CSRF guard, when on, judges it first.
        if let Some(guard) = &self.csrf {
            let allowed = allow_origin.is_some();
            if let Some(rejection) = forgery(guard, method, uri, headers, &origin, allowed, facts) {
                let kind = match origin {
                    Single::One(_) => RequestKind::Actual,
                    _ => RequestKind::NotCors,
                };
                return self.refused(kind, rejection, facts);
            }
        }
        match (origin, allow_origin) {
            (Single::One(_), Some(allow_origin)) => self.actual_allowed(allow_origin),
            (Single::One(_), None) => {
                self.refused(RequestKind::Actual, Rejection::OriginNotAllowed, facts)
            }
            _ => self.not_cors(),
        }
    }

    /// The `Access-Control-Allow-Origin` value for an `Origin`, if allowed.
    #[inline]
    pub(crate) fn allow_origin(&self, origin: &HeaderValue) -> Option<HeaderValue> {
        match &self.origins {
            AllowedOrigins::Any => Some(ANY),
            AllowedOrigins::Exact(set) => set.allow(origin),
        }
    }

    /// The [CORS-preflight fetch](https://fetch.spec.whatwg.org/#cors-preflight-fetch)'s
    /// counterpart: allowed when the origin, the method and every requested
    /// header are.
    fn preflight<'a>(
        &self,
        allow_origin: Option<HeaderValue>,
        requested: Single<'a>,
        headers: &'a HeaderMap,
        facts: &mut Facts<'a>,
    ) -> Decision {
        const KIND: RequestKind = RequestKind::Preflight;
        let method = match requested {
            Single::One(m) => m,
            Single::None | Single::Many => {
                let rejection = match allow_origin {
                    Some(_) => Rejection::InvalidMethod,
                    None => Rejection::OriginNotAllowed,
                };
                return self.refused(KIND, rejection, facts);
            }
        };
        facts.requested_method = Some(method);
        let Some(allow_origin) = allow_origin else {
            return self.refused(KIND, Rejection::OriginNotAllowed, facts);
        };
        let m = method.as_bytes();
        if m.len() > MAX_METHOD_LEN || !is_token(m) || is_forbidden_method(m) {
            return self.refused(KIND, Rejection::InvalidMethod, facts);
        }
        if !self.methods.allows(m) {
            return self.refused_with_hint(allow_origin, Rejection::MethodNotAllowed, facts);
        }
        // One line (the browser's form) is found by the walk of `single`;
        // several are read through the map.
        let requested = single(headers, &ACCESS_CONTROL_REQUEST_HEADERS);
        let all = || headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS).into_iter();
        let check = match requested {
            Single::One(line) => self.headers.check_request(|| std::iter::once(line)),
            Single::None => self.headers.check_request(std::iter::empty),
            Single::Many => self.headers.check_request(all),
        };
        let allow_headers = match check {
            HeaderCheck::Empty => None,
            HeaderCheck::Allowed => Some(match requested {
                Single::One(line) => line.clone(),
                Single::None | Single::Many => join_lines(all()),
            }),
            HeaderCheck::NotAllowed(name) => {
                facts.offending_header = Some(name);
                return self.refused_with_hint(allow_origin, Rejection::HeaderNotAllowed, facts);
            }
            HeaderCheck::Malformed => {
                return self.refused(KIND, Rejection::MalformedHeaders, facts)
            }
        };
        let private_network = self.private_network
            && headers
                .get(REQUEST_PRIVATE_NETWORK)
                .is_some_and(|v| v.as_bytes() == b"true");
        Decision {
            kind: KIND,
            rejection: None,
            hint: false,
            status: Some(StatusCode::NO_CONTENT),
            grant: Grant {
                allow_origin: Some(allow_origin),
                value: None,
                reason: false,
                credentials: self.credentials,
                private_network,
                vary: self.preflight_vary(),
            },
            preflight: PreflightValues {
                methods: Some(method.clone()),
                headers: allow_headers,
                max_age: self.max_age.as_ref().map(|v| v.get().clone()),
            },
        }
    }

    /// Not a CORS request: the inner service answers. An any-origin policy
    /// says `Access-Control-Allow-Origin: *` (a response that is the same for
    /// every origin needs no `Vary`); an exact-origin policy adds
    /// `Vary: origin`, since its answer to the same URL with an `Origin`
    /// differs ([Fetch, "CORS protocol and HTTP caches"](https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches)).
    #[inline]
    fn not_cors(&self) -> Decision {
        let grant = match self.origins {
            AllowedOrigins::Any => Grant {
                allow_origin: Some(ANY),
                value: self.expose.clone(),
                reason: false,
                credentials: false,
                private_network: false,
                vary: Vary::None,
            },
            AllowedOrigins::Exact(_) => Grant::vary_only(Vary::Origin),
        };
        Decision {
            kind: RequestKind::NotCors,
            rejection: None,
            hint: false,
            status: None,
            grant,
            preflight: PreflightValues::NONE,
        }
    }

    /// An actual request from an allowed origin: the inner service answers,
    /// the layer adds the [CORS response headers](https://fetch.spec.whatwg.org/#http-responses).
    #[inline]
    fn actual_allowed(&self, allow_origin: HeaderValue) -> Decision {
        let vary = match self.origins {
            AllowedOrigins::Any => Vary::None,
            AllowedOrigins::Exact(_) => Vary::Origin,
        };
        Decision {
            kind: RequestKind::Actual,
            rejection: None,
            hint: false,
            status: None,
            grant: Grant {
                allow_origin: Some(allow_origin),
                value: self.expose.clone(),
                reason: false,
                credentials: self.credentials,
                private_network: false,
                vary,
            },
            preflight: PreflightValues::NONE,
        }
    }

    /// A preflight's `Vary`: the request headers its answer depends on,
    /// `access-control-request-private-network` too when the policy answers
    /// it ([Fetch, "CORS protocol and HTTP caches"](https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches)).
    #[inline]
    fn preflight_vary(&self) -> Vary {
        match self.private_network {
            true => Vary::PreflightPrivateNetwork,
            false => Vary::Preflight,
        }
    }

    /// A refusal with no `Access-Control-*` header: a preflight, and a
    /// write the CSRF guard refuses, are answered `403` by the layer; any
    /// other request still reaches the inner service (CORS decides who may
    /// *read*), whose response then carries none. `Vary: origin` on every
    /// refusal but a preflight's (which varies on more): the answer depends
    /// on the `Origin`.
    #[inline]
    fn refused(&self, kind: RequestKind, rejection: Rejection, facts: &Facts<'_>) -> Decision {
        let (status, vary) = match kind {
            RequestKind::Preflight => (Some(StatusCode::FORBIDDEN), self.preflight_vary()),
            _ if rejection.is_csrf() => (Some(StatusCode::FORBIDDEN), Vary::Origin),
            _ => (None, Vary::Origin),
        };
        let grant = match self.debug {
            true => Grant {
                value: Some(Value::Owned(reason_value(facts, rejection))),
                reason: true,
                ..Grant::vary_only(vary)
            },
            false => Grant::vary_only(vary),
        };
        Decision {
            kind,
            rejection: Some(rejection),
            hint: false,
            status,
            grant,
            preflight: PreflightValues::NONE,
        }
    }

    /// A preflight from an allowed origin refused for its method or headers:
    /// in debug mode a `204` listing what is allowed (the browser still
    /// refuses, and its console names what is missing); otherwise `403`.
    fn refused_with_hint(
        &self,
        allow_origin: HeaderValue,
        rejection: Rejection,
        facts: &Facts<'_>,
    ) -> Decision {
        if !self.debug {
            return self.refused(RequestKind::Preflight, rejection, facts);
        }
        Decision {
            kind: RequestKind::Preflight,
            rejection: Some(rejection),
            hint: true,
            status: Some(StatusCode::NO_CONTENT),
            grant: Grant {
                allow_origin: Some(allow_origin),
                value: Some(Value::Owned(reason_value(facts, rejection))),
                reason: true,
                credentials: self.credentials,
                private_network: false,
                vary: self.preflight_vary(),
            },
            preflight: PreflightValues {
                methods: self.debug_methods.as_ref().map(|v| v.get().clone()),
                headers: self.debug_headers.as_ref().map(|v| v.get().clone()),
                max_age: None,
            },
        }
    }
}

/// The CSRF guard's verdict on a request that is not a preflight
/// (DESIGN §6, in order): `None` to pass, the reason to refuse. `allowed`:
/// the single `Origin` is in the allowlist (exact or pattern).
///
/// 1. `GET`, `HEAD`, `OPTIONS` pass, except a WebSocket handshake;
/// 2. an exempt path passes;
/// 3. [`Sec-Fetch-Site`](https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-site-header)
///    `same-origin` or `none` passes; any other value (or several) passes
///    only for an allowed origin;
/// 4. without it: no `Origin` passes, an allowed one passes, one whose
///    host and port are the request's own passes; `null`, several, and any
///    other are refused.
fn forgery<'a>(
    guard: &CsrfGuard,
    method: &Method,
    uri: &Uri,
    headers: &'a HeaderMap,
    origin: &Single<'a>,
    allowed: bool,
    facts: &mut Facts<'a>,
) -> Option<Rejection> {
    // Steps 1-3 all pass the request: the cheapest test (an allowed origin,
    // known already) first.
    if allowed || !CsrfGuard::judges(method, headers) || guard.exempts(uri.path()) {
        return None;
    }
    match single(headers, &SEC_FETCH_SITE) {
        Single::One(site) => {
            facts.sec_fetch_site = Some(site);
            match site.as_bytes() {
                b"same-origin" | b"none" => None,
                _ => Some(Rejection::CsrfCrossSite),
            }
        }
        Single::Many => Some(Rejection::CsrfCrossSite),
        Single::None => match origin {
            Single::None => None,
            Single::Many => Some(Rejection::CsrfOriginMismatch),
            Single::One(o) if o.as_bytes() == b"null" => Some(Rejection::CsrfNullOrigin),
            Single::One(o) if is_same_host(o, uri, headers) => None,
            Single::One(_) => Some(Rejection::CsrfOriginMismatch),
        },
    }
}

/// One value from the lines of a list header: the line itself when there is
/// one (a reference-count bump), the lines joined with `,` otherwise.
fn join_lines<'a>(mut lines: impl Iterator<Item = &'a HeaderValue>) -> HeaderValue {
    let Some(first) = lines.next() else {
        return HeaderValue::from_static("");
    };
    let Some(second) = lines.next() else {
        return first.clone();
    };
    let mut joined = Vec::with_capacity(first.len() + second.len() + 1);
    joined.extend_from_slice(first.as_bytes());
    for line in std::iter::once(second).chain(lines) {
        joined.push(b',');
        joined.extend_from_slice(line.as_bytes());
    }
    // Every byte came from valid header values, and `,` is valid too.
    HeaderValue::from_bytes(&joined).unwrap_or_else(|_| first.clone())
}
