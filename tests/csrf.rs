//! The cross-site request forgery guard (DESIGN §6): its order of rules as a
//! table, its answer through the service (403, empty body, inner service
//! never called, no `Access-Control-*` header), its configuration (builder,
//! environment, `CorsConfig`), and properties over arbitrary requests.

use std::cell::Cell;
use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_util::task::noop_waker;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use proptest::prelude::*;
use strict_cors::{ConfigProblem, CorsBuilder, CorsLayer, Rejection, RequestKind};
use tower::{Layer, Service};

const APP: &str = "https://app.example.com";

fn guarded() -> CorsBuilder {
    CorsLayer::builder()
        .allow_origins([APP])
        .allow_origin_patterns(["https://*.trusted.example.com"])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .csrf_protection(true)
        .csrf_exempt_paths(["/webhooks/", "/oauth/callback"])
}

fn layer() -> CorsLayer {
    guarded().build().unwrap()
}

/// A request: method, path, then header pairs.
fn req(method: &str, path: &str, headers: &[(&str, &str)]) -> Request<()> {
    let mut b = Request::builder().method(method).uri(path);
    for (n, v) in headers {
        b = b.header(*n, *v);
    }
    b.body(()).unwrap()
}

#[derive(Clone)]
struct Counting(Rc<Cell<usize>>);

impl Service<Request<()>> for Counting {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _req: Request<()>) -> Self::Future {
        self.0.set(self.0.get() + 1);
        ready(Ok(Response::new("handler ran".to_owned())))
    }
}

/// Sends `req` through `layer` to a counting inner service: the response
/// and whether the inner service ran.
fn send(layer: &CorsLayer, req: Request<()>) -> (Response<String>, bool) {
    let calls = Rc::new(Cell::new(0));
    let mut svc = layer.layer(Counting(calls.clone()));
    let waker = noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut fut = std::pin::pin!(svc.call(req));
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(res)) => (res, calls.get() == 1),
        Poll::Ready(Err(e)) => match e {},
        Poll::Pending => panic!("pending on a ready inner service"),
    }
}

