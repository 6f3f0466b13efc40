//! [`Decision`]: what the layer does with a request, and why, as one value.
//!
//! A decision is the complete answer: the status when the layer answers by
//! itself, and every header it sets. [`apply`](super::apply) writes it to a
//! response without consulting the policy.

use std::fmt;

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, VARY,
};
use http::{HeaderName, HeaderValue, StatusCode};

use super::rejection::Rejection;
use super::value::Value;

/// `Access-Control-Allow-Private-Network` ([Private Network Access](https://wicg.github.io/private-network-access/#headers)).
pub(crate) const ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// The debug-mode response header naming why a request was refused.
pub(crate) const REASON_HEADER: HeaderName = HeaderName::from_static("x-cors-debug");

/// `true`: the value of `Access-Control-Allow-Credentials` and
/// `-Allow-Private-Network`.
pub(crate) const TRUE: HeaderValue = HeaderValue::from_static("true");
/// `Vary: origin`, the layer's `Vary` on every answer but a preflight's.
pub(crate) const VARY_ORIGIN: HeaderValue = HeaderValue::from_static("origin");
/// `Vary` on a preflight's answer.
const VARY_PREFLIGHT: HeaderValue = HeaderValue::from_static(
    "origin, access-control-request-method, access-control-request-headers",
);
/// `Vary` on a preflight's answer, with `allow_private_network(true)`.
const VARY_PREFLIGHT_PRIVATE_NETWORK: HeaderValue = HeaderValue::from_static(
    "origin, access-control-request-method, access-control-request-headers, access-control-request-private-network",
);
/// The constants above, in statics: the values [`Decision::headers`] lends.
static TRUE_LENT: HeaderValue = TRUE;
static VARY_LENT: [HeaderValue; 3] = [VARY_ORIGIN, VARY_PREFLIGHT, VARY_PREFLIGHT_PRIVATE_NETWORK];
/// The names of `VARY_PREFLIGHT_PRIVATE_NETWORK`, one by one, for merging
/// (the first three are `VARY_PREFLIGHT`'s).
static VARY_NAMES: [HeaderValue; 4] = [
    VARY_ORIGIN,
    HeaderValue::from_static("access-control-request-method"),
    HeaderValue::from_static("access-control-request-headers"),
    HeaderValue::from_static("access-control-request-private-network"),
];

/// Which kind of request the layer saw ([Fetch, "CORS protocol"](https://fetch.spec.whatwg.org/#http-cors-protocol)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestKind {
    /// No `Origin` header, or more than one: not a CORS request.
    NotCors,
    /// A [CORS-preflight request](https://fetch.spec.whatwg.org/#cors-preflight-request):
    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
    Preflight,
    /// Any other request with an `Origin` (a plain `OPTIONS` too).
    Actual,
}

impl RequestKind {
    /// `not_cors`, `preflight` or `actual`: stable, for logs and metrics.
    #[inline]
    pub fn code(self) -> &'static str {
        match self {
            RequestKind::NotCors => "not_cors",
            RequestKind::Preflight => "preflight",
            RequestKind::Actual => "actual",
        }
    }
}

/// Which `Vary` names the layer adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Vary {
    /// None (any-origin policies answering a request without `Origin`).
    None,
    /// `origin`.
    Origin,
    /// `origin, access-control-request-method, access-control-request-headers`.
    Preflight,
    /// `Preflight`'s names and `access-control-request-private-network`:
    /// with `allow_private_network(true)` the answer depends on that header.
    PreflightPrivateNetwork,
}

impl Vary {
    /// The `Vary` value the layer sets on a response of its own, lent.
    #[inline]
    pub(crate) fn value(self) -> Option<&'static HeaderValue> {
        match self {
            Vary::None => None,
            Vary::Origin => Some(&VARY_LENT[0]),
            Vary::Preflight => Some(&VARY_LENT[1]),
            Vary::PreflightPrivateNetwork => Some(&VARY_LENT[2]),
        }
    }

    /// The same value, owned (a constant: no clone).
    #[inline]
    pub(crate) fn header_value(self) -> Option<HeaderValue> {
        match self {
            Vary::None => None,
            Vary::Origin => Some(VARY_ORIGIN),
            Vary::Preflight => Some(VARY_PREFLIGHT),
            Vary::PreflightPrivateNetwork => Some(VARY_PREFLIGHT_PRIVATE_NETWORK),
        }
    }

    /// The names the layer merges into `Vary`, one value each.
    #[inline]
    pub(crate) fn names(self) -> &'static [HeaderValue] {
        match self {
            Vary::None => &[],
            Vary::Origin => &VARY_NAMES[..1],
            Vary::Preflight => &VARY_NAMES[..3],
            Vary::PreflightPrivateNetwork => &VARY_NAMES,
        }
    }
}

