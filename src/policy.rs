//! The compiled policy and the pure half of the protocol:
//! `evaluate(request parts) -> Decision`. Nothing here touches a response.

use std::fmt;

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::{HeaderMap, HeaderValue, Method};

use crate::headers::{is_forbidden_method, is_token, AllowedHeaders, AllowedMethods, HeaderCheck};
use crate::origin::OriginSet;

/// Longest `Access-Control-Request-Method` accepted (and echoed).
pub(crate) const MAX_METHOD_LEN: usize = 64;

/// `Access-Control-Request-Private-Network`.
pub(crate) const REQUEST_PRIVATE_NETWORK: &str = "access-control-request-private-network";

/// Which origins the policy allows.
#[derive(Debug, Clone)]
pub(crate) enum AllowedOrigins {
    /// `*`: every origin, answered with `Access-Control-Allow-Origin: *`.
    Any,
    /// Exactly these origins.
    Exact(OriginSet),
}

/// A validated configuration, compiled for the request path: lookups are
/// hashes and binary searches, header values are rendered once.
#[derive(Debug)]
pub(crate) struct Policy {
    pub(crate) origins: AllowedOrigins,
    pub(crate) credentials: bool,
    pub(crate) methods: AllowedMethods,
    pub(crate) headers: AllowedHeaders,
    /// Rendered `Access-Control-Expose-Headers`.
    pub(crate) expose: Option<HeaderValue>,
    /// Rendered `Access-Control-Max-Age`.
    pub(crate) max_age: Option<HeaderValue>,
    pub(crate) private_network: bool,
    /// Debug mode: refused preflights explain themselves to the browser.
    pub(crate) debug: bool,
    /// Rendered configured methods / headers, for debug-mode answers.
    pub(crate) debug_methods: Option<HeaderValue>,
    pub(crate) debug_headers: Option<HeaderValue>,
    /// Level of the event for a request from an unknown origin.
    #[cfg(feature = "tracing")]
    pub(crate) unknown_origin_level: tracing::Level,
    /// Rate limit of cookie-audit warnings.
    pub(crate) cookie_warnings: crate::diagnostics::RateLimit,
}

/// Why a CORS request was refused.
///
/// Each reason has a stable [`code`](Rejection::code) for logs and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rejection {
    /// The `Origin` is not in the allowlist.
    OriginNotAllowed,
    /// The preflight's `Access-Control-Request-Method` is not allowed.
    MethodNotAllowed,
    /// The preflight's `Access-Control-Request-Method` is not a method token,
    /// is longer than 64 bytes, appears more than once, or is a forbidden
    /// method (`CONNECT`, `TRACE`, `TRACK`).
    InvalidMethod,
    /// A name in `Access-Control-Request-Headers` is not allowed.
    HeaderNotAllowed,
    /// `Access-Control-Request-Headers` is not a comma list of header names,
    /// or is over the parser's bounds.
    MalformedHeaders,
}

impl Rejection {
    /// A stable, machine-readable code: `origin_not_allowed`,
    /// `method_not_allowed`, `invalid_method`, `header_not_allowed`,
    /// `malformed_headers`.
    pub fn code(self) -> &'static str {
        match self {
            Rejection::OriginNotAllowed => "origin_not_allowed",
            Rejection::MethodNotAllowed => "method_not_allowed",
            Rejection::InvalidMethod => "invalid_method",
            Rejection::HeaderNotAllowed => "header_not_allowed",
            Rejection::MalformedHeaders => "malformed_headers",
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rejection::OriginNotAllowed => "the origin is not allowed",
            Rejection::MethodNotAllowed => "the requested method is not allowed",
            Rejection::InvalidMethod => "the requested method is not a valid method",
            Rejection::HeaderNotAllowed => "a requested header is not allowed",
            Rejection::MalformedHeaders => {
                "Access-Control-Request-Headers is not a valid list of header names"
            }
        })
    }
}

/// What the layer does with an allowed preflight: the values it answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreflightGrant {
    pub(crate) allow_origin: HeaderValue,
    pub(crate) allow_method: HeaderValue,
    pub(crate) allow_headers: Option<HeaderValue>,
    pub(crate) private_network: bool,
}

impl PreflightGrant {
    /// The `Access-Control-Allow-Origin` value: the request's origin, or `*`.
    pub fn allow_origin(&self) -> &HeaderValue {
        &self.allow_origin
    }
    /// The `Access-Control-Allow-Methods` value: the requested method.
    pub fn allow_method(&self) -> &HeaderValue {
        &self.allow_method
    }
    /// The `Access-Control-Allow-Headers` value: the requested names, if any.
    pub fn allow_headers(&self) -> Option<&HeaderValue> {
        self.allow_headers.as_ref()
    }
    /// Whether `Access-Control-Allow-Private-Network: true` is sent.
    pub fn private_network(&self) -> bool {
        self.private_network
    }
}

/// What the layer does with a request, and why: the pure result of
/// evaluating a request against the policy, before any response exists.
///
/// See [`CorsLayer::evaluate`](crate::CorsLayer::evaluate).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// No `Origin` header, or more than one: not a CORS request. The inner
    /// service answers; the layer adds `Vary: origin` (exact-origin policies)
    /// or `Access-Control-Allow-Origin: *` (any-origin policies).
    NotCors,
    /// An allowed preflight: answered `204` by the layer itself.
    PreflightAllowed(PreflightGrant),
    /// A refused preflight: answered `403` by the layer itself, with no
    /// `Access-Control-*` headers.
    PreflightRejected(Rejection),
    /// An actual request from an allowed origin: the inner service answers and
    /// the layer adds this `Access-Control-Allow-Origin` value (and the
    /// credentials and expose headers, as configured).
    ActualAllowed {
        /// The `Access-Control-Allow-Origin` value: the origin, or `*`.
        allow_origin: HeaderValue,
    },
    /// An actual request from an origin that is not allowed: the inner service
    /// still answers (CORS decides who may *read*), and the layer adds no
    /// `Access-Control-*` headers.
    ActualRejected(Rejection),
}

impl Decision {
    /// Whether the browser will let the script read the response (for an
    /// actual request) or go on to the actual request (for a preflight).
    /// `NotCors` counts as allowed: CORS does not apply.
    pub fn is_allowed(&self) -> bool {
        matches!(
            self,
            Decision::NotCors | Decision::PreflightAllowed(_) | Decision::ActualAllowed { .. }
        )
    }

    /// The reason for a refusal, if this is one.
    pub fn rejection(&self) -> Option<Rejection> {
        match self {
            Decision::PreflightRejected(r) | Decision::ActualRejected(r) => Some(*r),
            _ => None,
        }
    }

    /// Whether the request is a preflight, answered by the layer alone.
    pub fn is_preflight(&self) -> bool {
        matches!(
            self,
            Decision::PreflightAllowed(_) | Decision::PreflightRejected(_)
        )
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::NotCors => f.write_str("not a CORS request (no single Origin header)"),
            Decision::PreflightAllowed(_) => f.write_str("preflight allowed"),
            Decision::PreflightRejected(r) => write!(f, "preflight refused: {r}"),
            Decision::ActualAllowed { .. } => f.write_str("cross-origin request allowed"),
            Decision::ActualRejected(r) => write!(f, "cross-origin request refused: {r}"),
        }
    }
}

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
