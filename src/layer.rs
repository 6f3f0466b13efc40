//! [`CorsLayer`]: the Tower layer holding a compiled policy.

use std::fmt;
use std::sync::Arc;

use http::request::Parts;
use tower_layer::Layer;

use crate::cell::PolicyCell;
use crate::config::{max_age_secs, CorsBuilder, CorsConfig};
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

    /// The configuration this layer runs, as data: for a startup log line,
    /// an admin endpoint, or to build the same layer again
    /// (`layer.config().into_builder()?.build()?` answers every request as
    /// this layer does). For a layer from
    /// [`build_reloadable`](CorsBuilder::build_reloadable), the policy
    /// running now (also [`CorsHandle::config`](crate::CorsHandle::config)).
    ///
    /// The values are normalised as `build()` compiled them: origins and
    /// patterns lower-case, without default ports, each once, in
    /// configuration order; methods as matched (`get` is `GET`); header
    /// names lower-case, sorted; `*` first where configured, and alone for
    /// methods and any origin. The default
    /// [`unknown_origin_level`](CorsBuilder::unknown_origin_level) (`DEBUG`)
    /// reads as `None`.
    ///
    /// Built on each call from the compiled policy (which keeps no copy of
    /// the configured strings): it allocates, proportionally to the
    /// allowlist; requests never do.
    ///
    /// ```
    /// use strict_cors::{CorsConfig, CorsLayer};
    ///
    /// let cors = CorsLayer::builder()
    ///     .allow_origins(["HTTPS://App.Example.com:443", "tauri://localhost"])
    ///     .allow_origin_patterns(["http://localhost:*"])
    ///     .allow_credentials(true)
    ///     .allow_methods(["get", "PUT"])
    ///     .allow_headers(["Authorization", "content-type"])
    ///     .debug(true)
    ///     .build()?;
    ///
    /// let active: CorsConfig = cors.config();
    /// assert_eq!(active.allowed_origins, ["https://app.example.com", "tauri://localhost"]);
    /// assert_eq!(active.allowed_origin_patterns, ["http://localhost:*"]);
    /// assert_eq!(active.allowed_methods, ["GET", "PUT"]);
    /// assert_eq!(active.allowed_headers, ["authorization", "content-type"]);
    /// assert!(active.allow_credentials && active.debug);
    ///
    /// // The same layer again, from the data.
    /// let again = active.clone().into_builder()?.build()?;
    /// assert_eq!(again.config(), active);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn config(&self) -> CorsConfig {
        self.policy.with(CorsConfig::from_policy)
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Cors::new(inner, self.policy.clone(), self.runtime.clone())
    }
}

impl fmt::Debug for CorsLayer {
    /// Short and readable, and cheap for any allowlist: the first
    /// 8 origins, patterns and CSRF exempt paths in configuration order, then how many
    /// more (`… and 99,992 more`); every other setting as configured.
    /// [`config`](CorsLayer::config) has the whole configuration.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p: &Policy = &self.policy.load();
        let mut d = f.debug_struct("CorsLayer");
        match &p.origins {
            AllowedOrigins::Any => d.field("origins", &"*"),
            AllowedOrigins::Exact(set) => {
                let origins = set.iter().map(|o| String::from_utf8_lossy(o));
                d.field("origins", &Preview::new(origins, set.len()));
                d.field(
                    "origin_patterns",
                    &Preview::new(set.patterns(), set.pattern_count()),
                )
            }
        };
        d.field("credentials", &p.credentials);
        match &p.methods {
            AllowedMethods::Any => d.field("methods", &["*"]),
            m => d.field("methods", &Preview::new(m.names(), m.names().count())),
        };
        let any = p.headers.any.then_some("*");
        let headers = any.into_iter().chain(p.headers.names());
        let count = usize::from(p.headers.any) + p.headers.names().count();
        d.field("headers", &Preview::new(headers, count))
            .field(
                "expose",
                &p.expose.as_ref().and_then(|v| v.get().to_str().ok()),
            )
            .field("max_age", &max_age_secs(p))
            .field("private_network", &p.private_network)
            .field("insecure_origins", &p.insecure_origins)
            .field("debug", &p.debug)
            .field("csrf_protection", &p.csrf.is_some())
            .field("csrf_exempt_paths", &{
                let exempt = || p.csrf.iter().flat_map(|g| g.exempt_paths());
                Preview::new(exempt(), exempt().count())
            });
        #[cfg(feature = "tracing")]
        d.field("unknown_origin_level", &p.unknown_origin_level.as_str());
        d.finish()
    }
}

/// How many entries of a list `Debug` shows.
const PREVIEW: usize = 8;

/// A list shown as its first [`PREVIEW`] entries and a count of the rest.
struct Preview<T> {
    first: Vec<T>,
    total: usize,
}

impl<T> Preview<T> {
    /// Takes only the first entries: cheap for any length.
    fn new(entries: impl Iterator<Item = T>, total: usize) -> Self {
        Preview {
            first: entries.take(PREVIEW).collect(),
            total,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Preview<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        list.entries(&self.first);
        if let Some(rest) = self.total.checked_sub(self.first.len()).filter(|&n| n > 0) {
            list.entry(&More(rest));
        }
        list.finish()
    }
}

/// `… and 99,992 more`.
struct More(usize);

impl fmt::Debug for More {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        f.write_str("… and ")?;
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                f.write_str(",")?;
            }
            write!(f, "{c}")?;
        }
        f.write_str(" more")
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