/// DESIGN §6, rule by rule and in order: `None` is "passes".
#[test]
fn the_rules_in_order() {
    use Rejection::*;
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a [(&'a str, &'a str)],
        Option<Rejection>,
    );
    let cases: &[Case] = &[
        // 1. Safe methods pass, whoever sends them; a WebSocket handshake does not.
        (
            "GET",
            "/me",
            &[
                ("origin", "https://evil.net"),
                ("sec-fetch-site", "cross-site"),
            ],
            None,
        ),
        (
            "HEAD",
            "/me",
            &[
                ("origin", "https://evil.net"),
                ("sec-fetch-site", "cross-site"),
            ],
            None,
        ),
        (
            "OPTIONS",
            "/me",
            &[
                ("origin", "https://evil.net"),
                ("sec-fetch-site", "cross-site"),
            ],
            None,
        ),
        (
            "GET",
            "/ws",
            &[
                ("origin", "https://evil.net"),
                ("sec-fetch-site", "cross-site"),
                ("upgrade", "websocket"),
            ],
            Some(CsrfCrossSite),
        ),
        (
            "GET",
            "/ws",
            &[
                ("origin", "https://evil.net"),
                ("upgrade", "WebSocket"),
                ("host", "api.example.com"),
            ],
            Some(CsrfOriginMismatch),
        ),
        (
            "GET",
            "/ws",
            &[
                ("origin", APP),
                ("sec-fetch-site", "same-site"),
                ("upgrade", "websocket"),
            ],
            None,
        ),
        (
            "GET",
            "/ws",
            &[
                ("origin", "https://api.example.com"),
                ("upgrade", "websocket"),
                ("host", "api.example.com"),
            ],
            None,
        ),
        // 2. Exempt paths: exact, or under a prefix ending in `/`; byte-exact.
        (
            "POST",
            "/webhooks/stripe",
            &[
                ("origin", "https://stripe.com"),
                ("sec-fetch-site", "cross-site"),
            ],
            None,
        ),
        (
            "POST",
            "/oauth/callback",
            &[("origin", "null"), ("sec-fetch-site", "cross-site")],
            None,
        ),
        (
            "POST",
            "/webhooks",
            &[
                ("origin", "https://evil.net"),
                ("sec-fetch-site", "cross-site"),
            ],
            Some(CsrfCrossSite),
        ),
        (
            "POST",
            "/webhooksevil",
            &[
                ("origin", "https://evil.net"),
                ("sec-fetch-site", "cross-site"),
            ],
            Some(CsrfCrossSite),
        ),
        (
            "POST",
            "/oauth/callback/x",
            &[
                ("origin", "https://evil.net"),
                ("sec-fetch-site", "cross-site"),
            ],
            Some(CsrfCrossSite),
        ),
        (
            "POST",
            "/Webhooks/x",
            &[
                ("origin", "https://evil.net"),
                ("sec-fetch-site", "cross-site"),
            ],
            Some(CsrfCrossSite),
        ),
        // 3. Sec-Fetch-Site decides when present.
        (
            "POST",
            "/t",
            &[
                ("origin", "https://evil.net"),
                ("sec-fetch-site", "same-origin"),
            ],
            None,
        ),
        ("POST", "/t", &[("sec-fetch-site", "none")], None),
        (
            "POST",
            "/t",
            &[
                ("origin", "https://evil.net"),
                ("sec-fetch-site", "same-site"),
            ],
            Some(CsrfCrossSite),
        ),
        (
            "POST",
            "/t",
            &[
                ("origin", "https://evil.net"),
                ("sec-fetch-site", "Same-Origin"),
            ],
            Some(CsrfCrossSite),
        ),
        (
            "POST",
            "/t",
            &[
                ("origin", "https://evil.net"),
                ("sec-fetch-site", "nonsense"),
            ],
            Some(CsrfCrossSite),
        ),
        (
            "POST",
            "/t",
            &[("sec-fetch-site", "cross-site")],
            Some(CsrfCrossSite),
        ),
        (
            "POST",
            "/t",
            &[("origin", "null"), ("sec-fetch-site", "cross-site")],
            Some(CsrfCrossSite),
        ),
        (
            "POST",
            "/t",
            &[("origin", APP), ("sec-fetch-site", "cross-site")],
            None,
        ),
        (
            "PUT",
            "/t",
            &[
                ("origin", "https://a.trusted.example.com"),
                ("sec-fetch-site", "same-site"),
            ],
            None,
        ),
        // The host would match, but Sec-Fetch-Site is what decides when present.
        (
            "POST",
            "/t",
            &[
                ("origin", "https://api.example.com"),
                ("sec-fetch-site", "cross-site"),
                ("host", "api.example.com"),
            ],
            Some(CsrfCrossSite),
        ),
        // 4. Without Sec-Fetch-Site: Origin decides.
        ("POST", "/t", &[], None),
        ("DELETE", "/t", &[("origin", APP)], None),
        (
            "POST",
            "/t",
            &[
                ("origin", "https://api.example.com"),
                ("host", "api.example.com"),
            ],
            None,
        ),
        (
            "POST",
            "/t",
            &[
                ("origin", "http://api.example.com:8080"),
                ("host", "api.example.com:8080"),
            ],
            None,
        ),
        (
            "POST",
            "/t",
            &[
                ("origin", "https://api.example.com"),
                ("host", "api.example.com:8443"),
            ],
            Some(CsrfOriginMismatch),
        ),
        // RFC 9110 §4.2.3: the scheme's default port, written out, is the
        // same host and port; another scheme's default port is not.
        (
            "POST",
            "/t",
            &[
                ("origin", "https://api.example.com"),
                ("host", "api.example.com:443"),
            ],
            None,
        ),
        (
            "POST",
            "/t",
            &[
                ("origin", "http://api.example.com"),
                ("host", "api.example.com:443"),
            ],
            Some(CsrfOriginMismatch),
        ),
        (
            "POST",
            "/t",
            &[("origin", "http://[::1]:8080"), ("host", "[::1]:8080")],
            None,
        ),
        (
            "POST",
            "/t",
            &[("origin", "http://[::1]:8080"), ("host", "[::1]:8081")],
            Some(CsrfOriginMismatch),
        ),
        (
            "POST",
            "/t",
            &[
                ("origin", "https://api.example.com.evil.net"),
                ("host", "api.example.com"),
            ],
            Some(CsrfOriginMismatch),
        ),
        (
            "POST",
            "/t",
            &[("origin", "https://evil.net")],
            Some(CsrfOriginMismatch),
        ),
        (
            "POST",
            "/t",
            &[("origin", "null"), ("host", "null")],
            Some(CsrfNullOrigin),
        ),
        (
            "POST",
            "/t",
            &[("origin", APP), ("origin", APP)],
            Some(CsrfOriginMismatch),
        ),
    ];
    let cors = layer();
    for (method, path, headers, want) in cases {
        let r = req(method, path, headers);
        let d = cors.evaluate_request(&r);
        let got = d.rejection().filter(|r| r.is_csrf());
        assert_eq!(got, *want, "{method} {path} {headers:?}: {d}");
        if want.is_some() {
            assert_eq!(d.status(), Some(StatusCode::FORBIDDEN));
            assert!(!d.calls_inner());
            assert!(d.allow_origin().is_none());
        }
    }
}

