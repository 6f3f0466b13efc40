//! The service: [`Cors`] asks the policy for a [`Decision`] and carries it
//! out: the layer's own answer when the decision has a status, otherwise the
//! inner service's response with the decision applied.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response, StatusCode};
use pin_project_lite::pin_project;
use tower_service::Service;

use crate::cell::PolicyCell;
use crate::diagnostics::{CookieAudit, Runtime};
use crate::protocol::{self, Facts, Grant, Policy, PreflightValues};

/// Middleware that applies a CORS policy to an inner service.
///
/// Built by [`CorsLayer`](crate::CorsLayer); cloning it clones the inner
/// service and bumps a reference count on the policy.
#[derive(Clone, Debug)]
pub struct Cors<S> {
    inner: S,
    policy: PolicyCell,
    runtime: Arc<Runtime>,
}

impl<S> Cors<S> {
    pub(crate) fn new(inner: S, policy: PolicyCell, runtime: Arc<Runtime>) -> Self {
        Cors {
            inner,
            policy,
            runtime,
        }
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
        // One policy per request; its decision is the whole answer. Read in
        // place (no closure: the request and the future are not moved
        // through one), under a lock-free guard for a reloadable policy.
        let guard;
        let policy: &Policy = match &self.policy {
            PolicyCell::Static(policy) => policy,
            PolicyCell::Reloadable(cell) => {
                guard = cell.load();
                &guard
            }
        };
        let mut facts = Facts::default();
        let decision = policy.decide(req.method(), req.uri(), req.headers(), &mut facts);
        #[cfg(feature = "tracing")]
        if (facts.multiple_origins || !decision.is_allowed()) && crate::diagnostics::listening() {
            crate::diagnostics::report(
                policy.unknown_origin_level,
                req.method(),
                &decision,
                &facts,
                &self.runtime,
            );
        }
        if let Some(status) = decision.status {
            return ResponseFuture {
                stage: Stage::Answer {
                    status,
                    preflight: decision.preflight,
                },
                grant: decision.grant,
                audit: None,
            };
        }
        let audit = CookieAudit::arm(&decision, &req, &self.runtime);
        // The inner service is called first: by the time the decision's
        // grant (what `apply` writes) moves into the future, in one piece,
        // its stores have landed, and the move does not stall on them.
        // A decision without a status has no preflight values (only the
        // layer's own answer to a preflight does): none is moved.
        ResponseFuture {
            stage: Stage::Called {
                future: self.inner.call(req),
            },
            grant: decision.grant,
            audit,
        }
    }
}

pin_project! {
    /// Response future of [`Cors`].
    pub struct ResponseFuture<F> {
        // The inner service's future, or the layer's own answer (its
        // status and a preflight's values), in the same bytes.
        #[pin]
        stage: Stage<F>,
        // The headers of the answer, either one. Applied once to the inner
        // response: its values move into the response instead of being
        // cloned.
        grant: Grant,
        audit: Option<CookieAudit>,
    }
}

pin_project! {
    /// The inner service's future, or the layer's own answer: its status
    /// and a preflight's values (in the same bytes: a response future
    /// carries one or the other).
    #[project = StageProj]
    enum Stage<F> {
        Called { #[pin] future: F },
        Answer { status: StatusCode, preflight: PreflightValues },
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
        let this = self.project();
        let future = match this.stage.project() {
            StageProj::Called { future } => future,
            StageProj::Answer { status, preflight } => {
                // Built on poll, from the decision made in `call`, whose values
                // move into it. Polled again after it completed, the future
                // answers again without them (no `Access-Control-*` header: it
                // fails closed) rather than panicking.
                return Poll::Ready(Ok(protocol::respond(*status, this.grant, preflight)));
            }
        };
        // The response is changed where it is returned from: not copied
        // out of the inner future's output, changed, and copied again.
        let mut out = future.poll(cx);
        if let Poll::Ready(Ok(response)) = &mut out {
            if let Some(audit) = this.audit.take() {
                audit.run(this.grant, response.headers());
            }
            protocol::apply(this.grant, response.headers_mut());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::future::{ready, Ready};

    use futures_util::task::noop_waker_ref;
    use http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, VARY};
    use tower::Layer;

    use super::*;

    fn inner(_req: Request<()>) -> Ready<Result<Response<String>, Infallible>> {
        ready(Ok(Response::new(String::new())))
    }

    fn owned_names(r: &Response<String>) -> Vec<&str> {
        r.headers()
            .keys()
            .map(|n| n.as_str())
            .filter(|n| n.starts_with("access-control-"))
            .collect()
    }

    #[test]
    fn an_answer_polled_again_fails_closed_and_never_panics() {
        let layer = crate::CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .allow_credentials(true)
            .allow_methods(["PUT"])
            .build()
            .unwrap();
        let mut svc = layer.layer(tower::service_fn(inner));
        let req = Request::options("/")
            .header("origin", "https://app.example.com")
            .header("access-control-request-method", "PUT")
            .body(())
            .unwrap();
        let mut cx = Context::from_waker(noop_waker_ref());
        let mut fut = std::pin::pin!(svc.call(req));
        let Poll::Ready(Ok(first)) = fut.as_mut().poll(&mut cx) else {
            panic!("a preflight is answered at once");
        };
        assert_eq!(first.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            first.headers()[ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://app.example.com"
        );
        // Polled after it completed: the same status and `Vary`, no grant.
        let Poll::Ready(Ok(again)) = fut.as_mut().poll(&mut cx) else {
            panic!("polled again, the answer is still ready");
        };
        assert_eq!(again.status(), StatusCode::NO_CONTENT);
        assert_eq!(again.headers().get(VARY), first.headers().get(VARY));
        assert!(owned_names(&again).is_empty(), "{:?}", again.headers());
    }
}
