//! The floor (the yardstick of issue 16) and the floor done as a layer.

use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::task::{Context, Poll};

use futures_util::FutureExt;
use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, VARY,
};
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode};
use tower::Service;

use super::{Inner, Path, ALLOWED};

/// The seven `Access-Control-*` response names a CORS layer owns.
const OWNED: [HeaderName; 7] = [
    ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_MAX_AGE,
    HeaderName::from_static("access-control-allow-private-network"),
];

/// The floor: not a CORS layer, but a hand-written service, written inline
/// around the inner call, that does only what a correct answer on `path`
/// needs, with no checks at all:
///
/// - the response headers it must write (values `from_static`);
/// - on a response of the inner service, ONE scan of the response map that
///   removes any `Access-Control-*` header the inner service set (a
///   correct layer owns that namespace: DESIGN §3);
/// - no lookup (not of the request's `Origin`, not in an allowlist), no
///   parsing, no wrapper future: the inner future is resolved in `call`.
///
/// Its overhead over the bare service is a lower bound for any correct
/// layer: what is left once deciding costs nothing. Its definition is the
/// target's yardstick (issue 16) and does not change to meet the target.
#[derive(Clone, Copy)]
pub(crate) struct Floor {
    pub(crate) inner: Inner,
    pub(crate) path: Path,
}

/// The floor's one scan: removes every `Access-Control-*` name the inner
/// service set (only when the scan saw one: the removals are then the
/// rare path).
#[inline]
fn floor_scan(h: &mut HeaderMap) {
    let mut found = false;
    for name in h.keys() {
        found |= name.as_str().starts_with("access-control-");
    }
    if found {
        for name in OWNED {
            h.remove(name);
        }
    }
}

impl Service<Request<()>> for Floor {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<()>) -> Self::Future {
        if let Path::Preflight = self.path {
            // The layer's own answer: no inner call, a map of its own.
            drop(req);
            let mut response = Response::new(String::new());
            *response.status_mut() = StatusCode::NO_CONTENT;
            let h = response.headers_mut();
            h.insert(
                ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static(ALLOWED),
            );
            h.insert(
                ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
            h.insert(
                ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("PUT"),
            );
            h.insert(
                ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("authorization,content-type"),
            );
            h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
            h.insert(
                VARY,
                HeaderValue::from_static(
                    "origin, access-control-request-method, access-control-request-headers",
                ),
            );
            return ready(Ok(response));
        }
        if let Path::WriteRefused = self.path {
            // The guard's refusal: the layer's own `403`, no inner call.
            drop(req);
            let mut response = Response::new(String::new());
            *response.status_mut() = StatusCode::FORBIDDEN;
            response
                .headers_mut()
                .insert(VARY, HeaderValue::from_static("origin"));
            return ready(Ok(response));
        }
        let mut response = match (self.inner)(req).now_or_never() {
            Some(Ok(response)) => response,
            _ => unreachable!("the inner service is ready at once and infallible"),
        };
        floor_headers(self.path, response.headers_mut());
        ready(Ok(response))
    }
}

/// The floor's writes on a response of the inner service: the one scan,
/// then the headers the path needs (inlined where it is called, as if
/// written there).
#[inline(always)]
fn floor_headers(path: Path, h: &mut HeaderMap) {
    floor_scan(h);
    if let Path::ActualAllowed | Path::WriteAllowed = path {
        h.insert(
            ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static(ALLOWED),
        );
        h.insert(
            ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        h.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("x-request-id"),
        );
    }
    h.append(VARY, HeaderValue::from_static("origin"));
}

/// Not the yardstick: the floor's work done as a layer must do it, for the
/// closing figures of issue 16. The inner service's future moves into a
/// wrapper future, and the floor's headers are written when it is polled
/// (the layer's own answers are the floor's, built in `call`). Between this
/// and the floor lies the cost of being a layer; between this and
/// strict-cors, the cost of deciding.
#[derive(Clone, Copy)]
pub(crate) struct FloorLayered {
    pub(crate) inner: Inner,
    pub(crate) path: Path,
}

/// [`FloorLayered`]'s future: the inner future, and whether the floor's
/// headers are still to be written on its response.
pub(crate) struct FloorFuture {
    inner: Ready<Result<Response<String>, Infallible>>,
    apply: Option<Path>,
}

impl Future for FloorFuture {
    type Output = Result<Response<String>, Infallible>;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut out = std::pin::Pin::new(&mut this.inner).poll(cx);
        if let (Poll::Ready(Ok(response)), Some(path)) = (&mut out, this.apply.take()) {
            floor_headers(path, response.headers_mut());
        }
        out
    }
}

impl Service<Request<()>> for FloorLayered {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = FloorFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<()>) -> Self::Future {
        if self.path.answered_by_layer() {
            let mut floor = Floor {
                inner: self.inner,
                path: self.path,
            };
            return FloorFuture {
                inner: floor.call(req),
                apply: None,
            };
        }
        FloorFuture {
            inner: (self.inner)(req),
            apply: Some(self.path),
        }
    }
}
