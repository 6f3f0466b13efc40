//! Red team: each promise of the crate, tried as an attacker or a careless
//! operator would. One section per finding; add new sections at the end,
//! keeping each case next to the rule it breaks.
//!
//! Promise: *if it builds, the browser does exactly what the configuration
//! says; a wrong configuration never builds; nothing panics; no secret
//! reaches a log.*

#[path = "support/allowed.rs"]
mod allowed;
#[cfg(feature = "tracing")]
#[path = "support/capture.rs"]
mod capture;
#[path = "support/problems.rs"]
mod problems;

use allowed::allowed;
use http::Request;
use problems::{one, problems};
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
// Issue 12.3: every problem at once, really. Nothing short-circuits the
// validation of other values (a `*` beside explicit origins, a fractional
// max age over the cap, an empty entry in an environment list).

#[test]
fn wildcard_beside_explicit_origins_still_validates_them() {
    let p = problems(
        CorsLayer::builder()
            .allow_origins(["*", "null", "https://x.example.com/"])
            .allow_credentials(true)
            .allow_methods(["TRACE"]),
    );
    assert_eq!(p.len(), 5, "{p:#?}");
    assert!(matches!(p[0], ConfigProblem::WildcardOriginWithCredentials));
    assert!(matches!(
        p[1],
        ConfigProblem::WildcardOriginWithOthers { .. }
    ));
    assert!(matches!(p[2], ConfigProblem::NullOrigin { .. }));
    assert!(matches!(
        p[3],
        ConfigProblem::InvalidOrigin {
            defect: OriginDefect::Path,
            ..
        }
    ));
    assert!(matches!(p[4], ConfigProblem::ForbiddenMethod { .. }));
}

#[test]
fn wildcard_beside_patterns_still_validates_them() {
    let p = problems(
        CorsLayer::builder()
            .allow_any_origin()
            .allow_origins(["http://api.example.com"])
            .allow_origin_patterns(["https://*.com", "https://*.example.com"]),
    );
    assert!(matches!(
        p[0],
        ConfigProblem::WildcardOriginWithOthers { .. }
    ));
    assert!(
        p.iter()
            .any(|p| matches!(p, ConfigProblem::PatternOverPublicSuffix { .. })),
        "{p:#?}"
    );
    assert_eq!(p.len(), 2, "{p:#?}");
}

#[test]
fn fractional_max_age_over_the_cap_reports_both() {
    let p = problems(
        CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .max_age(std::time::Duration::from_millis(90_000_500)),
    );
    assert_eq!(p.len(), 2, "{p:#?}");
    assert!(matches!(p[0], ConfigProblem::MaxAgeNotWholeSeconds { .. }));
    assert!(matches!(
        p[1],
        ConfigProblem::MaxAgeTooLong { seconds: 90_000 }
    ));
}

