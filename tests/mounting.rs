//! Every way an axum 0.8 user mounts the layer, and what each answers:
//! `Router::layer`, `Router::route_layer`, `MethodRouter::layer` and
//! `route_layer`, nesting and merging with a policy per sub-router,
//! `ServiceBuilder` stacks with auth, tracing and compression, fallbacks, and
//! the per-path recipe for plain Tower (`tower::steer`, a `match` on the
//! path). Each shape either answers preflights or the test shows exactly how
//! it fails (and the crate docs and README say so, with the fix).

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, Response, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use strict_cors::{Cors, CorsLayer};
use tower::steer::Steer;
use tower::{service_fn, Layer, ServiceBuilder, ServiceExt};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;
use tower_http::validate_request::ValidateRequestHeaderLayer;

const APP: &str = "https://app.example.com";
const ANYONE: &str = "https://anyone.example";
const PREFLIGHT_VARY: &str =
    "origin, access-control-request-method, access-control-request-headers";

/// The credentialed policy for the API.
fn api_cors() -> CorsLayer {
    CorsLayer::builder()
        .allow_origins([APP])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["content-type", "authorization"])
        .expose_headers(["x-request-id"])
        .max_age(Duration::from_secs(600))
        .build()
        .expect("valid config")
}

/// The public policy: any origin, no credentials.
fn public_cors() -> CorsLayer {
    CorsLayer::builder()
        .allow_any_origin()
        .allow_methods(["GET"])
        .allow_headers(["content-type"])
        .build()
        .expect("valid config")
}

fn preflight(path: &str, origin: &str, method: &str, headers: Option<&str>) -> Request {
    let mut b = Request::builder()
        .method(Method::OPTIONS)
        .uri(path)
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, method);
    if let Some(h) = headers {
        b = b.header(header::ACCESS_CONTROL_REQUEST_HEADERS, h);
    }
    b.body(Body::empty()).unwrap()
}

fn request(method: Method, path: &str, origin: Option<&str>) -> Request {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    b.body(Body::empty()).unwrap()
}

async fn send<S>(app: S, req: Request) -> Response<Body>
where
    S: tower::Service<Request, Response = Response<Body>, Error = Infallible>,
{
    app.oneshot(req).await.expect("infallible")
}

fn one(h: &HeaderMap, name: &str) -> String {
    let v: Vec<_> = h.get_all(name).iter().collect();
    assert_eq!(v.len(), 1, "{name}: {h:?}");
    v[0].to_str().unwrap().to_owned()
}

fn no_cors_headers(h: &HeaderMap) {
    assert!(
        h.keys().all(|k| !k.as_str().starts_with("access-control-")),
        "unexpected CORS header: {h:?}"
    );
}

/// The layer's own answer to an allowed credentialed preflight.
fn assert_api_preflight(r: &Response<Body>, method: &str) {
    assert_eq!(r.status(), StatusCode::NO_CONTENT, "{:?}", r.headers());
    let h = r.headers();
    assert_eq!(one(h, "access-control-allow-origin"), APP);
    assert_eq!(one(h, "access-control-allow-credentials"), "true");
    assert_eq!(one(h, "access-control-allow-methods"), method);
    assert_eq!(one(h, "access-control-max-age"), "600");
    assert_eq!(one(h, "vary"), PREFLIGHT_VARY);
}

/// An allowed credentialed actual response.
fn assert_api_actual(r: &Response<Body>, status: StatusCode) {
    assert_eq!(r.status(), status, "{:?}", r.headers());
    let h = r.headers();
    assert_eq!(one(h, "access-control-allow-origin"), APP);
    assert_eq!(one(h, "access-control-allow-credentials"), "true");
    assert_eq!(one(h, "access-control-expose-headers"), "x-request-id");
}

async fn body(r: Response<Body>) -> Vec<u8> {
    axum::body::to_bytes(r.into_body(), 1 << 20)
        .await
        .unwrap()
        .to_vec()
}

fn routes() -> Router {
    Router::new()
        .route("/me", get(|| async { "me" }).put(|| async { "updated" }))
        .route("/login", post(|| async { "logged in" }))
}

