//! Why a request was refused: [`Rejection`] and its stable codes.

use std::fmt;

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
