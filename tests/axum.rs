//! Integration through axum 0.8: the layer on a `Router`, with an auth
//! middleware inside it that refuses everything, routes without OPTIONS
//! handlers, and handlers that set their own CORS headers.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use strict_cors::CorsLayer;
use tower::ServiceExt;

const APP: &str = "https://app.example.com";

fn cors() -> CorsLayer {
    CorsLayer::builder()
        .allow_origins([APP, "http://localhost:3000"])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["content-type", "authorization"])
        .expose_headers(["x-request-id"])
        .max_age(Duration::from_secs(600))
        .build()
        .expect("valid config")
}

async fn deny_all(_req: Request, _next: Next) -> Response<Body> {
    (
        StatusCode::UNAUTHORIZED,
        [("www-authenticate", "Bearer")],
        "no",
    )
        .into_response()
}

/// Every route requires auth that always fails; the CORS layer is outside.
fn locked_app() -> Router {
    Router::new()
        .route("/me", get(|| async { "me" }).put(|| async { "updated" }))
        .layer(middleware::from_fn(deny_all))
        .layer(cors())
}

fn open_app() -> Router {
    Router::new()
        .route(
            "/me",
            get(|| async { ([("x-request-id", "42"), ("x-internal", "secret")], "me") }),
        )
        .route("/login", post(|| async { "ok" }))
        .route(
            "/sets-cors",
            get(|| async {
                (
                    [
                        ("access-control-allow-origin", "*"),
                        ("access-control-allow-credentials", "false"),
                        ("access-control-expose-headers", "x-internal"),
                    ],
                    "handler set CORS headers",
                )
            }),
        )
        .route(
            "/vary",
            get(|| async { ([("vary", "accept-encoding")], "varies") }),
        )
        .route(
            "/boom",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
        )
        .layer(cors())
}

async fn send(app: Router, req: Request) -> Response<Body> {
    app.oneshot(req).await.expect("infallible")
}

fn preflight(origin: &str, method: &str, headers: Option<&str>) -> Request {
    let mut b = Request::builder()
        .method(Method::OPTIONS)
        .uri("/me")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, method);
    if let Some(h) = headers {
        b = b.header(header::ACCESS_CONTROL_REQUEST_HEADERS, h);
    }
    b.body(Body::empty()).unwrap()
}

fn get_req(uri: &str, origin: Option<&str>) -> Request {
    let mut b = Request::builder().uri(uri);
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    b.body(Body::empty()).unwrap()
}

