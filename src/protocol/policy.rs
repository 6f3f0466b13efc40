//! The compiled policy: a validated configuration, ready for the request
//! path. Nothing here reads a request or touches a response.

use super::allowlists::{AllowedHeaders, AllowedMethods};
use super::csrf::CsrfGuard;
use super::value::Value;
use crate::origin::OriginSet;

/// Longest `Access-Control-Request-Method` accepted (and echoed). Not from
/// a standard: real methods are short, and the value is echoed back.
pub(crate) const MAX_METHOD_LEN: usize = 64;

/// `Access-Control-Request-Private-Network`
/// ([Private Network Access](https://wicg.github.io/private-network-access/#headers)).
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
///
/// Configuration only: runtime state (such as the rate limit of the cookie
/// audit) lives in `diagnostics`, beside the policy cell, so that a reload
/// does not reset it.
#[derive(Debug)]
pub(crate) struct Policy {
    pub(crate) origins: AllowedOrigins,
    pub(crate) credentials: bool,
    pub(crate) methods: AllowedMethods,
    pub(crate) headers: AllowedHeaders,
    /// Rendered `Access-Control-Expose-Headers`.
    pub(crate) expose: Option<Value>,
    /// Rendered `Access-Control-Max-Age`.
    pub(crate) max_age: Option<Value>,
    pub(crate) private_network: bool,
    /// `allow_insecure_origins`: only checked at `build()`, kept so that
    /// [`CorsLayer::config`](crate::CorsLayer::config) reports it.
    pub(crate) insecure_origins: bool,
    /// The cross-site request forgery guard, when on.
    pub(crate) csrf: Option<CsrfGuard>,
    /// Debug mode: refused preflights explain themselves to the browser.
    pub(crate) debug: bool,
    /// Rendered configured methods / headers, for debug-mode answers.
    pub(crate) debug_methods: Option<Value>,
    pub(crate) debug_headers: Option<Value>,
    /// Level of the event for a request from an unknown origin.
    #[cfg(feature = "tracing")]
    pub(crate) unknown_origin_level: tracing::Level,
}
