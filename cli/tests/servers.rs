//! `strict-cors check` against real CORS layers: strict-cors (readable when
//! configured right, and its refusals explained) and tower-http's
//! `CorsLayer` (its 200 to every `OPTIONS`, `*` with credentials).

mod support;

use std::convert::Infallible;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use support::{check_json, serve_tower, Seen, Server};
use tower::{service_fn, Layer};

const APP: &str = "http://localhost:3000";

/// The app behind the layer: records what reaches it, answers 200 with an
/// `x-request-id` (401 without `authorization` on `PUT`).
macro_rules! app {
    ($record:expr) => {{
        let record = $record;
        service_fn(move |req: Request<Incoming>| {
            record.lock().unwrap().push(Seen {
                method: req.method().clone(),
                path: req.uri().path().to_string(),
                headers: req.headers().clone(),
            });
            let status =
                if req.method() == Method::PUT && !req.headers().contains_key(AUTHORIZATION) {
                    401
                } else {
                    200
                };
            async move {
                Ok::<_, Infallible>(
                    Response::builder()
                        .status(status)
                        .header("x-request-id", "7")
                        .body(Full::new(Bytes::from_static(b"{}")))
                        .unwrap(),
                )
            }
        })
    }};
}

fn strict_cors_server(builder: strict_cors::CorsBuilder) -> Server {
    let layer = builder.build().unwrap();
    serve_tower(move |record| layer.layer(app!(record)))
}

fn credentialed() -> strict_cors::CorsBuilder {
    strict_cors::CorsLayer::builder()
        .allow_origins([APP])
        .allow_credentials(true)
        .allow_methods(["GET", "PUT"])
        .allow_headers(["content-type", "authorization"])
        .expose_headers(["x-request-id"])
}