fn values(h: &HeaderMap, name: &str) -> Vec<String> {
    h.get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn one(h: &HeaderMap, name: &str) -> String {
    let v = values(h, name);
    assert_eq!(v.len(), 1, "{name}: {v:?}");
    v[0].clone()
}

fn no_cors_headers(h: &HeaderMap) {
    for (name, _) in h {
        assert!(
            !name.as_str().starts_with("access-control-"),
            "unexpected {name}: {h:?}"
        );
    }
}

async fn body(r: Response<Body>) -> Vec<u8> {
    axum::body::to_bytes(r.into_body(), 1 << 20)
        .await
        .unwrap()
        .to_vec()
}

#[tokio::test]
async fn preflight_is_answered_even_when_auth_refuses_everything() {
    let r = send(
        locked_app(),
        preflight(APP, "PUT", Some("authorization,content-type")),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let h = r.headers();
    assert_eq!(one(h, "access-control-allow-origin"), APP);
    assert_eq!(one(h, "access-control-allow-credentials"), "true");
    assert_eq!(one(h, "access-control-allow-methods"), "PUT");
    assert_eq!(
        one(h, "access-control-allow-headers"),
        "authorization,content-type"
    );
    assert_eq!(one(h, "access-control-max-age"), "600");
    assert_eq!(
        one(h, "vary"),
        "origin, access-control-request-method, access-control-request-headers"
    );
    assert!(
        h.get("www-authenticate").is_none(),
        "auth must not have run"
    );
    assert!(body(r).await.is_empty());
}

#[tokio::test]
async fn actual_401_is_readable_by_the_allowed_origin() {
    let r = send(locked_app(), get_req("/me", Some(APP))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let h = r.headers();
    assert_eq!(one(h, "access-control-allow-origin"), APP);
    assert_eq!(one(h, "access-control-allow-credentials"), "true");
    assert_eq!(one(h, "access-control-expose-headers"), "x-request-id");
    assert_eq!(one(h, "vary"), "origin");
    assert_eq!(one(h, "www-authenticate"), "Bearer");
}

#[tokio::test]
async fn actual_500_is_readable_too() {
    let r = send(open_app(), get_req("/boom", Some(APP))).await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(one(r.headers(), "access-control-allow-origin"), APP);
    assert_eq!(one(r.headers(), "access-control-allow-credentials"), "true");
}

#[tokio::test]
async fn preflight_on_a_route_without_options_handler_is_not_a_405() {
    // `/login` only has POST; axum would answer OPTIONS with 405.
    let mut req = preflight(APP, "POST", Some("content-type"));
    *req.uri_mut() = "/login".parse().unwrap();
    let r = send(open_app(), req).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(one(r.headers(), "access-control-allow-methods"), "POST");
    // Same on a path that does not exist at all.
    let mut req = preflight(APP, "DELETE", None);
    *req.uri_mut() = "/nowhere".parse().unwrap();
    let r = send(open_app(), req).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(r.headers().get("access-control-allow-headers").is_none());
}

#[tokio::test]
async fn plain_options_with_origin_reaches_the_router() {
    // No Access-Control-Request-Method: an actual request, not a preflight.
    let req = Request::builder()
        .method(Method::OPTIONS)
        .uri("/login")
        .header(header::ORIGIN, APP)
        .body(Body::empty())
        .unwrap();
    let r = send(open_app(), req).await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(one(r.headers(), "access-control-allow-origin"), APP);
}

#[tokio::test]
async fn refused_preflights_are_403_without_cors_headers() {
    for req in [
        preflight("https://evil.example.net", "PUT", None),
        preflight(APP, "PATCH", None),
        preflight(APP, "put", None),
        preflight(APP, "PUT", Some("x-not-allowed")),
        preflight(APP, "PUT", Some("content-type,x-not-allowed")),
        preflight(APP, "PUT", Some("cookie")),
        preflight(APP, "PUT", Some("content type")),
        preflight(APP, "TRACE", None),
        preflight(APP, "", None),
    ] {
        let desc = format!("{:?}", req.headers());
        let r = send(locked_app(), req).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{desc}");
        no_cors_headers(r.headers());
        assert_eq!(
            one(r.headers(), "vary"),
            "origin, access-control-request-method, access-control-request-headers"
        );
        assert!(r.headers().get("www-authenticate").is_none());
        assert!(body(r).await.is_empty());
    }
}

#[tokio::test]
async fn safelisted_methods_pass_even_if_not_listed() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_methods(["PUT"])
        .build()
        .unwrap();
    let app = Router::new()
        .route("/me", get(|| async { "x" }))
        .layer(layer);
    for m in ["GET", "HEAD", "POST", "PUT"] {
        let r = send(app.clone(), preflight(APP, m, None)).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "{m}");
        assert_eq!(one(r.headers(), "access-control-allow-methods"), m);
    }
}

#[tokio::test]
async fn multi_line_request_headers_are_accepted_and_echoed_once() {
    let mut req = preflight(APP, "PUT", Some("authorization"));
    req.headers_mut().append(
        header::ACCESS_CONTROL_REQUEST_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    let r = send(open_app(), req).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        one(r.headers(), "access-control-allow-headers"),
        "authorization,content-type"
    );
}

#[tokio::test]
async fn handler_set_cors_headers_are_replaced_never_duplicated() {
    let r = send(open_app(), get_req("/sets-cors", Some(APP))).await;
    let h = r.headers();
    assert_eq!(one(h, "access-control-allow-origin"), APP);
    assert_eq!(one(h, "access-control-allow-credentials"), "true");
    assert_eq!(one(h, "access-control-expose-headers"), "x-request-id");
    // A refused origin gets none of them, whatever the handler set.
    let r = send(
        open_app(),
        get_req("/sets-cors", Some("https://evil.example.net")),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    no_cors_headers(r.headers());
    assert_eq!(one(r.headers(), "vary"), "origin");
}

#[tokio::test]
async fn disallowed_origin_still_reaches_the_handler_unchanged_but_for_vary() {
    let r = send(open_app(), get_req("/me", Some("https://evil.example.net"))).await;
    assert_eq!(r.status(), StatusCode::OK);
    no_cors_headers(r.headers());
    assert_eq!(one(r.headers(), "x-request-id"), "42");
    assert_eq!(one(r.headers(), "vary"), "origin");
    assert_eq!(body(r).await, b"me");
}

#[tokio::test]
async fn no_origin_gets_vary_only() {
    let r = send(open_app(), get_req("/me", None)).await;
    assert_eq!(r.status(), StatusCode::OK);
    no_cors_headers(r.headers());
    assert_eq!(one(r.headers(), "vary"), "origin");
    // A handler's own CORS headers are removed here too: a cache must never
    // keep `*` + `true` for a later cross-origin request.
    let r = send(open_app(), get_req("/sets-cors", None)).await;
    no_cors_headers(r.headers());
}

#[tokio::test]
async fn several_origin_headers_are_not_cors() {
    let mut req = get_req("/me", Some(APP));
    req.headers_mut()
        .append(header::ORIGIN, HeaderValue::from_static(APP));
    let r = send(open_app(), req).await;
    no_cors_headers(r.headers());
    assert_eq!(one(r.headers(), "vary"), "origin");
}

#[tokio::test]
async fn vary_is_merged_with_the_handlers() {
    let r = send(open_app(), get_req("/vary", Some(APP))).await;
    assert_eq!(values(r.headers(), "vary"), ["accept-encoding", "origin"]);
    let r = send(open_app(), get_req("/vary", None)).await;
    assert_eq!(values(r.headers(), "vary"), ["accept-encoding", "origin"]);
}

#[tokio::test]
async fn near_miss_origins_never_match() {
    for origin in [
        "https://app.example.com.evil.net",
        "https://evilapp.example.com",
        "http://app.example.com",
        "https://app.example.com:8443",
        "https://app.example.com:443",
        "https://APP.example.com",
        "HTTPS://app.example.com",
        "https://app.example.com/",
        "https://app.example.co",
        "https://pp.example.com",
        " https://app.example.com",
        "null",
        "",
    ] {
        let r = send(open_app(), get_req("/me", Some(origin))).await;
        no_cors_headers(r.headers());
        let r = send(open_app(), preflight(origin, "PUT", None)).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{origin}");
        no_cors_headers(r.headers());
    }
}

#[tokio::test]
async fn any_origin_mode() {
    let app = Router::new()
        .route("/pub", get(|| async { "public" }))
        .layer(
            CorsLayer::builder()
                .allow_any_origin()
                .allow_methods(["*"])
                .allow_headers(["*"])
                .expose_headers(["*"])
                .build()
                .unwrap(),
        );
    let r = send(app.clone(), get_req("/pub", Some("https://anyone.example"))).await;
    assert_eq!(one(r.headers(), "access-control-allow-origin"), "*");
    assert_eq!(one(r.headers(), "access-control-expose-headers"), "*");
    assert!(r
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
    assert!(r.headers().get("vary").is_none());
    let r = send(app.clone(), get_req("/pub", None)).await;
    assert_eq!(one(r.headers(), "access-control-allow-origin"), "*");
    // Wildcard headers echo the request, but never cover authorization
    // without credentials (as in Fetch).
    let mut req = preflight("https://anyone.example", "PATCH", Some("x-a,x-b"));
    *req.uri_mut() = "/pub".parse().unwrap();
    let r = send(app.clone(), req).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(one(r.headers(), "access-control-allow-origin"), "*");
    assert_eq!(one(r.headers(), "access-control-allow-methods"), "PATCH");
    assert_eq!(one(r.headers(), "access-control-allow-headers"), "x-a,x-b");
    let req = preflight("https://anyone.example", "GET", Some("authorization"));
    assert_eq!(send(app, req).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn wildcard_headers_with_credentials_never_cover_authorization() {
    // 0.2: one rule with or without credentials: `*` echoes every requested
    // name but `authorization`, which must be listed by name.
    let star = |headers: &[&str]| {
        Router::new().route("/me", get(|| async { "me" })).layer(
            CorsLayer::builder()
                .allow_origins([APP])
                .allow_credentials(true)
                .allow_methods(["*"])
                .allow_headers(headers)
                .build()
                .unwrap(),
        )
    };
    let r = send(star(&["*"]), preflight(APP, "PATCH", Some("x-csrf"))).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(one(r.headers(), "access-control-allow-headers"), "x-csrf");
    let r = send(
        star(&["*"]),
        preflight(APP, "PATCH", Some("authorization,x-csrf")),
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.headers().get("access-control-allow-headers").is_none());
    let app = star(&["*", "authorization"]);
    let r = send(app, preflight(APP, "PATCH", Some("authorization,x-csrf"))).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(one(r.headers(), "access-control-allow-methods"), "PATCH");
    assert_eq!(
        one(r.headers(), "access-control-allow-headers"),
        "authorization,x-csrf"
    );
    assert_eq!(one(r.headers(), "access-control-allow-credentials"), "true");
}

#[tokio::test]
async fn max_age_zero_is_sent_and_absent_when_unset() {
    let zero = Router::new().route("/me", get(|| async { "" })).layer(
        CorsLayer::builder()
            .allow_origins([APP])
            .max_age(Duration::ZERO)
            .build()
            .unwrap(),
    );
    let r = send(zero, preflight(APP, "GET", None)).await;
    assert_eq!(one(r.headers(), "access-control-max-age"), "0");
    let unset = Router::new()
        .route("/me", get(|| async { "" }))
        .layer(CorsLayer::builder().allow_origins([APP]).build().unwrap());
    let r = send(unset, preflight(APP, "GET", None)).await;
    assert!(r.headers().get("access-control-max-age").is_none());
    assert!(r
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
}

#[tokio::test]
async fn private_network_is_opt_in() {
    let build = |pna: bool| {
        Router::new().route("/me", get(|| async { "" })).layer(
            CorsLayer::builder()
                .allow_origins([APP])
                .allow_private_network(pna)
                .build()
                .unwrap(),
        )
    };
    let req = || {
        let mut r = preflight(APP, "GET", None);
        r.headers_mut().insert(
            "access-control-request-private-network",
            HeaderValue::from_static("true"),
        );
        r
    };
    let r = send(build(true), req()).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        one(r.headers(), "access-control-allow-private-network"),
        "true"
    );
    let r = send(build(false), req()).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(r
        .headers()
        .get("access-control-allow-private-network")
        .is_none());
    // Not requested: not sent.
    let r = send(build(true), preflight(APP, "GET", None)).await;
    assert!(r
        .headers()
        .get("access-control-allow-private-network")
        .is_none());
}

#[tokio::test]
async fn inner_errors_pass_through_unchanged() {
    use tower::{service_fn, Layer, Service};

    #[derive(Debug, PartialEq)]
    struct Boom;
    let inner =
        service_fn(|_req: http::Request<()>| async { Err::<http::Response<()>, Boom>(Boom) });
    let mut svc = cors().layer(inner);
    let req = http::Request::get("/")
        .header("origin", APP)
        .body(())
        .unwrap();
    let res = svc.ready().await.unwrap().call(req).await;
    assert_eq!(res.unwrap_err(), Boom);
    // A preflight never calls the inner service, so it never fails.
    let req = http::Request::options("/")
        .header("origin", APP)
        .header("access-control-request-method", "PUT")
        .body(())
        .unwrap();
    let res = svc.ready().await.unwrap().call(req).await;
    assert_eq!(res.unwrap().status(), StatusCode::NO_CONTENT);
}
