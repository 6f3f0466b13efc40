//! Diagnostics: tracing events for refused requests (fields, levels, no
//! secrets), debug mode's self-explaining preflights, the cookie audit and the
//! decision API.
#![cfg(feature = "tracing")]

#[path = "support/capture.rs"]
mod capture;
mod support;

use capture::{capture, Captured};
use http::{Method, Request, StatusCode};
use strict_cors::{CorsBuilder, CorsLayer, Rejection, RequestKind};
use support::harness::{App, Server};
use support::model::{Browser, Failure, FetchRequest, Outcome};
use tracing::Level;

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example.net";

fn builder() -> CorsBuilder {
    CorsLayer::builder()
        .allow_origins([APP, "http://localhost:3000"])
        .allow_credentials(true)
        .allow_methods(["PUT", "DELETE"])
        .allow_headers(["content-type", "authorization"])
}

fn preflight(origin: &str, method: &str, headers: Option<&str>) -> Request<()> {
    let mut b = Request::builder()
        .method(Method::OPTIONS)
        .uri("/me")
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("authorization", "Bearer SECRET-TOKEN")
        .header("cookie", "sid=SECRET-COOKIE");
    if let Some(h) = headers {
        b = b.header("access-control-request-headers", h);
    }
    b.body(()).unwrap()
}

fn get(origin: &str) -> Request<()> {
    Request::get("/me")
        .header("origin", origin)
        .header("host", "api.example.com")
        .header("authorization", "Bearer SECRET-TOKEN")
        .header("cookie", "sid=SECRET-COOKIE")
        .body(())
        .unwrap()
}

fn send(layer: &CorsLayer, app: App, req: Request<()>) -> (http::Response<()>, Vec<Captured>) {
    let mut server = Server::new(layer, app);
    let mut res = None;
    let events = capture(|| res = Some(server.send(req)));
    (res.unwrap(), events)
}

fn no_secrets(events: &[Captured]) {
    for e in events {
        for (k, v) in &e.fields {
            assert!(!v.contains("SECRET"), "{k}={v} leaks a secret");
        }
    }
}

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

#[test]
fn unknown_origin_is_one_debug_event_with_its_fields() {
    let layer = builder().build().unwrap();
    let (_, events) = send(&layer, App::ok(), get(EVIL));
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(e.level, Level::DEBUG);
    assert_eq!(e.fields["reason"], "origin_not_allowed");
    assert_eq!(e.fields["origin"], EVIL);
    assert_eq!(e.fields["method"], "GET");
    assert_eq!(e.fields["preflight"], "false");
    no_secrets(&events);
}

#[test]
fn unknown_origin_level_is_configurable() {
    let layer = builder().unknown_origin_level(Level::WARN).build().unwrap();
    let (_, events) = send(&layer, App::ok(), preflight(EVIL, "PUT", None));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].level, Level::WARN);
    assert_eq!(events[0].fields["preflight"], "true");
    assert_eq!(events[0].fields["requested_method"], "PUT");
}

#[test]
fn method_and_header_refusals_name_the_offender_at_info() {
    let layer = builder().build().unwrap();
    let (res, events) = send(
        &layer,
        App::ok(),
        preflight(APP, "PUT", Some("content-type,x-token")),
    );
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].level, Level::INFO);
    assert_eq!(events[0].fields["reason"], "header_not_allowed");
    assert_eq!(events[0].fields["header"], "x-token");
    assert_eq!(events[0].fields["origin"], APP);
    no_secrets(&events);

    let (_, events) = send(&layer, App::ok(), preflight(APP, "PATCH", None));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].level, Level::INFO);
    assert_eq!(events[0].fields["reason"], "method_not_allowed");
    assert_eq!(events[0].fields["requested_method"], "PATCH");
}

#[test]
fn malformed_input_is_a_warning() {
    let layer = builder().build().unwrap();
    let (_, events) = send(&layer, App::ok(), preflight(APP, "PUT", Some("a b")));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].level, Level::WARN);
    assert_eq!(events[0].fields["reason"], "malformed_headers");

    let (_, events) = send(&layer, App::ok(), preflight(APP, "GE T", None));
    assert_eq!(events[0].level, Level::WARN);
    assert_eq!(events[0].fields["reason"], "invalid_method");
    // Request bytes are escaped and bounded in events.
    let (_, events) = send(&layer, App::ok(), preflight(&"x".repeat(1000), "PUT", None));
    assert!(events[0].fields["origin"].ends_with("...(1000 bytes)"));

    let mut req = get(APP);
    req.headers_mut()
        .append("origin", http::HeaderValue::from_static(EVIL));
    let (_, events) = send(&layer, App::ok(), req);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].level, Level::WARN);
    assert_eq!(events[0].fields["reason"], "multiple_origins");
}

#[test]
fn allowed_requests_are_silent() {
    let layer = builder().build().unwrap();
    for req in [
        get(APP),
        preflight(APP, "PUT", Some("authorization")),
        Request::get("/").body(()).unwrap(),
    ] {
        let (_, events) = send(&layer, App::ok(), req);
        assert!(events.is_empty(), "{events:?}");
    }
}