#[test]
fn refusal_through_the_service() {
    let cors = layer();
    let (res, ran) = send(
        &cors,
        req(
            "POST",
            "/transfer",
            &[
                ("origin", "https://evil.net"),
                ("sec-fetch-site", "cross-site"),
            ],
        ),
    );
    assert!(!ran, "the handler ran on a refused write");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.body().is_empty());
    assert!(res
        .headers()
        .keys()
        .all(|n| !n.as_str().starts_with("access-control-")));
    assert_eq!(res.headers()["vary"], "origin");
    assert!(res.headers().get("x-cors-debug").is_none());

    let (res, ran) = send(
        &cors,
        req(
            "POST",
            "/transfer",
            &[("origin", APP), ("sec-fetch-site", "cross-site")],
        ),
    );
    assert!(ran);
    assert_eq!(res.headers()["access-control-allow-origin"], APP);
    assert_eq!(res.headers()["access-control-allow-credentials"], "true");
}

#[test]
fn refusal_without_origin_is_not_cors() {
    let d = layer().evaluate_request(&req("POST", "/t", &[("sec-fetch-site", "cross-site")]));
    assert_eq!(d.kind(), RequestKind::NotCors);
    assert_eq!(d.rejection(), Some(Rejection::CsrfCrossSite));
    assert_eq!(
        d.to_string(),
        "request refused: a cross-site write (Sec-Fetch-Site) from an origin that is not allowed"
    );
}

#[test]
fn preflights_are_not_judged() {
    let d = layer().evaluate_request(&req(
        "OPTIONS",
        "/t",
        &[
            ("origin", APP),
            ("access-control-request-method", "PUT"),
            ("sec-fetch-site", "cross-site"),
        ],
    ));
    assert!(d.is_preflight() && d.is_allowed());
    let d = layer().evaluate_request(&req(
        "OPTIONS",
        "/t",
        &[
            ("origin", "https://evil.net"),
            ("access-control-request-method", "PUT"),
            ("sec-fetch-site", "cross-site"),
        ],
    ));
    assert_eq!(d.rejection(), Some(Rejection::OriginNotAllowed));
}

#[test]
fn off_by_default_and_when_off() {
    let cors = CorsLayer::builder().allow_origins([APP]).build().unwrap();
    let (res, ran) = send(
        &cors,
        req(
            "POST",
            "/t",
            &[
                ("origin", "https://evil.net"),
                ("sec-fetch-site", "cross-site"),
            ],
        ),
    );
    assert!(ran, "without the guard CORS lets every write through");
    assert_eq!(res.status(), StatusCode::OK);
}

