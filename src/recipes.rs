//! Recipes: where to mount the layer, a different policy per path, and the
//! order of layers. Documentation only; every example here is a test.
//!
//! # Where to mount it in axum
//!
//! The layer must see the browser's preflight, an `OPTIONS` request that
//! carries no cookies and no `Authorization`. Whatever answers the `OPTIONS`
//! before the layer does (axum's router with a `405` or `404`, an auth layer
//! with a `401`) makes the browser block the real request with *"Response to
//! preflight request doesn't pass access control check"*. What each axum 0.8
//! shape does (each row is a test in `tests/mounting.rs`):
//!
//! | shape | preflight to a route | preflight to an unknown path | verdict |
//! |---|---|---|---|
//! | `Router::layer(cors)` (last call) | `204`/`403` by the layer, whatever methods the route has | `204`/`403` by the layer; the actual request then gets the router's `404`, readable | **use this** |
//! | a route added *after* `.layer(cors)` | axum's `405`, no CORS header | — | move the `.layer` call last |
//! | `Router::route_layer(cors)` | `204`/`403` by the layer | axum's `404` (or the fallback's answer), no CORS header at all | works for matched paths only; the page cannot read a `404` |
//! | `get(h).layer(cors)` (`MethodRouter::layer`) | `204`/`403` by the layer (it also wraps the method router's `405` fallback) | not covered | works for that path |
//! | `post(h).route_layer(cors)` (`MethodRouter::route_layer`) | axum's **`405`** (`Allow: POST`), no CORS header: the preflight fails | not covered | **broken**: use `.layer` |
//! | `nest("/api", api.layer(cors))` | `204`/`403` by that sub-router's policy | axum's `404` unless the sub-router has its own fallback (added before `.layer`) | per-path policies, below |
//! | CORS inside an auth layer | auth's `401`, no CORS header: the preflight fails | the same | **broken**: put CORS outside auth |
//! | `.fallback(h).layer(cors)` | `204`/`403` by the layer | `204`/`403` by the layer (the fallback never sees a preflight); the actual request gets the fallback's answer, readable | works |
//!
//! `route_layer` exists to run a layer only for matched routes (so that an
//! auth layer does not turn every `404` into a `401`); a CORS layer should
//! run for every request, so it belongs in `Router::layer`. The failing
//! shape, and its fix:
//!
//! ```
//! use axum::{body::Body, routing::post, Router};
//! use strict_cors::CorsLayer;
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let cors = CorsLayer::builder()
//!     .allow_origins(["https://app.example.com"])
//!     .allow_credentials(true)
//!     .allow_headers(["content-type"])
//!     .build()?;
//! let preflight = || {
//!     http::Request::options("/login")
//!         .header("origin", "https://app.example.com")
//!         .header("access-control-request-method", "POST")
//!         .header("access-control-request-headers", "content-type")
//!         .body(Body::empty())
//! };
//!
//! // Broken: axum's method router refuses the OPTIONS with 405 before the
//! // layer, which wraps the POST handler only, can answer it.
//! let broken = Router::new().route("/login", post(|| async { "ok" }).route_layer(cors.clone()));
//! let res = broken.oneshot(preflight()?).await?;
//! assert_eq!(res.status(), 405);
//! assert!(res.headers().get("access-control-allow-origin").is_none());
//!
//! // Fixed: `.layer` (on the method router, or better on the whole Router).
//! let fixed = Router::new().route("/login", post(|| async { "ok" })).layer(cors);
//! let res = fixed.oneshot(preflight()?).await?;
//! assert_eq!(res.status(), 204);
//! assert_eq!(res.headers()["access-control-allow-origin"], "https://app.example.com");
//! # Ok(())
//! # }
//! ```
//!
//! # A different policy per path
//!
//! A public, read-only part of the API open to any site, and a credentialed
//! part for your own app: give each its own layer, side by side, and put no
//! CORS layer around both (an outer layer would answer every preflight
//! itself, and the inner policies would never see one).
//!
//! ## axum: one layer per nested router
//!
//! ```
//! use axum::{body::Body, routing::get, Router};
//! use strict_cors::CorsLayer;
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let public_cors = CorsLayer::builder()
//!     .allow_any_origin()
//!     .allow_methods(["GET"])
//!     .build()?;
//! let api_cors = CorsLayer::builder()
//!     .allow_origins(["https://app.example.com"])
//!     .allow_credentials(true)
//!     .allow_methods(["GET", "PUT"])
//!     .allow_headers(["authorization", "content-type"])
//!     .build()?;
//!
//! let public = Router::new().route("/prices", get(|| async { "[]" }));
//! let api = Router::new().route("/me", get(|| async { "me" }).put(|| async { "saved" }));
//! let app = Router::new()
//!     .nest("/public", public.layer(public_cors))
//!     .nest("/api", api.layer(api_cors));
//! // (`Router::merge` works the same way, with full paths in each router.)
//!
//! let get = |path: &str, origin: &str| {
//!     http::Request::get(path).header("origin", origin).body(Body::empty())
//! };
//! // Any site may read the public part; no credentials.
//! let res = app.clone().oneshot(get("/public/prices", "https://anyone.example")?).await?;
//! assert_eq!(res.headers()["access-control-allow-origin"], "*");
//! assert!(res.headers().get("access-control-allow-credentials").is_none());
//!
//! // Only the app may read the API, with credentials...
//! let res = app.clone().oneshot(get("/api/me", "https://app.example.com")?).await?;
//! assert_eq!(res.headers()["access-control-allow-origin"], "https://app.example.com");
//! assert_eq!(res.headers()["access-control-allow-credentials"], "true");
//! let res = app.clone().oneshot(get("/api/me", "https://anyone.example")?).await?;
//! assert!(res.headers().get("access-control-allow-origin").is_none());
//!
//! // ... and each part answers its own preflights.
//! let preflight = http::Request::options("/api/me")
//!     .header("origin", "https://app.example.com")
//!     .header("access-control-request-method", "PUT")
//!     .header("access-control-request-headers", "authorization")
//!     .body(Body::empty())?;
//! assert_eq!(app.clone().oneshot(preflight).await?.status(), 204);
//! let preflight = http::Request::options("/public/prices")
//!     .header("origin", "https://app.example.com")
//!     .header("access-control-request-method", "PUT")
//!     .body(Body::empty())?;
//! assert_eq!(app.oneshot(preflight).await?.status(), 403);
//! # Ok(())
//! # }
//! ```
//!
//! Under `nest`, the inner service sees the path with the prefix stripped
//! (`/me`, not `/api/me`). A path under `/api` that matches no route goes to
//! the *outer* router's fallback, outside the API's layer; give the nested
//! router its own `.fallback(…)` before its `.layer(…)` to cover it.
//!
//! ## Plain Tower or hyper: `tower::steer::Steer`
//!
//! [`Steer`](https://docs.rs/tower/latest/tower/steer/struct.Steer.html)
//! (tower feature `steer`) sends each request to one of several services of
//! the same type, picked by a function of the request. Both services here are
//! a [`Cors`](crate::Cors) around the same application:
//!
//! ```
//! use std::convert::Infallible;
//!
//! use strict_cors::CorsLayer;
//! use tower::steer::Steer;
//! use tower::{service_fn, Layer, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let app = service_fn(|req: http::Request<String>| async move {
//!     Ok::<_, Infallible>(http::Response::new(format!("you asked for {}", req.uri().path())))
//! });
//! let public_cors = CorsLayer::builder().allow_any_origin().build()?;
//! let api_cors = CorsLayer::builder()
//!     .allow_origins(["https://app.example.com"])
//!     .allow_credentials(true)
//!     .build()?;
//!
//! let service = Steer::new(
//!     [public_cors.layer(app), api_cors.layer(app)],
//!     |req: &http::Request<String>, _: &[_]| {
//!         if req.uri().path().starts_with("/public/") { 0 } else { 1 }
//!     },
//! );
//! // With hyper: `hyper_util::service::TowerToHyperService::new(service)`,
//! // one clone per connection.
//!
//! let get = |path: &str| {
//!     http::Request::get(path).header("origin", "https://anyone.example").body(String::new())
//! };
//! let res = service.clone().oneshot(get("/public/prices")?).await?;
//! assert_eq!(res.headers()["access-control-allow-origin"], "*");
//! let res = service.oneshot(get("/api/me")?).await?;
//! assert!(res.headers().get("access-control-allow-origin").is_none());
//! # Ok(())
//! # }
//! ```
//!
//! ## Plain Tower or hyper: a `match` on the path
//!
//! Without `steer`, a `service_fn` can pick the layer; the services need not
//! have the same type then:
//!
//! ```
//! use std::convert::Infallible;
//!
//! use strict_cors::CorsLayer;
//! use tower::{service_fn, Layer, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let app = service_fn(|_req: http::Request<String>| async {
//!     Ok::<_, Infallible>(http::Response::new(String::from("hello")))
//! });
//! let public = CorsLayer::builder().allow_any_origin().build()?.layer(app);
//! let api = CorsLayer::builder()
//!     .allow_origins(["https://app.example.com"])
//!     .allow_credentials(true)
//!     .allow_methods(["DELETE"])
//!     .build()?
//!     .layer(app);
//!
//! let service = service_fn(move |req: http::Request<String>| {
//!     let (public, api) = (public.clone(), api.clone());
//!     async move {
//!         match req.uri().path() {
//!             p if p.starts_with("/public/") => public.oneshot(req).await,
//!             _ => api.oneshot(req).await,
//!         }
//!     }
//! });
//!
//! let preflight = http::Request::options("/api/me")
//!     .header("origin", "https://app.example.com")
//!     .header("access-control-request-method", "DELETE")
//!     .body(String::new())?;
//! let res = service.clone().oneshot(preflight).await?;
//! assert_eq!(res.status(), 204);
//! assert_eq!(res.headers()["access-control-allow-credentials"], "true");
//! let res = service
//!     .oneshot(http::Request::get("/public/x").header("origin", "https://anyone.example").body(String::new())?)
//!     .await?;
//! assert_eq!(res.headers()["access-control-allow-origin"], "*");
//! # Ok(())
//! # }
//! ```
//!
//! # Order of layers (`ServiceBuilder`)
//!
//! In a [`ServiceBuilder`](https://docs.rs/tower/latest/tower/struct.ServiceBuilder.html)
//! the first layer is the outermost. Put CORS outside auth, sessions,
//! compression and anything that can answer on its own; tracing may sit
//! outside CORS (it then records preflights too):
//!
//! ```
//! use axum::{body::Body, routing::get, Router};
//! use strict_cors::CorsLayer;
//! use tower::{ServiceBuilder, ServiceExt};
//! use tower_http::{compression::CompressionLayer, trace::TraceLayer};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let cors = CorsLayer::builder()
//!     .allow_origins(["https://app.example.com"])
//!     .allow_credentials(true)
//!     .allow_methods(["PUT"])
//!     .build()?;
//! let app = Router::new().route("/me", get(|| async { "me" })).layer(
//!     ServiceBuilder::new()
//!         .layer(TraceLayer::new_for_http())
//!         .layer(cors)
//!         .layer(CompressionLayer::new()), // then auth, sessions, ...
//! );
//! let preflight = http::Request::options("/me")
//!     .header("origin", "https://app.example.com")
//!     .header("access-control-request-method", "PUT")
//!     .body(Body::empty())?;
//! assert_eq!(app.oneshot(preflight).await?.status(), 204);
//! # Ok(())
//! # }
//! ```
//!
//! The layer answers preflights with an empty body of the inner service's
//! body type, so that type must implement `Default`. `TraceLayer`'s body does
//! not: in a single `ServiceBuilder`, CORS directly outside `TraceLayer` does
//! not build (*"the trait bound `ResponseBody<…>: Default` is not
//! satisfied"*). Put tracing outside CORS as above, or, in axum, use separate
//! `Router::layer` calls (each one turns the body back into axum's `Body`):
//! `.layer(TraceLayer::new_for_http()).layer(cors)`.
//!
//! ```compile_fail
//! # use axum::{routing::get, Router};
//! # use tower::ServiceBuilder;
//! # use tower_http::trace::TraceLayer;
//! # let cors = strict_cors::CorsLayer::builder().allow_any_origin().build().unwrap();
//! let app: Router = Router::new()
//!     .route("/", get(|| async { "" }))
//!     .layer(ServiceBuilder::new().layer(cors).layer(TraceLayer::new_for_http()));
//! ```
