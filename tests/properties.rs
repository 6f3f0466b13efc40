//! Property tests: arbitrary valid configurations and arbitrary requests
//! (origins from the allowlist and near-miss mutations of it), judged by the
//! browser model of the Fetch standard (`model/`, crate `strict-cors-model`).
//!
//! 2,000 cases per property by default; set `PROPTEST_CASES` for more.

mod support;

use std::time::Duration;

use http::header::{HeaderName, ORIGIN, VARY};
use http::{HeaderValue, Method, Request, Response};
use proptest::prelude::*;
use strict_cors::{CorsBuilder, CorsLayer};
use support::harness::{App, Server};
use support::model::{self, Browser, FetchRequest, Outcome};

const URL: &str = "https://api.example.com/me";

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

// ---------------------------------------------------------------------------
// Configurations
// ---------------------------------------------------------------------------

/// A valid configuration, and the allowlist it means (canonical origins).
#[derive(Clone, Debug)]
struct Cfg {
    /// Canonical origins, as browsers send them.
    origins: Vec<String>,
    /// How each was written in the configuration (case, default ports).
    written: Vec<String>,
    any_origin: bool,
    credentials: bool,
    methods: Vec<&'static str>,
    methods_any: bool,
    headers: Vec<&'static str>,
    headers_any: bool,
    expose: Vec<&'static str>,
    expose_any: bool,
    max_age: Option<u64>,
    /// Debug mode must never change what the browser lets the script read.
    debug: bool,
}

impl Cfg {
    fn builder(&self) -> CorsBuilder {
        let mut b = CorsLayer::builder()
            .allow_credentials(self.credentials)
            .debug(self.debug);
        b = if self.any_origin {
            b.allow_any_origin()
        } else {
            b.allow_origins(&self.written)
        };
        b = b.allow_methods(&self.methods).allow_headers(&self.headers);
        if self.methods_any {
            b = b.allow_methods(["*"]);
        }
        if self.headers_any {
            b = b.allow_headers(["*"]);
        }
        b = b.expose_headers(&self.expose);
        if self.expose_any {
            b = b.expose_headers(["*"]);
        }
        if let Some(s) = self.max_age {
            b = b.max_age(Duration::from_secs(s));
        }
        b
    }

    fn layer(&self) -> CorsLayer {
        match self.builder().build() {
            Ok(l) => l,
            Err(e) => panic!("generated config must be valid: {e}\n{self:?}"),
        }
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        self.any_origin || self.origins.iter().any(|o| o == origin)
    }

    fn method_allowed(&self, method: &str) -> bool {
        model::is_cors_safelisted_method(method)
            || self.methods_any
            || self
                .methods
                .iter()
                .any(|m| model::normalize_method(m) == method)
    }

    fn header_allowed(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h.eq_ignore_ascii_case(name))
            // `*` never covers authorization, credentials or not (0.2).
            || (self.headers_any && name != "authorization")
    }

    /// What the configuration means: may the script read the response?
    fn intends(&self, req: &FetchRequest) -> bool {
        if !self.origin_allowed(&req.origin) || (req.credentials && !self.credentials) {
            return false;
        }
        if !model::preflight_eligible(req) {
            return true;
        }
        let method = model::normalize_method(&req.method);
        self.method_allowed(&method)
            && model::cors_unsafe_request_header_names(&req.headers)
                .iter()
                .all(|n| self.header_allowed(n))
    }

    fn exposes(&self, name: &str) -> bool {
        self.expose_any || self.expose.contains(&name)
    }
}

const HOSTS: [&str; 7] = [
    "app.example.com",
    "example.com",
    "a.b.example.org",
    "foo.com",
    "bar.com",
    "localhost",
    "127.0.0.1",
];

