//! The pure half of the protocol: `evaluate(request parts) -> Decision`.

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::{HeaderMap, HeaderValue, Method};

use super::decision::{Decision, PreflightGrant, Rejection};
use super::fetch::{is_forbidden_method, is_token};
use super::policy::{AllowedOrigins, Policy, MAX_METHOD_LEN, REQUEST_PRIVATE_NETWORK};
use super::request_headers::HeaderCheck;

/// The single value of a header, if it has exactly one.
#[inline]
fn single(headers: &HeaderMap, name: http::header::HeaderName) -> Single<'_> {
    let mut all = headers.get_all(name).iter();
    match (all.next(), all.next()) {
        (None, _) => Single::None,
        (Some(v), None) => Single::One(v),
        (Some(_), Some(_)) => Single::Many,
    }
}

enum Single<'a> {
    None,
    One(&'a HeaderValue),
    Many,
}

/// A decision with the details diagnostics need, borrowed from the request:
/// nothing here allocates.
#[derive(Debug)]
pub(crate) struct Evaluation<'a> {
    pub(crate) decision: Decision,
    /// The request's `Origin`, when it has exactly one.
    pub(crate) origin: Option<&'a HeaderValue>,
    /// The request had several `Origin` headers (treated as not CORS).
    pub(crate) multiple_origins: bool,
    /// The preflight's requested method, when there is one.
    pub(crate) requested_method: Option<&'a HeaderValue>,
    /// The requested header name that was refused.
    pub(crate) offending_header: Option<&'a [u8]>,
}

impl Policy {
    /// Classifies and judges a request. Pure: reads the method and headers,
    /// allocates nothing (a multi-line `Access-Control-Request-Headers` that is
    /// allowed is joined into one value, the only allocation).
    pub(crate) fn evaluate(&self, method: &Method, headers: &HeaderMap) -> Decision {
        self.evaluate_detailed(method, headers).decision
    }

    /// [`evaluate`](Self::evaluate), with the details of a refusal.
    pub(crate) fn evaluate_detailed<'a>(
        &self,
        method: &Method,
        headers: &'a HeaderMap,
    ) -> Evaluation<'a> {
        let mut eval = Evaluation {
            decision: Decision::NotCors,
            origin: None,
            multiple_origins: false,
            requested_method: None,
            offending_header: None,
        };
        let origin = match single(headers, ORIGIN) {
            Single::One(o) => o,
            Single::None => return eval,
            Single::Many => {
                eval.multiple_origins = true;
                return eval;
            }
        };
        eval.origin = Some(origin);
        let allow_origin = self.allow_origin(origin);
        let preflight = method == Method::OPTIONS;
        let requested = if preflight {
            single(headers, ACCESS_CONTROL_REQUEST_METHOD)
        } else {
            Single::None
        };
        eval.decision = if !matches!(requested, Single::None) {
            self.evaluate_preflight(allow_origin, requested, headers, &mut eval)
        } else {
            match allow_origin {
                Some(allow_origin) => Decision::ActualAllowed { allow_origin },
                None => Decision::ActualRejected(Rejection::OriginNotAllowed),
            }
        };
        eval
    }

    /// The `Access-Control-Allow-Origin` value for an `Origin`, if allowed.
    #[inline]
    pub(crate) fn allow_origin(&self, origin: &HeaderValue) -> Option<HeaderValue> {
        match &self.origins {
            AllowedOrigins::Any => Some(HeaderValue::from_static("*")),
            AllowedOrigins::Exact(set) => set.allow(origin),
        }
    }

    fn evaluate_preflight<'a>(
        &self,
        allow_origin: Option<HeaderValue>,
        requested: Single<'a>,
        headers: &'a HeaderMap,
        eval: &mut Evaluation<'a>,
    ) -> Decision {
        let method = match requested {
            Single::One(m) => m,
            Single::None | Single::Many => {
                return Decision::PreflightRejected(match allow_origin {
                    Some(_) => Rejection::InvalidMethod,
                    None => Rejection::OriginNotAllowed,
                })
            }
        };
        eval.requested_method = Some(method);
        let Some(allow_origin) = allow_origin else {
            return Decision::PreflightRejected(Rejection::OriginNotAllowed);
        };
        let m = method.as_bytes();
        if m.len() > MAX_METHOD_LEN || !is_token(m) || is_forbidden_method(m) {
            return Decision::PreflightRejected(Rejection::InvalidMethod);
        }
        if !self.methods.allows(m) {
            return Decision::PreflightRejected(Rejection::MethodNotAllowed);
        }
        let lines = headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS);
        let allow_headers = match self
            .headers
            .check_request(|| lines.iter(), self.credentials)
        {
            HeaderCheck::Empty => None,
            HeaderCheck::Allowed => Some(join_lines(lines.iter())),
            HeaderCheck::NotAllowed(name) => {
                eval.offending_header = Some(name);
                return Decision::PreflightRejected(Rejection::HeaderNotAllowed);
            }
            HeaderCheck::Malformed => {
                return Decision::PreflightRejected(Rejection::MalformedHeaders)
            }
        };
        let private_network = self.private_network
            && headers
                .get(REQUEST_PRIVATE_NETWORK)
                .is_some_and(|v| v.as_bytes() == b"true");
        Decision::PreflightAllowed(PreflightGrant {
            allow_origin,
            allow_method: method.clone(),
            allow_headers,
            private_network,
        })
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
