//! [`CorsLayer`]: the Tower layer holding a compiled policy.

use std::fmt;
use std::sync::Arc;

use http::request::Parts;
use tower_layer::Layer;

use crate::cell::PolicyCell;
use crate::config::CorsBuilder;
use crate::diagnostics::Runtime;
use crate::error::ConfigError;
use crate::protocol::{AllowedMethods, AllowedOrigins, Decision, Policy};
use crate::service::Cors;

/// A Tower [`Layer`] that applies a validated CORS policy.
///
/// Made by [`CorsLayer::builder`]`()…`[`build()`](CorsBuilder::build), which
/// only succeeds for a configuration browsers will honour exactly. The
/// compiled policy lives in an [`Arc`](std::sync::Arc): cloning the layer, or
/// the [`Cors`] services it makes, allocates nothing.
///
/// A layer made by [`build_reloadable`](CorsBuilder::build_reloadable)
/// shares its policy with a [`CorsHandle`](crate::CorsHandle) that can swap
/// it while the layer runs.
#[derive(Clone)]
pub struct CorsLayer {
    policy: PolicyCell,
    /// The diagnostics' runtime state (rate limits), shared with every
    /// service and the reload handle, kept across reloads.
    runtime: Arc<Runtime>,
}

impl CorsLayer {
    /// Starts a configuration with nothing allowed.
    pub fn builder() -> CorsBuilder {
        CorsBuilder::new()
    }

    pub(crate) fn from_policy(policy: Policy) -> Self {
        CorsLayer::from_cell(PolicyCell::new(policy), Arc::new(Runtime::new()))
    }

    pub(crate) fn from_cell(policy: PolicyCell, runtime: Arc<Runtime>) -> Self {
        CorsLayer { policy, runtime }
    }

    /// What the layer would do with a request, and why, without running it:
    /// the [`Decision`] the service makes for it, which is exactly what it
    /// sends (status, `Access-Control-*` headers, `Vary`, debug mode's
    /// `x-cors-debug`, and whether the inner service is called).
    ///
    /// Pure: no response, no inner service, no logging. Useful in your own
    /// logs, metrics or an admin endpoint ("why is this origin refused?").
    /// With the whole request at hand (in a middleware or a handler), use
    /// [`evaluate_request`](Self::evaluate_request) instead of splitting it.
    ///
    /// ```
    /// use strict_cors::{CorsLayer, Rejection};
    ///
    /// let cors = CorsLayer::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .allow_methods(["PUT"])
    ///     .debug(true)
    ///     .build()?;
    /// let (parts, ()) = http::Request::options("/me")
    ///     .header("origin", "https://app.example.com")
    ///     .header("access-control-request-method", "PATCH")
    ///     .body(())?
    ///     .into_parts();
    /// let decision = cors.evaluate(&parts);
    /// // Refused, and in debug mode answered 204 with the allowed methods so
    /// // that the browser console says what is missing.
    /// assert_eq!(decision.rejection(), Some(Rejection::MethodNotAllowed));
    /// assert!(decision.is_debug_hint());
    /// assert_eq!(decision.status(), Some(http::StatusCode::NO_CONTENT));
    /// assert_eq!(decision.header(&"access-control-allow-methods".parse()?).unwrap(), "PUT");
    /// assert_eq!(decision.debug_reason().unwrap(), "method_not_allowed: PATCH");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate(&self, parts: &Parts) -> Decision {
        self.policy
            .with(|policy| policy.evaluate(&parts.method, &parts.uri, &parts.headers))
    }

    /// [`evaluate`](Self::evaluate) for a whole request, without splitting
    /// it: the same decision as `evaluate` on its [`Parts`]. The body is
    /// never read.
    ///
    /// ```
    /// use strict_cors::{CorsLayer, Decision};
    ///
    /// let cors = CorsLayer::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .allow_methods(["PUT"])
    ///     .build()?;
    /// let req = http::Request::options("/me")
    ///     .header("origin", "https://app.example.com")
    ///     .header("access-control-request-method", "PUT")
    ///     .body("any body type")?;
    /// let decision = cors.evaluate_request(&req);
    /// assert!(decision.is_preflight() && decision.is_allowed());
    /// // The same as `evaluate` on the request's parts.
    /// let (parts, _body) = req.into_parts();
    /// assert_eq!(decision, cors.evaluate(&parts));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_request<B>(&self, req: &http::Request<B>) -> Decision {
        self.policy
            .with(|policy| policy.evaluate(req.method(), req.uri(), req.headers()))
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Cors::new(inner, self.policy.clone(), self.runtime.clone())
    }
}

impl fmt::Debug for CorsLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p: &Policy = &self.policy.load();
        let mut d = f.debug_struct("CorsLayer");
        match &p.origins {
            AllowedOrigins::Any => d.field("origins", &"*"),
            AllowedOrigins::Exact(set) => {
                let mut list: Vec<&str> = set
                    .iter()
                    .filter_map(|o| std::str::from_utf8(o).ok())
                    .collect();
                list.sort_unstable();
                d.field("origins", &list);
                d.field("origin_patterns", &set.patterns().collect::<Vec<_>>())
            }
        };
        d.field("credentials", &p.credentials);
        match &p.methods {
            AllowedMethods::Any => d.field("methods", &"*"),
            m => d.field("methods", &m.names().collect::<Vec<_>>()),
        };
        d.field("headers_any", &p.headers.any)
            .field("headers", &p.headers.names().collect::<Vec<_>>())
            .field("expose", &p.expose)
            .field("max_age", &p.max_age)
            .field("private_network", &p.private_network)
            .field("csrf_protection", &p.csrf.is_some())
            .field(
                "csrf_exempt_paths",
                &p.csrf
                    .iter()
                    .flat_map(|g| g.exempt_paths())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl CorsBuilder {
    /// Validates every setting and compiles the policy.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] listing every problem found, in the order of the
    /// settings; see [`ConfigProblem`](crate::ConfigProblem) for each rule.
    pub fn build(self) -> Result<CorsLayer, ConfigError> {
        self.compile().map(CorsLayer::from_policy)
    }
}
