//! Table tests modelled on the web-platform-tests CORS suites
//! (`fetch/api/cors/`: cors-basic, cors-preflight, cors-preflight-star,
//! cors-preflight-not-cors-safelisted, cors-expose-star, cors-filtering,
//! cors-origin, cors-preflight-cache, cors-multiple-origins, cors-cookies;
//! `cors/`: credentials-flag, origin, preflight-failure, simple-requests):
//! each row is a `fetch()` the page makes and the outcome the browser shows,
//! judged by the browser model against the real layer.

mod support;

use std::time::Duration;

use strict_cors::CorsLayer;
use support::harness::{App, Server};
use support::model::{Browser, FetchRequest, Outcome};

const APP: &str = "https://app.example.com";
const DEV: &str = "http://localhost:3000";
const URL: &str = "https://api.example.com/resource";

/// Configurations the rows run against.
#[derive(Clone, Copy, Debug)]
enum Cfg {
    /// Credentialed API: two exact origins, listed methods and headers.
    Credentialed,
    /// Public API: any origin, any method and header, expose `*`.
    Public,
    /// Exact origin without credentials, `*` headers, PATCH only.
    ExactStar,
    /// Credentialed with `*` methods and headers (echo mode).
    CredentialedEcho,
    /// `CredentialedEcho` with `authorization` listed beside `*`.
    CredentialedEchoAuth,
}

fn layer(cfg: Cfg) -> CorsLayer {
    let b = CorsLayer::builder();
    let b = match cfg {
        Cfg::Credentialed => b
            .allow_origins([APP, DEV])
            .allow_credentials(true)
            .allow_methods(["GET", "POST", "PUT", "DELETE"])
            .allow_headers(["content-type", "authorization", "x-csrf-token"])
            .expose_headers(["x-request-id"])
            .max_age(Duration::from_secs(600)),
        Cfg::Public => b
            .allow_any_origin()
            .allow_methods(["*"])
            .allow_headers(["*"])
            .expose_headers(["*"]),
        Cfg::ExactStar => b
            .allow_origins([APP])
            .allow_methods(["PATCH"])
            .allow_headers(["*"]),
        Cfg::CredentialedEcho => b
            .allow_origins([APP])
            .allow_credentials(true)
            .allow_methods(["*"])
            .allow_headers(["*"]),
        Cfg::CredentialedEchoAuth => b
            .allow_origins([APP])
            .allow_credentials(true)
            .allow_methods(["*"])
            .allow_headers(["*", "authorization"]),
    };
    b.build().expect("table configs are valid")
}

/// What the page's script sees.
#[derive(Debug)]
enum Expect {
    /// Readable with this status, these headers readable, those not.
    Read(u16, &'static [&'static str], &'static [&'static str]),
    /// `TypeError`.
    Blocked,
}
use Expect::{Blocked, Read};

struct Row {
    name: &'static str,
    cfg: Cfg,
    origin: &'static str,
    method: &'static str,
    headers: &'static [(&'static str, &'static str)],
    credentials: bool,
    status: u16,
    expect: Expect,
}

const fn row(
    name: &'static str,
    cfg: Cfg,
    origin: &'static str,
    method: &'static str,
    headers: &'static [(&'static str, &'static str)],
    credentials: bool,
    expect: Expect,
) -> Row {
    Row {
        name,
        cfg,
        origin,
        method,
        headers,
        credentials,
        status: 200,
        expect,
    }
}

const RID: &[&str] = &["x-request-id"];
const NONE: &[&str] = &[];
const BOTH: &[&str] = &["x-request-id", "x-internal"];
const JSON: (&str, &str) = ("content-type", "application/json");
const AUTH: (&str, &str) = ("authorization", "Bearer t");

use Cfg::*;

