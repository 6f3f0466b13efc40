//! [`CorsBuilder`]: settings in, a validated policy out.

use std::time::Duration;

use http::HeaderValue;

use crate::error::{ConfigError, ConfigProblem, HeaderSetting};
use crate::headers::{
    is_forbidden_method, is_forbidden_request_header, is_forbidden_response_header, is_token,
    normalize_method, AllowedHeaders, AllowedMethods,
};
use crate::layer::CorsLayer;
use crate::origin::{parse_origin, OriginSet};
use crate::pattern::parse_pattern;
use crate::policy::{AllowedOrigins, Policy};
use crate::reload::CorsHandle;

/// Longest `max_age` any browser honours (Firefox; Chromium caps at 7200 s).
pub const MAX_AGE_LIMIT: Duration = Duration::from_secs(86_400);

/// Collects CORS settings; [`build`](CorsBuilder::build) validates them all
/// at once and compiles the policy.
///
/// Created by [`CorsLayer::builder`]. Every setter takes and returns `self`;
/// the list setters (`allow_origins`, `allow_methods`, `allow_headers`,
/// `expose_headers`) add to what earlier calls gave.
///
/// Nothing is checked until `build()`, which returns **every** problem in one
/// [`ConfigError`] and never panics, whatever strings it was given.
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `build()` is called"]
pub struct CorsBuilder {
    origins: Vec<String>,
    patterns: Vec<String>,
    any_origin: bool,
    credentials: bool,
    methods: Vec<String>,
    headers: Vec<String>,
    expose: Vec<String>,
    max_age: Option<Duration>,
    insecure_origins: bool,
    private_network: bool,
    debug: bool,
    #[cfg(feature = "tracing")]
    unknown_origin_level: Option<tracing::Level>,
}