// ---------------------------------------------------------------------------
// Cookie audit
// ---------------------------------------------------------------------------

fn app_setting(cookie: &str) -> App {
    App {
        status: None,
        headers: vec![("set-cookie".into(), cookie.into())],
    }
}

#[test]
fn samesite_none_without_secure_warns_by_name_not_value() {
    let layer = builder().build().unwrap();
    let (_, events) = send(
        &layer,
        app_setting("sid=SECRET-VALUE; HttpOnly; SameSite=None"),
        get(APP),
    );
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].level, Level::WARN);
    assert_eq!(
        events[0].fields["reason"],
        "cookie_samesite_none_without_secure"
    );
    assert_eq!(events[0].fields["cookie"], "sid");
    assert!(events[0].fields["message"].contains("add `Secure`"));
    no_secrets(&events);
}

#[test]
fn lax_cookie_on_a_cross_site_response_warns() {
    let layer = builder().build().unwrap();
    let mut req = get("http://localhost:3000");
    req.headers_mut()
        .insert("host", http::HeaderValue::from_static("127.0.0.1:8080"));
    let (_, events) = send(&layer, app_setting("sid=1; HttpOnly; Secure"), req);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].fields["reason"], "cookie_not_sent_cross_site");
    // Same site (app. and api.example.com): Lax cookies are sent; no warning.
    let (_, events) = send(&layer, app_setting("sid=1; SameSite=Lax; Secure"), get(APP));
    assert!(events.is_empty(), "{events:?}");
    // A good cross-site cookie: no warning.
    let mut req = get("http://localhost:3000");
    req.headers_mut()
        .insert("host", http::HeaderValue::from_static("127.0.0.1:8080"));
    let (_, events) = send(&layer, app_setting("sid=1; SameSite=None; Secure"), req);
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn cookie_warnings_are_rate_limited() {
    let layer = builder().build().unwrap();
    let mut server = Server::new(&layer, app_setting("sid=1; SameSite=None"));
    let events = capture(|| {
        for _ in 0..500 {
            server.send(get(APP));
        }
    });
    assert_eq!(events.len(), 1, "a hot endpoint must not flood the logs");
}

#[test]
fn no_audit_without_credentials_or_for_refused_origins() {
    let layer = CorsLayer::builder().allow_origins([APP]).build().unwrap();
    let (_, events) = send(&layer, app_setting("sid=1; SameSite=None"), get(APP));
    assert!(events.is_empty(), "{events:?}");
    let layer = builder().build().unwrap();
    let (_, events) = send(&layer, app_setting("sid=1; SameSite=None"), get(EVIL));
    assert!(events
        .iter()
        .all(|e| e.fields["reason"] == "origin_not_allowed"));
}

// ---------------------------------------------------------------------------
// Debug mode
// ---------------------------------------------------------------------------

fn browser_sees(layer: &CorsLayer, req: &FetchRequest) -> Outcome {
    let mut server = Server::new(layer, App::ok());
    Browser::new().fetch(req, &mut |q| server.send(q)).0
}

#[test]
fn debug_mode_names_the_missing_header_to_the_browser() {
    let layer = builder().debug(true).build().unwrap();
    let mut server = Server::new(&layer, App::ok());
    let res = server.send(preflight(APP, "PUT", Some("content-type,x-token")));
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], APP);
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert_eq!(h["access-control-allow-methods"], "PUT, DELETE");
    assert_eq!(
        h["access-control-allow-headers"],
        "authorization, content-type"
    );
    assert_eq!(h["x-cors-debug"], "header_not_allowed: x-token");
    assert!(
        h.get("access-control-max-age").is_none(),
        "a hint is never cached"
    );
    assert_eq!(server.app_calls(), 0);
    // The browser still refuses, now naming the header.
    let req = FetchRequest::new(APP, "https://api.example.com/me", "PUT")
        .credentials(true)
        .header("x-token", "1");
    assert_eq!(
        browser_sees(&layer, &req),
        Outcome::Blocked(Failure::HeaderNotAllowed("x-token".into()))
    );
}

#[test]
fn debug_mode_names_the_missing_method_to_the_browser() {
    let layer = builder().debug(true).build().unwrap();
    let req = FetchRequest::new(APP, "https://api.example.com/me", "PATCH").credentials(true);
    assert_eq!(
        browser_sees(&layer, &req),
        Outcome::Blocked(Failure::MethodNotAllowed("PATCH".into()))
    );
    let mut server = Server::new(&layer, App::ok());
    let res = server.send(preflight(APP, "PATCH", None));
    assert_eq!(res.headers()["x-cors-debug"], "method_not_allowed: PATCH");
}

