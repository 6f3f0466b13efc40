//! What `CorsLayer::evaluate` says is what the service sends, in every mode.
//!
//! Arbitrary configurations (debug mode on and off, exact origins, patterns,
//! any origin, wildcards, credentials, private network, the CSRF guard on
//! and off with exempt paths) and arbitrary
//! requests (preflights, actual requests, several `Origin` or
//! `Access-Control-Request-Method` lines, odd header values, writes and
//! WebSocket handshakes with or without `Sec-Fetch-Site` and `Host`), through an
//! inner service that sets its own `Access-Control-*` and `Vary` headers:
//! the response's status, every `Access-Control-*` header, `Vary`,
//! `x-cors-debug`, and whether the inner service was called, are exactly
//! what the `Decision` says.

use std::cell::Cell;
use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::task::noop_waker;
use http::header::VARY;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use proptest::prelude::*;
use strict_cors::{CorsLayer, Decision};
use tower::{Layer, Service};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000)
}

/// Every name the layer may set.
const LAYER_NAMES: [&str; 8] = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-expose-headers",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-max-age",
    "access-control-allow-private-network",
    "x-cors-debug",
];

/// The names the layer owns on a response it passes (the whole
/// `Access-Control-*` response namespace): removed when the decision does
/// not set them, never left as the inner service set them.
const OWNED: [&str; 7] = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-expose-headers",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-max-age",
    "access-control-allow-private-network",
];

/// The inner service: answers with a scripted status and headers, counts calls.
#[derive(Clone)]
struct Inner {
    status: StatusCode,
    headers: HeaderMap,
    calls: Rc<Cell<usize>>,
}

impl Service<Request<()>> for Inner {
    type Response = Response<()>;
    type Error = Infallible;
    type Future = Ready<Result<Response<()>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _req: Request<()>) -> Self::Future {
        self.calls.set(self.calls.get() + 1);
        let mut res = Response::new(());
        *res.status_mut() = self.status;
        *res.headers_mut() = self.headers.clone();
        ready(Ok(res))
    }
}

fn send(layer: &CorsLayer, inner: Inner, req: Request<()>) -> Response<()> {
    let mut svc = layer.layer(inner);
    let waker = noop_waker();
    let mut cx = Context::from_waker(&waker);
    assert!(svc.poll_ready(&mut cx).is_ready());
    let mut fut = std::pin::pin!(svc.call(req));
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(res)) => res,
        Poll::Ready(Err(e)) => match e {},
        Poll::Pending => panic!("the layer's future is pending on a ready inner service"),
    }
}

#[derive(Debug, Clone)]
struct Config {
    origins: Vec<&'static str>,
    patterns: Vec<&'static str>,
    any_origin: bool,
    credentials: bool,
    methods: Vec<&'static str>,
    headers: Vec<&'static str>,
    expose: Vec<&'static str>,
    max_age: Option<u64>,
    private_network: bool,
    debug: bool,
    csrf: bool,
    exempt: Vec<&'static str>,
}

impl Config {
    fn layer(&self) -> Option<CorsLayer> {
        let mut b = CorsLayer::builder()
            .allow_origins(&self.origins)
            .allow_origin_patterns(&self.patterns)
            .allow_credentials(self.credentials)
            .allow_methods(&self.methods)
            .allow_headers(&self.headers)
            .expose_headers(&self.expose)
            .allow_private_network(self.private_network)
            .debug(self.debug)
            .csrf_protection(self.csrf)
            .csrf_exempt_paths(&self.exempt);
        if self.any_origin {
            b = b.allow_any_origin();
        }
        if let Some(secs) = self.max_age {
            b = b.max_age(Duration::from_secs(secs));
        }
        b.build().ok()
    }
}

fn subset(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<&'static str>> {
    prop::sample::subsequence(pool, 0..=pool.len())
}

fn config() -> impl Strategy<Value = Config> {
    (
        subset(&[
            "https://app.example.com",
            "http://localhost:3000",
            "https://b.example.org",
        ]),
        subset(&["https://*.example.com"]),
        any::<bool>(),
        any::<bool>(),
        subset(&["PUT", "DELETE", "patch", "*"]),
        subset(&["content-type", "authorization", "x-token", "*"]),
        subset(&["x-request-id", "etag"]),
        prop::option::of(prop_oneof![Just(0u64), Just(600)]),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        subset(&["/hooks/", "/api"]),
    )
        .prop_map(
            |(
                origins,
                patterns,
                any_origin,
                credentials,
                methods,
                headers,
                expose,
                max_age,
                pn,
                debug,
                csrf,
                exempt,
            )| {
                Config {
                    origins,
                    patterns,
                    any_origin,
                    credentials,
                    methods,
                    headers,
                    expose,
                    max_age,
                    private_network: pn,
                    debug,
                    csrf,
                    exempt,
                }
            },
        )
}

