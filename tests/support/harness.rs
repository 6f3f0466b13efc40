//! Runs `http::Request<()>` through a [`CorsLayer`] around a scripted inner
//! service, synchronously (the futures are ready at once), counting the calls
//! that reach the inner service.

use std::cell::Cell;
use std::convert::Infallible;
use std::future::{ready, Ready};
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_util::task::noop_waker;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use strict_cors::CorsLayer;
use tower::{Layer, Service};

/// What the inner service (the application) answers.
#[derive(Clone, Debug, Default)]
pub struct App {
    /// Response status (200 when `None`).
    pub status: Option<u16>,
    /// Headers the application sets itself, e.g. its own
    /// `Access-Control-Allow-Origin: *` or `Vary: accept-encoding`.
    pub headers: Vec<(String, String)>,
}

impl App {
    pub fn ok() -> Self {
        App::default()
    }

    /// The application used by most tests: sets two response headers, one of
    /// which a configuration may expose.
    pub fn with_headers() -> Self {
        App {
            status: None,
            headers: vec![
                ("x-request-id".into(), "1".into()),
                ("x-internal".into(), "2".into()),
            ],
        }
    }
}

/// The inner service: answers as scripted, counts calls.
#[derive(Clone)]
struct Inner {
    app: App,
    calls: Rc<Cell<usize>>,
}

impl Service<Request<()>> for Inner {
    type Response = Response<()>;
    type Error = Infallible;
    type Future = Ready<Result<Response<()>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _req: Request<()>) -> Self::Future {
        self.calls.set(self.calls.get() + 1);
        let mut res = Response::new(());
        *res.status_mut() =
            StatusCode::from_u16(self.app.status.unwrap_or(200)).unwrap_or(StatusCode::OK);
        for (n, v) in &self.app.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(n.as_bytes()),
                HeaderValue::from_str(v),
            ) {
                res.headers_mut().append(n, v);
            }
        }
        ready(Ok(res))
    }
}

/// A server: the layer around the scripted app, plus the count of requests
/// that reached the app.
pub struct Server {
    svc: strict_cors::Cors<Inner>,
    calls: Rc<Cell<usize>>,
}

impl Server {
    pub fn new(layer: &CorsLayer, app: App) -> Self {
        let calls = Rc::new(Cell::new(0));
        let svc = layer.layer(Inner {
            app,
            calls: calls.clone(),
        });
        Server { svc, calls }
    }

    /// Requests that reached the application so far.
    pub fn app_calls(&self) -> usize {
        self.calls.get()
    }

    /// Sends one request through the layer and returns the response.
    pub fn send(&mut self, req: Request<()>) -> Response<()> {
        let waker = noop_waker();
        let mut cx = Context::from_waker(&waker);
        match self.svc.poll_ready(&mut cx) {
            Poll::Ready(Ok(())) => {}
            other => panic!("inner service not ready: {other:?}"),
        }
        let mut fut = std::pin::pin!(self.svc.call(req));
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(Ok(res)) => res,
            Poll::Ready(Err(e)) => match e {},
            Poll::Pending => panic!("response future pending with a ready inner service"),
        }
    }
}

use std::future::Future;