impl CorsBuilder {
    /// A builder with nothing allowed. Same as [`CorsLayer::builder`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Allows these exact origins, written as browsers send them:
    /// `scheme://host[:port]`, e.g. `"https://app.example.com"` or
    /// `"http://localhost:3000"`.
    ///
    /// Upper-case schemes and hosts and explicit default ports (`:443` on
    /// https, `:80` on http) are normalised. A path (even a trailing `/`),
    /// query, fragment, user info, whitespace, non-ASCII host, `null` or
    /// `file://` origin is a configuration error. `"*"` means any origin
    /// (see [`allow_any_origin`](Self::allow_any_origin)).
    pub fn allow_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.origins
            .extend(origins.into_iter().map(|o| o.as_ref().to_owned()));
        self
    }

    /// Allows every origin that matches one of these subdomain patterns:
    /// `scheme://*.host[:port]`, e.g. `"https://*.example.com"`.
    ///
    /// `*` stands for **one or more** whole leftmost labels:
    /// `https://*.example.com` allows `https://app.example.com` and
    /// `https://a.b.example.com`, never `https://example.com` itself, nor
    /// another scheme (`http://app.example.com`) or port
    /// (`https://app.example.com:8443`). The labels it stands for must be
    /// lower-case letters, digits and hyphens, as browsers send them.
    /// Patterns are normalised like exact origins (case, default port); the
    /// `Access-Control-Allow-Origin` sent is the request's own `Origin`.
    ///
    /// Configuration errors: `*` anywhere but as the whole leftmost label
    /// (`https://*example.com`, `https://a.*.com`, `https://*`); a pattern
    /// over a public suffix (`https://*.com`, `https://*.co.uk`,
    /// `https://*.github.io`; Mozilla's Public Suffix List, both its ICANN
    /// and private sections) or an IP address; an `http://` pattern with
    /// credentials unless it is loopback (`http://*.localhost:3000`, allowed
    /// for development) or [`allow_insecure_origins(true)`](Self::allow_insecure_origins).
    ///
    /// Matching costs one hash lookup per label of the request's host,
    /// however many patterns there are, and allocates nothing.
    ///
    /// ```
    /// use strict_cors::CorsLayer;
    ///
    /// let cors = CorsLayer::builder()
    ///     .allow_origins(["https://example.com"]) // the apex, if wanted, is exact
    ///     .allow_origin_patterns(["https://*.example.com", "http://*.localhost:3000"])
    ///     .allow_credentials(true)
    ///     .build()?;
    /// let (parts, ()) = http::Request::get("/")
    ///     .header("origin", "https://preview-42.example.com")
    ///     .body(())?
    ///     .into_parts();
    /// assert!(cors.evaluate(&parts).is_allowed());
    ///
    /// assert!(CorsLayer::builder().allow_origin_patterns(["https://*.co.uk"]).build().is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allow_origin_patterns<I>(mut self, patterns: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.patterns
            .extend(patterns.into_iter().map(|p| p.as_ref().to_owned()));
        self
    }

    /// Allows any origin: responses carry `Access-Control-Allow-Origin: *`.
    /// Only for public APIs without credentials: combined with
    /// [`allow_credentials(true)`](Self::allow_credentials) it is an error.
    pub fn allow_any_origin(mut self) -> Self {
        self.any_origin = true;
        self
    }

    /// Whether credentialed requests (cookies, `Authorization`, TLS client
    /// certificates) may be read: sends `Access-Control-Allow-Credentials: true`.
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.credentials = allow;
        self
    }

    /// Allows these methods in preflights (`GET`, `HEAD` and `POST` never need
    /// one). Anything `AsRef<str>`: `"PUT"`, `http::Method::PUT`.
    ///
    /// Methods are case-sensitive, as in Fetch; `get`, `head`, `post`, `put`,
    /// `delete` and `options` are upper-cased like `fetch()` does. `"*"` allows
    /// any method (the requested method is echoed back, which browsers accept
    /// with credentials too). `CONNECT`, `TRACE` and `TRACK` are errors.
    pub fn allow_methods<I>(mut self, methods: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.methods
            .extend(methods.into_iter().map(|m| m.as_ref().to_owned()));
        self
    }

    /// Allows these request headers in preflights, case-insensitively.
    /// Anything `AsRef<str>`: `"content-type"`, `http::header::AUTHORIZATION`.
    ///
    /// `"*"` allows any header name (echoed back); as in Fetch, `*` does not
    /// cover `authorization` unless credentials are on, so list it explicitly
    /// for a credential-free API. Forbidden request headers (`cookie`, `host`,
    /// `origin`, `content-length`, `sec-*`, `proxy-*`, …) are errors: scripts
    /// can never set them.
    pub fn allow_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.headers
            .extend(headers.into_iter().map(|h| h.as_ref().to_owned()));
        self
    }

    /// Lets scripts read these response headers (beyond the safelisted
    /// `cache-control`, `content-language`, `content-length`, `content-type`,
    /// `expires`, `last-modified`, `pragma`). `"*"` exposes all of them, but
    /// only without credentials (with credentials it is an error, since
    /// browsers then read `*` as a literal name). `set-cookie` is an error:
    /// browsers never expose it.
    pub fn expose_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.expose
            .extend(headers.into_iter().map(|h| h.as_ref().to_owned()));
        self
    }

    /// How long browsers may cache a preflight answer: sends
    /// `Access-Control-Max-Age` in whole seconds, at most 86 400 (Firefox's
    /// cap; Chromium caps at 7 200). `Duration::ZERO` sends `0` (no caching).
    /// Without this call no header is sent and browsers cache for 5 s.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Accepts plain `http://` origins on hosts other than loopback together
    /// with credentials. Off by default: anyone on the network path can
    /// impersonate such an origin.
    pub fn allow_insecure_origins(mut self, allow: bool) -> Self {
        self.insecure_origins = allow;
        self
    }

    /// Answers allowed preflights carrying
    /// `Access-Control-Request-Private-Network: true` with
    /// `Access-Control-Allow-Private-Network: true` (Private Network Access).
    /// Off by default.
    pub fn allow_private_network(mut self, allow: bool) -> Self {
        self.private_network = allow;
        self
    }

    /// Debug mode, for development: refused requests explain themselves.
    ///
    /// A preflight refused only because of its method or headers is answered
    /// `204` with `Access-Control-Allow-Origin` (and credentials) and the full
    /// configured `Access-Control-Allow-Methods` / `-Allow-Headers`, so the
    /// browser console names exactly what is missing (for example *"Request
    /// header field x-token is not allowed by Access-Control-Allow-Headers in
    /// preflight response"* instead of *"Response to preflight request doesn't
    /// pass access control check: It does not have HTTP ok status"*). An
    /// unknown origin still gets no `Access-Control-Allow-Origin`. Every
    /// refused request carries an `x-cors-debug` header with the reason code
    /// and the offending value (`header_not_allowed: x-token`).
    ///
    /// Off by default. It reveals the configured method and header lists (never
    /// the origins) to anyone who asks; keep it out of production.
    pub fn debug(mut self, on: bool) -> Self {
        self.debug = on;
        self
    }

    /// The level of the `tracing` event for a request from an origin that is
    /// not allowed (default `DEBUG`: browsers send `Origin` on many requests,
    /// and crawlers and extensions probe; raise it while investigating).
    /// Method and header refusals are logged at `INFO`, malformed input at
    /// `WARN`. Requires the `tracing` feature (on by default).
    #[cfg(feature = "tracing")]
    pub fn unknown_origin_level(mut self, level: tracing::Level) -> Self {
        self.unknown_origin_level = Some(level);
        self
    }

    /// Validates every setting and compiles the policy.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] listing every problem found, in the order of the
    /// settings; see [`ConfigProblem`] for each rule.
    pub fn build(self) -> Result<CorsLayer, ConfigError> {
        self.compile().map(CorsLayer::from_policy)
    }

    /// Like [`build`](Self::build), and also returns a [`CorsHandle`] that
    /// swaps the layer's policy while it runs (for every clone of the layer
    /// and every service made from it), refusing invalid configurations.
    ///
    /// The request path is that of a layer from `build()`, plus a lock-free
    /// load of the current policy: no lock, and no allocation per request
    /// (the underlying `ArcSwap` registers each thread once, on its first
    /// request).
    ///
    /// # Errors
    ///
    /// As for [`build`](Self::build).
    pub fn build_reloadable(self) -> Result<(CorsLayer, CorsHandle), ConfigError> {
        Ok(CorsHandle::new_pair(self.compile()?))
    }

    /// Validates and compiles, collecting every problem.
    pub(crate) fn compile(&self) -> Result<Policy, ConfigError> {
        let mut problems = Vec::new();
        let origins = self.compile_origins(&mut problems);
        let methods = self.compile_methods(&mut problems);
        let headers = self.compile_headers(&mut problems);
        let expose = self.compile_expose(&mut problems);
        let max_age = self.compile_max_age(&mut problems);
        if !problems.is_empty() {
            return Err(ConfigError::new(problems));
        }
        match (origins, methods, headers, expose, max_age) {
            (Some(origins), Some(methods), Some(headers), Some(expose), Some(max_age)) => {
                let debug_methods =
                    render_list(methods.names(), matches!(methods, AllowedMethods::Any));
                let debug_headers = render_list(headers.names(), headers.any);
                Ok(Policy {
                    origins,
                    credentials: self.credentials,
                    methods,
                    headers,
                    expose,
                    max_age,
                    private_network: self.private_network,
                    debug: self.debug,
                    debug_methods,
                    debug_headers,
                    #[cfg(feature = "tracing")]
                    unknown_origin_level: self
                        .unknown_origin_level
                        .unwrap_or(tracing::Level::DEBUG),
                    cookie_warnings: crate::diagnostics::RateLimit::new(60),
                })
            }
            // Each part is `None` only after it pushed a problem.
            _ => Err(ConfigError::new(vec![ConfigProblem::NoOrigins])),
        }
    }

    /// Validates one kind of setting on its own, wrapping every problem in
    /// [`ConfigProblem::Located`] so that it names where the entry came from
    /// (an environment variable, a config field). Cross-setting rules (such as
    /// a wildcard origin with credentials) are left to `build()`.
    pub(crate) fn check_part(&self, part: Part, location: &str, problems: &mut Vec<ConfigProblem>) {
        let mut found = Vec::new();
        match part {
            Part::Origins => {
                if !self.origins.is_empty() || !self.patterns.is_empty() {
                    self.compile_origins(&mut found);
                }
            }
            Part::Methods => {
                self.compile_methods(&mut found);
            }
            Part::Headers => {
                self.compile_headers(&mut found);
            }
            Part::Expose => {
                self.compile_expose(&mut found);
            }
            Part::MaxAge => {
                self.compile_max_age(&mut found);
            }
        }
        problems.extend(found.into_iter().map(|problem| ConfigProblem::Located {
            location: location.to_owned(),
            problem: Box::new(problem),
        }));
    }

    fn compile_origins(&self, problems: &mut Vec<ConfigProblem>) -> Option<AllowedOrigins> {
        let any = self.any_origin || self.origins.iter().any(|o| o == "*");
        if any {
            let mut ok = true;
            if self.credentials {
                problems.push(ConfigProblem::WildcardOriginWithCredentials);
                ok = false;
            }
            let others = self.origins.iter().filter(|o| *o != "*");
            if let Some(other) = others.chain(&self.patterns).next() {
                problems.push(ConfigProblem::WildcardOriginWithOthers {
                    origin: other.clone(),
                });
                ok = false;
            }
            return ok.then_some(AllowedOrigins::Any);
        }
        if self.origins.is_empty() && self.patterns.is_empty() {
            problems.push(ConfigProblem::NoOrigins);
            return None;
        }
        let before = problems.len();
        let mut set = OriginSet::default();
        for raw in &self.origins {
            match parse_origin(raw) {
                Ok(origin) => {
                    if self.credentials
                        && !origin.secure
                        && !origin.loopback
                        && !self.insecure_origins
                    {
                        problems.push(ConfigProblem::InsecureOriginWithCredentials {
                            value: raw.clone(),
                        });
                    } else {
                        set.insert(&origin.serialized);
                    }
                }
                Err(p) => problems.push(p),
            }
        }
        for raw in &self.patterns {
            match parse_pattern(raw) {
                Ok(pattern) => {
                    if self.credentials
                        && !pattern.secure
                        && !pattern.loopback
                        && !self.insecure_origins
                    {
                        problems.push(ConfigProblem::InsecureOriginWithCredentials {
                            value: raw.clone(),
                        });
                    } else {
                        set.insert_pattern(&pattern);
                    }
                }
                Err(p) => problems.push(p),
            }
        }
        (problems.len() == before).then_some(AllowedOrigins::Exact(set))
    }

    fn compile_methods(&self, problems: &mut Vec<ConfigProblem>) -> Option<AllowedMethods> {
        if self.methods.iter().any(|m| m == "*") {
            let before = problems.len();
            for m in self.methods.iter().filter(|m| *m != "*") {
                check_method(m, problems);
            }
            return (problems.len() == before).then_some(AllowedMethods::Any);
        }
        let before = problems.len();
        let mut list: Vec<Box<[u8]>> = Vec::new();
        for m in &self.methods {
            if check_method(m, problems) {
                let m = normalize_method(m).into_bytes().into_boxed_slice();
                if !list.contains(&m) {
                    list.push(m);
                }
            }
        }
        (problems.len() == before).then(|| AllowedMethods::List(list.into_boxed_slice()))
    }

    fn compile_headers(&self, problems: &mut Vec<ConfigProblem>) -> Option<AllowedHeaders> {
        let before = problems.len();
        let mut any = false;
        let mut names = Vec::new();
        for h in &self.headers {
            if h == "*" {
                any = true;
                continue;
            }
            if !is_token(h.as_bytes()) {
                problems.push(ConfigProblem::InvalidHeaderName {
                    setting: HeaderSetting::AllowHeaders,
                    value: h.clone(),
                });
                continue;
            }
            let lower = h.to_ascii_lowercase();
            if is_forbidden_request_header(&lower) {
                problems.push(ConfigProblem::ForbiddenRequestHeader { value: h.clone() });
                continue;
            }
            names.push(lower);
        }
        (problems.len() == before).then(|| AllowedHeaders::new(any, names))
    }

    fn compile_expose(&self, problems: &mut Vec<ConfigProblem>) -> Option<Option<HeaderValue>> {
        let before = problems.len();
        let mut names: Vec<String> = Vec::new();
        for h in &self.expose {
            if h == "*" {
                if self.credentials {
                    problems.push(ConfigProblem::WildcardExposeWithCredentials);
                    continue;
                }
            } else if !is_token(h.as_bytes()) {
                problems.push(ConfigProblem::InvalidHeaderName {
                    setting: HeaderSetting::ExposeHeaders,
                    value: h.clone(),
                });
                continue;
            }
            let lower = h.to_ascii_lowercase();
            if is_forbidden_response_header(&lower) {
                problems.push(ConfigProblem::ForbiddenResponseHeader { value: h.clone() });
                continue;
            }
            if !names.contains(&lower) {
                names.push(lower);
            }
        }
        if problems.len() != before {
            return None;
        }
        if names.is_empty() {
            return Some(None);
        }
        // `*` alone when configured: other names add nothing to it.
        let rendered = if names.iter().any(|n| n == "*") {
            "*".to_owned()
        } else {
            names.join(", ")
        };
        Some(render(&rendered))
    }

    fn compile_max_age(&self, problems: &mut Vec<ConfigProblem>) -> Option<Option<HeaderValue>> {
        let Some(age) = self.max_age else {
            return Some(None);
        };
        if age.subsec_nanos() != 0 {
            problems.push(ConfigProblem::MaxAgeNotWholeSeconds {
                millis: age.as_millis(),
            });
            return None;
        }
        if age > MAX_AGE_LIMIT {
            problems.push(ConfigProblem::MaxAgeTooLong {
                seconds: age.as_secs(),
            });
            return None;
        }
        Some(render(&age.as_secs().to_string()))
    }
}