/// Header values: the usual ones and odd bytes (anything a `HeaderValue` holds).
fn value(pool: &'static [&'static str]) -> impl Strategy<Value = HeaderValue> {
    prop_oneof![
        4 => prop::sample::select(pool).prop_map(HeaderValue::from_static),
        1 => prop::collection::vec(prop_oneof![Just(b'\t'), 0x20u8..=0x7e, 0x80u8..=0xff], 0..40)
            .prop_map(|bytes| HeaderValue::from_bytes(&bytes).unwrap_or(HeaderValue::from_static(""))),
    ]
}

#[derive(Debug, Clone)]
struct Req {
    method: Method,
    origins: Vec<HeaderValue>,
    acrm: Vec<HeaderValue>,
    acrh: Vec<HeaderValue>,
    pn: bool,
    /// CSRF guard inputs: the path, `Sec-Fetch-Site`, `Host`, `Upgrade`.
    path: &'static str,
    site: Vec<HeaderValue>,
    host: Option<&'static str>,
    upgrade: bool,
}

impl Req {
    fn build(&self) -> Request<()> {
        let mut req = Request::new(());
        *req.method_mut() = self.method.clone();
        *req.uri_mut() = self.path.parse().unwrap();
        let h = req.headers_mut();
        for v in &self.site {
            h.append("sec-fetch-site", v.clone());
        }
        if let Some(host) = self.host {
            h.insert("host", HeaderValue::from_static(host));
        }
        if self.upgrade {
            h.insert("upgrade", HeaderValue::from_static("websocket"));
        }
        for v in &self.origins {
            h.append("origin", v.clone());
        }
        for v in &self.acrm {
            h.append("access-control-request-method", v.clone());
        }
        for v in &self.acrh {
            h.append("access-control-request-headers", v.clone());
        }
        if self.pn {
            h.insert(
                "access-control-request-private-network",
                HeaderValue::from_static("true"),
            );
        }
        req
    }
}

fn request() -> impl Strategy<Value = Req> {
    let method = prop::sample::select(vec![
        Method::OPTIONS,
        Method::OPTIONS,
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::HEAD,
        Method::from_bytes(b"PATCH").unwrap(),
    ]);
    let site = value(&[
        "same-origin",
        "none",
        "same-site",
        "cross-site",
        "Same-Origin",
    ]);
    let csrf = (
        prop::sample::select(vec!["/api", "/hooks/x", "/hooks", "/other"]),
        prop::collection::vec(site, 0..3),
        prop::option::of(prop::sample::select(vec![
            "app.example.com",
            "api.example.com",
            "localhost:3000",
        ])),
        any::<bool>(),
    );
    let origin = value(&[
        "https://app.example.com",
        "http://localhost:3000",
        "https://a.b.example.com",
        "https://example.com",
        "https://evil.example.net",
        "https://APP.example.com",
        "null",
    ]);
    let acrm = value(&["PUT", "DELETE", "GET", "patch", "PATCH", "CONNECT", "x y"]);
    let acrh = value(&[
        "content-type",
        "authorization",
        "x-token, content-type",
        "X-Token",
        "cookie",
        ",, ,",
        "",
    ]);
    (
        method,
        prop::collection::vec(origin, 0..3),
        prop::collection::vec(acrm, 0..3),
        prop::collection::vec(acrh, 0..3),
        any::<bool>(),
        csrf,
    )
        .prop_map(
            |(method, origins, acrm, acrh, pn, (path, site, host, upgrade))| Req {
                method,
                origins,
                acrm,
                acrh,
                pn,
                path,
                site,
                host,
                upgrade,
            },
        )
}

/// What the inner service answers: a status, its own `Access-Control-*`
/// headers (which the layer must replace or remove), and `Vary` lines.
fn inner() -> impl Strategy<Value = (StatusCode, Vec<(&'static str, &'static str)>)> {
    let status = prop::sample::select(vec![200u16, 204, 401, 404, 500]);
    let header = prop::sample::select(vec![
        ("access-control-allow-origin", "*"),
        ("access-control-allow-credentials", "true"),
        ("access-control-expose-headers", "x-secret"),
        ("access-control-allow-methods", "GET"),
        ("access-control-allow-methods", "*"),
        ("access-control-allow-headers", "*"),
        ("access-control-max-age", "5"),
        ("access-control-allow-private-network", "true"),
        ("vary", "accept-encoding"),
        ("vary", "Origin"),
        ("vary", "*"),
        ("vary", "accept, access-control-request-method"),
        ("x-request-id", "1"),
    ]);
    (status, prop::collection::vec(header, 0..4))
        .prop_map(|(s, h)| (StatusCode::from_u16(s).unwrap(), h))
}

fn values<'a>(map: &'a HeaderMap, name: &str) -> Vec<&'a [u8]> {
    map.get_all(name).iter().map(|v| v.as_bytes()).collect()
}