#[test]
fn debug_mode_never_allows_an_unknown_origin() {
    let layer = builder().debug(true).build().unwrap();
    let mut server = Server::new(&layer, App::ok());
    let res = server.send(preflight(EVIL, "PATCH", Some("x-token")));
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers().get("access-control-allow-origin").is_none());
    assert_eq!(
        res.headers()["x-cors-debug"],
        "origin_not_allowed: https://evil.example.net"
    );
    let res = server.send(get(EVIL));
    assert!(res.headers().get("access-control-allow-origin").is_none());
    assert_eq!(
        res.headers()["x-cors-debug"],
        "origin_not_allowed: https://evil.example.net"
    );
    let res = server.send(preflight(APP, "PUT", Some("a b")));
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(res.headers()["x-cors-debug"], "malformed_headers");
}

#[test]
fn without_debug_mode_there_is_no_reason_header() {
    let layer = builder().build().unwrap();
    let mut server = Server::new(&layer, App::ok());
    for req in [preflight(APP, "PUT", Some("x-token")), get(EVIL)] {
        let res = server.send(req);
        assert!(res.headers().get("x-cors-debug").is_none());
    }
}

// ---------------------------------------------------------------------------
// Decision API
// ---------------------------------------------------------------------------

#[test]
fn decisions_explain_themselves() {
    let layer = builder().build().unwrap();
    let parts = |req: Request<()>| req.into_parts().0;
    let d = layer.evaluate(&parts(preflight(APP, "PUT", Some("x-token"))));
    assert_eq!(d.kind(), RequestKind::Preflight);
    assert_eq!(d.rejection(), Some(Rejection::HeaderNotAllowed));
    assert_eq!(d.status(), Some(http::StatusCode::FORBIDDEN));
    assert!(!d.calls_inner() && !d.is_debug_hint());
    assert_eq!(
        d.rejection().map(Rejection::code),
        Some("header_not_allowed")
    );
    assert_eq!(
        d.to_string(),
        "preflight refused: a requested header is not allowed"
    );
    assert!(d.is_preflight() && !d.is_allowed());

    let d = layer.evaluate(&parts(get(APP)));
    assert_eq!(d.allow_origin().unwrap(), APP);
    assert!(d.is_allowed() && !d.is_preflight() && d.calls_inner());
    assert_eq!(d.to_string(), "cross-origin request allowed");

    let d = layer.evaluate(&parts(preflight(APP, "PUT", Some("authorization"))));
    assert!(d.is_preflight() && d.is_allowed(), "{d:?}");
    assert_eq!(d.status(), Some(http::StatusCode::NO_CONTENT));
    assert_eq!(d.allow_origin().unwrap(), APP);
    assert_eq!(
        d.header(&"access-control-allow-methods".parse().unwrap())
            .unwrap(),
        "PUT"
    );
    assert_eq!(
        d.header(&"access-control-allow-headers".parse().unwrap())
            .unwrap(),
        "authorization"
    );
    assert!(d
        .header(&"access-control-allow-private-network".parse().unwrap())
        .is_none());

    let d = layer.evaluate(&parts(Request::get("/").body(()).unwrap()));
    assert_eq!(d.kind(), RequestKind::NotCors);
    assert!(d.is_allowed() && d.calls_inner());
    assert_eq!(d.rejection(), None);
}

// ---------------------------------------------------------------------------
// The CSRF guard's refusals
// ---------------------------------------------------------------------------

#[test]
fn csrf_refusals_are_warnings_with_their_own_codes_and_no_secrets() {
    let layer = builder().csrf_protection(true).build().unwrap();
    let post = |origin: &str, site: Option<&str>| {
        let mut req = get(origin);
        *req.method_mut() = Method::POST;
        if let Some(site) = site {
            req.headers_mut()
                .insert("sec-fetch-site", site.parse().unwrap());
        }
        req
    };
    for (req, code) in [
        (post(EVIL, Some("cross-site")), "csrf_cross_site"),
        (post(EVIL, None), "csrf_origin_mismatch"),
        (post("null", None), "csrf_null_origin"),
    ] {
        let (res, events) = send(&layer, App::ok(), req);
        assert_eq!(res.status(), 403);
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].level, Level::WARN);
        assert_eq!(events[0].fields["reason"], code);
        no_secrets(&events);
    }
    // Several `Origin` headers on a write: the refusal's event, not the
    // plain `multiple_origins` one.
    let mut req = post(APP, None);
    req.headers_mut()
        .append("origin", http::HeaderValue::from_static(EVIL));
    let (res, events) = send(&layer, App::ok(), req);
    assert_eq!(res.status(), 403);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].fields["reason"], "csrf_origin_mismatch");
    // A same-origin write passes the guard: at most the usual `DEBUG`
    // event of an origin outside the CORS allowlist (browsers send `Origin`
    // on same-origin POSTs too).
    let (res, events) = send(&layer, App::ok(), post("https://api.example.com", None));
    assert_eq!(res.status(), 200);
    assert!(
        events
            .iter()
            .all(|e| e.level == Level::DEBUG && e.fields["reason"] == "origin_not_allowed"),
        "{events:?}"
    );
}
