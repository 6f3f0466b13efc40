//! The service: [`Cors`] evaluates each request, answers preflights itself,
//! and applies the decision to the inner service's response.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, VARY,
};
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode};
use pin_project_lite::pin_project;
use tower_service::Service;

use crate::cell::PolicyCell;
use crate::diagnostics::{self, Site, REASON_HEADER};
use crate::protocol::{AllowedOrigins, Decision, Evaluation, Policy, PreflightGrant, Rejection};

const TRUE: HeaderValue = HeaderValue::from_static("true");
const ANY: HeaderValue = HeaderValue::from_static("*");
const VARY_ORIGIN: HeaderValue = HeaderValue::from_static("origin");
const VARY_PREFLIGHT: HeaderValue = HeaderValue::from_static(
    "origin, access-control-request-method, access-control-request-headers",
);
/// `Access-Control-Allow-Private-Network`.
const ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// Middleware that applies a CORS policy to an inner service.
///
/// Built by [`CorsLayer`](crate::CorsLayer); cloning it clones the inner
/// service and bumps a reference count on the policy.
#[derive(Clone, Debug)]
pub struct Cors<S> {
    inner: S,
    policy: PolicyCell,
}

impl<S> Cors<S> {
    pub(crate) fn new(inner: S, policy: PolicyCell) -> Self {
        Cors { inner, policy }
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Consumes the middleware, returning the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        // One policy per request, for the decision and the response alike.
        let policy = self.policy.load();
        let eval = policy.evaluate_detailed(req.method(), req.headers());
        #[cfg(feature = "tracing")]
        if eval.multiple_origins || eval.decision.rejection().is_some() {
            crate::diagnostics::report(policy.unknown_origin_level, req.method(), &eval);
        }
        let state = match eval.decision {
            Decision::PreflightAllowed(grant) => {
                return ResponseFuture::preflight(Preflight::Allowed(grant), policy);
            }
            Decision::PreflightRejected(rejection) => {
                let answer = refused_preflight(&policy, &eval, rejection);
                return ResponseFuture::preflight(answer, policy);
            }
            Decision::NotCors => Actual::NotCors,
            Decision::ActualAllowed { allow_origin } => Actual::Allowed {
                allow_origin,
                site: audit_site(&policy, &req),
            },
            Decision::ActualRejected(rejection) => Actual::Rejected {
                reason: policy
                    .debug
                    .then(|| diagnostics::reason_value(&eval, rejection)),
            },
        };
        ResponseFuture {
            kind: Kind::Inner {
                future: self.inner.call(req),
                state,
                policy,
            },
        }
    }
}

/// The answer to a refused preflight: `403`, or in debug mode, for a method
/// or header refusal from an allowed origin, a `204` that lists what is
/// allowed so that the browser console names what is missing.
fn refused_preflight(policy: &Policy, eval: &Evaluation<'_>, rejection: Rejection) -> Preflight {
    if !policy.debug {
        return Preflight::Rejected { reason: None };
    }
    let reason = Some(diagnostics::reason_value(eval, rejection));
    let allow_origin = match rejection {
        Rejection::MethodNotAllowed | Rejection::HeaderNotAllowed => {
            eval.origin.and_then(|o| policy.allow_origin(o))
        }
        _ => None,
    };
    match allow_origin {
        Some(allow_origin) => Preflight::Hint {
            allow_origin,
            reason,
        },
        None => Preflight::Rejected { reason },
    }
}

/// Whether the page is on another site than the API, for the cookie audit;
/// `None` (no audit) unless a warning could be emitted: credentials on and
/// `WARN` events of `strict_cors` enabled.
fn audit_site<B>(policy: &Policy, req: &Request<B>) -> Option<Site> {
    #[cfg(feature = "tracing")]
    if policy.credentials && tracing::enabled!(target: "strict_cors", tracing::Level::WARN) {
        let host = req
            .headers()
            .get(http::header::HOST)
            .map(|h| h.as_bytes())
            .or_else(|| req.uri().authority().map(|a| a.as_str().as_bytes()));
        if let Some(origin) = req.headers().get(http::header::ORIGIN) {
            return Some(diagnostics::site_of(origin.as_bytes(), host));
        }
        return Some(Site::Unknown);
    }
    let _ = (policy, req);
    None
}

