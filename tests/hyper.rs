//! Plain hyper 1 over a real loopback TCP socket, with hyper's own HTTP/1
//! client: what goes over the wire, not just what a `HeaderMap` holds.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty, Full};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use strict_cors::CorsLayer;
use tokio::net::{TcpListener, TcpStream};
use tower::{service_fn, Layer};

const APP: &str = "https://app.example.com";

/// Starts a server on an ephemeral loopback port; returns its address and a
/// counter of requests that reached the inner service.
async fn serve() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_credentials(true)
        .allow_methods(["PUT"])
        .allow_headers(["authorization", "content-type"])
        .expose_headers(["x-request-id"])
        .build()
        .unwrap();
    let counter = hits.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let counter = counter.clone();
            let inner = service_fn(move |req: Request<hyper::body::Incoming>| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    let status = if req.headers().contains_key("authorization") {
                        StatusCode::OK
                    } else {
                        StatusCode::UNAUTHORIZED
                    };
                    Ok::<_, Infallible>(
                        Response::builder()
                            .status(status)
                            .header("x-request-id", "7")
                            .header("access-control-allow-origin", "*")
                            .body(Full::new(Bytes::from_static(b"hello")))
                            .unwrap(),
                    )
                }
            });
            let svc = TowerToHyperService::new(layer.layer(inner));
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    (addr, hits)
}

async fn roundtrip(
    addr: std::net::SocketAddr,
    req: Request<Empty<Bytes>>,
) -> (StatusCode, http::HeaderMap, Bytes) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let res = sender.send_request(req).await.unwrap();
    let (parts, body) = res.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (parts.status, parts.headers, bytes)
}

fn all(h: &http::HeaderMap, name: &str) -> Vec<String> {
    h.get_all(name)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

#[tokio::test]
async fn preflight_over_the_wire() {
    let (addr, hits) = serve().await;
    let req = Request::options("/api/me")
        .header("host", "127.0.0.1")
        .header("origin", APP)
        .header("access-control-request-method", "PUT")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .body(Empty::new())
        .unwrap();
    let (status, h, body) = roundtrip(addr, req).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(body.is_empty());
    assert_eq!(all(&h, "access-control-allow-origin"), [APP]);
    assert_eq!(all(&h, "access-control-allow-credentials"), ["true"]);
    assert_eq!(all(&h, "access-control-allow-methods"), ["PUT"]);
    assert_eq!(
        all(&h, "access-control-allow-headers"),
        ["authorization,content-type"]
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0, "preflight reached the app");
}

#[tokio::test]
async fn actual_requests_over_the_wire() {
    let (addr, hits) = serve().await;
    // Allowed origin, no credentials: the app's 401 is readable.
    let req = Request::get("/api/me")
        .header("host", "127.0.0.1")
        .header("origin", APP)
        .body(Empty::new())
        .unwrap();
    let (status, h, body) = roundtrip(addr, req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(&body[..], b"hello");
    assert_eq!(all(&h, "access-control-allow-origin"), [APP]);
    assert_eq!(all(&h, "access-control-allow-credentials"), ["true"]);
    assert_eq!(all(&h, "access-control-expose-headers"), ["x-request-id"]);
    assert_eq!(all(&h, "vary"), ["origin"]);

    // Refused origin: the app still runs; the response carries no CORS
    // header, not even the `*` the app set.
    let req = Request::put("/api/me")
        .header("host", "127.0.0.1")
        .header("origin", "https://app.example.com.evil.net")
        .header("authorization", "Bearer x")
        .body(Empty::new())
        .unwrap();
    let (status, h, _) = roundtrip(addr, req).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.get("access-control-allow-origin").is_none());
    assert!(h.get("access-control-allow-credentials").is_none());
    assert_eq!(all(&h, "vary"), ["origin"]);

    // Refused preflight: 403, no CORS headers, the app did not run.
    let req = Request::options("/api/me")
        .header("host", "127.0.0.1")
        .header("origin", APP)
        .header("access-control-request-method", "DELETE")
        .body(Empty::new())
        .unwrap();
    let (status, h, body) = roundtrip(addr, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.is_empty());
    assert!(h.keys().all(|k| !k.as_str().starts_with("access-control-")));
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}
