//! Red team: each promise of the crate, tried as an attacker or a careless
//! operator would. One section per finding; add new sections at the end,
//! keeping each case next to the rule it breaks.
//!
//! Promise: *if it builds, the browser does exactly what the configuration
//! says; a wrong configuration never builds; nothing panics.*

use http::Request;
use proptest::prelude::*;
use strict_cors::{ConfigProblem, CorsBuilder, CorsLayer, OriginDefect, RequestKind};

// ---------------------------------------------------------------------------
// Helpers.

fn layer(b: CorsBuilder) -> CorsLayer {
    match b.build() {
        Ok(l) => l,
        Err(e) => panic!("expected a layer: {e}"),
    }
}

fn patterns(list: &[&str]) -> CorsLayer {
    layer(
        CorsLayer::builder()
            .allow_origin_patterns(list)
            .allow_credentials(true),
    )
}

fn allowed(layer: &CorsLayer, origin: &str) -> bool {
    let (parts, ()) = Request::get("/")
        .header("origin", origin)
        .body(())
        .expect("request")
        .into_parts();
    {
        let d = layer.evaluate(&parts);
        d.kind() == RequestKind::Actual && d.is_allowed()
    }
}

fn problems(b: CorsBuilder) -> Vec<ConfigProblem> {
    match b.build() {
        Ok(l) => panic!("expected an error, built {l:?}"),
        Err(e) => e.into_problems(),
    }
}

fn one(b: CorsBuilder) -> ConfigProblem {
    let mut p = problems(b);
    assert_eq!(p.len(), 1, "{p:?}");
    p.remove(0)
}

fn pattern_defect(pattern: &str) -> OriginDefect {
    match one(CorsLayer::builder().allow_origin_patterns([pattern])) {
        ConfigProblem::InvalidOriginPattern { defect, .. } => defect,
        other => panic!("{pattern}: {other:?}"),
    }
}