/// What the layer does with a request, and why: the complete answer,
/// computed before any response exists.
///
/// Made by [`CorsLayer::evaluate`](crate::CorsLayer::evaluate), and by the
/// service for every request it handles: what the service sends is exactly
/// what the decision says, in every mode (debug mode too).
///
/// - [`kind`](Self::kind): not CORS, preflight or actual request;
/// - the verdict: [`is_allowed`](Self::is_allowed), or the
///   [`rejection`](Self::rejection) with its stable code;
/// - [`status`](Self::status): `Some(204)` or `Some(403)` when the layer
///   answers by itself (the inner service is never called), `None` when the
///   inner service answers and its status passes through;
/// - [`headers`](Self::headers): every header the layer sets.
///
/// In [debug mode](crate::CorsBuilder::debug) a preflight refused only for
/// its method or headers is still a refusal ([`rejection`](Self::rejection)
/// is `Some`) that carries a hint ([`is_debug_hint`](Self::is_debug_hint)):
/// the layer answers `204` with the configured lists so that the browser
/// console names what is missing.
///
/// ```
/// use strict_cors::{CorsLayer, Rejection, RequestKind};
///
/// let cors = CorsLayer::builder()
///     .allow_origins(["https://app.example.com"])
///     .build()?;
/// let (parts, ()) = http::Request::get("/me")
///     .header("origin", "https://evil.example.net")
///     .body(())?
///     .into_parts();
/// let decision = cors.evaluate(&parts);
/// assert_eq!(decision.kind(), RequestKind::Actual);
/// assert_eq!(decision.rejection(), Some(Rejection::OriginNotAllowed));
/// assert_eq!(decision.status(), None); // the inner service still answers
/// assert_eq!(decision.header(&http::header::VARY).unwrap(), "origin");
/// assert_eq!(decision.to_string(), "cross-origin request refused: the origin is not allowed");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    // Built as a literal by `evaluate` (in place, no chain of moves).
    pub(crate) kind: RequestKind,
    pub(crate) rejection: Option<Rejection>,
    /// A refusal answered with debug mode's hint.
    pub(crate) hint: bool,
    pub(crate) status: Option<StatusCode>,
    /// The headers of every answer, the layer's own or the inner service's.
    pub(crate) grant: Grant,
    /// The headers only the layer's own answer to a preflight carries.
    pub(crate) preflight: PreflightValues,
}

/// The headers a decision sets on any response: on the inner service's
/// response, the whole of what the layer writes. One contiguous value, so
/// that the service moves it into the response future in one piece, after
/// the inner service is called, instead of field by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    /// `Access-Control-Allow-Origin`.
    pub(crate) allow_origin: Option<HeaderValue>,
    /// `Access-Control-Expose-Headers`, or debug mode's `x-cors-debug` when
    /// `reason` (an allowed request has no reason, a refusal exposes
    /// nothing).
    pub(crate) value: Option<Value>,
    pub(crate) reason: bool,
    /// `Access-Control-Allow-Credentials: true`.
    pub(crate) credentials: bool,
    /// `Access-Control-Allow-Private-Network: true`.
    pub(crate) private_network: bool,
    pub(crate) vary: Vary,
}

impl Grant {
    /// No header but `vary`'s names.
    #[inline]
    pub(crate) const fn vary_only(vary: Vary) -> Grant {
        Grant {
            allow_origin: None,
            value: None,
            reason: false,
            credentials: false,
            private_network: false,
            vary,
        }
    }

    /// `Access-Control-Expose-Headers`, when granted.
    #[inline]
    pub(crate) fn expose_headers(&self) -> Option<&HeaderValue> {
        self.value.as_ref().filter(|_| !self.reason).map(Value::get)
    }

    /// Debug mode's reason, on a refusal.
    #[inline]
    pub(crate) fn debug_reason(&self) -> Option<&HeaderValue> {
        self.value.as_ref().filter(|_| self.reason).map(Value::get)
    }

    /// The `Access-Control-Allow-Origin` value.
    #[inline]
    pub(crate) fn allow_origin(&self) -> Option<&HeaderValue> {
        self.allow_origin.as_ref()
    }
}

/// `Access-Control-Allow-Methods`, `-Allow-Headers` and `-Max-Age`: set
/// only on the layer's own answer to a preflight (an allowed one, or debug
/// mode's hint), never on a response of the inner service.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct PreflightValues {
    pub(crate) methods: Option<HeaderValue>,
    pub(crate) headers: Option<HeaderValue>,
    pub(crate) max_age: Option<HeaderValue>,
}

impl PreflightValues {
    /// None of the three.
    pub(crate) const NONE: PreflightValues = PreflightValues {
        methods: None,
        headers: None,
        max_age: None,
    };
}

impl Decision {
    /// Not CORS, preflight or actual request.
    #[inline]
    pub fn kind(&self) -> RequestKind {
        self.kind
    }

    /// Whether the request is a preflight, answered by the layer alone.
    #[inline]
    pub fn is_preflight(&self) -> bool {
        self.kind == RequestKind::Preflight
    }

    /// Whether the browser will let the script read the response (for an
    /// actual request) or go on to the actual request (for a preflight).
    /// A request that is not CORS counts as allowed: CORS does not apply.
    #[inline]
    pub fn is_allowed(&self) -> bool {
        self.rejection.is_none()
    }