/// A kind of setting, for [`CorsBuilder::check_part`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Exact origins and patterns.
    Origins,
    Methods,
    Headers,
    Expose,
    MaxAge,
}

/// Validates one configured method; `true` when it is usable.
fn check_method(m: &str, problems: &mut Vec<ConfigProblem>) -> bool {
    if !is_token(m.as_bytes()) {
        problems.push(ConfigProblem::InvalidMethod {
            value: m.to_owned(),
        });
        false
    } else if is_forbidden_method(m.as_bytes()) {
        problems.push(ConfigProblem::ForbiddenMethod {
            value: m.to_owned(),
        });
        false
    } else {
        true
    }
}

/// Renders a configured list (`*` first when configured) for debug mode.
fn render_list<'a>(names: impl Iterator<Item = &'a str>, any: bool) -> Option<HeaderValue> {
    let list: Vec<&str> = any.then_some("*").into_iter().chain(names).collect();
    if list.is_empty() {
        return None;
    }
    render(&list.join(", "))
}

/// Renders a header value once, at build time, made shareable so that
/// cloning it per request is a reference-count bump. Only called on strings
/// built from validated tokens and digits, which are always valid values.
fn render(s: &str) -> Option<HeaderValue> {
    let value = HeaderValue::from_str(s).ok()?;
    let shared = value.clone();
    Some(shared)
}
