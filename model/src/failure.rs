//! [`Failure`]: why the browser turned a fetch into a network error.

use std::fmt;

/// Why the browser turned the fetch into a network error (the script sees a
/// TypeError).
///
/// ([§Network error](https://fetch.spec.whatwg.org/#concept-network-error); each variant names the step that returns it.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// `fetch()` throws: the method is not a token.
    InvalidMethod(String),
    /// `fetch()` throws: `CONNECT`, `TRACE` or `TRACK`.
    ForbiddenMethod(String),
    /// `fetch()` throws: a header name is not a token or its value is invalid.
    InvalidHeader(String),
    /// `fetch()` throws: the URL does not parse (as an absolute URL).
    InvalidUrl(String),
    /// The preflight response's status is not an ok status (200-299).
    PreflightStatus(u16),
    /// No `Access-Control-Allow-Origin`.
    NoAllowOrigin,
    /// `Access-Control-Allow-Origin` has more than one value (two header lines,
    /// or a comma in the value).
    MultipleAllowOrigin,
    /// `Access-Control-Allow-Origin` is not byte-equal to the request's origin.
    AllowOriginMismatch,
    /// `Access-Control-Allow-Origin: *` on a credentialed request.
    WildcardWithCredentials,
    /// Credentialed and `Access-Control-Allow-Credentials` is not exactly `true`.
    AllowCredentialsNotTrue,
    /// `Access-Control-Allow-Methods` does not parse as a list of tokens.
    MethodsParse,
    /// `Access-Control-Allow-Headers` does not parse as a list of tokens.
    HeadersParse,
    /// The (normalised) method is not allowed by the preflight.
    MethodNotAllowed(String),
    /// A CORS-unsafe request-header name (lowercased) is not allowed.
    HeaderNotAllowed(String),
    /// `authorization` was requested and `Access-Control-Allow-Headers` only
    /// has `*` for it, which never covers `authorization` by the standard's
    /// rule ([`AuthorizationUnderWildcard::Standard`](crate::AuthorizationUnderWildcard::Standard);
    /// today's engines let it through without credentials).
    AuthorizationNotCoveredByWildcard,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::InvalidMethod(m) => write!(f, "fetch() throws: {m:?} is not a method"),
            Failure::ForbiddenMethod(m) => write!(f, "fetch() throws: {m:?} is a forbidden method"),
            Failure::InvalidHeader(n) => write!(f, "fetch() throws: invalid header {n:?}"),
            Failure::InvalidUrl(u) => write!(f, "fetch() throws: invalid URL {u:?}"),
            Failure::PreflightStatus(s) => {
                write!(f, "preflight response status {s} is not an ok status")
            }
            Failure::NoAllowOrigin => f.write_str("no Access-Control-Allow-Origin header"),
            Failure::MultipleAllowOrigin => {
                f.write_str("Access-Control-Allow-Origin has multiple values")
            }
            Failure::AllowOriginMismatch => {
                f.write_str("Access-Control-Allow-Origin does not match the origin")
            }
            Failure::WildcardWithCredentials => {
                f.write_str("Access-Control-Allow-Origin is * but the request is credentialed")
            }
            Failure::AllowCredentialsNotTrue => {
                f.write_str("Access-Control-Allow-Credentials is not `true`")
            }
            Failure::MethodsParse => f.write_str("Access-Control-Allow-Methods does not parse"),
            Failure::HeadersParse => f.write_str("Access-Control-Allow-Headers does not parse"),
            Failure::MethodNotAllowed(m) => write!(f, "method {m:?} not allowed by preflight"),
            Failure::HeaderNotAllowed(h) => write!(f, "header {h:?} not allowed by preflight"),
            Failure::AuthorizationNotCoveredByWildcard => {
                f.write_str("authorization must be listed explicitly: * does not cover it")
            }
        }
    }
}

impl std::error::Error for Failure {}
