//! The README's "Migrating from tower-http" table, checked: each claim about
//! tower-http 0.7's `CorsLayer` is run against tower-http itself, beside what
//! strict-cors does instead.

use std::convert::Infallible;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use std::future::{ready, Ready};
use std::task::{Context, Poll};

use tower::{Layer, Service, ServiceExt};
use tower_http::cors::{AllowOrigin, Any, CorsLayer as TowerCors};

const A: &str = "https://a.example.com";
const B: &str = "https://b.example.com";
const EVIL: &str = "https://evil.example.net";

/// The inner service: counts its calls and sets `Vary: origin` itself.
#[derive(Clone, Default)]
struct Inner(Arc<AtomicUsize>);

impl Service<Request<()>> for Inner {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _req: Request<()>) -> Self::Future {
        self.0.fetch_add(1, Ordering::SeqCst);
        ready(Ok(Response::builder()
            .header("vary", "origin")
            .body(String::from("inner"))
            .unwrap()))
    }
}

/// Runs one request through `layer` around a fresh [`Inner`]; returns the
/// response and how many times the inner service was called.
async fn run<L>(layer: &L, req: Request<()>) -> (Response<String>, usize)
where
    L: Layer<Inner>,
    L::Service: Service<Request<()>, Response = Response<String>, Error = Infallible>,
{
    let inner = Inner::default();
    let calls = inner.0.clone();
    let res = layer.layer(inner).oneshot(req).await.unwrap();
    (res, calls.load(Ordering::SeqCst))
}

fn get(origin: Option<&str>) -> Request<()> {
    let mut b = Request::get("/");
    if let Some(o) = origin {
        b = b.header("origin", o);
    }
    b.body(()).unwrap()
}

fn preflight(origin: &str, method: &str, headers: Option<&str>) -> Request<()> {
    let mut b = Request::options("/")
        .header("origin", origin)
        .header("access-control-request-method", method);
    if let Some(h) = headers {
        b = b.header("access-control-request-headers", h);
    }
    b.body(()).unwrap()
}

fn h<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

fn hv(s: &'static str) -> HeaderValue {
    HeaderValue::from_static(s)
}

#[tokio::test]
async fn tower_http_setters_replace_strict_cors_list_setters_add_up() {
    // tower-http: the second call replaces the first.
    let tower = TowerCors::new()
        .allow_origin([hv(A)])
        .allow_origin([hv(B)])
        .allow_methods([Method::PUT])
        .allow_methods([Method::DELETE])
        .expose_headers([http::header::ETAG])
        .expose_headers([http::HeaderName::from_static("x-request-id")]);
    let (r, _) = run(&tower, get(Some(A))).await;
    assert_eq!(
        h(r.headers(), "access-control-allow-origin"),
        None,
        "A was replaced"
    );
    let (r, _) = run(&tower, get(Some(B))).await;
    assert_eq!(h(r.headers(), "access-control-allow-origin"), Some(B));
    assert_eq!(
        h(r.headers(), "access-control-expose-headers"),
        Some("x-request-id")
    );
    let (r, _) = run(&tower, preflight(B, "PUT", None)).await;
    assert_eq!(
        h(r.headers(), "access-control-allow-methods"),
        Some("DELETE")
    );

    // strict-cors: the lists add up.
    let strict = strict_cors::CorsLayer::builder()
        .allow_origins([A])
        .allow_origins([B])
        .allow_methods(["PUT"])
        .allow_methods(["DELETE"])
        .expose_headers(["etag"])
        .expose_headers(["x-request-id"])
        .build()
        .unwrap();
    for origin in [A, B] {
        let (r, _) = run(&strict, get(Some(origin))).await;
        assert_eq!(h(r.headers(), "access-control-allow-origin"), Some(origin));
        assert_eq!(
            h(r.headers(), "access-control-expose-headers"),
            Some("etag, x-request-id")
        );
        for method in ["PUT", "DELETE"] {
            let (r, _) = run(&strict, preflight(origin, method, None)).await;
            assert_eq!(r.status(), StatusCode::NO_CONTENT, "{origin} {method}");
        }
    }
}

#[tokio::test]
async fn mirror_request_and_very_permissive_let_any_site_read_with_credentials() {
    // `AllowOrigin::mirror_request()` is `predicate(|_, _| true)`: with
    // credentials, any site the user visits may read the response.
    let mirror = TowerCors::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_credentials(true);
    for layer in [mirror, TowerCors::very_permissive()] {
        let (r, _) = run(&layer, get(Some(EVIL))).await;
        assert_eq!(h(r.headers(), "access-control-allow-origin"), Some(EVIL));
        assert_eq!(
            h(r.headers(), "access-control-allow-credentials"),
            Some("true")
        );
    }
    // strict-cors has no such setting; "any origin" with credentials does not
    // build.
    let err = strict_cors::CorsLayer::builder()
        .allow_any_origin()
        .allow_credentials(true)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("credentials"), "{err}");

    // The closest safe policy to `very_permissive()`: listed origins,
    // credentials, any method and header (`authorization` by name).
    let closest = strict_cors::CorsLayer::builder()
        .allow_origins([A])
        .allow_credentials(true)
        .allow_methods(["*"])
        .allow_headers(["*", "authorization"])
        .build()
        .unwrap();
    let (r, _) = run(
        &closest,
        preflight(A, "PATCH", Some("authorization,x-custom")),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        h(r.headers(), "access-control-allow-headers"),
        Some("authorization,x-custom")
    );
    assert_eq!(
        h(r.headers(), "access-control-allow-credentials"),
        Some("true")
    );
    let (r, _) = run(&closest, preflight(EVIL, "PATCH", None)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (r, _) = run(&closest, get(Some(EVIL))).await;
    assert_eq!(h(r.headers(), "access-control-allow-origin"), None);
}