#[test]
fn debug_mode_names_the_reason() {
    let cors = guarded().debug(true).build().unwrap();
    let cases = [
        (
            req(
                "POST",
                "/t",
                &[
                    ("origin", "https://evil.net"),
                    ("sec-fetch-site", "cross-site"),
                ],
            ),
            "csrf_cross_site: sec-fetch-site=cross-site origin=https://evil.net",
        ),
        (
            req(
                "POST",
                "/t",
                &[("origin", "https://evil.net"), ("host", "api.example.com")],
            ),
            "csrf_origin_mismatch: https://evil.net",
        ),
        (req("POST", "/t", &[("origin", "null")]), "csrf_null_origin"),
        (
            req("POST", "/t", &[("sec-fetch-site", "cross-site")]),
            "csrf_cross_site: sec-fetch-site=cross-site origin=(none)",
        ),
    ];
    for (r, want) in cases {
        let d = cors.evaluate_request(&r);
        assert_eq!(d.debug_reason().unwrap(), want);
        let (res, ran) = send(&cors, r);
        assert!(!ran);
        assert_eq!(res.headers()["x-cors-debug"], want);
    }
}

#[test]
fn codes_are_stable() {
    assert_eq!(Rejection::CsrfCrossSite.code(), "csrf_cross_site");
    assert_eq!(Rejection::CsrfOriginMismatch.code(), "csrf_origin_mismatch");
    assert_eq!(Rejection::CsrfNullOrigin.code(), "csrf_null_origin");
    assert!(Rejection::CsrfNullOrigin.is_csrf());
    assert!(!Rejection::OriginNotAllowed.is_csrf());
}

// ---------------------------------------------------------------------------
// Configuration.

#[test]
fn build_refuses_bad_guards() {
    type Case = (CorsBuilder, fn(&ConfigProblem) -> bool);
    let cases: Vec<Case> = vec![
        (
            CorsLayer::builder()
                .allow_any_origin()
                .csrf_protection(true),
            |p| matches!(p, ConfigProblem::CsrfWithAnyOrigin),
        ),
        (
            CorsLayer::builder()
                .allow_origins(["*"])
                .csrf_protection(true),
            |p| matches!(p, ConfigProblem::CsrfWithAnyOrigin),
        ),
        (
            guarded().csrf_exempt_paths(["webhooks/"]),
            |p| matches!(p, ConfigProblem::InvalidCsrfExemptPath { value, suggestion: Some(s) } if value == "webhooks/" && s == "/webhooks/"),
        ),
        (
            guarded().csrf_exempt_paths(["/webhooks/*"]),
            |p| matches!(p, ConfigProblem::InvalidCsrfExemptPath { suggestion: Some(s), .. } if s == "/webhooks/"),
        ),
        (
            guarded().csrf_exempt_paths(["/cb?state=1"]),
            |p| matches!(p, ConfigProblem::InvalidCsrfExemptPath { suggestion: Some(s), .. } if s == "/cb"),
        ),
        (guarded().csrf_exempt_paths(["/cb#x"]), |p| {
            matches!(p, ConfigProblem::InvalidCsrfExemptPath { .. })
        }),
        (guarded().csrf_exempt_paths(["/a b"]), |p| {
            matches!(
                p,
                ConfigProblem::InvalidCsrfExemptPath {
                    suggestion: None,
                    ..
                }
            )
        }),
        (
            guarded().csrf_exempt_paths([" /cb"]),
            |p| matches!(p, ConfigProblem::InvalidCsrfExemptPath { suggestion: Some(s), .. } if s == "/cb"),
        ),
        (guarded().csrf_exempt_paths([""]), |p| {
            matches!(
                p,
                ConfigProblem::InvalidCsrfExemptPath {
                    suggestion: None,
                    ..
                }
            )
        }),
        (
            CorsLayer::builder()
                .allow_origins([APP])
                .csrf_exempt_paths(["/webhooks/"]),
            |p| matches!(p, ConfigProblem::CsrfExemptPathsWithoutProtection { first } if first == "/webhooks/"),
        ),
        // A request's path is ASCII with the other bytes percent-encoded
        // (upper-case hex, as browsers write them): an unencoded path could
        // never match, so it is refused with its encoded form.
        (
            guarded().csrf_exempt_paths(["/café/"]),
            |p| matches!(p, ConfigProblem::InvalidCsrfExemptPath { value, suggestion: Some(s) } if value == "/café/" && s == "/caf%C3%A9/"),
        ),
        (
            guarded().csrf_exempt_paths(["/a<b>"]),
            |p| matches!(p, ConfigProblem::InvalidCsrfExemptPath { suggestion: Some(s), .. } if s == "/a%3Cb%3E"),
        ),
        (
            guarded().csrf_exempt_paths(["/a\\b"]),
            |p| matches!(p, ConfigProblem::InvalidCsrfExemptPath { suggestion: Some(s), .. } if s == "/a/b"),
        ),
        // A route parameter is not a path.
        (guarded().csrf_exempt_paths(["/users/{id}/cb"]), |p| {
            matches!(
                p,
                ConfigProblem::InvalidCsrfExemptPath {
                    suggestion: None,
                    ..
                }
            )
        }),
        // `/` is a prefix of every path: the guard would refuse nothing.
        (guarded().csrf_exempt_paths(["/webhooks/", "/"]), |p| {
            matches!(p, ConfigProblem::CsrfExemptEverything)
        }),
    ];
    for (builder, is) in cases {
        let err = builder.clone().build().unwrap_err();
        assert!(err.problems().iter().any(is), "{builder:?}: {err}");
        for line in err.to_string().lines() {
            assert!(!line.is_empty());
        }
    }
}