/// What to do to the inner service's response.
#[derive(Debug)]
enum Actual {
    NotCors,
    Allowed {
        allow_origin: HeaderValue,
        /// For the cookie audit; `None` when it is off.
        site: Option<Site>,
    },
    Rejected {
        /// Debug mode's reason header.
        reason: Option<HeaderValue>,
    },
}

/// The layer's own answer to a preflight.
#[derive(Debug)]
enum Preflight {
    Allowed(PreflightGrant),
    Rejected {
        reason: Option<HeaderValue>,
    },
    /// Debug mode: 204 listing the configured methods and headers.
    Hint {
        allow_origin: HeaderValue,
        reason: Option<HeaderValue>,
    },
}

pin_project! {
    /// Response future of [`Cors`].
    pub struct ResponseFuture<F> {
        #[pin]
        kind: Kind<F>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F> {
        Preflight {
            answer: Preflight,
            policy: Arc<Policy>,
        },
        Inner {
            #[pin]
            future: F,
            state: Actual,
            policy: Arc<Policy>,
        },
    }
}

impl<F> ResponseFuture<F> {
    fn preflight(answer: Preflight, policy: Arc<Policy>) -> Self {
        ResponseFuture {
            kind: Kind::Preflight { answer, policy },
        }
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Default,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            // Built on poll, from values computed in `call`: polling again
            // builds the same answer instead of panicking.
            KindProj::Preflight { answer, policy } => {
                Poll::Ready(Ok(preflight_response(policy, answer)))
            }
            KindProj::Inner {
                future,
                state,
                policy,
            } => {
                let mut response = match future.poll(cx) {
                    Poll::Ready(Ok(r)) => r,
                    other => return other,
                };
                apply_actual(policy, state, response.headers_mut());
                Poll::Ready(Ok(response))
            }
        }
    }
}

/// Builds the layer's own answer to a preflight: 204 with the grant's
/// headers, or 403 with none. Only the response's `HeaderMap` allocates.
fn preflight_response<B: Default>(policy: &Policy, answer: &Preflight) -> Response<B> {
    let mut response = Response::new(B::default());
    match answer {
        Preflight::Allowed(grant) => {
            *response.status_mut() = StatusCode::NO_CONTENT;
            // Exactly the room needed: up to six headers fit the smallest
            // map (one small allocation), where a larger reservation would
            // cost a trip past the allocator's fast path on every preflight.
            let count = 3
                + usize::from(policy.credentials)
                + usize::from(grant.allow_headers.is_some())
                + usize::from(policy.max_age.is_some())
                + usize::from(grant.private_network);
            *response.headers_mut() = HeaderMap::with_capacity(count);
            let headers = response.headers_mut();
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, grant.allow_origin.clone());
            if policy.credentials {
                headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
            }
            headers.insert(ACCESS_CONTROL_ALLOW_METHODS, grant.allow_method.clone());
            if let Some(h) = &grant.allow_headers {
                headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, h.clone());
            }
            if let Some(age) = &policy.max_age {
                headers.insert(ACCESS_CONTROL_MAX_AGE, age.clone());
            }
            if grant.private_network {
                headers.insert(ALLOW_PRIVATE_NETWORK, TRUE);
            }
            headers.insert(VARY, VARY_PREFLIGHT);
        }
        Preflight::Rejected { reason } => {
            *response.status_mut() = StatusCode::FORBIDDEN;
            let headers = response.headers_mut();
            headers.insert(VARY, VARY_PREFLIGHT);
            if let Some(reason) = reason {
                headers.insert(REASON_HEADER, reason.clone());
            }
        }
        Preflight::Hint {
            allow_origin,
            reason,
        } => {
            *response.status_mut() = StatusCode::NO_CONTENT;
            let headers = response.headers_mut();
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin.clone());
            if policy.credentials {
                headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
            }
            if let Some(m) = &policy.debug_methods {
                headers.insert(ACCESS_CONTROL_ALLOW_METHODS, m.clone());
            }
            if let Some(h) = &policy.debug_headers {
                headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, h.clone());
            }
            headers.insert(VARY, VARY_PREFLIGHT);
            if let Some(reason) = reason {
                headers.insert(REASON_HEADER, reason.clone());
            }
        }
    }
    response
}