// ---------------------------------------------------------------------------
// Router::layer: the shape to use.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn router_layer_answers_every_path_and_method() {
    let app = routes().layer(api_cors());
    // Matched path and method, matched path with a method it has no handler
    // for, and a path that does not exist: the layer answers all three.
    for (path, method) in [("/me", "PUT"), ("/login", "DELETE"), ("/nowhere", "PUT")] {
        let r = send(
            app.clone(),
            preflight(path, APP, method, Some("authorization")),
        )
        .await;
        assert_api_preflight(&r, method);
        assert_eq!(
            one(r.headers(), "access-control-allow-headers"),
            "authorization"
        );
    }
    let r = send(app.clone(), request(Method::GET, "/me", Some(APP))).await;
    assert_api_actual(&r, StatusCode::OK);
    // The router's 404 and 405 are readable by the page, so it sees the
    // status instead of an opaque network error.
    let r = send(app.clone(), request(Method::GET, "/nowhere", Some(APP))).await;
    assert_api_actual(&r, StatusCode::NOT_FOUND);
    let r = send(app, request(Method::GET, "/login", Some(APP))).await;
    assert_api_actual(&r, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn router_layer_covers_only_the_routes_added_before_it() {
    // axum applies `.layer` to what the router holds at that point: a route
    // added afterwards is not behind the layer.
    let app = routes()
        .layer(api_cors())
        .route("/late", post(|| async { "late" }));
    let r = send(app.clone(), preflight("/late", APP, "POST", None)).await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    no_cors_headers(r.headers());
    let r = send(app.clone(), request(Method::POST, "/late", Some(APP))).await;
    assert_eq!(r.status(), StatusCode::OK);
    no_cors_headers(r.headers());
    // The routes before it are covered.
    let r = send(app, preflight("/login", APP, "POST", None)).await;
    assert_api_preflight(&r, "POST");
}

// ---------------------------------------------------------------------------
// Router::route_layer: matched paths only.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn router_route_layer_answers_matched_paths_only() {
    let app = routes().route_layer(api_cors());
    // A matched path: answered by the layer, even for a method the route has
    // no handler for (the layer wraps the whole route, OPTIONS included).
    let r = send(app.clone(), preflight("/me", APP, "PUT", None)).await;
    assert_api_preflight(&r, "PUT");
    let r = send(app.clone(), preflight("/login", APP, "POST", None)).await;
    assert_api_preflight(&r, "POST");
    let r = send(app.clone(), request(Method::GET, "/me", Some(APP))).await;
    assert_api_actual(&r, StatusCode::OK);
    // An unmatched path goes to the router's fallback, which `route_layer`
    // does not wrap: a plain 404 with no CORS header at all, preflight or
    // not. The page sees a network error, not the 404.
    let r = send(app.clone(), preflight("/nowhere", APP, "PUT", None)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    no_cors_headers(r.headers());
    assert!(r.headers().get("vary").is_none());
    let r = send(app, request(Method::GET, "/nowhere", Some(APP))).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    no_cors_headers(r.headers());
}

// ---------------------------------------------------------------------------
// MethodRouter::layer and MethodRouter::route_layer.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn method_router_layer_answers_preflights_for_its_path() {
    // `MethodRouter::layer` also wraps the method router's fallback (its 405),
    // so the OPTIONS preflight reaches the layer.
    let app = Router::new()
        .route("/login", post(|| async { "logged in" }).layer(api_cors()))
        .route("/open", get(|| async { "open" }));
    let r = send(
        app.clone(),
        preflight("/login", APP, "POST", Some("content-type")),
    )
    .await;
    assert_api_preflight(&r, "POST");
    let r = send(app.clone(), preflight("/login", APP, "DELETE", None)).await;
    assert_api_preflight(&r, "DELETE");
    let r = send(app.clone(), request(Method::POST, "/login", Some(APP))).await;
    assert_api_actual(&r, StatusCode::OK);
    // Other routes are not covered.
    let r = send(app, preflight("/open", APP, "GET", None)).await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    no_cors_headers(r.headers());
}

