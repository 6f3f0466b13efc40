//! Hostile input: arbitrary bytes and lengths in the request headers the
//! layer parses, and arbitrary strings in every builder setter. Nothing may
//! panic; refusals are 403s. Cost is shown by `benches/hostile.rs`.

mod support;

use std::time::Duration;

use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD,
    ORIGIN,
};
use http::{HeaderValue, Method, Request, StatusCode};
use proptest::prelude::*;
use strict_cors::{CorsLayer, Rejection, RequestKind};
use support::harness::{App, Server};

const APP: &str = "https://app.example.com";

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

fn layers() -> Vec<CorsLayer> {
    vec![
        CorsLayer::builder()
            .allow_origins([APP])
            .allow_credentials(true)
            .allow_methods(["PUT"])
            .allow_headers(["content-type", "authorization"])
            .build()
            .unwrap(),
        CorsLayer::builder()
            .allow_any_origin()
            .allow_methods(["*"])
            .allow_headers(["*"])
            .build()
            .unwrap(),
    ]
}

fn preflight(acrh: &[HeaderValue]) -> Request<()> {
    let mut req = Request::builder()
        .method(Method::OPTIONS)
        .header(ORIGIN, APP)
        .header(ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .body(())
        .unwrap();
    for v in acrh {
        req.headers_mut()
            .append(ACCESS_CONTROL_REQUEST_HEADERS, v.clone());
    }
    req
}

fn status(layer: &CorsLayer, req: Request<()>) -> StatusCode {
    let mut s = Server::new(layer, App::ok());
    s.send(req).status()
}

/// Any byte a `HeaderValue` may hold: visible ASCII, space, tab, obs-text.
fn header_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(&b"abcAZ09-_.,*; \t:/\"()[]"[..]),
            1 => 0x21u8..0x7f,
            1 => 0x80u8..=0xff,
        ],
        0..max,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_origin_bytes(origin in header_bytes(200), preflight_too in any::<bool>()) {
        let Ok(v) = HeaderValue::from_bytes(&origin) else { return Ok(()) };
        for layer in layers() {
            let mut req = Request::builder().method(if preflight_too { Method::OPTIONS } else { Method::GET });
            if preflight_too {
                req = req.header(ACCESS_CONTROL_REQUEST_METHOD, "PUT");
            }
            let req = req.header(ORIGIN, v.clone()).body(()).unwrap();
            let (parts, ()) = req.clone().into_parts();
            let decision = layer.evaluate(&parts);
            let mut s = Server::new(&layer, App::ok());
            let res = s.send(req);
            // The first layer allows exactly APP, byte for byte; the second any origin.
            let any = layer.evaluate(&Request::get("/").header(ORIGIN, "https://x.example").body(()).unwrap().into_parts().0).is_allowed();
            prop_assert_eq!(decision.is_allowed(), any || origin == APP.as_bytes(), "{:?}", decision);
            prop_assert_eq!(
                res.headers().get("access-control-allow-origin"),
                decision.allow_origin().filter(|_| decision.is_allowed() || decision.is_debug_hint())
            );
            if preflight_too {
                prop_assert!(decision.is_preflight());
                prop_assert_eq!(res.status() == StatusCode::NO_CONTENT, decision.is_allowed());
                prop_assert_eq!(s.app_calls(), 0);
            } else {
                // An actual request: the inner service answers, refused or not.
                prop_assert_eq!(decision.kind(), RequestKind::Actual);
                prop_assert_eq!(decision.status(), None);
                prop_assert_eq!(s.app_calls(), 1);
                prop_assert_eq!(res.status(), StatusCode::OK);
                if !decision.is_allowed() {
                    prop_assert_eq!(decision.rejection(), Some(Rejection::OriginNotAllowed));
                }
            }
        }
    }

    #[test]
    fn arbitrary_request_method_bytes(method in header_bytes(64)) {
        let Ok(v) = HeaderValue::from_bytes(&method) else { return Ok(()) };
        for layer in layers() {
            let mut req = preflight(&[]);
            req.headers_mut().insert(ACCESS_CONTROL_REQUEST_METHOD, v.clone());
            let st = status(&layer, req);
            prop_assert!(st == StatusCode::NO_CONTENT || st == StatusCode::FORBIDDEN);
            if st == StatusCode::NO_CONTENT {
                // Only method tokens are ever echoed back.
                prop_assert!(!method.is_empty() && method.iter().all(|b| b.is_ascii_graphic() && !b",;:\"()[]/".contains(b)));
            }
        }
    }

    #[test]
    fn arbitrary_request_headers_lines(lines in prop::collection::vec(header_bytes(300), 0..20)) {
        let values: Vec<HeaderValue> = lines.iter().filter_map(|l| HeaderValue::from_bytes(l).ok()).collect();
        for layer in layers() {
            let (parts, ()) = preflight(&values).into_parts();
            let decision = layer.evaluate(&parts);
            let mut s = Server::new(&layer, App::ok());
            let res = s.send(preflight(&values));
            prop_assert_eq!(s.app_calls(), 0);
            prop_assert!(decision.is_preflight(), "not a preflight decision: {:?}", decision);
            if decision.is_allowed() {
                prop_assert_eq!(res.status(), StatusCode::NO_CONTENT);
                // What is echoed is exactly the request's names, one value.
                let echoed = res.headers().get_all("access-control-allow-headers").iter().count();
                prop_assert_eq!(echoed, usize::from(decision.header(&ACCESS_CONTROL_ALLOW_HEADERS).is_some()));
            } else {
                prop_assert_eq!(res.status(), StatusCode::FORBIDDEN);
            }
            prop_assert_eq!(Some(res.status()), decision.status());
        }
    }

    #[test]
    fn arbitrary_strings_in_every_setter(
        origins in prop::collection::vec(any::<String>(), 0..4),
        methods in prop::collection::vec(any::<String>(), 0..4),
        headers in prop::collection::vec(any::<String>(), 0..4),
        expose in prop::collection::vec(any::<String>(), 0..4),
        creds in any::<bool>(),
        insecure in any::<bool>(),
        secs in any::<u64>(),
        nanos in 0u32..1_000_000_000,
    ) {
        let result = CorsLayer::builder()
            .allow_origins(&origins)
            .allow_methods(&methods)
            .allow_headers(&headers)
            .expose_headers(&expose)
            .allow_credentials(creds)
            .allow_insecure_origins(insecure)
            .allow_private_network(true)
            .max_age(Duration::new(secs, nanos))
            .build();
        if let Err(e) = result {
            prop_assert!(!e.problems().is_empty());
            prop_assert_eq!(e.to_string().lines().count(), e.problems().len());
        }
    }
}