#[test]
fn every_problem_at_once() {
    let err = CorsLayer::builder()
        .allow_any_origin()
        .csrf_protection(true)
        .csrf_exempt_paths(["a", "/b?", "/ok/"])
        .build()
        .unwrap_err();
    let n = err.problems().len();
    assert_eq!(n, 3, "{err}");
}

#[test]
fn exempt_lists_add_up() {
    let cors = CorsLayer::builder()
        .allow_origins([APP])
        .csrf_protection(true)
        .csrf_exempt_paths(["/a/"])
        .csrf_exempt_paths(vec![String::from("/b")])
        .build()
        .unwrap();
    let evil = [
        ("origin", "https://evil.net"),
        ("sec-fetch-site", "cross-site"),
    ];
    // Exempt: the inner service answers (CORS still refuses the read).
    assert!(cors
        .evaluate_request(&req("POST", "/a/x", &evil))
        .calls_inner());
    assert!(cors
        .evaluate_request(&req("POST", "/b", &evil))
        .calls_inner());
    assert!(!cors
        .evaluate_request(&req("POST", "/c", &evil))
        .calls_inner());
    let dbg = format!("{cors:?}");
    assert!(
        dbg.contains("csrf_protection: true") && dbg.contains("\"/a/\""),
        "{dbg}"
    );
}

#[test]
fn from_env() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    };
    let cors = CorsBuilder::from_lookup(
        "CORS_",
        vars(&[
            ("CORS_ALLOWED_ORIGINS", APP),
            ("CORS_CSRF_PROTECTION", "true"),
            ("CORS_CSRF_EXEMPT_PATHS", "/webhooks/, /oauth/callback"),
        ]),
    )
    .unwrap()
    .build()
    .unwrap();
    let evil = [
        ("origin", "https://evil.net"),
        ("sec-fetch-site", "cross-site"),
    ];
    assert!(!cors
        .evaluate_request(&req("POST", "/t", &evil))
        .calls_inner());
    assert!(cors
        .evaluate_request(&req("POST", "/oauth/callback", &evil))
        .calls_inner());

    let err =
        CorsBuilder::from_lookup("CORS_", vars(&[("CORS_CSRF_PROTECTION", "yes")])).unwrap_err();
    assert!(
        err.to_string().starts_with("CORS_CSRF_PROTECTION=\"yes\""),
        "{err}"
    );
    let err = CorsBuilder::from_lookup("CORS_", vars(&[("CORS_CSRF_EXEMPT_PATHS", "/a/,,/b")]))
        .unwrap_err();
    assert!(
        err.to_string().starts_with("CORS_CSRF_EXEMPT_PATHS="),
        "{err}"
    );
    let err = CorsBuilder::from_lookup(
        "CORS_",
        vars(&[("CORS_CSRF_EXEMPT_PATHS", "/a/, webhooks")]),
    )
    .unwrap_err();
    assert!(
        matches!(&err.problems()[0], ConfigProblem::Located { location, problem }
            if location == "CORS_CSRF_EXEMPT_PATHS"
            && matches!(**problem, ConfigProblem::InvalidCsrfExemptPath { .. })),
        "{err}"
    );
}

