//! [`ConfigProblem`]: one problem found in a configuration, with its
//! one-line `Display`.

use super::defect::{EnvVarDefect, HeaderSetting, OriginDefect};
use super::hints::{hint_suffix, opaque_hint, pattern_hint_suffix};

/// One problem found in a configuration by
/// [`CorsBuilder::build`](crate::CorsBuilder::build).
///
/// Each variant carries the offending value; its `Display` is one line that
/// names the problem and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigProblem {
    /// No origin was configured, so no cross-origin request could ever be allowed.
    #[error(
        "no origin is allowed: call allow_origins([\"https://app.example.com\"]) (or allow_any_origin() for a public, credential-free API)"
    )]
    NoOrigins,

    /// Any origin (`*`) together with credentials: browsers refuse the
    /// combination, and reflecting every origin instead would let any site read
    /// your users' data.
    #[error(
        "any origin (`*`) with allow_credentials(true): browsers reject `*` on credentialed requests and reflecting any origin would let every site read your users' data; list the exact origins instead"
    )]
    WildcardOriginWithCredentials,

    /// `*` was listed together with explicit origins; the explicit ones would mean nothing.
    #[error(
        "any origin (`*`) listed together with explicit origins ({origin:?}, ...): keep either `*` or the explicit list"
    )]
    WildcardOriginWithOthers {
        /// The first explicit origin seen alongside `*`.
        origin: String,
    },

    /// `expose_headers("*")` with credentials: browsers read `*` as a literal
    /// header name on credentialed responses.
    #[error(
        "expose_headers(\"*\") with allow_credentials(true): browsers read `*` literally on credentialed responses; list the header names to expose"
    )]
    WildcardExposeWithCredentials,

    /// The `null` origin is shared by sandboxed iframes, `data:` documents and
    /// local files: allowing it allows all of them.
    #[error(
        "origin {value:?}: `null` is sent by every sandboxed iframe, data: URL and local file, so allowing it allows them all; serve the page from a real origin"
    )]
    NullOrigin {
        /// The value as configured.
        value: String,
    },

    /// A `file://` origin: browsers send `null` for local files.
    #[error(
        "origin {value:?}: browsers send `Origin: null` for file:// pages, so this never matches (and allowing `null` is unsafe); serve the page over http://localhost instead"
    )]
    FileOrigin {
        /// The value as configured.
        value: String,
    },

    /// An origin that is not of the form `scheme://host[:port]`.
    #[error("origin {value:?} {}{}", defect.describe(), hint_suffix(*defect, suggestion))]
    InvalidOrigin {
        /// The value as configured.
        value: String,
        /// What is wrong with it.
        defect: OriginDefect,
        /// The origin that was probably meant, when one can be derived.
        suggestion: Option<String>,
    },

    /// A host with non-ASCII characters: browsers send the punycode form.
    #[error(
        "origin {value:?} has a non-ASCII host: browsers send the punycode form, write that instead (`https://xn--...`)"
    )]
    NonAsciiHost {
        /// The value as configured.
        value: String,
    },

    /// An `http://` origin with credentials on a host that is not loopback:
    /// anyone on the network path can impersonate it.
    #[error(
        "origin {value:?} is plain http with allow_credentials(true): anyone on the network can impersonate it and read credentialed responses; use https, or allow_insecure_origins(true) if you really mean it"
    )]
    InsecureOriginWithCredentials {
        /// The value as configured.
        value: String,
    },

    /// A method that is not an HTTP token.
    #[error(
        "method {value:?} is not a valid HTTP method token (letters, digits and !#$%&'*+-.^_`|~ only)"
    )]
    InvalidMethod {
        /// The value as configured.
        value: String,
    },

    /// `CONNECT`, `TRACE` or `TRACK`: browsers never send them from scripts.
    #[error(
        "method {value:?} is forbidden by the Fetch standard (CONNECT, TRACE, TRACK): browsers never let scripts send it; remove it"
    )]
    ForbiddenMethod {
        /// The value as configured.
        value: String,
    },

    /// A header name that is not an HTTP token.
    #[error("{setting}: {value:?} is not a valid header name")]
    InvalidHeaderName {
        /// Which setting it came from.
        setting: HeaderSetting,
        /// The value as configured.
        value: String,
    },

    /// A forbidden request header (`cookie`, `host`, `origin`, `sec-*`, …):
    /// scripts can never set it, so allowing it means nothing.
    #[error(
        "allow_headers: {value:?} is a forbidden request header that scripts can never set (the browser manages it); remove it"
    )]
    ForbiddenRequestHeader {
        /// The value as configured.
        value: String,
    },

    /// `set-cookie` / `set-cookie2` in `expose_headers`: browsers never expose them.
    #[error(
        "expose_headers: {value:?} is never readable by scripts, whatever the server says; remove it (cookies are set by the browser, not read)"
    )]
    ForbiddenResponseHeader {
        /// The value as configured.
        value: String,
    },

    /// A max age over 86 400 s (Firefox's cap; Chromium caps at 7 200 s).
    #[error(
        "max_age of {seconds} s is over 86400 s, the longest any browser caches a preflight (Chromium: 7200 s); use at most 86400"
    )]
    MaxAgeTooLong {
        /// The configured value, in whole seconds.
        seconds: u64,
    },

    /// A max age with a fraction of a second: the header carries whole seconds.
    #[error(
        "max_age of {millis} ms is not a whole number of seconds (Access-Control-Max-Age carries seconds); use Duration::from_secs"
    )]
    MaxAgeNotWholeSeconds {
        /// The configured value, in milliseconds.
        millis: u128,
    },

    /// A subdomain pattern whose fixed part is not a valid
    /// `scheme://*.host[:port]`.
    #[error("origin pattern {value:?} {}{}", defect.describe(), pattern_hint_suffix(suggestion))]
    InvalidOriginPattern {
        /// The value as configured.
        value: String,
        /// What is wrong with it (as for an exact origin).
        defect: OriginDefect,
        /// The pattern that was probably meant, when one can be derived.
        suggestion: Option<String>,
    },

    /// A pattern with no `*.` in front of the host: it would match one origin.
    #[error(
        "origin pattern {value:?} has no `*.` before the host; write \"https://*.example.com\", or put an exact origin in allow_origins"
    )]
    PatternWithoutWildcard {
        /// The value as configured.
        value: String,
    },

    /// A pattern whose `*` is not the whole leftmost label
    /// (`https://*example.com`, `https://a.*.com`, `https://*`).
    #[error(
        "origin pattern {value:?}: `*` must be the whole leftmost label and appear once, as in \"https://*.example.com\" (it stands for one or more labels)"
    )]
    PatternWildcardNotLeftmostLabel {
        /// The value as configured.
        value: String,
    },

    /// A pattern over a public suffix (`https://*.com`, `https://*.co.uk`,
    /// `https://*.github.io`, from the Public Suffix List): anyone can register
    /// a site under it.
    #[error(
        "origin pattern {value:?}: {suffix:?} is a public suffix, so anyone can register a site under it; put your own domain after `*.`, e.g. \"https://*.yourname.{suffix}\""
    )]
    PatternOverPublicSuffix {
        /// The value as configured.
        value: String,
        /// The public suffix the pattern covers.
        suffix: String,
    },

    /// A pattern over an IP address: IP addresses have no subdomains.
    #[error(
        "origin pattern {value:?} is over an IP address, which has no subdomains; list the exact origin in allow_origins instead"
    )]
    PatternOverIpAddress {
        /// The value as configured.
        value: String,
    },

    /// A `data:`, `blob:`, `about:` or `javascript:` origin: such documents
    /// send `Origin: null` or no `Origin` at all.
    #[error("origin {value:?}: documents from {scheme}: URLs send `Origin: null` or no Origin at all, so this never matches (and allowing `null` would allow every sandboxed page){}", opaque_hint(scheme, suggestion))]
    OpaqueSchemeOrigin {
        /// The value as configured.
        value: String,
        /// The scheme, lower-cased (`data`, `blob`, `about`, `javascript`).
        scheme: String,
        /// For a `blob:` URL, the origin of the page that made it.
        suggestion: Option<String>,
    },

    /// A pattern given to `allow_origins`, which takes exact origins.
    #[error(
        "origin {value:?} contains `*`: exact origins never do; put subdomain and any-port patterns in allow_origin_patterns"
    )]
    PatternInExactOrigins {
        /// The value as configured.
        value: String,
    },

    /// A pattern with an app or extension scheme: those are matched exactly.
    #[error(
        "origin pattern {value:?}: app and extension origins (tauri, capacitor, ionic, chrome-extension, moz-extension, safari-web-extension) are matched exactly; list each one in allow_origins"
    )]
    PatternWithAppScheme {
        /// The value as configured.
        value: String,
    },

    /// A pattern whose every host sits under a public suffix of its own (a
    /// wildcard rule of the Public Suffix List such as `*.r.appspot.com`),
    /// so that it could never match.
    #[error(
        "origin pattern {value:?}: every host it covers is under a public suffix of its own (the Public Suffix List rule {rule:?}), so it could never match; list the exact origins instead"
    )]
    PatternUnderPublicSuffixRule {
        /// The value as configured.
        value: String,
        /// The list's rule, e.g. `*.r.appspot.com`.
        rule: String,
    },

    /// An any-port pattern (`:*`) on a host that is not loopback: it would
    /// trust every service on that host.
    #[error(
        "origin pattern {value:?}: any port (`:*`) is allowed only on loopback hosts (localhost, *.localhost, 127.0.0.0/8, [::1]), for development servers; a port wildcard on another host trusts every service on it: list the ports"
    )]
    AnyPortOnNonLoopbackHost {
        /// The value as configured.
        value: String,
    },

    /// [`csrf_protection(true)`](crate::CorsBuilder::csrf_protection) with
    /// any origin (`*`): the guard trusts allowed origins, so it would trust
    /// every site.
    #[error(
        "csrf_protection(true) with any origin (`*`): the guard lets allowed origins write, so it would let every site write; list the exact origins of your front ends"
    )]
    CsrfWithAnyOrigin,

    /// A [`csrf_exempt_paths`](crate::CorsBuilder::csrf_exempt_paths) entry
    /// that no request path can be: it must start with `/` and hold no `?`,
    /// `#`, `*` or whitespace (paths are matched exactly, or as a prefix
    /// when they end in `/`; no query, no glob).
    #[error(
        "CSRF exempt path {value:?}: write a path as the request's uri().path() shows it, starting with `/`, without `?`, `#`, `*` or whitespace (end it with `/` to exempt everything under it){}",
        suggestion.as_ref().map(|s| format!("; did you mean {s:?}?")).unwrap_or_default()
    )]
    InvalidCsrfExemptPath {
        /// The value as configured.
        value: String,
        /// A corrected path, when one is plain (`webhooks/` → `/webhooks/`,
        /// `/webhooks/*` → `/webhooks/`).
        suggestion: Option<String>,
    },

    /// [`csrf_exempt_paths`](crate::CorsBuilder::csrf_exempt_paths) holds
    /// `/`: a prefix of every path, so the guard would refuse nothing while
    /// the configuration says it is on.
    #[error(
        "csrf_exempt_paths(\"/\") exempts every path, so the CSRF guard would refuse nothing: list only the paths that need it (\"/webhooks/\", \"/oauth/callback\"), or turn the guard off with csrf_protection(false)"
    )]
    CsrfExemptEverything,

    /// [`csrf_exempt_paths`](crate::CorsBuilder::csrf_exempt_paths) without
    /// [`csrf_protection(true)`](crate::CorsBuilder::csrf_protection): the
    /// exemptions would mean nothing, and the guard was probably forgotten.
    #[error(
        "csrf_exempt_paths({first:?}, ...) without csrf_protection(true): the exemptions do nothing while the guard is off; turn the guard on, or remove the exemptions"
    )]
    CsrfExemptPathsWithoutProtection {
        /// The first exempt path configured.
        first: String,
    },

    /// More origin text than the compiled allowlist can hold (4 GiB).
    #[error("the allowlist holds over 4 GiB of origins, more than strict-cors can index")]
    AllowlistTooLarge,

    /// An environment variable whose value cannot be read as its setting.
    #[error("{var}={value:?} {}", reason.describe())]
    InvalidEnvVar {
        /// The variable's name, e.g. `CORS_ALLOW_CREDENTIALS`.
        var: String,
        /// The value as found (lossily decoded when not UTF-8).
        value: String,
        /// What is wrong with it.
        reason: EnvVarDefect,
    },

    /// A problem with one entry of a setting that came from outside the code:
    /// an environment variable, or a field of a
    /// `CorsConfig` (`serde` feature).
    #[error("{location}: {problem}")]
    Located {
        /// Where the entry came from: an environment variable name such as
        /// `CORS_ALLOWED_ORIGINS`, or a field path such as `allowed_origins[1]`.
        location: String,
        /// What is wrong with the entry.
        problem: Box<ConfigProblem>,
    },
}