#[test]
fn a_mebibyte_of_commas_is_refused() {
    let commas = HeaderValue::from_bytes(&vec![b','; 1 << 20]).unwrap();
    for layer in layers() {
        assert_eq!(
            status(&layer, preflight(std::slice::from_ref(&commas))),
            StatusCode::FORBIDDEN
        );
        let (parts, ()) = preflight(std::slice::from_ref(&commas)).into_parts();
        let d = layer.evaluate(&parts);
        assert!(d.is_preflight(), "{d:?}");
        assert_eq!(d.rejection(), Some(Rejection::MalformedHeaders));
    }
}

#[test]
fn ten_thousand_names_are_refused() {
    let names: String = (0..10_000).map(|i| format!("x-h{i},")).collect();
    let one_line = HeaderValue::from_str(&names).unwrap();
    let many_lines: Vec<HeaderValue> = (0..10_000)
        .map(|i| HeaderValue::from_str(&format!("x-h{i}")).unwrap())
        .collect();
    for layer in layers() {
        assert_eq!(
            status(&layer, preflight(std::slice::from_ref(&one_line))),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            status(&layer, preflight(&many_lines)),
            StatusCode::FORBIDDEN
        );
    }
}

#[test]
fn whitespace_runs_and_obs_text() {
    let spaces = HeaderValue::from_bytes(&vec![b' '; 64 * 1024]).unwrap();
    let tabs = HeaderValue::from_bytes(b"content-type,\t\t\t \t authorization").unwrap();
    let obs = HeaderValue::from_bytes(b"content-type,\xc3\xa9").unwrap();
    let layer = &layers()[0];
    assert_eq!(
        status(layer, preflight(std::slice::from_ref(&spaces))),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(layer, preflight(std::slice::from_ref(&tabs))),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        status(layer, preflight(std::slice::from_ref(&obs))),
        StatusCode::FORBIDDEN
    );
}

#[test]
fn huge_origin_and_method() {
    let big = HeaderValue::from_bytes(&vec![b'a'; 1 << 20]).unwrap();
    for layer in layers() {
        let req = Request::get("/")
            .header(ORIGIN, big.clone())
            .body(())
            .unwrap();
        assert_eq!(status(&layer, req), StatusCode::OK);
        let mut req = preflight(&[]);
        req.headers_mut()
            .insert(ACCESS_CONTROL_REQUEST_METHOD, big.clone());
        assert_eq!(status(&layer, req), StatusCode::FORBIDDEN);
    }
}

