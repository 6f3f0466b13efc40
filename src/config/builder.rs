//! [`CorsBuilder`]: the settings, collected as given. Nothing is checked
//! here; [`compile`](super::compile) validates them all at once.

use std::time::Duration;

/// Collects CORS settings; [`build`](CorsBuilder::build) validates them all
/// at once and compiles the policy.
///
/// Created by [`CorsLayer::builder`](crate::CorsLayer::builder). Every setter takes and returns `self`;
/// the list setters (`allow_origins`, `allow_methods`, `allow_headers`,
/// `expose_headers`) add to what earlier calls gave.
///
/// Nothing is checked until `build()`, which returns **every** problem in one
/// [`ConfigError`](crate::ConfigError) and never panics, whatever strings it was given.
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `build()` is called"]
pub struct CorsBuilder {
    pub(super) origins: Vec<String>,
    pub(super) patterns: Vec<String>,
    pub(super) any_origin: bool,
    pub(super) credentials: bool,
    pub(super) methods: Vec<String>,
    pub(super) headers: Vec<String>,
    pub(super) expose: Vec<String>,
    pub(super) max_age: Option<Duration>,
    pub(super) insecure_origins: bool,
    pub(super) private_network: bool,
    pub(super) debug: bool,
    pub(super) csrf: bool,
    pub(super) csrf_exempt: Vec<String>,
    #[cfg(feature = "tracing")]
    pub(super) unknown_origin_level: Option<tracing::Level>,
}

impl CorsBuilder {
    /// A builder with nothing allowed. Same as [`CorsLayer::builder`](crate::CorsLayer::builder).
    pub fn new() -> Self {
        Self::default()
    }

