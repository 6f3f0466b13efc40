//! The running configuration as data: a [`CorsConfig`] rebuilt from a
//! compiled [`Policy`] on demand.
//!
//! The policy keeps no copy of the strings the builder was given (100,000
//! origins must fit in twice their text, `tests/scale_memory.rs`): the
//! origins and patterns are read back from the origin set's buffers, the
//! methods and headers from their allowlists, the expose list and max age
//! from their rendered header values. What comes back is the normalised
//! form (lower case, default ports dropped, duplicates once), which builds a
//! layer that answers every request the same.

use super::data::CorsConfig;
use crate::protocol::{AllowedMethods, AllowedOrigins, Policy};

/// The configured max age in seconds, read back from its rendered
/// `Access-Control-Max-Age` value (digits only).
pub(crate) fn max_age_secs(policy: &Policy) -> Option<u64> {
    policy.max_age.as_ref()?.get().to_str().ok()?.parse().ok()
}

impl CorsConfig {
    /// The configuration `policy` was compiled from, normalised.
    pub(crate) fn from_policy(policy: &Policy) -> CorsConfig {
        let (allowed_origins, allowed_origin_patterns) = match &policy.origins {
            AllowedOrigins::Any => (vec!["*".to_owned()], Vec::new()),
            AllowedOrigins::Exact(set) => (
                set.iter()
                    .map(|o| String::from_utf8_lossy(o).into_owned())
                    .collect(),
                set.patterns().map(str::to_owned).collect(),
            ),
        };
        let allowed_methods = match &policy.methods {
            AllowedMethods::Any => vec!["*".to_owned()],
            list => list.names().map(str::to_owned).collect(),
        };
        let headers = &policy.headers;
        let allowed_headers = headers
            .any
            .then_some("*")
            .into_iter()
            .chain(headers.names())
            .map(str::to_owned)
            .collect();
        // Rendered from validated tokens joined by ", ", and from digits.
        let exposed_headers = policy
            .expose
            .as_ref()
            .and_then(|v| v.get().to_str().ok())
            .map(|v| v.split(", ").map(str::to_owned).collect())
            .unwrap_or_default();
        let max_age_secs = max_age_secs(policy);
        // A full literal, not `..Default::default()`: a new field is a
        // compile error here until the running policy reports it.
        CorsConfig {
            allowed_origins,
            allowed_origin_patterns,
            allow_credentials: policy.credentials,
            allowed_methods,
            allowed_headers,
            exposed_headers,
            max_age_secs,
            allow_insecure_origins: policy.insecure_origins,
            allow_private_network: policy.private_network,
            debug: policy.debug,
            csrf_protection: policy.csrf.is_some(),
            csrf_exempt_paths: policy
                .csrf
                .iter()
                .flat_map(|g| g.exempt_paths())
                .map(str::to_owned)
                .collect(),
            // The default is reported as not configured.
            #[cfg(feature = "tracing")]
            unknown_origin_level: (policy.unknown_origin_level != tracing::Level::DEBUG)
                .then_some(policy.unknown_origin_level),
        }
    }
}