/// `Vary` after merging the decision's names into the inner service's lines.
fn merged_vary(inner: &HeaderMap, decision: &Decision) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = values(inner, "vary")
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    let items = |lines: &Vec<Vec<u8>>| -> Vec<Vec<u8>> {
        lines
            .iter()
            .flat_map(|l| {
                l.split(|&b| b == b',')
                    .map(|i| i.trim_ascii().to_ascii_lowercase())
            })
            .collect()
    };
    if items(&lines).iter().any(|i| i == b"*") {
        return lines;
    }
    if let Some(v) = decision.header(&VARY) {
        for name in v.as_bytes().split(|&b| b == b',').map(|n| n.trim_ascii()) {
            if !items(&lines).iter().any(|i| i == name) {
                lines.push(name.to_vec());
            }
        }
    }
    lines
}

fn check(
    layer: &CorsLayer,
    req: &Req,
    status: StatusCode,
    inner_headers: &[(&'static str, &'static str)],
) -> Result<(), TestCaseError> {
    let mut headers = HeaderMap::new();
    for (n, v) in inner_headers {
        headers.append(*n, HeaderValue::from_static(v));
    }
    let calls = Rc::new(Cell::new(0));
    let svc = Inner {
        status,
        headers: headers.clone(),
        calls: calls.clone(),
    };
    let (parts, ()) = req.build().into_parts();
    let decision = layer.evaluate(&parts);
    let res = send(layer, svc, req.build());
    let ctx = format!("{decision:?}\n{res:?}");

    prop_assert_eq!(
        calls.get() == 1,
        decision.calls_inner(),
        "inner called? {}",
        ctx
    );
    prop_assert_eq!(decision.calls_inner(), decision.status().is_none());
    prop_assert_eq!(decision.is_allowed(), decision.rejection().is_none());
    prop_assert!(!decision.is_debug_hint() || decision.rejection().is_some());
    prop_assert!(!decision.to_string().is_empty());
    if decision.rejection().is_some_and(|r| r.is_csrf()) {
        // The guard's refusal: the layer's 403, no Access-Control-* header.
        prop_assert_eq!(calls.get(), 0, "{}", ctx);
        prop_assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}", ctx);
        prop_assert!(
            !res.headers()
                .keys()
                .any(|n| n.as_str().starts_with("access-control-")),
            "{}",
            ctx
        );
    }
    match decision.status() {
        Some(answer) => {
            // The layer's own answer: exactly the decision's headers.
            prop_assert_eq!(res.status(), answer, "{}", ctx);
            let expected: Vec<(String, Vec<u8>)> = decision
                .headers()
                .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
                .collect();
            let mut sent: Vec<(String, Vec<u8>)> = res
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
                .collect();
            let mut want = expected.clone();
            want.sort();
            sent.sort();
            prop_assert_eq!(sent, want, "{}", ctx);
        }
        None => {
            prop_assert_eq!(res.status(), status, "{}", ctx);
            for name in LAYER_NAMES {
                let sent = values(res.headers(), name);
                let name_h = HeaderName::from_static(name);
                match decision.header(&name_h) {
                    Some(v) => prop_assert_eq!(sent, vec![v.as_bytes()], "{}: {}", name, ctx),
                    None if OWNED.contains(&name) => {
                        prop_assert!(sent.is_empty(), "{} left on the response: {}", name, ctx)
                    }
                    // Not the layer's (`x-cors-debug` outside debug mode):
                    // the inner service's, untouched.
                    None => prop_assert_eq!(sent, values(&headers, name), "{}: {}", name, ctx),
                }
            }
            let vary: Vec<Vec<u8>> = values(res.headers(), "vary")
                .into_iter()
                .map(<[u8]>::to_vec)
                .collect();
            prop_assert_eq!(vary, merged_vary(&headers, &decision), "{}", ctx);
            prop_assert_eq!(
                values(res.headers(), "x-request-id"),
                values(&headers, "x-request-id")
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn the_service_sends_what_evaluate_says(
        cfg in config(),
        reqs in prop::collection::vec(request(), 1..4),
        (status, inner_headers) in inner(),
    ) {
        let Some(layer) = cfg.layer() else {
            // An invalid configuration never builds: nothing to compare.
            return Ok(());
        };
        for req in &reqs {
            check(&layer, req, status, &inner_headers)?;
        }
    }
}

/// The case that started it: in debug mode a preflight refused for its
/// method used to be reported as a plain refusal by `evaluate()` while the
/// service answered `204` with the allowed lists.
#[test]
fn debug_mode_hint_is_in_the_decision() {
    let layer = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_methods(["PUT"])
        .debug(true)
        .build()
        .unwrap();
    let req = Req {
        method: Method::OPTIONS,
        origins: vec![HeaderValue::from_static("https://app.example.com")],
        acrm: vec![HeaderValue::from_static("PATCH")],
        acrh: vec![],
        pn: false,
        path: "/api",
        site: vec![],
        host: None,
        upgrade: false,
    };
    let (parts, ()) = req.build().into_parts();
    let d = layer.evaluate(&parts);
    assert!(d.is_debug_hint() && !d.is_allowed(), "{d:?}");
    assert_eq!(d.status(), Some(StatusCode::NO_CONTENT));
    check(&layer, &req, StatusCode::OK, &[]).unwrap();
}