#[cfg(feature = "serde")]
#[test]
fn from_config_data() {
    let config: strict_cors::CorsConfig = serde_json::from_str(
        r#"{"allowed_origins": ["https://app.example.com"], "csrf_protection": true,
            "csrf_exempt_paths": ["/webhooks/"]}"#,
    )
    .unwrap();
    let cors = config.into_builder().unwrap().build().unwrap();
    let evil = [
        ("origin", "https://evil.net"),
        ("sec-fetch-site", "cross-site"),
    ];
    assert!(!cors
        .evaluate_request(&req("POST", "/t", &evil))
        .calls_inner());
    assert!(cors
        .evaluate_request(&req("POST", "/webhooks/x", &evil))
        .calls_inner());
    let config: strict_cors::CorsConfig = serde_json::from_str(
        r#"{"allowed_origins": ["https://app.example.com"], "csrf_exempt_paths": ["/ok/", "bad"]}"#,
    )
    .unwrap();
    let err = config.into_builder().unwrap_err();
    assert!(
        err.to_string().starts_with("csrf_exempt_paths[1]: "),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// Properties.

fn method() -> impl Strategy<Value = Method> {
    prop::sample::select(vec![
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
    ])
}

fn opt(pool: &'static [&'static str]) -> impl Strategy<Value = Option<HeaderValue>> {
    prop::option::of(prop_oneof![
        4 => prop::sample::select(pool).prop_map(HeaderValue::from_static),
        1 => "[ -~]{0,30}".prop_map(|s| HeaderValue::from_str(&s).unwrap()),
    ])
}

#[derive(Debug, Clone)]
struct Arb {
    method: Method,
    path: &'static str,
    origin: Option<HeaderValue>,
    site: Option<HeaderValue>,
    host: Option<HeaderValue>,
    upgrade: Option<HeaderValue>,
}

impl Arb {
    fn request(&self) -> Request<()> {
        let mut r = Request::new(());
        *r.method_mut() = self.method.clone();
        *r.uri_mut() = self.path.parse().unwrap();
        let h = r.headers_mut();
        for (name, v) in [
            ("origin", &self.origin),
            ("sec-fetch-site", &self.site),
            ("host", &self.host),
            ("upgrade", &self.upgrade),
        ] {
            if let Some(v) = v {
                h.insert(name, v.clone());
            }
        }
        r
    }

    fn is_websocket(&self) -> bool {
        self.upgrade.as_ref().is_some_and(|u| {
            u.as_bytes()
                .split(|&b| b == b',')
                .any(|p| p.trim_ascii().eq_ignore_ascii_case(b"websocket"))
        })
    }
}