#[tokio::test]
async fn permissive_and_its_strict_cors_equivalent_allow_the_same_requests() {
    let tower = TowerCors::permissive();
    let strict = strict_cors::CorsLayer::builder()
        .allow_any_origin()
        .allow_methods(["*"])
        .allow_headers(["*"])
        .expose_headers(["*"])
        .build()
        .unwrap();
    let (t, _) = run(&tower, preflight(EVIL, "PATCH", Some("x-custom"))).await;
    let (s, _) = run(&strict, preflight(EVIL, "PATCH", Some("x-custom"))).await;
    // tower-http sends `*` for all three; strict-cors echoes the request:
    // browsers accept both for this request.
    assert_eq!(h(t.headers(), "access-control-allow-origin"), Some("*"));
    assert_eq!(h(t.headers(), "access-control-allow-methods"), Some("*"));
    assert_eq!(h(t.headers(), "access-control-allow-headers"), Some("*"));
    assert_eq!(h(s.headers(), "access-control-allow-origin"), Some("*"));
    assert_eq!(
        h(s.headers(), "access-control-allow-methods"),
        Some("PATCH")
    );
    assert_eq!(
        h(s.headers(), "access-control-allow-headers"),
        Some("x-custom")
    );
    let (t, _) = run(&tower, get(Some(EVIL))).await;
    let (s, _) = run(&strict, get(Some(EVIL))).await;
    for name in [
        "access-control-allow-origin",
        "access-control-expose-headers",
    ] {
        assert_eq!(h(t.headers(), name), Some("*"));
        assert_eq!(h(s.headers(), name), Some("*"));
    }
}

#[tokio::test]
async fn tower_http_panics_where_strict_cors_returns_an_error() {
    let tower = TowerCors::new().allow_origin(Any).allow_credentials(true);
    let panicked = catch_unwind(AssertUnwindSafe(|| {
        let _ = tower.layer(Inner::default());
    }));
    assert!(panicked.is_err(), "tower-http panics in layer()");
    let panicked = catch_unwind(|| AllowOrigin::list([hv(A), hv("*")]));
    assert!(panicked.is_err(), "AllowOrigin::list panics on *");

    let err = strict_cors::CorsLayer::builder()
        .allow_origins([A, "*"])
        .allow_credentials(true)
        .build()
        .unwrap_err();
    assert!(err.problems().len() >= 2, "{err}");
}

#[tokio::test]
async fn tower_http_answers_every_options_itself_strict_cors_only_preflights() {
    let tower = TowerCors::new().allow_origin([hv(A)]);
    let strict = strict_cors::CorsLayer::builder()
        .allow_origins([A])
        .build()
        .unwrap();
    // A plain OPTIONS (no Access-Control-Request-Method), and one with no
    // Origin at all: tower-http answers 200 itself; the inner service (with
    // its own OPTIONS handling, e.g. a 405 or an `Allow` list) never runs.
    for req in [
        || Request::options("/").header("origin", A).body(()).unwrap(),
        || Request::options("/").body(()).unwrap(),
    ] {
        let (r, calls) = run(&tower, req()).await;
        assert_eq!((r.status(), calls), (StatusCode::OK, 0));
        let (r, calls) = run(&strict, req()).await;
        assert_eq!((r.status(), calls), (StatusCode::OK, 1));
        assert_eq!(r.body(), "inner");
    }
    // A preflight for a method or header that is not allowed: tower-http
    // still answers 200 (with its lists); strict-cors refuses with 403.
    let (r, _) = run(&tower, preflight(A, "DELETE", Some("x-custom"))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let (r, _) = run(&strict, preflight(A, "DELETE", Some("x-custom"))).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn tower_http_sends_credentials_to_refused_origins_and_repeats_vary() {
    let tower = TowerCors::new()
        .allow_origin([hv(A)])
        .allow_credentials(true);
    let strict = strict_cors::CorsLayer::builder()
        .allow_origins([A])
        .allow_credentials(true)
        .build()
        .unwrap();
    for origin in [Some(EVIL), None] {
        let (r, _) = run(&tower, get(origin)).await;
        assert_eq!(
            h(r.headers(), "access-control-allow-credentials"),
            Some("true")
        );
        let (r, _) = run(&strict, get(origin)).await;
        assert_eq!(h(r.headers(), "access-control-allow-credentials"), None);
    }
    // The inner service already says `Vary: origin`.
    let (r, _) = run(&tower, get(Some(A))).await;
    let vary: Vec<_> = r.headers().get_all("vary").iter().collect();
    assert_eq!(vary, ["origin", "origin"]);
    let (r, _) = run(&strict, get(Some(A))).await;
    let vary: Vec<_> = r.headers().get_all("vary").iter().collect();
    assert_eq!(vary, ["origin"]);
}