fn origin_defect(origin: &str) -> OriginDefect {
    match one(CorsLayer::builder().allow_origins([origin])) {
        ConfigProblem::InvalidOrigin { defect, .. } => defect,
        other => panic!("{origin}: {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Issue 12.1: a pattern's `*` never spans a public suffix (public suffix
// list, private section included).

/// (pattern, a host of the pattern's own registrable domain, a host of
/// someone else's site under a public suffix inside the pattern's domain).
const SPANNING: [(&str, &str, &str); 4] = [
    (
        "https://*.amazonaws.com",
        "https://console.amazonaws.com",
        "https://evil-bucket.s3.amazonaws.com",
    ),
    (
        "https://*.fastly.net",
        "https://www.fastly.net",
        "https://evil.global.ssl.fastly.net",
    ),
    (
        "https://*.core.windows.net",
        "https://portal.core.windows.net",
        "https://evilaccount.blob.core.windows.net",
    ),
    (
        "https://*.windows.net",
        "https://login.windows.net",
        "https://evilaccount.blob.core.windows.net",
    ),
];

#[test]
fn wildcard_never_spans_a_public_suffix() {
    for (pattern, own, foreign) in SPANNING {
        let l = patterns(&[pattern]);
        assert!(allowed(&l, own), "{pattern} must allow {own}");
        assert!(!allowed(&l, foreign), "{pattern} must not allow {foreign}");
    }
    // Deeper hosts under the foreign suffix are foreign too.
    let l = patterns(&["https://*.amazonaws.com"]);
    assert!(!allowed(&l, "https://a.b.s3.amazonaws.com"));
    assert!(allowed(&l, "https://a.b.console.amazonaws.com"));
}

#[test]
fn cloud_run_pattern_no_longer_builds() {
    // The finding as reported: `*.run.app` with credentials built, and
    // `evil-3x4mpl3-uc.a.run.app` (any Cloud Run user) was allowed. The list
    // has the wildcard rule `*.run.app`: every host under `run.app` sits under
    // a public suffix of its own, so the pattern could never match one of
    // yours; it is refused.
    assert_eq!(
        one(CorsLayer::builder()
            .allow_origin_patterns(["https://*.run.app"])
            .allow_credentials(true)),
        ConfigProblem::PatternUnderPublicSuffixRule {
            value: "https://*.run.app".into(),
            rule: "*.run.app".into(),
        }
    );
    // A Cloud Run service is allowed by its exact origin.
    let l = layer(
        CorsLayer::builder()
            .allow_origins(["https://my-svc-3x4mpl3-uc.a.run.app"])
            .allow_credentials(true),
    );
    assert!(allowed(&l, "https://my-svc-3x4mpl3-uc.a.run.app"));
    assert!(!allowed(&l, "https://evil-3x4mpl3-uc.a.run.app"));
}

#[test]
fn own_domains_and_localhost_keep_working() {
    let l = patterns(&[
        "https://*.example.com",
        "http://*.localhost",
        "https://*.example.co.uk",
        "https://*.me.github.io",
    ]);
    for yes in [
        "https://a.example.com",
        "https://a.b.example.com",
        "http://app.localhost",
        "http://a.b.localhost",
        "https://shop.example.co.uk",
        "https://x.me.github.io",
    ] {
        assert!(allowed(&l, yes), "{yes}");
    }
    assert!(!allowed(&l, "https://other.github.io"));
}

#[test]
fn pattern_whose_every_host_is_under_a_public_suffix_is_refused() {
    // The list's wildcard rule `*.r.appspot.com`: every `x.r.appspot.com`
    // is a public suffix of its own.
    assert_eq!(
        one(CorsLayer::builder().allow_origin_patterns(["https://*.r.appspot.com"])),
        ConfigProblem::PatternUnderPublicSuffixRule {
            value: "https://*.r.appspot.com".into(),
            rule: "*.r.appspot.com".into(),
        }
    );
    // Public suffixes themselves (ICANN and private sections).
    for p in [
        "https://*.appspot.com",
        "https://*.a.run.app",
        "https://*.s3.amazonaws.com",
    ] {
        assert!(
            matches!(
                one(CorsLayer::builder().allow_origin_patterns([p])),
                ConfigProblem::PatternOverPublicSuffix { .. }
            ),
            "{p}"
        );
    }
}

/// Suffixes of the public suffix list, private section included, that sit
/// inside a registrable domain someone else owns the parent of.
const PRIVATE_SUFFIXES: [&str; 8] = [
    "a.run.app",
    "s3.amazonaws.com",
    "global.ssl.fastly.net",
    "blob.core.windows.net",
    "github.io",
    "herokuapp.com",
    "netlify.app",
    "pages.dev",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary patterns over real suffixes never match a host of another
    /// registrable domain.
    #[test]
    fn patterns_never_match_another_registrable_domain(
        suffix in prop::sample::select(&PRIVATE_SUFFIXES[..]),
        owner in "[a-z][a-z0-9]{0,8}",
        extra in prop::collection::vec("[a-z][a-z0-9-]{0,6}[a-z0-9]", 0..3),
        attacker in "[a-z][a-z0-9]{0,8}",
        sub in prop::collection::vec("[a-z][a-z0-9]{0,6}", 0..3),
    ) {
        // A pattern over `[extra.]owner.suffix`, or over the parent of the
        // suffix (`*.run.app`, `*.amazonaws.com`).
        let parent = suffix.split_once('.').map(|(_, p)| p).unwrap_or(suffix);
        let mut fixed: Vec<String> = extra.clone();
        fixed.push(owner.clone());
        let fixed = format!("{}.{suffix}", fixed.join("."));
        for fixed in [fixed.as_str(), parent] {
            let Ok(l) = CorsLayer::builder()
                .allow_origin_patterns([format!("https://*.{fixed}")])
                .build()
            else {
                continue;
            };
            let prefix: String = sub.iter().map(|s| format!("{s}.")).collect();
            let host = format!("{prefix}{attacker}.{suffix}");
            let same_domain = psl::domain_str(&host) == psl::domain_str(&format!("x.{fixed}"));
            if !same_domain {
                prop_assert!(!allowed(&l, &format!("https://{host}")), "*.{fixed} allowed {host}");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Issue 12.2: configurations that build but can never match.

#[test]
fn port_zero_is_refused() {
    assert_eq!(
        origin_defect("https://app.example.com:0"),
        OriginDefect::InvalidPort
    );
    assert_eq!(
        origin_defect("http://localhost:000"),
        OriginDefect::InvalidPort
    );
    assert_eq!(
        pattern_defect("https://*.example.com:0"),
        OriginDefect::InvalidPort
    );
}

#[test]
fn labels_over_63_bytes_are_refused() {
    let label = "a".repeat(64);
    assert_eq!(
        origin_defect(&format!("https://{label}.example.com")),
        OriginDefect::LabelTooLong
    );
    assert_eq!(
        pattern_defect(&format!("https://*.{label}.example.com")),
        OriginDefect::LabelTooLong
    );
    let ok = "a".repeat(63);
    layer(CorsLayer::builder().allow_origins([format!("https://{ok}.example.com")]));
}

#[test]
fn hosts_over_253_bytes_are_refused() {
    let label = "a".repeat(60);
    let host = format!("{label}.{label}.{label}.{label}.example.com");
    assert!(host.len() > 253);
    assert_eq!(
        origin_defect(&format!("https://{host}")),
        OriginDefect::HostTooLong
    );
}

#[test]
fn patterns_too_long_to_ever_match_are_refused_not_dropped() {
    // The fixed part fits the DNS limit, but `x.` + it does not: before,
    // such a pattern was silently dropped and a layer allowing nothing built.
    let label = "a".repeat(61);
    let fixed = format!("{label}.{label}.{label}.{}.com", "b".repeat(62));
    assert_eq!(fixed.len(), 252);
    assert_eq!(
        pattern_defect(&format!("https://*.{fixed}")),
        OriginDefect::HostTooLong
    );
    let fits = &fixed[1..];
    let l = patterns(&[&format!("https://*.{fits}")]);
    assert!(allowed(&l, &format!("https://x.{fits}")));
}

#[test]
fn invalid_punycode_is_refused_but_underscores_are_not() {
    for bad in [
        "https://xn--zz-99999.example.com",
        "https://xn--.example.com",
    ] {
        assert_eq!(origin_defect(bad), OriginDefect::InvalidPunycode, "{bad}");
    }
    assert_eq!(
        pattern_defect("https://*.xn--zz-99999.com"),
        OriginDefect::InvalidPunycode
    );
    // Valid punycode, and names that only STD3 rules would refuse.
    layer(CorsLayer::builder().allow_origins([
        "https://xn--bcher-kva.example",
        "https://my_app.example.com",
        "https://a--b.example.com",
    ]));
}

#[test]
fn leading_zeros_in_ports_are_normalised() {
    let l = layer(CorsLayer::builder().allow_origins(["https://app.example.com:000443"]));
    assert!(allowed(&l, "https://app.example.com"));
    let l = layer(CorsLayer::builder().allow_origins(["https://app.example.com:008443"]));
    assert!(allowed(&l, "https://app.example.com:8443"));
    assert!(!allowed(&l, "https://app.example.com:008443"));
}

// ---------------------------------------------------------------------------
// Shared by 12.4 and 12.5: drive a layered service whose inner service
// answers `200` with a scripted header map.

/// Sends `req` through `layer` around an inner service answering `200` with
/// `headers`; the layer's future is polled once (the inner one is ready).
fn through(layer: &CorsLayer, headers: http::HeaderMap, req: Request<()>) -> http::Response<()> {
    use futures_util::FutureExt;
    use tower::{Layer, ServiceExt};
    let inner = tower::service_fn(move |_req: Request<()>| {
        let mut res = http::Response::new(());
        *res.headers_mut() = headers.clone();
        std::future::ready(Ok::<_, std::convert::Infallible>(res))
    });
    match layer.layer(inner).oneshot(req).now_or_never() {
        Some(Ok(res)) => res,
        Some(Err(e)) => match e {},
        None => panic!("the layer's future is pending on a ready inner service"),
    }
}

fn get(origin: Option<&str>) -> Request<()> {
    let mut b = Request::get("/api");
    if let Some(o) = origin {
        b = b.header("origin", o);
    }
    b.body(()).expect("request")
}

// ---------------------------------------------------------------------------
// Issue 12.4: the layer owns the `Access-Control-*` response namespace: what
// the inner service set under any of the seven names is removed or replaced
// on every response the layer passes.

/// The seven `Access-Control-*` response names, with values an inner service
/// (or a framework's default) might set.
const INNER_CORS: [(&str, &str); 7] = [
    ("access-control-allow-origin", "*"),
    ("access-control-allow-credentials", "true"),
    ("access-control-expose-headers", "x-secret"),
    ("access-control-allow-methods", "*"),
    ("access-control-allow-headers", "*"),
    ("access-control-max-age", "86400"),
    ("access-control-allow-private-network", "true"),
];

fn inner_cors_headers() -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    for (n, v) in INNER_CORS {
        h.append(n, http::HeaderValue::from_static(v));
        // A second line too: every line goes, not only the first.
        h.append(n, http::HeaderValue::from_static(v));
    }
    h.insert("x-request-id", http::HeaderValue::from_static("7"));
    h
}

/// The `Access-Control-*` lines of a response, as text.
fn cors_lines(res: &http::Response<()>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = res
        .headers()
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("access-control-"))
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    v.sort();
    v
}

fn owned(lines: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = lines
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    v.sort();
    v
}

#[test]
fn inner_access_control_headers_never_survive() {
    let exact = layer(
        CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .allow_credentials(true)
            .allow_private_network(true),
    );
    let cases: [(Option<&str>, &[(&str, &str)]); 3] = [
        // Allowed: exactly the layer's values.
        (
            Some("https://app.example.com"),
            &[
                ("access-control-allow-origin", "https://app.example.com"),
                ("access-control-allow-credentials", "true"),
            ],
        ),
        // Refused, and not CORS: none at all.
        (Some("https://evil.example.net"), &[]),
        (None, &[]),
    ];
    for (origin, want) in cases {
        let res = through(&exact, inner_cors_headers(), get(origin));
        assert_eq!(cors_lines(&res), owned(want), "origin {origin:?}");
        assert_eq!(res.headers()["x-request-id"], "7", "other headers are kept");
        assert_eq!(res.headers()["vary"], "origin");
    }
}

#[test]
fn any_origin_policy_owns_the_namespace_too() {
    let any = layer(
        CorsLayer::builder()
            .allow_any_origin()
            .expose_headers(["x-request-id"]),
    );
    let want = [
        ("access-control-allow-origin", "*"),
        ("access-control-expose-headers", "x-request-id"),
    ];
    for origin in [Some("https://anyone.example.org"), None] {
        let res = through(&any, inner_cors_headers(), get(origin));
        assert_eq!(cors_lines(&res), owned(&want), "origin {origin:?}");
    }
}

#[test]
fn a_plain_options_passed_to_the_inner_service_is_stripped_too() {
    // `OPTIONS` without `Access-Control-Request-Method` is an actual request:
    // an inner service answering it with its own preflight-looking headers
    // must not grant anything the configuration does not.
    let exact = layer(CorsLayer::builder().allow_origins(["https://app.example.com"]));
    let req = Request::options("/api")
        .header("origin", "https://evil.example.net")
        .body(())
        .expect("request");
    let res = through(&exact, inner_cors_headers(), req);
    assert_eq!(cors_lines(&res), owned(&[]));
}

// ---------------------------------------------------------------------------
// Issue 12.5: a full response header map never panics the layer; the layer
// fails closed (no CORS grant) when it cannot write its headers.

/// A map holding as many distinct names as `HeaderMap` can: one more new
/// name does not fit (`try_insert` says so; `insert` panics).
fn full_map() -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    let mut i = 0usize;
    loop {
        let name = http::HeaderName::from_bytes(format!("x-filler-{i}").as_bytes()).unwrap();
        match h.try_insert(name, http::HeaderValue::from_static("1")) {
            Ok(_) => i += 1,
            Err(_) => break,
        }
    }
    assert!(h.len() >= 24_576, "{}", h.len());
    h
}

fn credentialed() -> CorsLayer {
    layer(
        CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .allow_credentials(true)
            .expose_headers(["x-request-id"]),
    )
}

#[test]
fn full_header_map_allowed_origin_fails_closed() {
    let res = through(
        &credentialed(),
        full_map(),
        get(Some("https://app.example.com")),
    );
    assert_eq!(res.status(), http::StatusCode::OK);
    // No grant: the browser refuses to let the script read the response.
    assert_eq!(cors_lines(&res), owned(&[]));
    assert!(res.headers().len() >= 24_576, "the inner headers are kept");
}

#[test]
fn full_header_map_refused_origin_and_no_origin_pass_without_panic() {
    for origin in [Some("https://evil.example.net"), None] {
        let res = through(&credentialed(), full_map(), get(origin));
        assert_eq!(res.status(), http::StatusCode::OK);
        assert_eq!(cors_lines(&res), owned(&[]), "origin {origin:?}");
    }
}

#[test]
fn full_map_with_inner_cors_headers_strips_them_and_fails_closed() {
    // The inner service filled its map to the brim, its own CORS grant
    // included: the grant goes, and no new one is written.
    let mut h = full_map();
    h.remove("x-filler-0");
    h.insert(
        "access-control-allow-origin",
        http::HeaderValue::from_static("*"),
    );
    for origin in [
        Some("https://app.example.com"),
        Some("https://evil.example.net"),
        None,
    ] {
        let res = through(&credentialed(), h.clone(), get(origin));
        // One free entry once the inner grant is stripped: not room for the
        // origin and the credentials flag, so no grant at all.
        assert_eq!(cors_lines(&res), owned(&[]), "origin {origin:?}");
    }
}

#[test]
fn preflight_is_unaffected_by_the_inner_map() {
    // The layer answers a preflight with a map of its own: the inner
    // service, and its full map, are never involved.
    let req = Request::options("/api")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "PUT")
        .body(())
        .expect("request");
    let l = layer(
        CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .allow_credentials(true)
            .allow_methods(["PUT"]),
    );
    let res = through(&l, full_map(), req);
    assert_eq!(res.status(), http::StatusCode::NO_CONTENT);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert!(res.headers().len() < 10);
}