/// One allowed origin: (canonical, as written).
fn origin_strategy() -> impl Strategy<Value = (String, String)> {
    (
        prop::sample::select(&HOSTS[..]),
        prop::sample::select(&[None, Some(3000u16), Some(8443), Some(443), Some(80)][..]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(host, port, http, shout)| {
            let loopback = host == "localhost" || host.starts_with("127.");
            let scheme = if http && loopback { "http" } else { "https" };
            let default = if scheme == "https" { 443 } else { 80 };
            let canonical_port = port.filter(|p| *p != default);
            let canonical = match canonical_port {
                Some(p) => format!("{scheme}://{host}:{p}"),
                None => format!("{scheme}://{host}"),
            };
            let mut written = match port {
                Some(p) => format!("{scheme}://{host}:{p}"),
                None => format!("{scheme}://{host}"),
            };
            if shout {
                written = written.to_ascii_uppercase();
            }
            (canonical, written)
        })
}

const METHODS: [&str; 6] = ["PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "get"];
const ALLOW_HEADERS: [&str; 5] = ["content-type", "authorization", "x-a", "X-B", "accept"];
const EXPOSE: [&str; 3] = ["x-request-id", "x-internal", "content-length"];

fn cfg_strategy() -> impl Strategy<Value = Cfg> {
    (
        prop::collection::vec(origin_strategy(), 1..4),
        any::<bool>(),
        any::<bool>(),
        prop::sample::subsequence(&METHODS[..], 0..=METHODS.len()),
        prop::bool::weighted(0.2),
        prop::sample::subsequence(&ALLOW_HEADERS[..], 0..=ALLOW_HEADERS.len()),
        prop::bool::weighted(0.2),
        prop::sample::subsequence(&EXPOSE[..], 0..=EXPOSE.len()),
        prop::bool::weighted(0.15),
        (
            prop::option::of(prop::sample::select(&[0u64, 1, 5, 600, 7200, 86_400][..])),
            prop::bool::weighted(0.3),
        ),
    )
        .prop_map(
            |(
                origins,
                any_origin,
                credentials,
                methods,
                methods_any,
                headers,
                headers_any,
                expose,
                expose_any,
                (max_age, debug),
            )| {
                let any_origin = any_origin && !credentials && origins.len() == 1;
                Cfg {
                    origins: origins.iter().map(|o| o.0.clone()).collect(),
                    written: origins.into_iter().map(|o| o.1).collect(),
                    any_origin,
                    credentials,
                    methods,
                    methods_any,
                    headers,
                    headers_any,
                    expose,
                    expose_any: expose_any && !credentials,
                    max_age,
                    debug,
                }
            },
        )
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/// Near-miss mutations of an allowed origin.
fn mutate(origin: &str, how: u8) -> String {
    let (scheme, rest) = origin.split_once("://").unwrap_or(("https", origin));
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
        _ => (rest, None),
    };
    let with = |scheme: &str, host: &str, port: Option<&str>| match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    };
    match how % 11 {
        0 => with(if scheme == "https" { "http" } else { "https" }, host, port),
        1 => with(scheme, host, Some("8444")),
        2 => with(scheme, host, None),
        3 => with(scheme, &format!("evil{host}"), port),
        4 => with(scheme, &format!("{host}.evil.net"), port),
        5 => with(scheme, &format!("x.{host}"), port),
        6 => with(scheme, &host.to_ascii_uppercase(), port),
        7 => format!("{}/", with(scheme, host, port)),
        8 => "null".to_owned(),
        9 => with(scheme, &host[1.min(host.len())..], port),
        _ => with(scheme, "barfoo.com", port),
    }
}

const REQ_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "delete", "PATCH", "patch", "OPTIONS", "PROPFIND",
];
const REQ_HEADERS: [(&str, &str); 9] = [
    ("content-type", "application/json"),
    ("content-type", "text/plain"),
    ("authorization", "Bearer t"),
    ("x-a", "1"),
    ("X-B", "2"),
    ("x-c", "3"),
    ("accept", "application/json"),
    ("accept", "(bad)"),
    ("content-language", "en"),
];

