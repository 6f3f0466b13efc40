//! Why a request was refused: [`Rejection`] and its stable codes.

use std::fmt;

/// Why a CORS request was refused, or a write refused by the
/// [cross-site request forgery guard](crate::CorsBuilder::csrf_protection).
///
/// Each reason has a stable [`code`](Rejection::code) for logs and metrics.
/// The three `Csrf*` reasons (see [`is_csrf`](Rejection::is_csrf)) are
/// answered `403` by the layer itself: the inner service is never called.
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
    /// CSRF guard: the browser said the request came from another site
    /// (`Sec-Fetch-Site: cross-site`, `same-site` or a value it does not know,
    /// [Fetch Metadata](https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-site-header))
    /// and its `Origin` is not in the allowlist (or is missing, or `null`).
    CsrfCrossSite,
    /// CSRF guard, without `Sec-Fetch-Site` (older browsers): the `Origin`
    /// is neither in the allowlist nor the request's own host and port
    /// (`Host`, or the URI's authority), or there are several `Origin` headers.
    CsrfOriginMismatch,
    /// CSRF guard, without `Sec-Fetch-Site`: `Origin: null` (a sandboxed
    /// frame, a `data:` document, or a page with `Referrer-Policy:
    /// no-referrer` submitting a form), which no allowlist can name.
    CsrfNullOrigin,
}

impl Rejection {
    /// A stable, machine-readable code: `origin_not_allowed`,
    /// `method_not_allowed`, `invalid_method`, `header_not_allowed`,
    /// `malformed_headers`; from the CSRF guard: `csrf_cross_site`,
    /// `csrf_origin_mismatch`, `csrf_null_origin`.
    pub fn code(self) -> &'static str {
        match self {
            Rejection::OriginNotAllowed => "origin_not_allowed",
            Rejection::MethodNotAllowed => "method_not_allowed",
            Rejection::InvalidMethod => "invalid_method",
            Rejection::HeaderNotAllowed => "header_not_allowed",
            Rejection::MalformedHeaders => "malformed_headers",
            Rejection::CsrfCrossSite => "csrf_cross_site",
            Rejection::CsrfOriginMismatch => "csrf_origin_mismatch",
            Rejection::CsrfNullOrigin => "csrf_null_origin",
        }
    }

    /// Whether the CSRF guard made this refusal (the layer answers `403`;
    /// the inner service is never called).
    pub fn is_csrf(self) -> bool {
        matches!(
            self,
            Rejection::CsrfCrossSite | Rejection::CsrfOriginMismatch | Rejection::CsrfNullOrigin
        )
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
            Rejection::CsrfCrossSite => 5,
            Rejection::CsrfOriginMismatch => 6,
            Rejection::CsrfNullOrigin => 7,
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
            Rejection::CsrfCrossSite => {
                "a cross-site write (Sec-Fetch-Site) from an origin that is not allowed"
            }
            Rejection::CsrfOriginMismatch => {
                "a write from an origin that is neither allowed nor the request's own host"
            }
            Rejection::CsrfNullOrigin => "a write from the opaque origin `null`",
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
            Rejection::CsrfCrossSite,
            Rejection::CsrfOriginMismatch,
            Rejection::CsrfNullOrigin,
        ];
        let mut seen = [false; Rejection::SLOTS];
        for r in all {
            assert!(r.index() < Rejection::SLOTS, "{r:?}");
            assert!(!seen[r.index()], "{r:?} shares a slot");
            seen[r.index()] = true;
        }
    }
}