const ROWS: &[Row] = &[
    // cors-basic / simple-requests
    row(
        "simple GET, allowed origin",
        Credentialed,
        APP,
        "GET",
        &[],
        false,
        Read(200, RID, &["x-internal"]),
    ),
    row(
        "simple GET, credentialed",
        Credentialed,
        APP,
        "GET",
        &[],
        true,
        Read(200, RID, &["x-internal"]),
    ),
    row(
        "simple GET, second allowed origin",
        Credentialed,
        DEV,
        "GET",
        &[],
        true,
        Read(200, RID, NONE),
    ),
    row(
        "simple HEAD",
        Credentialed,
        APP,
        "HEAD",
        &[],
        true,
        Read(200, RID, NONE),
    ),
    row(
        "simple POST text/plain",
        Credentialed,
        APP,
        "POST",
        &[("content-type", "text/plain;charset=UTF-8")],
        true,
        Read(200, RID, NONE),
    ),
    row(
        "simple POST form",
        Credentialed,
        APP,
        "POST",
        &[("content-type", "application/x-www-form-urlencoded")],
        true,
        Read(200, RID, NONE),
    ),
    row(
        "safelisted accept header",
        Credentialed,
        APP,
        "GET",
        &[("accept", "application/json")],
        true,
        Read(200, RID, NONE),
    ),
    // cors-origin / origin
    row(
        "unknown origin, simple GET",
        Credentialed,
        "https://evil.example.net",
        "GET",
        &[],
        false,
        Blocked,
    ),
    row(
        "unknown origin, credentialed",
        Credentialed,
        "https://evil.example.net",
        "GET",
        &[],
        true,
        Blocked,
    ),
    row(
        "origin with suffix",
        Credentialed,
        "https://app.example.com.evil.net",
        "GET",
        &[],
        false,
        Blocked,
    ),
    row(
        "origin with prefix",
        Credentialed,
        "https://evilapp.example.com",
        "GET",
        &[],
        false,
        Blocked,
    ),
    row(
        "http instead of https",
        Credentialed,
        "http://app.example.com",
        "GET",
        &[],
        false,
        Blocked,
    ),
    row(
        "other port",
        Credentialed,
        "https://app.example.com:8443",
        "GET",
        &[],
        false,
        Blocked,
    ),
    row(
        "other dev port",
        Credentialed,
        "http://localhost:3001",
        "GET",
        &[],
        true,
        Blocked,
    ),
    row(
        "null origin (sandboxed iframe)",
        Credentialed,
        "null",
        "GET",
        &[],
        false,
        Blocked,
    ),
    row(
        "null origin, public API",
        Public,
        "null",
        "GET",
        &[],
        false,
        Read(200, BOTH, NONE),
    ),
    // cors-preflight
    row(
        "PUT preflighted",
        Credentialed,
        APP,
        "PUT",
        &[],
        true,
        Read(200, RID, NONE),
    ),
    row(
        "DELETE lower-case normalised by fetch",
        Credentialed,
        APP,
        "delete",
        &[],
        true,
        Read(200, RID, NONE),
    ),
    row(
        "PATCH not allowed",
        Credentialed,
        APP,
        "PATCH",
        &[],
        true,
        Blocked,
    ),
    row(
        "JSON body preflighted",
        Credentialed,
        APP,
        "POST",
        &[JSON],
        true,
        Read(200, RID, NONE),
    ),
    row(
        "Authorization allowed",
        Credentialed,
        APP,
        "GET",
        &[AUTH],
        true,
        Read(200, RID, NONE),
    ),
    row(
        "PUT with Authorization and JSON",
        Credentialed,
        APP,
        "PUT",
        &[AUTH, JSON],
        true,
        Read(200, RID, NONE),
    ),
    row(
        "custom header allowed",
        Credentialed,
        APP,
        "POST",
        &[("X-CSRF-Token", "abc")],
        true,
        Read(200, RID, NONE),
    ),
    row(
        "custom header not allowed",
        Credentialed,
        APP,
        "GET",
        &[("x-other", "1")],
        true,
        Blocked,
    ),
    row(
        "one header of two not allowed",
        Credentialed,
        APP,
        "PUT",
        &[JSON, ("x-other", "1")],
        true,
        Blocked,
    ),
    row(
        "unsafe accept value",
        Credentialed,
        APP,
        "GET",
        &[("accept", "(x)")],
        true,
        Blocked,
    ),
    row(
        "preflight from unknown origin",
        Credentialed,
        "https://evil.example.net",
        "PUT",
        &[AUTH],
        true,
        Blocked,
    ),
    // cors-preflight-star
    row(
        "star methods, public",
        Public,
        APP,
        "PATCH",
        &[],
        false,
        Read(200, BOTH, NONE),
    ),
    row(
        "star headers, public",
        Public,
        APP,
        "GET",
        &[("x-a", "1"), ("x-b", "2")],
        false,
        Read(200, BOTH, NONE),
    ),
    row(
        "star never covers authorization",
        Public,
        APP,
        "GET",
        &[AUTH],
        false,
        Blocked,
    ),
    row(
        "star headers exact origin",
        ExactStar,
        APP,
        "PATCH",
        &[("x-a", "1")],
        false,
        Read(200, NONE, RID),
    ),
    row(
        "star headers, authorization without credentials",
        ExactStar,
        APP,
        "GET",
        &[AUTH],
        false,
        Blocked,
    ),
    row(
        "star config, credentialed request",
        ExactStar,
        APP,
        "GET",
        &[],
        true,
        Blocked,
    ),
    row(
        "star method not listed",
        ExactStar,
        APP,
        "PUT",
        &[],
        false,
        Blocked,
    ),
    // 0.2: `*` never covers authorization, with credentials too.
    row(
        "echo mode never covers authorization",
        CredentialedEcho,
        APP,
        "PATCH",
        &[AUTH, ("x-a", "1")],
        true,
        Blocked,
    ),
    row(
        "echo mode with authorization listed",
        CredentialedEchoAuth,
        APP,
        "PATCH",
        &[AUTH, ("x-a", "1")],
        true,
        Read(200, NONE, NONE),
    ),
    row(
        "echo mode any method",
        CredentialedEcho,
        APP,
        "PROPFIND",
        &[],
        true,
        Read(200, NONE, NONE),
    ),
    row(
        "echo mode uncredentialed",
        CredentialedEcho,
        APP,
        "patch",
        &[("x-a", "1")],
        false,
        Read(200, NONE, NONE),
    ),
    row(
        "echo mode uncredentialed, authorization",
        CredentialedEcho,
        APP,
        "patch",
        &[AUTH],
        false,
        Blocked,
    ),
    // credentials-flag / cors-cookies
    row(
        "public API, credentialed request",
        Public,
        APP,
        "GET",
        &[],
        true,
        Blocked,
    ),
    row(
        "public API, preflighted credentialed",
        Public,
        APP,
        "PUT",
        &[JSON],
        true,
        Blocked,
    ),
    // cors-expose-star / cors-filtering
    row(
        "expose star, public",
        Public,
        APP,
        "GET",
        &[],
        false,
        Read(200, BOTH, NONE),
    ),
    row(
        "expose listed only",
        Credentialed,
        APP,
        "GET",
        &[],
        true,
        Read(200, RID, &["x-internal"]),
    ),
    row(
        "no expose configured",
        ExactStar,
        APP,
        "GET",
        &[],
        false,
        Read(200, NONE, BOTH),
    ),
    // any status is readable by an allowed origin
    Row {
        status: 401,
        ..row(
            "401 readable",
            Credentialed,
            APP,
            "GET",
            &[AUTH],
            true,
            Read(401, RID, NONE),
        )
    },
    Row {
        status: 403,
        ..row(
            "403 readable",
            Credentialed,
            APP,
            "PUT",
            &[JSON],
            true,
            Read(403, RID, NONE),
        )
    },
    Row {
        status: 500,
        ..row(
            "500 readable",
            Credentialed,
            APP,
            "GET",
            &[],
            true,
            Read(500, RID, NONE),
        )
    },
    Row {
        status: 404,
        ..row(
            "404 readable",
            Credentialed,
            APP,
            "DELETE",
            &[],
            true,
            Read(404, RID, NONE),
        )
    },
    Row {
        status: 500,
        ..row(
            "500 from unknown origin",
            Credentialed,
            "https://evil.example.net",
            "GET",
            &[],
            true,
            Blocked,
        )
    },
];