    /// The reason for a refusal, if this is one (a debug hint is one too).
    #[inline]
    pub fn rejection(&self) -> Option<Rejection> {
        self.rejection
    }

    /// Whether this refusal is answered with debug mode's hint: `204` with
    /// `Access-Control-Allow-Origin` and the configured methods and headers,
    /// so that the browser console names what is missing. The browser still
    /// refuses the request.
    #[inline]
    pub fn is_debug_hint(&self) -> bool {
        self.hint
    }

    /// The status the layer answers with by itself (`204`, `403`), the inner
    /// service never being called; `None` when the inner service answers and
    /// its status passes through.
    #[inline]
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// Whether the inner service is called: [`status`](Self::status) is `None`.
    #[inline]
    pub fn calls_inner(&self) -> bool {
        self.status.is_none()
    }

    /// Every header the layer sets, in a fixed order: the
    /// `Access-Control-*` headers, `Vary`, and debug mode's `x-cors-debug`.
    ///
    /// On a response the layer makes itself these are all its headers. On
    /// the inner service's response they replace what the inner service set
    /// under the same names, except `Vary`, whose names are merged into the
    /// inner service's `Vary` (never repeated, left alone when it is `*`);
    /// and every `Access-Control-*` response header the inner service set
    /// (`-Allow-Origin`, `-Allow-Credentials`, `-Expose-Headers`,
    /// `-Allow-Methods`, `-Allow-Headers`, `-Max-Age`,
    /// `-Allow-Private-Network`) is removed when it is not listed here: the
    /// layer owns that namespace. On a response whose header map is too full
    /// to take these headers, the layer fails closed: it sends none of the
    /// `Access-Control-*` headers (the browser grants nothing).
    pub fn headers(&self) -> impl Iterator<Item = (HeaderName, &HeaderValue)> + '_ {
        let (g, p) = (&self.grant, &self.preflight);
        [
            g.allow_origin().map(|v| (ACCESS_CONTROL_ALLOW_ORIGIN, v)),
            g.credentials
                .then_some((ACCESS_CONTROL_ALLOW_CREDENTIALS, &TRUE_LENT)),
            g.expose_headers()
                .map(|v| (ACCESS_CONTROL_EXPOSE_HEADERS, v)),
            p.methods
                .as_ref()
                .map(|v| (ACCESS_CONTROL_ALLOW_METHODS, v)),
            p.headers
                .as_ref()
                .map(|v| (ACCESS_CONTROL_ALLOW_HEADERS, v)),
            p.max_age.as_ref().map(|v| (ACCESS_CONTROL_MAX_AGE, v)),
            g.private_network
                .then_some((ALLOW_PRIVATE_NETWORK, &TRUE_LENT)),
            g.vary.value().map(|v| (VARY, v)),
            g.debug_reason().map(|v| (REASON_HEADER, v)),
        ]
        .into_iter()
        .flatten()
    }

    /// The value the layer sets (or, for `Vary`, merges) under `name`.
    pub fn header(&self, name: &HeaderName) -> Option<&HeaderValue> {
        self.headers().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The `Access-Control-Allow-Origin` value: the request's origin, or `*`.
    #[inline]
    pub fn allow_origin(&self) -> Option<&HeaderValue> {
        self.grant.allow_origin()
    }

    /// Debug mode's `x-cors-debug` value for a refusal, e.g.
    /// `header_not_allowed: x-token`; `None` outside debug mode.
    #[inline]
    pub fn debug_reason(&self) -> Option<&HeaderValue> {
        self.grant.debug_reason()
    }

    /// Whether `Access-Control-Allow-Credentials: true` is sent.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    #[inline]
    pub(crate) fn is_credentialed(&self) -> bool {
        self.grant.credentials
    }
}

/// How many headers the layer sets: the room a response of its own needs.
#[inline]
pub(crate) fn header_count(g: &Grant, p: &PreflightValues) -> usize {
    usize::from(g.allow_origin.is_some())
        + usize::from(g.credentials)
        + usize::from(g.value.is_some())
        + usize::from(p.methods.is_some())
        + usize::from(p.headers.is_some())
        + usize::from(p.max_age.is_some())
        + usize::from(g.private_network)
        + usize::from(g.vary != Vary::None)
}

impl fmt::Display for Decision {
    /// One line: `preflight allowed`, `cross-origin request refused: the
    /// origin is not allowed`, `preflight refused: … (debug hint: answered
    /// 204 with the allowed lists)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            RequestKind::NotCors => "request",
            RequestKind::Preflight => "preflight",
            RequestKind::Actual => "cross-origin request",
        };
        match (self.kind, self.rejection) {
            (RequestKind::NotCors, None) => {
                f.write_str("not a CORS request (no single Origin header)")
            }
            (_, None) => write!(f, "{what} allowed"),
            (_, Some(r)) => {
                write!(f, "{what} refused: {r}")?;
                if self.hint {
                    f.write_str(" (debug hint: answered 204 with the allowed lists)")?;
                }
                Ok(())
            }
        }
    }
}
