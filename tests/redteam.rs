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
// CSRF guard (DESIGN §6): a page on another site tries to get a write, or a
// WebSocket, through a layer with `csrf_protection(true)`.

fn guard() -> CorsLayer {
    layer(
        CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .allow_origin_patterns(["https://*.trusted.example.com"])
            .allow_credentials(true)
            .csrf_protection(true)
            .csrf_exempt_paths(["/webhooks/", "/oauth/callback"]),
    )
}

/// Whether the guard lets the request reach the inner service.
fn reaches(method: &str, path: &str, headers: &[(&str, &str)]) -> bool {
    let mut b = Request::builder().method(method).uri(path);
    for (n, v) in headers {
        b = b.header(*n, *v);
    }
    let (parts, ()) = b.body(()).expect("request").into_parts();
    let d = guard().evaluate(&parts);
    assert_eq!(
        d.calls_inner(),
        !d.rejection().is_some_and(|r| r.is_csrf()),
        "{d:?}"
    );
    d.calls_inner()
}

#[test]
fn csrf_origin_that_merely_starts_with_the_host_is_not_same_origin() {
    let host = [("host", "api.example.com")];
    for origin in [
        "https://api.example.com.evil.net",
        "https://evilapi.example.com",
        "https://api.example.co",
        "https://api.example.com@evil.net",
        "https://api.example.com:443.evil.net",
        "api.example.com",
        "https://api.example.com/",
    ] {
        assert!(
            !reaches("POST", "/t", &[host[0], ("origin", origin)]),
            "{origin}"
        );
    }
    assert!(reaches(
        "POST",
        "/t",
        &[host[0], ("origin", "https://api.example.com")]
    ));
}

#[test]
fn csrf_same_host_on_another_port_is_another_origin() {
    assert!(!reaches(
        "POST",
        "/t",
        &[
            ("host", "api.example.com:8080"),
            ("origin", "https://api.example.com")
        ]
    ));
    assert!(!reaches(
        "POST",
        "/t",
        &[
            ("host", "api.example.com"),
            ("origin", "http://api.example.com:8080")
        ]
    ));
    // Two `Host` headers: no own host to compare with.
    assert!(!reaches(
        "POST",
        "/t",
        &[
            ("host", "api.example.com"),
            ("host", "api.example.com"),
            ("origin", "https://api.example.com")
        ]
    ));
}

#[test]
fn csrf_cross_site_metadata_still_passes_origins_allowed_by_pattern_only() {
    let cross = ("sec-fetch-site", "cross-site");
    assert!(reaches(
        "POST",
        "/t",
        &[cross, ("origin", "https://a.trusted.example.com")]
    ));
    assert!(reaches(
        "POST",
        "/t",
        &[cross, ("origin", "https://a.b.trusted.example.com")]
    ));
    // The pattern's apex, a lookalike, another scheme: not allowed, refused.
    for origin in [
        "https://trusted.example.com",
        "https://atrusted.example.com",
        "http://a.trusted.example.com",
        "https://a.trusted.example.com.evil.net",
    ] {
        assert!(
            !reaches("POST", "/t", &[cross, ("origin", origin)]),
            "{origin}"
        );
    }
}

#[test]
fn csrf_websocket_handshakes_are_judged_whatever_the_spelling() {
    for upgrade in [
        "websocket",
        "WebSocket",
        "WEBSOCKET",
        "h2c, websocket",
        "websocket/13",
    ] {
        assert!(
            !reaches(
                "GET",
                "/ws",
                &[
                    ("upgrade", upgrade),
                    ("origin", "https://evil.net"),
                    ("sec-fetch-site", "cross-site")
                ]
            ),
            "{upgrade}"
        );
    }
    // Not a WebSocket: a plain GET passes (safe methods are not judged).
    assert!(reaches(
        "GET",
        "/ws",
        &[
            ("upgrade", "h2c"),
            ("origin", "https://evil.net"),
            ("sec-fetch-site", "cross-site")
        ]
    ));
}

#[test]
fn csrf_websockets_over_http2_extended_connect_are_judged_as_writes() {
    // RFC 8441: over HTTP/2 a WebSocket opens with `CONNECT` (`:protocol`
    // websocket), not `GET` + `Upgrade`: not a safe method, so judged.
    let evil = [
        ("origin", "https://evil.net"),
        ("sec-fetch-site", "cross-site"),
    ];
    assert!(!reaches("CONNECT", "/ws", &evil));
    assert!(!reaches(
        "CONNECT",
        "/ws",
        &[("origin", "https://evil.net")]
    ));
    assert!(reaches(
        "CONNECT",
        "/ws",
        &[
            ("origin", "https://app.example.com"),
            ("sec-fetch-site", "cross-site")
        ]
    ));
}

#[test]
fn csrf_null_origin_is_refused_with_or_without_metadata() {
    assert!(!reaches("POST", "/t", &[("origin", "null")]));
    assert!(!reaches(
        "POST",
        "/t",
        &[("origin", "null"), ("host", "null")]
    ));
    assert!(!reaches(
        "POST",
        "/t",
        &[("origin", "null"), ("sec-fetch-site", "cross-site")]
    ));
    // A same-origin page with `Referrer-Policy: no-referrer` still writes:
    // the browser says same-origin.
    assert!(reaches(
        "POST",
        "/t",
        &[("origin", "null"), ("sec-fetch-site", "same-origin")]
    ));
}

#[test]
fn csrf_exempt_prefixes_are_byte_exact() {
    let evil = [
        ("origin", "https://evil.net"),
        ("sec-fetch-site", "cross-site"),
    ];
    assert!(reaches("POST", "/webhooks/stripe", &evil));
    for path in [
        "/webhooksevil",
        "/webhooks",
        "/Webhooks/stripe",
        "/webhooks%2Fstripe",
        "/webhooks%2F..%2Fadmin",
        "//webhooks/x",
        "/api/../webhooks/x",
        "/oauth/callback/../../admin",
        "/oauth/callbackx",
    ] {
        assert!(!reaches("POST", path, &evil), "{path}");
    }
    // Under the prefix, even percent-encoded dots: what the router serves
    // under `/webhooks/` is exempt, as documented (nothing is decoded).
    assert!(reaches("POST", "/webhooks/%2e%2e/admin", &evil));
}

#[test]
fn csrf_guard_cannot_be_built_to_trust_everyone() {
    let p = problems(
        CorsLayer::builder()
            .allow_any_origin()
            .csrf_protection(true),
    );
    assert!(p.contains(&ConfigProblem::CsrfWithAnyOrigin), "{p:?}");
    let p = problems(
        CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .csrf_protection(true)
            .csrf_exempt_paths(["/*", "*", "/a?b"]),
    );
    assert_eq!(p.len(), 3, "{p:?}");
}