fn arb() -> impl Strategy<Value = Arb> {
    (
        method(),
        prop::sample::select(vec![
            "/t",
            "/webhooks/x",
            "/webhooksx",
            "/oauth/callback",
            "/ws",
        ]),
        opt(&[
            APP,
            "https://a.trusted.example.com",
            "https://evil.net",
            "null",
            "https://api.example.com",
            "https://trusted.example.com",
        ]),
        opt(&["same-origin", "none", "same-site", "cross-site"]),
        opt(&["api.example.com", "app.example.com", "evil.net"]),
        opt(&["websocket", "WebSocket", "h2c"]),
    )
        .prop_map(|(method, path, origin, site, host, upgrade)| Arb {
            method,
            path,
            origin,
            site,
            host,
            upgrade,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// A write the guard refuses never reaches the inner service, and is
    /// the layer's own empty 403 without `Access-Control-*`; any request the
    /// guard passes does reach it (outside preflights).
    #[test]
    fn refused_never_reaches_the_inner_service(a in arb()) {
        let cors = layer();
        let d = cors.evaluate_request(&a.request());
        let (res, ran) = send(&cors, a.request());
        let refused = d.rejection().is_some_and(|r| r.is_csrf());
        prop_assert_eq!(ran, !refused && !d.is_preflight(), "{:?} {}", a, d);
        if refused {
            prop_assert_eq!(res.status(), StatusCode::FORBIDDEN);
            prop_assert!(res.body().is_empty());
            prop_assert!(res.headers().keys().all(|n| !n.as_str().starts_with("access-control-")));
        }
    }

    /// An allowed origin's request always reaches the inner service
    /// (preflights aside), with or without `Sec-Fetch-Site`, on any path.
    #[test]
    fn allowed_origins_always_write(mut a in arb(), pick in 0usize..2) {
        a.origin = Some(HeaderValue::from_static([APP, "https://x.trusted.example.com"][pick]));
        prop_assume!(a.method != Method::OPTIONS);
        let (_, ran) = send(&layer(), a.request());
        prop_assert!(ran, "{:?}", a);
    }

    /// `GET`, `HEAD` and `OPTIONS` that are not WebSocket handshakes (and
    /// not preflights) always reach the inner service.
    #[test]
    fn safe_methods_always_pass(mut a in arb(), m in prop::sample::select(vec![Method::GET, Method::HEAD, Method::OPTIONS])) {
        a.method = m;
        prop_assume!(a.method != Method::GET || !a.is_websocket());
        let d = layer().evaluate_request(&a.request());
        prop_assert!(!d.rejection().is_some_and(|r| r.is_csrf()), "{:?} {}", a, d);
    }

    /// Same-origin writes from old browsers (no `Sec-Fetch-Site`) pass when
    /// `Origin` names the request's own host and port, and only then.
    #[test]
    fn own_host_passes_without_fetch_metadata(host in "[a-z]{1,8}\\.example\\.org(:[1-9][0-9]{0,3})?", other in "[a-z]{1,8}\\.example\\.org") {
        let cors = layer();
        let own = format!("https://{host}");
        let r = req("POST", "/t", &[("origin", &own), ("host", &host)]);
        prop_assert!(cors.evaluate_request(&r).calls_inner());
        prop_assume!(other != host);
        let r = req("POST", "/t", &[("origin", &format!("https://{other}")), ("host", &host)]);
        prop_assert_eq!(cors.evaluate_request(&r).rejection(), Some(Rejection::CsrfOriginMismatch));
    }
}

/// `config()` reports the guard and its exempt paths (each once, in
/// configuration order), and building from it gives the same guard.
#[test]
fn config_reads_the_guard_back() {
    let cors = guarded()
        .csrf_exempt_paths(["/saml/acs", "/webhooks/"])
        .build()
        .unwrap();
    let c = cors.config();
    assert!(c.csrf_protection);
    assert_eq!(
        c.csrf_exempt_paths,
        ["/webhooks/", "/oauth/callback", "/saml/acs"]
    );
    let again = c.into_builder().unwrap().build().unwrap();
    let evil = [
        ("origin", "https://evil.net"),
        ("sec-fetch-site", "cross-site"),
    ];
    for path in ["/t", "/saml/acs", "/webhooks/x", "/oauth/callback"] {
        let r = req("POST", path, &evil);
        assert_eq!(
            cors.evaluate_request(&r),
            again.evaluate_request(&r),
            "{path}"
        );
    }
    let off = CorsLayer::builder()
        .allow_origins([APP])
        .build()
        .unwrap()
        .config();
    assert!(!off.csrf_protection && off.csrf_exempt_paths.is_empty());
}

/// `Debug` stays short however many exempt paths are configured: the
/// first 8 and a count of the rest, like the origins.
#[test]
fn debug_cuts_a_long_exempt_list() {
    let paths: Vec<String> = (0..20).map(|i| format!("/hooks/{i}/")).collect();
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .csrf_protection(true)
        .csrf_exempt_paths(&paths)
        .build()
        .unwrap();
    let dbg = format!("{layer:?}");
    assert!(dbg.contains("\"/hooks/7/\""), "{dbg}");
    assert!(!dbg.contains("\"/hooks/8/\""), "{dbg}");
    assert!(dbg.contains("… and 12 more"), "{dbg}");
    // `config()` still has them all.
    assert_eq!(layer.config().csrf_exempt_paths.len(), 20);
}