fn request_strategy(cfg: &Cfg) -> impl Strategy<Value = FetchRequest> {
    let origins = cfg.origins.clone();
    (
        prop::sample::select(origins),
        prop::option::weighted(0.5, any::<u8>()),
        prop::sample::select(&REQ_METHODS[..]),
        prop::sample::subsequence(&REQ_HEADERS[..], 0..4),
        any::<bool>(),
    )
        .prop_map(|(origin, mutation, method, headers, credentials)| {
            let origin = match mutation {
                Some(how) => mutate(&origin, how),
                None => origin,
            };
            let mut req = FetchRequest::new(&origin, URL, method).credentials(credentials);
            for (n, v) in headers {
                req = req.header(n, v);
            }
            req
        })
}

fn app_strategy() -> impl Strategy<Value = App> {
    const APP_HEADERS: [(&str, &str); 7] = [
        ("access-control-allow-origin", "*"),
        ("access-control-allow-credentials", "true"),
        ("access-control-expose-headers", "x-internal"),
        ("vary", "accept-encoding"),
        ("vary", "Origin"),
        ("x-request-id", "1"),
        ("x-internal", "2"),
    ];
    (
        prop::sample::select(&[200u16, 204, 401, 404, 500, 302][..]),
        prop::sample::subsequence(&APP_HEADERS[..], 0..=APP_HEADERS.len()),
    )
        .prop_map(|(status, headers)| App {
            status: Some(status),
            headers: headers
                .into_iter()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect(),
        })
}

fn scenario() -> impl Strategy<Value = (Cfg, FetchRequest, App)> {
    cfg_strategy().prop_flat_map(|cfg| {
        let req = request_strategy(&cfg);
        (Just(cfg), req, app_strategy())
    })
}

/// Every request a server may see for `req`: the browser's preflight and
/// actual request, and the same without `Origin`, with two `Origin`s, and
/// as a plain `OPTIONS`.
fn raw_requests(req: &FetchRequest) -> Vec<Request<()>> {
    let mut out = vec![model::preflight_request(req), model::actual_request(req)];
    let mut no_origin = model::actual_request(req);
    no_origin.headers_mut().remove(ORIGIN);
    out.push(no_origin);
    let mut two = model::actual_request(req);
    two.headers_mut()
        .append(ORIGIN, HeaderValue::from_static("https://other.example"));
    out.push(two);
    let mut plain_options = model::actual_request(req);
    *plain_options.method_mut() = Method::OPTIONS;
    out.push(plain_options);
    out
}

fn single_origin(req: &Request<()>) -> Option<&str> {
    let mut all = req.headers().get_all(ORIGIN).iter();
    match (all.next(), all.next()) {
        (Some(v), None) => v.to_str().ok(),
        _ => None,
    }
}