    /// Allows these exact origins, written as browsers send them:
    /// `scheme://host[:port]`, e.g. `"https://app.example.com"` or
    /// `"http://localhost:3000"`, matched byte for byte against the
    /// request's `Origin` (the [ASCII serialisation of an
    /// origin](https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin)).
    ///
    /// Normalised as the [WHATWG URL parser](https://url.spec.whatwg.org/#concept-basic-url-parser)
    /// does: upper-case schemes and hosts, explicit default ports (`:443` on
    /// https, `:80` on http), leading zeros in ports (`:000443`), IPv6
    /// spelling. A configuration error: a path (even a trailing `/`), query,
    /// fragment, user info, whitespace, non-ASCII host (write the `xn--`
    /// form), `null` or `file://` origin; port 0; a label over 63 bytes or a
    /// host over 253 bytes; an `xn--` label that is not valid punycode
    /// ([UTS #46](https://www.unicode.org/reports/tr46/#ToASCII) as the URL
    /// parser [applies it](https://url.spec.whatwg.org/#concept-domain-to-ascii),
    /// without STD3 rules: `my_app.example.com` is valid). `"*"` means any
    /// origin (see [`allow_any_origin`](Self::allow_any_origin)).
    ///
    /// Besides `http` and `https`, the app and extension schemes whose
    /// embedders send `scheme://host` as `Origin` are accepted: `tauri`,
    /// `capacitor`, `ionic`, `chrome-extension` (the id must be 32 letters
    /// a–p), `moz-extension` (Firefox's internal UUID, random per
    /// installation), `safari-web-extension`. They are matched exactly (the
    /// host is an [opaque host](https://url.spec.whatwg.org/#concept-opaque-host-parser),
    /// kept as written), allowed with credentials, never in patterns. Any
    /// other scheme has an [opaque origin](https://url.spec.whatwg.org/#concept-url-origin),
    /// which browsers send as `null`: a configuration error, with a *did you
    /// mean* for near misses of http/https (`htps://`, `http:/`).
    ///
    /// ```
    /// use strict_cors::CorsLayer;
    ///
    /// let cors = CorsLayer::builder()
    ///     .allow_origins([
    ///         "https://app.example.com",
    ///         "tauri://localhost",
    ///         "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
    ///     ])
    ///     .allow_credentials(true)
    ///     .build()?;
    ///
    /// let err = CorsLayer::builder().allow_origins(["htps://app.example.com"]).build().unwrap_err();
    /// assert!(err.to_string().contains("did you mean \"https://app.example.com\""));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allow_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.origins
            .extend(origins.into_iter().map(|o| o.as_ref().to_owned()));
        self
    }

    /// Allows every origin that matches one of these patterns: subdomain
    /// patterns `scheme://*.host[:port]` (e.g. `"https://*.example.com"`)
    /// and any-port patterns on loopback hosts `scheme://host:*` (e.g.
    /// `"http://localhost:*"`).
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
    /// `*` never spans a public suffix: a pattern matches a host only when
    /// the host's public suffix ([Public Suffix List](https://publicsuffix.org/list/),
    /// ICANN and private sections) is the pattern's fixed part's. So
    /// `https://*.amazonaws.com` never allows
    /// `https://evil-bucket.s3.amazonaws.com` (`s3.amazonaws.com` is a public
    /// suffix: anyone's bucket), while `*.example.com` and `*.localhost`
    /// work as written.
    ///
    /// `:*` allows that exact loopback host (`localhost`, `*.localhost`,
    /// `127.0.0.0/8`, `[::1]`) on any port a browser sends, including none:
    /// `http://localhost:*` allows `http://localhost:5173` and
    /// `http://localhost`, never `http://localhost.evil.net:3000` nor
    /// `http://evil.localhost:3000`. `http://*.localhost:*` combines both
    /// (every `*.localhost` name is loopback,
    /// [RFC 6761 §6.3](https://www.rfc-editor.org/rfc/rfc6761#section-6.3)).
    ///
    /// Configuration errors: `*` anywhere but as the whole leftmost label
    /// (`https://*example.com`, `https://a.*.com`, `https://*`); a pattern
    /// over a public suffix (`https://*.com`, `https://*.co.uk`,
    /// `https://*.github.io`) or an IP address; a pattern whose every host
    /// sits under a public suffix of its own, a wildcard rule of the list
    /// (`https://*.r.appspot.com`, `https://*.run.app`), which could never
    /// match; a fixed part too long for any host (`x.` + it over 253 bytes),
    /// or with the defects [`allow_origins`](Self::allow_origins) refuses;
    /// `:*` on a host that is not loopback; an app or extension scheme; an
    /// `http://` pattern with credentials unless it is loopback or
    /// [`allow_insecure_origins(true)`](Self::allow_insecure_origins).
    ///
    /// Matching costs one hash lookup per label of the request's host,
    /// however many patterns there are (also when they share a suffix and
    /// differ by port), and allocates nothing.
    ///
    /// ```
    /// use strict_cors::CorsLayer;
    ///
    /// let cors = CorsLayer::builder()
    ///     .allow_origins(["https://example.com"]) // the apex, if wanted, is exact
    ///     .allow_origin_patterns(["https://*.example.com", "http://localhost:*"])
    ///     .allow_credentials(true)
    ///     .build()?;
    /// let allowed = |origin: &str| -> Result<bool, Box<dyn std::error::Error>> {
    ///     let (parts, ()) = http::Request::get("/").header("origin", origin).body(())?.into_parts();
    ///     Ok(cors.evaluate(&parts).is_allowed())
    /// };
    /// assert!(allowed("https://preview-42.example.com")?);
    /// assert!(allowed("http://localhost:5173")?);
    /// assert!(!allowed("http://localhost.evil.net:5173")?);
    ///
    /// assert!(CorsLayer::builder().allow_origin_patterns(["https://*.co.uk"]).build().is_err());
    /// assert!(CorsLayer::builder().allow_origin_patterns(["https://*.run.app"]).build().is_err());
    /// assert!(CorsLayer::builder().allow_origin_patterns(["https://app.example.com:*"]).build().is_err());
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
    /// Only for public APIs without credentials (a credentialed response with
    /// `*` fails the [CORS check](https://fetch.spec.whatwg.org/#cors-check)): combined with
    /// [`allow_credentials(true)`](Self::allow_credentials) it is an error.
    pub fn allow_any_origin(mut self) -> Self {
        self.any_origin = true;
        self
    }

    /// Whether credentialed requests (cookies, `Authorization`, TLS client
    /// certificates) may be read: sends
    /// [`Access-Control-Allow-Credentials: true`](https://fetch.spec.whatwg.org/#http-access-control-allow-credentials)
    /// ([Fetch, "CORS protocol and credentials"](https://fetch.spec.whatwg.org/#cors-protocol-and-credentials)).
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.credentials = allow;
        self
    }

    /// Allows these methods in preflights ([`Access-Control-Allow-Methods`](https://fetch.spec.whatwg.org/#http-access-control-allow-methods);
    /// `GET`, `HEAD` and `POST`, the [safelisted methods](https://fetch.spec.whatwg.org/#cors-safelisted-method), never need
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

    /// Allows these request headers in preflights, case-insensitively
    /// ([`Access-Control-Allow-Headers`](https://fetch.spec.whatwg.org/#http-access-control-allow-headers)).
    /// Anything `AsRef<str>`: `"content-type"`, `http::header::AUTHORIZATION`.
    ///
    /// `"*"` allows any header name but `authorization` (echoed back). One
    /// rule with or without credentials: `authorization` is allowed only when
    /// listed by name, e.g. `allow_headers(["*", "authorization"])`, as Fetch
    /// never lets a wildcard cover it (a
    /// [CORS non-wildcard request-header name](https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name)).
    /// Forbidden request headers (`cookie`, `host`,
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

    /// Lets scripts read these response headers
    /// ([`Access-Control-Expose-Headers`](https://fetch.spec.whatwg.org/#http-access-control-expose-headers);
    /// beyond the [safelisted](https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name)
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

    /// How long browsers may cache a preflight answer
    /// ([`Access-Control-Max-Age`](https://fetch.spec.whatwg.org/#http-access-control-max-age)): sends
    /// `Access-Control-Max-Age` in whole seconds, at most 86 400 (Firefox's
    /// cap; Chromium caps at 7 200). `Duration::ZERO` sends `0` (no caching).
    /// Without this call no header is sent and browsers cache for 5 s.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Accepts plain `http://` origins on hosts other than loopback together
    /// with credentials. Off by default: anyone on the network path can
    /// impersonate such an origin (loopback hosts are
    /// [potentially trustworthy](https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy)
    /// and always accepted).
    pub fn allow_insecure_origins(mut self, allow: bool) -> Self {
        self.insecure_origins = allow;
        self
    }

    /// Answers allowed preflights carrying
    /// `Access-Control-Request-Private-Network: true` with
    /// `Access-Control-Allow-Private-Network: true`
    /// ([Private Network Access](https://wicg.github.io/private-network-access/#headers)).
    /// Off by default. When on, every preflight's `Vary` also names
    /// `access-control-request-private-network`, since the answer depends on
    /// it ([Fetch, "CORS protocol and HTTP caches"](https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches)).
    ///
    /// Know what it buys today: Chrome put Private Network Access on hold
    /// (October 2024) and replaced it with the *Local Network Access*
    /// permission prompt (Chrome 142): the user, not a server header, lets a
    /// public site reach the local network, and no response header grants
    /// it. This setting answers browsers and versions that still send the
    /// PNA preflight header; other browsers never sent it.
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

    /// Turns on the cross-site request forgery guard: a write (any method but
    /// `GET`, `HEAD`, `OPTIONS`) or a WebSocket handshake sent by a browser
    /// from a page whose origin is not in this allowlist is answered `403` by
    /// the layer, with an empty body and no `Access-Control-*` header; the
    /// inner service is never called. Off by default.
    ///
    /// CORS decides who may *read* a response; it does not stop a page on
    /// another site from *sending* a form POST, a `no-cors` `fetch`, or a
    /// [WebSocket handshake](https://www.rfc-editor.org/rfc/rfc6455#section-10.2)
    /// with the user's cookies. The guard reuses the CORS allowlist (exact
    /// origins and patterns), so the two lists cannot drift apart. In order:
    ///
    /// 1. `GET`, `HEAD`, `OPTIONS` pass (they must not change state), except
    ///    a `GET` with `Upgrade: websocket`, judged like a write (over HTTP/2
    ///    a WebSocket opens with [`CONNECT`](https://www.rfc-editor.org/rfc/rfc8441#section-4),
    ///    judged as any other method). Preflights are never judged.
    /// 2. A path in [`csrf_exempt_paths`](Self::csrf_exempt_paths) passes.
    /// 3. [`Sec-Fetch-Site`](https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-site-header)
    ///    `same-origin` or `none` passes; any other value passes only when
    ///    the [`Origin`](https://www.rfc-editor.org/rfc/rfc6454#section-7) is allowed.
    /// 4. Without `Sec-Fetch-Site` (older browsers, other clients): no
    ///    `Origin` passes; an allowed `Origin` passes; an `Origin` whose host
    ///    and port are the request's own (`Host`, or the URI's authority, as
    ///    HTTP/2's `:authority`) passes; `null` and anything else are refused.
    ///
    /// Each refusal has its own [`Rejection`](crate::Rejection)
    /// (`csrf_cross_site`, `csrf_origin_mismatch`, `csrf_null_origin`), a
    /// `tracing` event at `WARN`, and in [debug mode](Self::debug) an
    /// `x-cors-debug` header; the `403` carries `Vary: origin`, as every
    /// refusal does. [`build`](Self::build) refuses the guard with any origin
    /// (`*`), which would trust every site.
    ///
    /// Not covered: `GET` handlers that change state, and sites you list
    /// (or that a pattern covers) but do not control. Behind a proxy that
    /// rewrites `Host`, same-origin writes from browsers without
    /// `Sec-Fetch-Site` fail the host comparison: list the API's own public
    /// origin. Pages with `Referrer-Policy: no-referrer` send `Origin: null`
    /// on cross-site forms, which is refused.
    ///
    /// ```
    /// use strict_cors::{CorsLayer, Rejection};
    ///
    /// let cors = CorsLayer::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .allow_credentials(true)
    ///     .csrf_protection(true)
    ///     .csrf_exempt_paths(["/webhooks/", "/oauth/callback"])
    ///     .build()?;
    /// let (parts, ()) = http::Request::post("/transfer")
    ///     .header("origin", "https://evil.example.net")
    ///     .header("sec-fetch-site", "cross-site")
    ///     .body(())?
    ///     .into_parts();
    /// let decision = cors.evaluate(&parts);
    /// assert_eq!(decision.rejection(), Some(Rejection::CsrfCrossSite));
    /// assert_eq!(decision.status(), Some(http::StatusCode::FORBIDDEN));
    /// assert!(!decision.calls_inner());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn csrf_protection(mut self, on: bool) -> Self {
        self.csrf = on;
        self
    }

    /// Paths the [CSRF guard](Self::csrf_protection) never refuses: those a
    /// browser posts to from another site on purpose, such as webhooks, an
    /// OAuth `response_mode=form_post` callback, a SAML assertion consumer,
    /// a payment provider's return. An entry ending in `/` is a prefix
    /// (`/webhooks/` exempts `/webhooks/stripe`, not `/webhooksevil` nor
    /// `/webhooks`); any other is one exact path. Calls add up.
    ///
    /// Matched byte for byte against the request's `uri().path()` as the
    /// layer sees it: not percent-decoded, not normalised (`/webhooks/%2E%2E/x`
    /// is under `/webhooks/`: the exemption is as wide as what your router
    /// serves under it), and under a router that strips a prefix
    /// (`Router::nest`), the stripped path. [`build`](Self::build) refuses an
    /// entry that does not start with `/` or holds `?`, `#`, `*` or whitespace,
    /// and `/` itself (a prefix of every path: the guard would refuse nothing).
    pub fn csrf_exempt_paths<I>(mut self, paths: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.csrf_exempt
            .extend(paths.into_iter().map(|p| p.as_ref().to_owned()));
        self
    }

    /// The level of the `tracing` event for a request from an origin that is
    /// not allowed (default `DEBUG`: browsers send `Origin` on many requests,
    /// and crawlers and extensions probe; raise it while investigating).
    /// Method and header refusals are logged at `INFO`, malformed input at
    /// `WARN`. Each reason code is rate-limited to 10 events a minute (a
    /// client triggers them at will); the next event admitted carries the
    /// number held back in its `suppressed` field. Requires the `tracing`
    /// feature (on by default).
    #[cfg(feature = "tracing")]
    pub fn unknown_origin_level(mut self, level: tracing::Level) -> Self {
        self.unknown_origin_level = Some(level);
        self
    }
}