/// DESIGN §3's classification under duplicated and odd request headers:
/// two `Origin` lines are not CORS (no grant), a repeated
/// `Access-Control-Request-Method` is a refused preflight, an `OPTIONS`
/// without one is an actual request, and `HEAD` gets `GET`'s headers.
#[test]
fn duplicated_and_odd_request_headers_grant_nothing_extra() {
    let layer = &layers()[0];
    let acao = |res: &http::Response<()>| {
        res.headers()
            .get_all("access-control-allow-origin")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let access_control = |res: &http::Response<()>| {
        res.headers()
            .keys()
            .filter(|n| n.as_str().starts_with("access-control-"))
            .count()
    };

    // Two `Origin` lines (even both allowed) on a would-be preflight: not
    // CORS, so the inner service answers and nothing is granted.
    let mut s = Server::new(layer, App::ok());
    let mut req = preflight(&[]);
    req.headers_mut()
        .append(ORIGIN, HeaderValue::from_static(APP));
    let res = s.send(req);
    assert_eq!(s.app_calls(), 1);
    assert_eq!(access_control(&res), 0);
    assert_eq!(res.headers().get("vary").unwrap(), "origin");

    // `Access-Control-Request-Method` twice: a preflight, refused.
    let mut s = Server::new(layer, App::ok());
    let mut req = preflight(&[]);
    req.headers_mut().append(
        ACCESS_CONTROL_REQUEST_METHOD,
        HeaderValue::from_static("PUT"),
    );
    let res = s.send(req);
    assert_eq!(s.app_calls(), 0);
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(access_control(&res), 0);
    assert_eq!(
        layer
            .evaluate_request(&{
                let mut r = preflight(&[]);
                r.headers_mut().append(
                    ACCESS_CONTROL_REQUEST_METHOD,
                    HeaderValue::from_static("PUT"),
                );
                r
            })
            .kind(),
        RequestKind::Preflight
    );

    // `OPTIONS` with `Origin` and no request method: an actual request.
    let mut s = Server::new(layer, App::ok());
    let req = Request::options("/").header(ORIGIN, APP).body(()).unwrap();
    let res = s.send(req);
    assert_eq!(s.app_calls(), 1);
    assert_eq!(acao(&res), [APP]);

    // `HEAD` gets exactly `GET`'s CORS headers.
    let get = Server::new(layer, App::with_headers())
        .send(Request::get("/").header(ORIGIN, APP).body(()).unwrap());
    let head = Server::new(layer, App::with_headers())
        .send(Request::head("/").header(ORIGIN, APP).body(()).unwrap());
    assert_eq!(get.headers(), head.headers());
    assert_eq!(acao(&head), [APP]);
}

/// With `allow_private_network(true)`, every preflight's `Vary` names
/// `access-control-request-private-network`, refused ones too (a cache must
/// not serve a refusal to the request that would be allowed).
#[test]
fn private_network_preflights_vary_on_the_request_header() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_methods(["PUT"])
        .allow_private_network(true)
        .build()
        .unwrap();
    for (origin, pna, want) in [
        (APP, true, StatusCode::NO_CONTENT),
        (APP, false, StatusCode::NO_CONTENT),
        ("https://evil.example.net", true, StatusCode::FORBIDDEN),
    ] {
        let mut req = Request::options("/")
            .header(ORIGIN, origin)
            .header(ACCESS_CONTROL_REQUEST_METHOD, "PUT")
            .body(())
            .unwrap();
        if pna {
            req.headers_mut().insert(
                "access-control-request-private-network",
                HeaderValue::from_static("true"),
            );
        }
        let res = Server::new(&layer, App::ok()).send(req);
        assert_eq!(res.status(), want, "{origin} {pna}");
        let vary: Vec<String> = res
            .headers()
            .get_all("vary")
            .iter()
            .flat_map(|v| {
                v.to_str()
                    .unwrap()
                    .split(',')
                    .map(|s| s.trim().to_ascii_lowercase())
            })
            .collect();
        assert!(
            vary.iter()
                .any(|v| v == "access-control-request-private-network"),
            "{origin} {pna}: {vary:?}"
        );
        let granted = res.headers().get("access-control-allow-private-network");
        assert_eq!(granted.is_some(), pna && want == StatusCode::NO_CONTENT);
    }
}