#[test]
fn wpt_style_scenarios() {
    assert!(ROWS.len() >= 40, "{} rows", ROWS.len());
    let mut failures = Vec::new();
    for r in ROWS {
        let layer = layer(r.cfg);
        let app = App {
            status: Some(r.status),
            ..App::with_headers()
        };
        let mut server = Server::new(&layer, app);
        let mut req = FetchRequest::new(r.origin, URL, r.method).credentials(r.credentials);
        for (n, v) in r.headers {
            req = req.header(n, v);
        }
        let (outcome, _) = Browser::new().fetch(&req, &mut |q| server.send(q));
        let ok = match (&r.expect, &outcome) {
            (Blocked, Outcome::Blocked(_)) => true,
            (
                Read(status, readable, hidden),
                Outcome::Readable {
                    status: got,
                    readable_headers,
                },
            ) => {
                status == got
                    && readable
                        .iter()
                        .all(|h| readable_headers.iter().any(|g| g == h))
                    && hidden
                        .iter()
                        .all(|h| readable_headers.iter().all(|g| g != h))
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}: expected {:?}, got {:?}",
                r.name, r.expect, outcome
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// cors-preflight-cache: max-age caches the preflight per method and header.
#[test]
fn preflight_cache_follows_max_age() {
    let layer = layer(Credentialed);
    let mut server = Server::new(&layer, App::with_headers());
    let mut browser = Browser::new();
    let put = FetchRequest::new(APP, URL, "PUT")
        .credentials(true)
        .header("authorization", "Bearer t");
    let mut preflights = 0;
    let mut send = |browser: &mut Browser, req: &FetchRequest| {
        let (o, seen) = browser.fetch(req, &mut |q| server.send(q));
        assert!(o.is_readable(), "{o:?}");
        seen.len() - 1
    };
    preflights += send(&mut browser, &put);
    preflights += send(&mut browser, &put);
    assert_eq!(
        preflights, 1,
        "second request within max-age must be cached"
    );
    browser.advance(601);
    preflights += send(&mut browser, &put);
    assert_eq!(preflights, 2, "expired entry must trigger a new preflight");
    // A header not yet cached needs its own preflight.
    let with_json = put.clone().header("content-type", "application/json");
    preflights += send(&mut browser, &with_json);
    assert_eq!(preflights, 3);
}

/// Without max_age the browser caches for its default of 5 s.
#[test]
fn preflight_cache_default_five_seconds() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_methods(["PUT"])
        .build()
        .unwrap();
    let mut server = Server::new(&layer, App::ok());
    let mut browser = Browser::new();
    let put = FetchRequest::new(APP, URL, "PUT");
    let (_, a) = browser.fetch(&put, &mut |q| server.send(q));
    browser.advance(4);
    let (_, b) = browser.fetch(&put, &mut |q| server.send(q));
    browser.advance(2);
    let (_, c) = browser.fetch(&put, &mut |q| server.send(q));
    assert_eq!((a.len(), b.len(), c.len()), (2, 1, 2));
}
