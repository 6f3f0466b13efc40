//! What an evaluation saw in a request, for the events and debug mode's
//! reason: borrowed from the request, never allocated.

use http::HeaderValue;

/// What the evaluation saw in the request, for diagnostics and debug mode:
/// borrowed from the request, nothing here allocates.
#[derive(Debug, Default)]
pub(crate) struct Facts<'a> {
    /// The request's `Origin`, when it has exactly one.
    pub(crate) origin: Option<&'a HeaderValue>,
    /// The request had several `Origin` headers (treated as not CORS).
    pub(crate) multiple_origins: bool,
    /// The preflight's requested method, when there is one.
    pub(crate) requested_method: Option<&'a HeaderValue>,
    /// The requested header name that was refused.
    pub(crate) offending_header: Option<&'a [u8]>,
    /// The request's `Sec-Fetch-Site`, when the CSRF guard read it.
    pub(crate) sec_fetch_site: Option<&'a HeaderValue>,
}