/// Applies an actual-request decision to the inner service's response.
///
/// The layer owns the `Access-Control-Allow-Origin`, `-Allow-Credentials` and
/// `-Expose-Headers` response headers on every response it passes: whatever
/// the inner service set under those names is replaced by the configured
/// values or removed, so the browser sees exactly one, configured, value.
fn apply_actual(policy: &Policy, state: &Actual, headers: &mut HeaderMap) {
    match state {
        Actual::NotCors => match policy.origins {
            AllowedOrigins::Any => {
                headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, ANY);
                headers.remove(ACCESS_CONTROL_ALLOW_CREDENTIALS);
                set_expose(policy, headers);
            }
            AllowedOrigins::Exact(_) => {
                strip(headers);
                add_vary_origin(headers);
            }
        },
        Actual::Allowed { allow_origin, site } => {
            if let Some(site) = site {
                diagnostics::audit_cookies(
                    &policy.cookie_warnings,
                    *site,
                    allow_origin.as_bytes(),
                    headers,
                );
            }
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin.clone());
            if policy.credentials {
                headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
            } else {
                headers.remove(ACCESS_CONTROL_ALLOW_CREDENTIALS);
            }
            set_expose(policy, headers);
            if let AllowedOrigins::Exact(_) = policy.origins {
                add_vary_origin(headers);
            }
        }
        Actual::Rejected { reason } => {
            strip(headers);
            add_vary_origin(headers);
            if let Some(reason) = reason {
                headers.insert(REASON_HEADER, reason.clone());
            }
        }
    }
}

/// Removes the CORS response headers an inner service may have set.
fn strip(headers: &mut HeaderMap) {
    headers.remove(ACCESS_CONTROL_ALLOW_ORIGIN);
    headers.remove(ACCESS_CONTROL_ALLOW_CREDENTIALS);
    headers.remove(ACCESS_CONTROL_EXPOSE_HEADERS);
}

fn set_expose(policy: &Policy, headers: &mut HeaderMap) {
    match &policy.expose {
        Some(v) => {
            headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, v.clone());
        }
        None => {
            headers.remove(ACCESS_CONTROL_EXPOSE_HEADERS);
        }
    }
}

/// Adds `origin` to `Vary` unless it is there already (any case, any line)
/// or `Vary` is `*`. What the inner service set is kept; the name is added
/// as a line of its own, which HTTP reads as part of the same list.
pub(crate) fn add_vary_origin(headers: &mut HeaderMap) {
    let covered = headers.get_all(VARY).iter().any(|v| {
        v.as_bytes().split(|&b| b == b',').any(|item| {
            let item = item.trim_ascii();
            item == b"*" || item.eq_ignore_ascii_case(b"origin")
        })
    });
    if !covered {
        headers.append(VARY, VARY_ORIGIN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vary(lines: &[&str]) -> Vec<String> {
        let mut h = HeaderMap::new();
        for l in lines {
            h.append(VARY, HeaderValue::from_str(l).unwrap());
        }
        add_vary_origin(&mut h);
        h.get_all(VARY)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn vary_is_merged_never_duplicated() {
        assert_eq!(vary(&[]), ["origin"]);
        assert_eq!(vary(&["accept-encoding"]), ["accept-encoding", "origin"]);
        assert_eq!(vary(&["Origin"]), ["Origin"]);
        assert_eq!(
            vary(&["accept-encoding, ORIGIN"]),
            ["accept-encoding, ORIGIN"]
        );
        assert_eq!(vary(&["a", " origin "]), ["a", " origin "]);
        assert_eq!(vary(&["*"]), ["*"]);
        assert_eq!(vary(&["accept, *"]), ["accept, *"]);
        assert_eq!(vary(&["origins"]), ["origins", "origin"]);
    }
}
