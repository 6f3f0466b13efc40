//! Tower middleware for CORS done right for **credentialed** APIs: cookie
//! sessions and `Authorization` headers sent from a browser app on one origin
//! to an API on another.
//!
//! The promise: *if it builds, the browser does exactly what the
//! configuration says, and a wrong configuration never builds.*
//! [`CorsBuilder::build`] returns a [`ConfigError`] listing every problem
//! (wildcard origin with credentials, an origin with a trailing slash, a
//! forbidden header, …), each with the offending value and a fix; it never
//! panics.
//!
//! # Example (axum)
//!
//! ```
//! use std::time::Duration;
//!
//! use axum::{routing::get, Router};
//! use strict_cors::CorsLayer;
//! use tower::ServiceExt; // for `oneshot`
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let cors = CorsLayer::builder()
//!     .allow_origins(["https://app.example.com", "http://localhost:3000"])
//!     .allow_credentials(true)
//!     .allow_methods(["GET", "POST", "PUT", "DELETE"])
//!     .allow_headers(["content-type", "authorization"])
//!     .expose_headers(["x-request-id"])
//!     .max_age(Duration::from_secs(600))
//!     .build()?; // Err lists every configuration problem
//!
//! let app = Router::new()
//!     .route("/me", get(|| async { "hello" }))
//!     .layer(cors);
//!
//! // A browser's preflight for `PUT /me` with `Authorization`: answered by the
//! // layer itself (204), before routing or auth can get in the way.
//! let preflight = http::Request::options("/me")
//!     .header("origin", "https://app.example.com")
//!     .header("access-control-request-method", "PUT")
//!     .header("access-control-request-headers", "authorization")
//!     .body(axum::body::Body::empty())?;
//! let response = app.clone().oneshot(preflight).await?;
//! assert_eq!(response.status(), 204);
//! assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
//! assert_eq!(response.headers()["access-control-allow-credentials"], "true");
//!
//! // Serve it as usual:
//! // let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! // axum::serve(listener, app).await?;
//! # Ok(())
//! # }
//! ```
//!
//! Mount it with `Router::layer` (not `route_layer`), outside auth: see [`recipes`].
//!
//! A wrong configuration does not build:
//!
//! ```
//! use strict_cors::{ConfigProblem, CorsLayer};
//!
//! let err = CorsLayer::builder()
//!     .allow_origins(["https://app.example.com/"]) // trailing slash
//!     .allow_credentials(true)
//!     .allow_headers(["cookie"])                   // scripts can't set it
//!     .build()
//!     .unwrap_err();
//! assert_eq!(err.problems().len(), 2);
//! println!("{err}");
//! // origin "https://app.example.com/" has a path (...); did you mean "https://app.example.com"?
//! // allow_headers: "cookie" is a forbidden request header that scripts can never set (...); remove it
//! ```
//!
//! # What the layer answers
//!
//! Requests are classified as the
//! [CORS protocol](https://fetch.spec.whatwg.org/#http-cors-protocol) does, in this order:
//! no `Origin` header (or more than one) is not a CORS request; `OPTIONS`
//! with `Origin` and `Access-Control-Request-Method` is a
//! [preflight](https://fetch.spec.whatwg.org/#cors-preflight-request);
//! anything else with `Origin` (a plain `OPTIONS` too) is an actual request.
//!
//! | request | the layer's answer | inner service called? |
//! |---|---|---|
//! | no `Origin` (or several) | the inner response + `Vary: origin`, with every `Access-Control-*` response header it set removed; an any-origin policy sends `Access-Control-Allow-Origin: *` and the configured expose list instead, and no `Vary` | yes |
//! | preflight, allowed (origin allowed; method allowed or [safelisted](https://fetch.spec.whatwg.org/#cors-safelisted-method); every requested header allowed) | `204`, `Access-Control-Allow-Origin: <origin>` (or `*`), `-Allow-Credentials: true` (if enabled), `-Allow-Methods: <requested method>`, `-Allow-Headers: <requested names>` (if any), `-Max-Age` (if set), `-Allow-Private-Network: true` (if enabled and asked), `Vary: origin, access-control-request-method, access-control-request-headers` (and `access-control-request-private-network` with `allow_private_network(true)`); empty body | **no** |
//! | preflight, refused (origin, method or a header not allowed; malformed) | `403`, the same `Vary`, no `Access-Control-*` header; empty body | **no** |
//! | preflight refused for its method or headers, in [debug mode](CorsBuilder::debug) | `204` with `Access-Control-Allow-Origin`, `-Allow-Credentials` (if enabled) and the configured `-Allow-Methods` / `-Allow-Headers`, so that the console names what is missing; still a refusal | **no** |
//! | actual request, allowed origin | the inner response, whatever its status (2xx, 401, 500), + `Access-Control-Allow-Origin: <origin>`, `-Allow-Credentials: true` (if enabled), `-Expose-Headers` (if set), `Vary: origin`; a header of these names the inner service set is replaced, never duplicated ([CORS check](https://fetch.spec.whatwg.org/#cors-check)), and any other `Access-Control-*` response header it set is removed | yes |
//! | actual request, refused origin | the inner response + `Vary: origin`, with every `Access-Control-*` response header it set removed (CORS decides who may *read*, not who may *send*) | yes |
//! | a write (not `GET`/`HEAD`/`OPTIONS`) or a WebSocket handshake refused by the [CSRF guard](CorsBuilder::csrf_protection) (opt-in): another site, per [`Sec-Fetch-Site`](https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-site-header) or [`Origin`](https://www.rfc-editor.org/rfc/rfc6454#section-7), not in the allowlist | `403`, `Vary: origin`, no `Access-Control-*` header; empty body | **no** |
//!
//! In debug mode every refusal also carries `x-cors-debug: <reason>: <value>`.
//! `Vary` is merged into the inner response's, never repeated, and left alone
//! when it is `*` ([RFC 9110 §12.5.5](https://www.rfc-editor.org/rfc/rfc9110#section-12.5.5);
//! [Fetch, "CORS protocol and HTTP caches"](https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches)).
//! An `Err` from the inner service passes through unchanged.
//!
//! Each row is one shape of [`Decision`]: [`CorsLayer::evaluate`] (or
//! [`CorsLayer::evaluate_request`]) returns it without running the request,
//! and the service sends exactly what it says.
//!
//! Decisions written down where the standard leaves room:
//!
//! - The layer owns the `Access-Control-*` response namespace on every
//!   response it passes, allowed, refused, without `Origin` or under an
//!   any-origin policy ([Fetch, HTTP responses](https://fetch.spec.whatwg.org/#http-responses)):
//!   what the inner service set under `Access-Control-Allow-Origin`,
//!   `-Allow-Credentials`, `-Expose-Headers`, `-Allow-Methods`,
//!   `-Allow-Headers`, `-Max-Age` or `-Allow-Private-Network` is replaced by
//!   the configured value or removed, every line of it, so the browser always
//!   sees exactly one, configured, value, and a shared cache never stores an
//!   inner service's stray `Access-Control-Allow-Origin: *` next to
//!   credentials. Not removed: `Vary` (merged), `x-cors-debug` outside debug
//!   mode, and every other header.
//! - A response whose header map is full (`http`'s `HeaderMap` holds at most
//!   24,576 distinct names) never panics the layer: when its headers do not
//!   fit, it fails closed and the response passes with no
//!   `Access-Control-*` header at all, so the browser grants nothing. A
//!   preflight is answered with a map of the layer's own and cannot be
//!   affected.
//! - `Access-Control-Request-Method` longer than 64 bytes is refused.
//! - `Vary: origin` is added as a line of its own when the inner service set
//!   other `Vary` names (HTTP reads all lines as one list); it is never
//!   repeated, and a `Vary: *` is left alone.
//! - Origins are matched byte for byte against the normalised allowlist (a
//!   hash lookup): `https://APP.example.com` or `https://app.example.com:443`
//!   in a request do not match, since browsers never send them.
//! - [`Access-Control-Request-Headers`](https://fetch.spec.whatwg.org/#http-access-control-request-headers)
//!   is parsed in one pass, without allocating, over all its lines. It is refused (`403`) past 16 KiB or 16
//!   lines, past more names than the allowlist holds (browsers never repeat a
//!   name; 128 names for `*`), past 16 empty list elements, or when a name is
//!   not a token.
//! - Methods are case-sensitive, as in Fetch (`patch` is not `PATCH`;
//!   [RFC 9110 §9.1](https://www.rfc-editor.org/rfc/rfc9110#section-9.1)); the
//!   six methods `fetch()` [normalises](https://fetch.spec.whatwg.org/#concept-method-normalize)
//!   are upper-cased in the configuration.
//! - A configured header value is rendered once, at `build()`.
//!
//! To ask the policy what it would do with a request, and why, without
//! running it, see [`CorsLayer::evaluate`] and [`Decision`].
//!
//! # Operations
//!
//! - A cross-site request forgery guard from the same allowlist (opt-in):
//!   [`CorsBuilder::csrf_protection`], with [`CorsBuilder::csrf_exempt_paths`]
//!   for webhooks and identity-provider callbacks.
//! - Subdomain patterns, exact all the same, whose `*` never spans a public
//!   suffix, and any-port patterns on loopback hosts for dev servers:
//!   [`CorsBuilder::allow_origin_patterns`] (`https://*.example.com`,
//!   `http://localhost:*`).
//! - App webviews and browser extensions as exact origins (`tauri://localhost`,
//!   `capacitor://localhost`, `chrome-extension://<id>`, …):
//!   [`CorsBuilder::allow_origins`].
//! - Configuration from `CORS_*` environment variables:
//!   [`CorsBuilder::from_env`]; from a file with the `serde` feature:
//!   [`CorsConfig`]. Problems name the variable or field they come from.
//! - The running configuration as data, for a startup log line or an admin
//!   endpoint: [`CorsLayer::config`] and [`CorsHandle::config`] (a
//!   [`CorsConfig`] that builds the same layer again).
//! - Live reconfiguration: [`CorsBuilder::build_reloadable`] and
//!   [`CorsHandle::reconfigure`]; an invalid configuration is refused and the
//!   running one stays.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cell;
mod config;
mod diagnostics;
mod edit_distance;
mod error;
mod layer;
mod origin;
mod protocol;
pub mod recipes;
mod reload;
mod service;

pub use config::{CorsBuilder, CorsConfig, MAX_AGE_LIMIT};
pub use error::{ConfigError, ConfigProblem, EnvVarDefect, HeaderSetting, OriginDefect};
pub use layer::CorsLayer;
pub use protocol::{Decision, Rejection, RequestKind};
pub use reload::CorsHandle;
pub use service::{Cors, ResponseFuture};