#[tokio::test]
async fn method_router_route_layer_refuses_preflights_with_405() {
    // `post(handler).route_layer(cors)` wraps the POST handler only: axum's
    // method router answers the OPTIONS preflight with its own 405 before the
    // layer can run. The browser reports a failed preflight ("does not have
    // HTTP ok status") and never sends the POST.
    let app = Router::new().route(
        "/login",
        post(|| async { "logged in" }).route_layer(api_cors()),
    );
    let r = send(
        app.clone(),
        preflight("/login", APP, "POST", Some("content-type")),
    )
    .await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    no_cors_headers(r.headers());
    assert_eq!(one(r.headers(), "allow"), "POST");
    // The POST itself, if sent (a simple request needs no preflight), does
    // get CORS headers.
    let r = send(app.clone(), request(Method::POST, "/login", Some(APP))).await;
    assert_api_actual(&r, StatusCode::OK);
    // The fix: `.layer` instead of `.route_layer` (or the layer on the Router).
    let fixed = Router::new().route("/login", post(|| async { "logged in" }).layer(api_cors()));
    let r = send(
        fixed,
        preflight("/login", APP, "POST", Some("content-type")),
    )
    .await;
    assert_api_preflight(&r, "POST");
}

// ---------------------------------------------------------------------------
// A policy per sub-router: nest and merge.
// ---------------------------------------------------------------------------

fn public_routes() -> Router {
    Router::new().route("/info", get(|| async { "public info" }))
}

fn api_routes() -> Router {
    Router::new().route(
        "/me",
        get(|| async { ([("x-request-id", "1")], "me") }).put(|| async { "updated" }),
    )
}