#[test]
fn empty_env_entry_does_not_hide_the_others() {
    let err = CorsBuilder::from_lookup("CORS_", |name| {
        (name == "CORS_ALLOWED_ORIGINS").then(|| "null,,https://x.example.com/".to_owned())
    })
    .map(|_| ())
    .expect_err("an empty entry and two bad origins");
    let p = err.problems();
    assert_eq!(p.len(), 3, "{p:#?}");
    assert!(matches!(p[0], ConfigProblem::InvalidEnvVar { .. }));
    for located in &p[1..] {
        assert!(
            matches!(located, ConfigProblem::Located { location, .. } if location == "CORS_ALLOWED_ORIGINS"),
            "{located:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Issue 12.10: `ConfigError` prints its hints from `main`, whose `Err` is
// printed with `Debug`.

#[test]
fn config_error_debug_shows_the_display_lines() {
    let err = CorsLayer::builder()
        .allow_origins(["https://app.example.com/"])
        .max_age(std::time::Duration::from_secs(90_000))
        .build()
        .map(|_| ())
        .expect_err("two problems");
    let display = err.to_string();
    assert_eq!(format!("{err:?}"), display);
    assert!(display.contains("did you mean \"https://app.example.com\""));
    assert_eq!(display.lines().count(), 2);
    // What `fn main() -> Result<(), Box<dyn Error>>` prints after "Error: ".
    let boxed: Box<dyn std::error::Error> = Box::new(err);
    let printed = format!("{boxed:?}");
    assert_eq!(printed, display);
    assert!(!printed.contains("problems:"), "{printed}");
    assert!(!printed.contains("ConfigError {"), "{printed}");
}

// ---------------------------------------------------------------------------
// Shared by the log sections (12.6, 12.7): a subscriber that keeps the whole
// text of every event (every field, message included), and a layer driven
// without a runtime (the inner service answers at once).

#[cfg(feature = "tracing")]
mod logs {
    use std::convert::Infallible;

    use futures_util::FutureExt;
    use http::{Request, Response};
    use strict_cors::CorsLayer;
    use tower::{Layer, Service};

    use super::capture::capture;

    /// One event: `(field name, field text)` in order.
    pub type Fields = Vec<(String, String)>;

    /// Sends each request through `layer` (the inner service answers with
    /// `set_cookie` when given); returns every event emitted.
    pub fn events(
        layer: &CorsLayer,
        set_cookie: Option<&'static str>,
        requests: impl IntoIterator<Item = Request<()>>,
    ) -> Vec<Fields> {
        let inner = tower::service_fn(move |_req: Request<()>| async move {
            let mut res = Response::new(());
            if let Some(c) = set_cookie {
                res.headers_mut()
                    .insert("set-cookie", http::HeaderValue::from_static(c));
            }
            Ok::<_, Infallible>(res)
        });
        let mut svc = layer.layer(inner);
        let events = capture(|| {
            for req in requests {
                let res = svc.call(req).now_or_never().expect("ready at once");
                assert!(res.is_ok());
            }
        });
        events.into_iter().map(|e| e.in_order).collect()
    }

    /// The value of field `name` in `event`.
    pub fn field<'a>(event: &'a Fields, name: &str) -> Option<&'a str> {
        event
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every field of every event, as one text.
    pub fn text(events: &[Fields]) -> String {
        events
            .iter()
            .flatten()
            .map(|(k, v)| format!("{k}={v}\n"))
            .collect()
    }
}

// ---------------------------------------------------------------------------
// Issue 12.6: no cookie value (nor `Authorization`, nor `Cookie`) in any
// event; every field bounded and escaped.

#[cfg(feature = "tracing")]
fn credentialed_get(origin: &str, host: &str) -> Request<()> {
    Request::get("/me")
        .header("origin", origin)
        .header("host", host)
        .header("authorization", "Bearer s3cr3t-token")
        .header("cookie", "sid=s3cr3t-cookie")
        .body(())
        .expect("request")
}

#[cfg(feature = "tracing")]
#[test]
fn a_nameless_cookie_is_logged_without_its_value() {
    // RFC 6265bis §5.6: without `=`, the whole pair is the cookie's value.
    for set_cookie in [
        "s3cr3t-value; Path=/; HttpOnly",
        "s3cr3t-value; SameSite=None",
        "=s3cr3t-value; SameSite=Lax",
    ] {
        let layer = layer(
            CorsLayer::builder()
                .allow_origins(["https://app.example.com"])
                .allow_credentials(true),
        );
        let events = logs::events(
            &layer,
            Some(set_cookie),
            [credentialed_get("https://app.example.com", "api.other.net")],
        );
        assert_eq!(events.len(), 1, "{set_cookie}: {events:?}");
        assert!(
            logs::field(&events[0], "reason").is_some_and(|r| r.starts_with("cookie_")),
            "{events:?}"
        );
        assert_eq!(logs::field(&events[0], "cookie"), Some(""));
        let text = logs::text(&events);
        assert!(text.contains("(nameless)"), "{text}");
        assert!(!text.contains("s3cr3t"), "{set_cookie} leaks: {text}");
    }
}

#[cfg(feature = "tracing")]
#[test]
fn no_event_carries_a_secret_and_every_field_is_bounded_and_escaped() {
    let layer = layer(
        CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .allow_credentials(true)
            .allow_methods(["PUT"])
            .allow_headers(["content-type"]),
    );
    let secrets = |mut b: http::request::Builder| {
        b = b
            .header("authorization", "Bearer s3cr3t-token")
            .header("cookie", "sid=s3cr3t-cookie")
            .header("x-api-key", "s3cr3t-key");
        b
    };
    let preflight = |origin: &[u8], method: &str, headers: Option<&[u8]>| {
        let mut b = secrets(Request::options("/me"))
            .header("origin", origin)
            .header("access-control-request-method", method);
        if let Some(h) = headers {
            b = b.header("access-control-request-headers", h);
        }
        b.body(()).expect("request")
    };
    let long_method = "X".repeat(5_000);
    let long_origin = format!("https://{}.example.net", "a".repeat(10_000));
    let requests = vec![
        // Refused origin, with odd bytes (tab, obs-text) and a huge one.
        secrets(Request::get("/"))
            .header("origin", &b"https://evil.example.net\t\xff"[..])
            .body(())
            .expect("request"),
        secrets(Request::get("/"))
            .header("origin", long_origin.as_str())
            .body(())
            .expect("request"),
        // An unbounded request method on a refused origin.
        secrets(Request::builder().method(long_method.as_str()).uri("/"))
            .header("origin", "https://evil.example.net")
            .body(())
            .expect("request"),
        // Two Origin headers.
        secrets(Request::get("/"))
            .header("origin", "https://app.example.com")
            .header("origin", "https://evil.example.net")
            .body(())
            .expect("request"),
        preflight(b"https://app.example.com", "PATCH", None),
        preflight(b"https://app.example.com", "BAD METHOD", None),
        preflight(b"https://app.example.com", "PUT", Some(b"authorization")),
        preflight(b"https://app.example.com", "PUT", Some(b"x-a\xffb")),
        preflight(b"https://app.example.com", "PUT", Some(b",,,;;;")),
    ];
    let n = requests.len();
    let events = logs::events(&layer, None, requests);
    assert_eq!(
        events.len(),
        n,
        "one event per refused request: {events:#?}"
    );
    let text = logs::text(&events);
    assert!(!text.contains("s3cr3t"), "{text}");
    for event in &events {
        for (name, value) in event {
            assert!(
                value.len() <= 300,
                "{name} is {} bytes: unbounded",
                value.len()
            );
            assert!(
                value.bytes().all(|b| (0x20..0x7f).contains(&b)),
                "{name}={value:?} is not escaped"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Issue 12.7: a client controls how often these events fire, so each reason
// code has its own rate limit (a flood of one cannot hide another), and the
// number held back is reported on the next event admitted (`suppressed`).

#[cfg(feature = "tracing")]
#[test]
fn floods_are_rate_limited_per_reason() {
    let layer = layer(
        CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .allow_methods(["PUT"]),
    );
    let two_origins = || {
        Request::get("/")
            .header("origin", "https://app.example.com")
            .header("origin", "https://evil.example.net")
            .body(())
            .expect("request")
    };
    let malformed = || {
        Request::options("/")
            .header("origin", "https://app.example.com")
            .header("access-control-request-method", "PUT")
            .header("access-control-request-headers", ",,;;")
            .body(())
            .expect("request")
    };
    let refused = |i: usize| {
        Request::get("/")
            .header("origin", format!("https://evil{i}.example.net"))
            .body(())
            .expect("request")
    };
    let mut requests: Vec<Request<()>> = (0..500).map(|_| two_origins()).collect();
    requests.extend((0..500).map(|_| malformed()));
    requests.extend((0..500).map(refused));
    requests.push(
        Request::options("/")
            .header("origin", "https://app.example.com")
            .header("access-control-request-method", "PATCH")
            .body(())
            .expect("request"),
    );
    let events = logs::events(&layer, None, requests);
    let count = |reason: &str| {
        events
            .iter()
            .filter(|e| logs::field(e, "reason") == Some(reason))
            .count()
    };
    for reason in [
        "multiple_origins",
        "malformed_headers",
        "origin_not_allowed",
    ] {
        let n = count(reason);
        assert!(
            (1..=10).contains(&n),
            "{reason}: {n} events for 500 requests"
        );
    }
    // The one request of a fourth kind, after the floods, is still logged.
    assert_eq!(count("method_not_allowed"), 1, "{events:#?}");
    for e in &events {
        assert_eq!(logs::field(e, "suppressed"), Some("0"), "{e:?}");
    }
}

// ---------------------------------------------------------------------------
// Issue 12.8: `*` never covers `authorization`, with or without credentials;
// listing it by name beside `*` allows both.

fn preflight_headers(layer: &CorsLayer, requested: &str) -> (bool, Option<String>) {
    let (parts, ()) = Request::options("/")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "PATCH")
        .header("access-control-request-headers", requested)
        .body(())
        .expect("request")
        .into_parts();
    let d = layer.evaluate(&parts);
    assert_eq!(d.kind(), RequestKind::Preflight);
    let allowed = d
        .header(&http::header::ACCESS_CONTROL_ALLOW_HEADERS)
        .map(|v| v.to_str().expect("ascii").to_owned());
    (d.is_allowed(), allowed)
}

#[test]
fn wildcard_headers_never_cover_authorization_in_either_mode() {
    for credentials in [false, true] {
        let star = |headers: &[&str]| {
            layer(
                CorsLayer::builder()
                    .allow_origins(["https://app.example.com"])
                    .allow_credentials(credentials)
                    .allow_methods(["*"])
                    .allow_headers(headers),
            )
        };
        let only_star = star(&["*"]);
        assert_eq!(
            preflight_headers(&only_star, "x-a,x-b"),
            (true, Some("x-a,x-b".to_owned())),
            "credentials {credentials}"
        );
        for requested in ["authorization", "x-a, Authorization", "AUTHORIZATION"] {
            assert_eq!(
                preflight_headers(&only_star, requested),
                (false, None),
                "credentials {credentials}: * covered {requested:?}"
            );
        }
        let named = star(&["*", "authorization"]);
        assert_eq!(
            preflight_headers(&named, "authorization,x-a"),
            (true, Some("authorization,x-a".to_owned())),
            "credentials {credentials}"
        );
    }
}

// ---------------------------------------------------------------------------
// Issue 12.9: with `allow_private_network(true)` a preflight's answer depends
// on `Access-Control-Request-Private-Network`, so its `Vary` names it.

fn preflight_vary(layer: &CorsLayer, origin: &str, pna: bool) -> (bool, String) {
    let mut b = Request::options("/")
        .header("origin", origin)
        .header("access-control-request-method", "PUT");
    if pna {
        b = b.header("access-control-request-private-network", "true");
    }
    let (parts, ()) = b.body(()).expect("request").into_parts();
    let d = layer.evaluate(&parts);
    let vary = d
        .header(&http::header::VARY)
        .map(|v| v.to_str().expect("ascii").to_owned())
        .unwrap_or_default();
    (d.is_allowed(), vary)
}

#[test]
fn private_network_preflights_vary_on_the_request_header() {
    let base = || {
        CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .allow_methods(["PUT"])
    };
    let pna = layer(base().allow_private_network(true));
    for (origin, asked, allowed) in [
        ("https://app.example.com", true, true),
        ("https://app.example.com", false, true),
        ("https://evil.example.net", true, false),
    ] {
        let (ok, vary) = preflight_vary(&pna, origin, asked);
        assert_eq!(ok, allowed, "{origin}");
        let names: Vec<&str> = vary.split(',').map(str::trim).collect();
        assert_eq!(
            names,
            [
                "origin",
                "access-control-request-method",
                "access-control-request-headers",
                "access-control-request-private-network"
            ],
            "{origin}, asked {asked}"
        );
    }
    // Off: the header changes nothing, and Vary does not name it.
    let (ok, vary) = preflight_vary(&layer(base()), "https://app.example.com", true);
    assert!(ok);
    assert!(!vary.contains("private-network"), "{vary}");
}

#[test]
fn private_network_vary_reaches_the_response() {
    use futures_util::FutureExt;
    use tower::{Layer, Service};
    let layer = layer(
        CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .allow_methods(["PUT"])
            .allow_private_network(true),
    );
    let inner = tower::service_fn(|_req: Request<()>| async {
        Ok::<_, std::convert::Infallible>(http::Response::new(()))
    });
    let mut svc = layer.layer(inner);
    let req = Request::options("/")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "PUT")
        .header("access-control-request-private-network", "true")
        .body(())
        .expect("request");
    let res = svc
        .call(req)
        .now_or_never()
        .expect("ready")
        .expect("infallible");
    assert_eq!(res.status(), http::StatusCode::NO_CONTENT);
    assert_eq!(
        res.headers()["access-control-allow-private-network"],
        "true"
    );
    let vary: Vec<String> = res
        .headers()
        .get_all(http::header::VARY)
        .iter()
        .flat_map(|v| {
            v.to_str()
                .expect("ascii")
                .split(',')
                .map(|n| n.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        vary.iter()
            .any(|n| n == "access-control-request-private-network"),
        "{vary:?}"
    );
}

// (12.3, continued) A value's defect does not hide the problem its suggested
// fix would have: `http://…/` with credentials is also insecure.
#[test]
fn the_suggested_fix_is_checked_too() {
    let p = problems(
        CorsLayer::builder()
            .allow_origins(["http://x.example.com/", "https://y.example.com/"])
            .allow_origin_patterns(["http://*.example.net/"])
            .allow_credentials(true),
    );
    let insecure: Vec<&str> = p
        .iter()
        .filter_map(|p| match p {
            ConfigProblem::InsecureOriginWithCredentials { value } => Some(value.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        insecure,
        ["http://x.example.com/", "http://*.example.net/"],
        "{p:#?}"
    );
    assert_eq!(p.len(), 5, "{p:#?}");
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

/// A header line: name, value.
type Line = (&'static str, &'static str);

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
    let cases: [(Option<&str>, &[Line]); 3] = [
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
