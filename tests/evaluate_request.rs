//! `CorsLayer::evaluate_request(&Request<B>)` decides exactly what
//! `evaluate(&Parts)` decides on the same request's parts, for every kind of
//! request and policy, whatever the body type.

use http::{HeaderValue, Method, Request};
use strict_cors::CorsLayer;

const APP: &str = "https://app.example.com";

fn layers() -> Vec<CorsLayer> {
    let credentialed = CorsLayer::builder()
        .allow_origins([APP, "http://localhost:3000"])
        .allow_origin_patterns(["https://*.preview.example.com"])
        .allow_credentials(true)
        .allow_methods(["GET", "PUT", "DELETE"])
        .allow_headers(["authorization", "content-type"])
        .expose_headers(["x-request-id"])
        .allow_private_network(true)
        .build()
        .unwrap();
    let any = CorsLayer::builder()
        .allow_any_origin()
        .allow_methods(["*"])
        .allow_headers(["*"])
        .build()
        .unwrap();
    let debug = CorsLayer::builder()
        .allow_origins([APP])
        .debug(true)
        .build()
        .unwrap();
    let (reloadable, handle) = CorsLayer::builder()
        .allow_origins(["https://old.example.com"])
        .build_reloadable()
        .unwrap();
    handle
        .reconfigure(CorsLayer::builder().allow_origins([APP]))
        .unwrap();
    vec![credentialed, any, debug, reloadable]
}

/// Requests of every kind: (method, uri, headers).
fn requests() -> Vec<Request<()>> {
    let origins = [
        None,
        Some(APP),
        Some("https://a.preview.example.com"),
        Some("https://evil.example.net"),
        Some("null"),
        Some("https://APP.example.com"),
    ];
    let mut out = Vec::new();
    for origin in origins {
        for method in [
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::OPTIONS,
        ] {
            let mut b = Request::builder().method(method).uri("/api/me?x=1");
            if let Some(o) = origin {
                b = b.header("origin", o);
            }
            out.push(b.body(()).unwrap());
        }
        for (requested, headers) in [
            ("PUT", None),
            ("PUT", Some("authorization,content-type")),
            ("PATCH", None),
            ("put", None),
            ("DELETE", Some("x-not-allowed")),
            ("GET", Some("a b")),
            ("GE T", None),
        ] {
            let mut b =
                Request::options("/api/me").header("access-control-request-method", requested);
            if let Some(o) = origin {
                b = b.header("origin", o);
            }
            if let Some(h) = headers {
                b = b.header("access-control-request-headers", h);
            }
            out.push(b.body(()).unwrap());
        }
    }
    // Several `Origin` lines, several ACRM lines, a private network request.
    let mut two_origins = Request::get("/").header("origin", APP).body(()).unwrap();
    two_origins
        .headers_mut()
        .append("origin", HeaderValue::from_static(APP));
    out.push(two_origins);
    let mut two_methods = Request::options("/")
        .header("origin", APP)
        .header("access-control-request-method", "PUT")
        .body(())
        .unwrap();
    two_methods.headers_mut().append(
        "access-control-request-method",
        HeaderValue::from_static("GET"),
    );
    out.push(two_methods);
    out.push(
        Request::options("/")
            .header("origin", APP)
            .header("access-control-request-method", "GET")
            .header("access-control-request-private-network", "true")
            .body(())
            .unwrap(),
    );
    out
}

#[test]
fn evaluate_request_equals_evaluate_on_the_parts() {
    // Distinct decisions seen (compared by their `Debug` text only, so that
    // this test does not depend on the shape of `Decision`).
    let mut seen = std::collections::BTreeSet::new();
    for layer in layers() {
        for req in requests() {
            let whole = layer.evaluate_request(&req);
            let what = format!("{:?} {:?} {:?}", layer, req.method(), req.headers());
            let (parts, ()) = req.into_parts();
            assert_eq!(whole, layer.evaluate(&parts), "{what}");
            seen.insert(format!("{whole:?}"));
        }
    }
    // The range covers many different answers, not one repeated.
    assert!(seen.len() >= 10, "{seen:#?}");
}

#[test]
fn evaluate_request_takes_any_body_type_and_never_reads_it() {
    let layer = &layers()[0];
    let preflight = |()| {
        Request::options("/me")
            .header("origin", APP)
            .header("access-control-request-method", "PUT")
            .body(())
            .unwrap()
    };
    let expected = layer.evaluate(&preflight(()).into_parts().0);
    let mut refused = preflight(());
    refused.headers_mut().insert(
        "origin",
        HeaderValue::from_static("https://evil.example.net"),
    );
    assert_ne!(layer.evaluate_request(&refused), expected);
    assert_eq!(
        layer.evaluate_request(&preflight(()).map(|()| "text")),
        expected
    );
    let bytes: Request<Vec<u8>> = preflight(()).map(|()| vec![0xff; 1024]);
    assert_eq!(layer.evaluate_request(&bytes), expected);
    // A body that cannot be read at all: only the head matters.
    struct Unreadable;
    let opaque = preflight(()).map(|()| Unreadable);
    assert_eq!(layer.evaluate_request(&opaque), expected);
}
