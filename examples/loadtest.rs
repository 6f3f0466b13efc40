//! A hyper 1 server on loopback for end-to-end load tests of the CORS layer
//! (see `scripts/loadtest.sh`, which drives it with `wrk`).
//!
//! ```text
//! cargo run --release --example loadtest -- <none|tower-http|strict-cors> [port]
//! ```
//!
//! The mode can also come from `CORS_MODE`, the port from `PORT` (default 0:
//! an ephemeral port). The server prints `listening on 127.0.0.1:<port>` once
//! it accepts connections, and exits after `LOADTEST_SECONDS` seconds if set.
//!
//! The script sends three kinds of request: an allowed actual request, an
//! allowed preflight and a request from an origin that is not allowed, in
//! interleaved rounds, and prints each mode's median and spread.
//!
//! One thread (a current-thread Tokio runtime), HTTP/1.1 with keep-alive. The
//! handler answers `200 ok`; the three modes wrap it in nothing, in
//! `tower-http`'s `CorsLayer` or in `strict-cors`'s, configured alike. The
//! tower service is cloned for each request, as `hyper-util`'s
//! `TowerToHyperService` and axum do.

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::net::SocketAddr;
use std::time::Duration;

use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderName, HeaderValue, Method, Request, Response};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tower::{Layer, Service, ServiceExt};

const ORIGINS: [&str; 2] = ["https://app.example.com", "https://admin.example.com"];

type Body = Full<Bytes>;

fn handler(_req: Request<Incoming>) -> Ready<Result<Response<Body>, Infallible>> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"ok\n")));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    ready(Ok(response))
}

fn strict_cors_layer() -> strict_cors::CorsLayer {
    strict_cors::CorsLayer::builder()
        .allow_origins(ORIGINS)
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["content-type", "authorization"])
        .expose_headers(["x-request-id"])
        .max_age(Duration::from_secs(600))
        .build()
        .expect("valid strict-cors configuration")
}

fn tower_http_layer() -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(ORIGINS.map(HeaderValue::from_static)))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([CONTENT_TYPE, AUTHORIZATION])
        .expose_headers([HeaderName::from_static("x-request-id")])
        .max_age(Duration::from_secs(600))
}

/// Accepts connections forever, serving each with a clone of `svc`.
async fn serve<S>(listener: TcpListener, svc: S)
where
    S: Service<Request<Incoming>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
{
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                eprintln!("accept: {e}");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let svc = svc.clone();
        tokio::spawn(async move {
            let hyper_svc =
                hyper::service::service_fn(move |req: Request<Incoming>| svc.clone().oneshot(req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), hyper_svc)
                .await;
        });
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args
        .next()
        .or_else(|| std::env::var("CORS_MODE").ok())
        .unwrap_or_else(|| "strict-cors".to_owned());
    if !["none", "tower-http", "strict-cors"].contains(&mode.as_str()) {
        eprintln!("mode: none, tower-http or strict-cors, not {mode:?}");
        std::process::exit(2);
    }
    let port: u16 = args
        .next()
        .or_else(|| std::env::var("PORT").ok())
        .map(|p| p.parse().expect("port: a number from 0 to 65535"))
        .unwrap_or(0);
    let deadline = std::env::var("LOADTEST_SECONDS")
        .ok()
        .map(|s| Duration::from_secs(s.parse().expect("LOADTEST_SECONDS: whole seconds")));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async move {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let inner = tower::service_fn(handler);
        let server = async move {
            match mode.as_str() {
                "none" => serve(listener, inner).await,
                "tower-http" => serve(listener, tower_http_layer().layer(inner)).await,
                _ => serve(listener, strict_cors_layer().layer(inner)).await,
            }
        };
        println!("listening on {addr}");
        match deadline {
            Some(d) => {
                let _ = tokio::time::timeout(d, server).await;
            }
            None => server.await,
        }
    });
}
