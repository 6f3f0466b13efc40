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

impl Rejection {
    /// The size of per-reason tables (the events' rate limits in
    /// `diagnostics::rate_limit`): room for every reason, with spare slots.
    pub(crate) const SLOTS: usize = 8;

    /// This reason's slot in per-reason tables, below [`Self::SLOTS`]: a
    /// new reason is one arm here, with the next free number.
    pub(crate) const fn index(self) -> usize {
        match self {
            Rejection::OriginNotAllowed => 0,
            Rejection::MethodNotAllowed => 1,
            Rejection::InvalidMethod => 2,
            Rejection::HeaderNotAllowed => 3,
            Rejection::MalformedHeaders => 4,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_its_own_slot() {
        let all = [
            Rejection::OriginNotAllowed,
            Rejection::MethodNotAllowed,
            Rejection::InvalidMethod,
            Rejection::HeaderNotAllowed,
            Rejection::MalformedHeaders,
        ];
        let mut seen = [false; Rejection::SLOTS];
        for r in all {
            assert!(r.index() < Rejection::SLOTS, "{r:?}");
            assert!(!seen[r.index()], "{r:?} shares a slot");
            seen[r.index()] = true;
        }
    }
}