#[test]
fn strict_cors_configured_right_is_readable() {
    let s = strict_cors_server(credentialed());
    let (r, v) = check_json(
        &s.url("/me"),
        APP,
        &["--credentials", "--read-header", "x-request-id"],
    );
    assert_eq!(r.code, 0, "{v:#}");
    assert_eq!(v["verdict"], "readable");
    assert_eq!(v["warnings"].as_array().unwrap().len(), 0, "{v:#}");
    assert!(v["readable_headers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h == "x-request-id"));

    let (r, v) = check_json(
        &s.url("/me"),
        APP,
        &[
            "--method",
            "PUT",
            "-H",
            "authorization: Bearer t",
            "-H",
            "content-type: application/json",
            "--credentials",
            "--send",
        ],
    );
    assert_eq!(r.code, 0, "{v:#}");
    assert_eq!(v["preflight"]["status"], 204);
    assert_eq!(v["status"], 200);
    assert_eq!(
        s.count("OPTIONS"),
        0,
        "strict-cors answers preflights itself"
    );
    assert_eq!(s.count("PUT"), 1);
}

#[test]
fn strict_cors_refusals_name_what_to_allow() {
    let s = strict_cors_server(credentialed());
    let (r, v) = check_json(
        &s.url("/me"),
        APP,
        &["--method", "DELETE", "-H", "x-token: 1", "--credentials"],
    );
    assert_eq!(r.code, 1, "{v:#}");
    assert_eq!(v["failure"], "preflight_status");
    assert_eq!(v["preflight"]["status"], 403);
    assert!(v["summary"]
        .as_str()
        .unwrap()
        .contains("how strict-cors refuses a preflight"));
    assert_eq!(
        v["fix"]["strict_cors"],
        format!(
            ".allow_origins([\"{APP}\"]).allow_methods([\"DELETE\"]).allow_headers([\"x-token\"])"
        )
    );
    assert_eq!(s.seen().len(), 0, "nothing reached the app");

    let (r, v) = check_json(&s.url("/me"), "https://evil.example", &["--credentials"]);
    assert_eq!(r.code, 1);
    assert_eq!(v["failure"], "no_allow_origin");
    assert_eq!(
        v["fix"]["strict_cors"],
        ".allow_origins([\"https://evil.example\"])"
    );
}

#[test]
fn strict_cors_any_origin_with_a_credentialed_page() {
    let s = strict_cors_server(strict_cors::CorsLayer::builder().allow_any_origin());
    let (r, v) = check_json(&s.url("/me"), APP, &[]);
    assert_eq!(r.code, 0, "{v:#}");
    let (r, v) = check_json(&s.url("/me"), APP, &["--credentials"]);
    assert_eq!(r.code, 1);
    assert_eq!(v["failure"], "wildcard_with_credentials");
}

fn tower_http_server(layer: tower_http::cors::CorsLayer) -> Server {
    serve_tower(move |record| layer.layer(app!(record)))
}

#[test]
fn tower_http_answers_200_to_every_options() {
    let s = tower_http_server(
        tower_http::cors::CorsLayer::new()
            .allow_origin(tower_http::cors::AllowOrigin::list([
                HeaderValue::from_static(APP),
            ]))
            .allow_credentials(true)
            .allow_methods([Method::GET])
            .allow_headers([CONTENT_TYPE]),
    );
    // A refused origin still gets 200 on OPTIONS, without the CORS headers:
    // the preflight fails on Access-Control-Allow-Origin, not the status.
    let (r, v) = check_json(
        &s.url("/me"),
        "https://evil.example",
        &["--method", "PUT", "--credentials"],
    );
    assert_eq!(r.code, 1, "{v:#}");
    assert_eq!(v["preflight"]["status"], 200);
    assert_eq!(v["failure"], "no_allow_origin");
    assert_eq!(v["failed_in"], "preflight");
    assert!(v["console"].as_str().unwrap().contains("Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."));

    // The right origin with a method and a header it never checked.
    let (r, v) = check_json(&s.url("/me"), APP, &["--method", "PUT", "--credentials"]);
    assert_eq!(r.code, 1);
    assert_eq!(v["preflight"]["status"], 200);
    assert_eq!(v["failure"], "method_not_allowed");
    assert_eq!(
        v["fix"]["strict_cors"],
        ".allow_methods([\"GET\", \"PUT\"])"
    );
    let (r, v) = check_json(&s.url("/me"), APP, &["-H", "x-token: 1", "--credentials"]);
    assert_eq!(r.code, 1);
    assert_eq!(v["failure"], "header_not_allowed");
    assert!(v["console"]
        .as_str()
        .unwrap()
        .contains("Request header field x-token"));
    assert_eq!(s.count("OPTIONS"), 0);
}

#[test]
fn tower_http_exact_origin_is_sent_to_every_origin() {
    let s = tower_http_server(
        tower_http::cors::CorsLayer::new().allow_origin(HeaderValue::from_static(APP)),
    );
    let (r, v) = check_json(&s.url("/me"), "https://other.example", &[]);
    assert_eq!(r.code, 1);
    assert_eq!(v["failure"], "allow_origin_mismatch");
    assert!(v["summary"].as_str().unwrap().contains("is another origin"));
    let (r, v) = check_json(&s.url("/me"), APP, &[]);
    assert_eq!(r.code, 0, "{v:#}");
}

#[test]
fn tower_http_wildcards_with_credentials() {
    // allow_origin(Any) on an API whose page sends cookies.
    let s = tower_http_server(
        tower_http::cors::CorsLayer::new()
            .allow_origin(tower_http::cors::Any)
            .allow_headers(tower_http::cors::Any),
    );
    let (r, v) = check_json(&s.url("/me"), APP, &["--credentials"]);
    assert_eq!(r.code, 1);
    assert_eq!(v["failure"], "wildcard_with_credentials");
    // allow_headers(Any) covers authorization in today's browsers, which
    // the standard forbids: readable, with the warning.
    let (r, v) = check_json(&s.url("/me"), APP, &["-H", "authorization: Bearer t"]);
    assert_eq!(r.code, 0, "{v:#}");
    assert_eq!(v["warnings"][0]["code"], "authorization_under_wildcard");
}

#[test]
fn tower_http_mirror_request_with_credentials_is_caught_by_the_probe() {
    let s = tower_http_server(
        tower_http::cors::CorsLayer::new()
            .allow_origin(tower_http::cors::AllowOrigin::mirror_request())
            .allow_credentials(true),
    );
    let (r, v) = check_json(&s.url("/me"), APP, &["--credentials"]);
    assert_eq!(r.code, 0, "{v:#}");
    assert!(
        v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == "reflects_any_origin"),
        "{v:#}"
    );
}

#[test]
fn strict_cors_passes_the_probe() {
    let s = strict_cors_server(credentialed());
    let (r, v) = check_json(&s.url("/me"), APP, &["--credentials"]);
    assert_eq!(r.code, 0);
    assert!(
        v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["kind"] == "pass"
                && s["text"]
                    .as_str()
                    .unwrap()
                    .contains("refused: the server checks the origin")),
        "{v:#}"
    );
}