/// Asserts that `/public/info` and `/api/me` each get their own policy's
/// answers, preflights included.
async fn assert_two_policies(app: Router) {
    // Public: any origin, `*`, no credentials.
    let r = send(
        app.clone(),
        preflight("/public/info", ANYONE, "GET", Some("content-type")),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(one(r.headers(), "access-control-allow-origin"), "*");
    assert!(r
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
    let r = send(
        app.clone(),
        request(Method::GET, "/public/info", Some(ANYONE)),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(one(r.headers(), "access-control-allow-origin"), "*");
    assert_eq!(body(r).await, b"public info");
    // The public policy never allows `authorization` nor `PUT`.
    let r = send(
        app.clone(),
        preflight("/public/info", APP, "GET", Some("authorization")),
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    no_cors_headers(r.headers());
    let r = send(app.clone(), preflight("/public/info", APP, "PUT", None)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // API: the credentialed policy.
    let r = send(
        app.clone(),
        preflight("/api/me", APP, "PUT", Some("authorization")),
    )
    .await;
    assert_api_preflight(&r, "PUT");
    let r = send(app.clone(), request(Method::GET, "/api/me", Some(APP))).await;
    assert_api_actual(&r, StatusCode::OK);
    assert_eq!(one(r.headers(), "vary"), "origin");
    // Any other origin: refused there, though the public policy would allow it.
    let r = send(app.clone(), preflight("/api/me", ANYONE, "GET", None)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    no_cors_headers(r.headers());
    let r = send(app, request(Method::GET, "/api/me", Some(ANYONE))).await;
    assert_eq!(r.status(), StatusCode::OK);
    no_cors_headers(r.headers());
}

#[tokio::test]
async fn nest_gives_each_sub_router_its_own_policy() {
    let app = Router::new()
        .nest("/public", public_routes().layer(public_cors()))
        .nest("/api", api_routes().layer(api_cors()));
    assert_two_policies(app.clone()).await;
    // A path under neither prefix is behind neither layer: axum's 404 with no
    // CORS header. So is an unknown path under a prefix: a nested router
    // without its own fallback hands it to the outer router's fallback.
    for path in ["/nowhere", "/api/nowhere"] {
        let r = send(app.clone(), preflight(path, APP, "GET", None)).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        no_cors_headers(r.headers());
    }
}

#[tokio::test]
async fn nest_with_a_fallback_in_the_sub_router_covers_its_unknown_paths() {
    // Give the API its own fallback (before `.layer`) and the layer answers
    // preflights to any path under `/api`, and the 404 is readable.
    let api = api_routes()
        .fallback(|| async { (StatusCode::NOT_FOUND, "no such API") })
        .layer(api_cors());
    let app = Router::new()
        .nest("/public", public_routes().layer(public_cors()))
        .nest("/api", api);
    assert_two_policies(app.clone()).await;
    let r = send(app.clone(), preflight("/api/nowhere", APP, "PUT", None)).await;
    assert_api_preflight(&r, "PUT");
    let r = send(app, request(Method::GET, "/api/nowhere", Some(APP))).await;
    assert_api_actual(&r, StatusCode::NOT_FOUND);
    assert_eq!(body(r).await, b"no such API");
}

#[tokio::test]
async fn under_nest_the_layer_and_the_handler_see_the_stripped_path() {
    // What the recipes say: a sub-router's layer sees `/me`, not `/api/me`
    // (it matters for anything keyed on the path, such as exempt paths).
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    let api = Router::new()
        .route(
            "/me",
            get(|uri: axum::http::Uri| async move { uri.path().to_owned() }),
        )
        .layer(api_cors())
        .layer(axum::middleware::from_fn(
            move |req: Request, next: axum::middleware::Next| {
                record.lock().unwrap().push(req.uri().path().to_owned());
                next.run(req)
            },
        ));
    let app = Router::new().nest("/api", api);
    let r = send(app.clone(), request(Method::GET, "/api/me", Some(APP))).await;
    assert_api_actual(&r, StatusCode::OK);
    assert_eq!(body(r).await, b"/me");
    let r = send(app, preflight("/api/me", APP, "PUT", None)).await;
    assert_api_preflight(&r, "PUT");
    assert_eq!(*seen.lock().unwrap(), ["/me", "/me"]);
}

#[tokio::test]
async fn merge_gives_each_router_its_own_policy() {
    let public = Router::new()
        .route("/public/info", get(|| async { "public info" }))
        .layer(public_cors());
    let api = Router::new()
        .route(
            "/api/me",
            get(|| async { ([("x-request-id", "1")], "me") }).put(|| async { "updated" }),
        )
        .layer(api_cors());
    assert_two_policies(public.merge(api)).await;
}

#[tokio::test]
async fn a_layer_around_the_nested_routers_answers_every_preflight_itself() {
    // Stacking: an outer layer on the whole router answers every preflight
    // (the inner policies never see one) and owns every Access-Control-*
    // header of actual responses. Give each sub-router its own layer and put
    // none around them.
    let app = Router::new()
        .nest("/public", public_routes().layer(public_cors()))
        .layer(api_cors());
    let r = send(app.clone(), preflight("/public/info", ANYONE, "GET", None)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = send(app, request(Method::GET, "/public/info", Some(ANYONE))).await;
    no_cors_headers(r.headers());
}

// ---------------------------------------------------------------------------
// ServiceBuilder stacks: auth, tracing, compression.
// ---------------------------------------------------------------------------

/// An auth layer that refuses every request without `Authorization: Bearer
/// good` with a 401, as tower-http's request validation does. (The
/// `Result<(), Response>` shape is tower-http's, hence the `allow`.)
#[allow(clippy::result_large_err)]
fn auth() -> ValidateRequestHeaderLayer<
    impl FnMut(&mut Request) -> Result<(), Response<Body>> + Clone + Send + Sync + 'static,
> {
    ValidateRequestHeaderLayer::custom(|req: &mut Request| {
        if req
            .headers()
            .get(header::AUTHORIZATION)
            .is_some_and(|v| v == "Bearer good")
        {
            Ok(())
        } else {
            Err(Response::builder()
                .status(StatusCode::UNAUTHORIZED)
                .header(header::WWW_AUTHENTICATE, "Bearer")
                .body(Body::empty())
                .unwrap())
        }
    })
}

fn big_routes() -> Router {
    Router::new().route(
        "/me",
        get(|| async { ([("x-request-id", "1")], "me ".repeat(1000)) }).put(|| async { "ok" }),
    )
}

/// Tracing outermost (it then sees preflights too), CORS next, outside
/// compression and auth. (CORS cannot sit directly around `TraceLayer` in one
/// `ServiceBuilder`: the layer needs a response body with `Default` to answer
/// preflights, and `TraceLayer`'s body has none; the compiler says
/// "`ResponseBody<…>: Default` is not satisfied". In axum, separate
/// `Router::layer` calls box the body between layers, so there any order
/// builds: see the next test.)
#[tokio::test]
async fn service_builder_with_cors_outside_auth_answers_preflights() {
    let app = big_routes().layer(
        ServiceBuilder::new()
            .layer(TraceLayer::new_for_http())
            .layer(api_cors())
            .layer(CompressionLayer::new())
            .layer(auth()),
    );
    assert_stack_answers(app).await;
}

#[tokio::test]
async fn separate_router_layers_put_cors_outside_tracing_too() {
    // axum order: the last `.layer` is the outermost.
    let app = big_routes()
        .layer(auth())
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .layer(api_cors());
    assert_stack_answers(app).await;
}

async fn assert_stack_answers(app: Router) {
    // The preflight never reaches auth.
    let r = send(
        app.clone(),
        preflight("/me", APP, "PUT", Some("authorization")),
    )
    .await;
    assert_api_preflight(&r, "PUT");
    assert!(r.headers().get("www-authenticate").is_none());
    // Auth's 401 is readable by the page.
    let r = send(app.clone(), request(Method::GET, "/me", Some(APP))).await;
    assert_api_actual(&r, StatusCode::UNAUTHORIZED);
    assert_eq!(one(r.headers(), "www-authenticate"), "Bearer");
    // An authorised, compressed response: CORS headers on it, and `Vary`
    // names both what compression and what CORS vary on, once each.
    let mut req = request(Method::GET, "/me", Some(APP));
    req.headers_mut()
        .insert(header::AUTHORIZATION, "Bearer good".parse().unwrap());
    req.headers_mut()
        .insert(header::ACCEPT_ENCODING, "gzip".parse().unwrap());
    let r = send(app, req).await;
    assert_api_actual(&r, StatusCode::OK);
    assert_eq!(one(r.headers(), "content-encoding"), "gzip");
    let vary: Vec<_> = r.headers().get_all("vary").iter().collect();
    assert_eq!(vary, ["accept-encoding", "origin"]);
    let gz = body(r).await;
    assert_eq!(&gz[..3], [0x1f, 0x8b, 8], "a gzip stream");
    assert!(gz.len() < 3000, "compressed");
}

#[tokio::test]
async fn service_builder_with_cors_inside_auth_fails_the_preflight() {
    // The wrong order: auth first. The browser's preflight carries no
    // credentials (Fetch never sends them on OPTIONS), so auth answers 401
    // without any CORS header, and the browser blocks the real request:
    // "Response to preflight request doesn't pass access control check".
    let app = big_routes().layer(
        ServiceBuilder::new()
            .layer(TraceLayer::new_for_http())
            .layer(auth())
            .layer(api_cors()),
    );
    let r = send(
        app.clone(),
        preflight("/me", APP, "PUT", Some("authorization")),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    no_cors_headers(r.headers());
    // Even the 401 of an actual request is unreadable: the page sees a
    // network error, not the status.
    let r = send(app, request(Method::GET, "/me", Some(APP))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    no_cors_headers(r.headers());
}

// ---------------------------------------------------------------------------
// Fallbacks.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn fallback_behind_the_layer() {
    let app = routes()
        .fallback(|| async { (StatusCode::NOT_FOUND, "nothing here") })
        .layer(api_cors());
    // A preflight to an unknown path: answered by the layer (it never reaches
    // the fallback), like any other path: the browser then sends the actual
    // request and the page reads the fallback's 404.
    let r = send(app.clone(), preflight("/unknown", APP, "PUT", None)).await;
    assert_api_preflight(&r, "PUT");
    assert!(body(r).await.is_empty());
    let r = send(app.clone(), request(Method::PUT, "/unknown", Some(APP))).await;
    assert_api_actual(&r, StatusCode::NOT_FOUND);
    assert_eq!(body(r).await, b"nothing here");
    // A refused origin gets the fallback's answer with no CORS header.
    let r = send(app.clone(), request(Method::GET, "/unknown", Some(ANYONE))).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    no_cors_headers(r.headers());
    let r = send(app, preflight("/unknown", ANYONE, "PUT", None)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn fallback_with_route_layer_is_not_covered() {
    let app = routes()
        .fallback(|| async { (StatusCode::NOT_FOUND, "nothing here") })
        .route_layer(api_cors());
    let r = send(app.clone(), preflight("/unknown", APP, "PUT", None)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    no_cors_headers(r.headers());
    assert_eq!(body(r).await, b"nothing here");
    let r = send(app, request(Method::GET, "/unknown", Some(APP))).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    no_cors_headers(r.headers());
}

// ---------------------------------------------------------------------------
// HEAD through axum.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn head_gets_the_same_cors_headers_as_get() {
    let app = api_routes().layer(api_cors());
    let get_r = send(app.clone(), request(Method::GET, "/me", Some(APP))).await;
    let head_r = send(app.clone(), request(Method::HEAD, "/me", Some(APP))).await;
    assert_eq!(head_r.status(), get_r.status());
    assert_api_actual(&head_r, StatusCode::OK);
    for name in [
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-expose-headers",
        "vary",
    ] {
        assert_eq!(
            one(head_r.headers(), name),
            one(get_r.headers(), name),
            "{name}"
        );
    }
    assert!(body(head_r).await.is_empty());
    // A refused origin: no CORS header on HEAD either.
    let r = send(app, request(Method::HEAD, "/me", Some(ANYONE))).await;
    no_cors_headers(r.headers());
    assert_eq!(one(r.headers(), "vary"), "origin");
}

// ---------------------------------------------------------------------------
// Per-path policies in plain Tower: `tower::steer` and a `match`.
// ---------------------------------------------------------------------------

/// The application, as a plain Tower service.
fn plain_app(
) -> impl tower::Service<Request, Response = Response<Body>, Error = Infallible, Future = impl Send>
       + Clone
       + Send {
    service_fn(|req: Request| async move {
        Ok::<_, Infallible>(
            Response::builder()
                .header("x-request-id", "1")
                .body(Body::from(format!("{} {}", req.method(), req.uri().path())))
                .unwrap(),
        )
    })
}

#[tokio::test]
async fn steer_gives_each_path_prefix_its_own_policy() {
    // Steer picks a service by index; both are `Cors<the same inner>`.
    let app = Steer::new(
        [
            public_cors().layer(plain_app()),
            api_cors().layer(plain_app()),
        ],
        |req: &Request, _: &[_]| usize::from(!req.uri().path().starts_with("/public/")),
    );
    assert_steered(move || app.clone()).await;
}

async fn assert_steered<S, F>(make: F)
where
    F: Fn() -> S,
    S: tower::Service<Request, Response = Response<Body>, Error = Infallible>,
{
    let r = send(make(), preflight("/public/info", ANYONE, "GET", None)).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(one(r.headers(), "access-control-allow-origin"), "*");
    let r = send(make(), request(Method::GET, "/public/info", Some(ANYONE))).await;
    assert_eq!(one(r.headers(), "access-control-allow-origin"), "*");
    assert_eq!(body(r).await, b"GET /public/info");
    let r = send(
        make(),
        preflight("/api/me", APP, "PUT", Some("authorization")),
    )
    .await;
    assert_api_preflight(&r, "PUT");
    let r = send(make(), preflight("/api/me", ANYONE, "GET", None)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = send(make(), request(Method::GET, "/api/me", Some(APP))).await;
    assert_api_actual(&r, StatusCode::OK);
    let r = send(make(), request(Method::GET, "/api/me", Some(ANYONE))).await;
    no_cors_headers(r.headers());
}

#[tokio::test]
async fn match_on_the_path_gives_each_prefix_its_own_policy() {
    let public = public_cors().layer(plain_app());
    let api = api_cors().layer(plain_app());
    let make = move || {
        let (public, api): (Cors<_>, Cors<_>) = (public.clone(), api.clone());
        service_fn(move |req: Request| {
            let (public, api) = (public.clone(), api.clone());
            async move {
                if req.uri().path().starts_with("/public/") {
                    public.oneshot(req).await
                } else {
                    api.oneshot(req).await
                }
            }
        })
    };
    assert_steered(make).await;
}
