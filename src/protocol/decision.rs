//! What the layer does with a request, and why.

use std::fmt;

use http::HeaderValue;

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