fn check_raw<F>(cfg: &Cfg, req: &FetchRequest, app: &App, mut check: F) -> Result<(), TestCaseError>
where
    F: FnMut(&Request<()>, &Response<()>, usize) -> Result<(), TestCaseError>,
{
    let layer = cfg.layer();
    for raw in raw_requests(req) {
        let mut server = Server::new(&layer, app.clone());
        let res = server.send(raw.clone());
        check(&raw, &res, server.app_calls())?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// The browser lets the script read the response exactly when the
    /// configuration intends the request to be allowed; exposed headers are
    /// readable exactly when configured; a repeated request within max-age
    /// sends no second preflight.
    #[test]
    fn browser_reads_iff_configuration_allows((cfg, req, app) in scenario()) {
        let layer = cfg.layer();
        let app_sets = |name: &str| app.headers.iter().any(|(n, _)| n == name);
        let mut server = Server::new(&layer, app.clone());
        let mut browser = Browser::new();
        let (outcome, seen) = browser.fetch(&req, &mut |r| server.send(r));
        let intended = cfg.intends(&req);
        prop_assert_eq!(
            outcome.is_readable(), intended,
            "outcome {:?} for {:?}\nconfig {:?}\nserver saw {:?}", outcome, req, cfg, seen
        );
        if let Outcome::Readable { readable_headers, .. } = &outcome {
            for name in ["x-request-id", "x-internal"] {
                let present = app_sets(name);
                let readable = readable_headers.iter().any(|h| h == name);
                prop_assert_eq!(readable, present && cfg.exposes(name), "{} {:?}", name, readable_headers);
            }
        }
        // Same request again, at once: the cache must not change the answer,
        // and a preflight answered with max-age > 0 is not sent again.
        let preflighted = seen.len() == 2;
        let (again, seen_again) = browser.fetch(&req, &mut |r| server.send(r));
        prop_assert_eq!(again.is_readable(), intended);
        if intended && preflighted && cfg.max_age.unwrap_or(5) > 0 {
            prop_assert_eq!(seen_again.len(), 1, "preflight not cached: {:?}", seen_again);
        }
    }

    /// A disallowed origin never receives `Access-Control-Allow-Origin` or
    /// `Access-Control-Allow-Credentials`, on any kind of request.
    #[test]
    fn disallowed_origin_gets_no_allow_headers((cfg, req, app) in scenario()) {
        check_raw(&cfg, &req, &app, |raw, res, _| {
            if let Some(origin) = single_origin(raw) {
                if !cfg.origin_allowed(origin) {
                    prop_assert!(res.headers().get("access-control-allow-origin").is_none(), "{:?}", res);
                    prop_assert!(res.headers().get("access-control-allow-credentials").is_none(), "{:?}", res);
                }
            }
            Ok(())
        })?;
    }

    /// Never `Access-Control-Allow-Origin: *` together with credentials.
    #[test]
    fn never_wildcard_with_credentials((cfg, req, app) in scenario()) {
        check_raw(&cfg, &req, &app, |_, res, _| {
            let h = res.headers();
            let wildcard = h.get_all("access-control-allow-origin").iter().any(|v| v == "*");
            prop_assert!(!(wildcard && h.contains_key("access-control-allow-credentials")), "{:?}", res);
            Ok(())
        })?;
    }

    /// `Vary` names `origin` (or is `*`) on every response whose headers
    /// depend on the request's `Origin`: all responses of an exact-origin
    /// policy, and every preflight answer.
    #[test]
    fn vary_names_origin((cfg, req, app) in scenario()) {
        check_raw(&cfg, &req, &app, |raw, res, _| {
            if !cfg.any_origin || model::is_preflight(raw) && single_origin(raw).is_some() {
                let covered = res.headers().get_all(VARY).iter().any(|v| {
                    v.to_str().unwrap_or("").split(',').any(|i| {
                        let i = i.trim();
                        i == "*" || i.eq_ignore_ascii_case("origin")
                    })
                });
                prop_assert!(covered, "no Vary: origin on {:?} for {:?}", res, raw);
                let origins = res.headers().get_all(VARY).iter()
                    .flat_map(|v| v.to_str().unwrap_or("").split(',').map(|s| s.trim().to_ascii_lowercase()).collect::<Vec<_>>())
                    .filter(|s| s == "origin")
                    .count();
                prop_assert!(origins <= 1, "Vary names origin {} times: {:?}", origins, res);
            }
            Ok(())
        })?;
    }

    /// A preflight never reaches the inner service; any other request
    /// reaches it exactly once.
    #[test]
    fn preflight_never_reaches_the_app((cfg, req, app) in scenario()) {
        check_raw(&cfg, &req, &app, |raw, _, calls| {
            let preflight = model::is_preflight(raw) && single_origin(raw).is_some();
            prop_assert_eq!(calls, usize::from(!preflight), "{:?}", raw);
            Ok(())
        })?;
    }

    /// At most one value of each `Access-Control-*` response header.
    #[test]
    fn at_most_one_value_per_cors_header((cfg, req, app) in scenario()) {
        check_raw(&cfg, &req, &app, |raw, res, _| {
            for name in [
                "access-control-allow-origin",
                "access-control-allow-credentials",
                "access-control-allow-methods",
                "access-control-allow-headers",
                "access-control-allow-private-network",
                "access-control-expose-headers",
                "access-control-max-age",
            ] {
                let n = res.headers().get_all(HeaderName::from_static(name)).iter().count();
                prop_assert!(n <= 1, "{} x{} on {:?} for {:?}", name, n, res, raw);
            }
            Ok(())
        })?;
    }
}
