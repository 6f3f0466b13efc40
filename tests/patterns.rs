//! Subdomain patterns through the public API: what builds, what matches,
//! and what the layer answers.

#[path = "support/allowed.rs"]
mod allowed;
#[path = "support/problems.rs"]
mod problems;

use std::convert::Infallible;

use http::{Method, Request, Response};
use strict_cors::{ConfigProblem, CorsLayer, OriginDefect, Rejection, RequestKind};
use tower::{service_fn, Layer, Service, ServiceExt};

use allowed::decide;
use problems::{one, problems};

fn layer(patterns: &[&str]) -> CorsLayer {
    match CorsLayer::builder()
        .allow_origin_patterns(patterns)
        .allow_credentials(true)
        .build()
    {
        Ok(l) => l,
        Err(e) => panic!("{patterns:?}: {e}"),
    }
}

fn allowed(layer: &CorsLayer, origin: &str) -> bool {
    let d = decide(layer, origin);
    assert_eq!(d.kind(), RequestKind::Actual, "{origin}: {d:?}");
    match d.rejection() {
        None => {
            let allow_origin = d.allow_origin().expect("an allowed origin is answered");
            assert_eq!(allow_origin, origin, "the allow-origin value is the origin");
            true
        }
        Some(Rejection::OriginNotAllowed) => false,
        Some(other) => panic!("{origin}: {other:?}"),
    }
}

#[test]
fn wildcard_stands_for_one_or_more_leftmost_labels() {
    let l = layer(&["https://*.example.com"]);
    for yes in [
        "https://a.example.com",
        "https://a.b.example.com",
        "https://preview-123.example.com",
    ] {
        assert!(allowed(&l, yes), "{yes}");
    }
    for no in [
        "https://example.com",
        "https://evilexample.com",
        "https://aexample.com",
        "http://a.example.com",
        "https://a.example.com:8443",
        "https://a.example.com.evil.net",
        "https://A.example.com",
        "https://a..example.com",
        "https://.example.com",
        "https://a.example.com/",
        "null",
    ] {
        assert!(!allowed(&l, no), "{no}");
    }
}

/// A label with `_` is a host the URL parser accepts and browsers send
/// (`my_app.example.com`), and an exact origin may name it: a pattern's `*`
/// stands for it too, or the same host would be allowed one way and not the
/// other.
#[test]
fn wildcard_covers_labels_with_underscores() {
    let l = layer(&["https://*.example.com"]);
    assert!(allowed(&l, "https://my_app.example.com"));
    assert!(allowed(&l, "https://a.my_app.example.com"));
    assert!(!allowed(&l, "https://my_app.example.org"));
    assert!(!allowed(&l, "https://My_App.example.com"));
    let exact = CorsLayer::builder()
        .allow_origins(["https://my_app.example.com"])
        .build()
        .unwrap();
    assert!(allowed(&exact, "https://my_app.example.com"));
}

#[test]
fn suffix_sharing_hosts_stay_apart() {
    // Exact origins and patterns over hosts that end alike.
    let l = CorsLayer::builder()
        .allow_origins(["https://foo.com", "https://bar.com"])
        .allow_origin_patterns(["https://*.foo.com", "https://*.bar.com"])
        .build()
        .expect("valid");
    for yes in [
        "https://foo.com",
        "https://bar.com",
        "https://a.foo.com",
        "https://a.bar.com",
    ] {
        assert!(allowed(&l, yes), "{yes}");
    }
    for no in [
        "https://barfoo.com",
        "https://foobar.com",
        "https://a.barfoo.com",
        "https://oo.com",
        "https://a.oo.com",
        "https://fooxbar.com",
    ] {
        assert!(!allowed(&l, no), "{no}");
    }
}

#[test]
fn exact_origins_are_checked_first_and_patterns_extend_them() {
    let l = CorsLayer::builder()
        .allow_origins(["https://example.com"])
        .allow_origin_patterns(["https://*.example.com"])
        .build()
        .expect("valid");
    assert!(allowed(&l, "https://example.com"));
    assert!(allowed(&l, "https://www.example.com"));
    let debug = format!("{l:?}");
    assert!(debug.contains("https://*.example.com"), "{debug}");
}

#[test]
fn ports_and_schemes_are_part_of_the_pattern() {
    let l = CorsLayer::builder()
        .allow_origin_patterns(["https://*.example.com:8443", "http://*.localhost:3000"])
        .allow_credentials(true)
        .build()
        .expect("valid");
    assert!(allowed(&l, "https://a.example.com:8443"));
    assert!(!allowed(&l, "https://a.example.com"));
    assert!(allowed(&l, "http://app.localhost:3000"));
    assert!(!allowed(&l, "http://localhost:3000"));
    assert!(!allowed(&l, "http://app.localhost:3001"));
}

#[test]
fn wildcard_must_be_a_whole_leftmost_label() {
    for p in [
        "https://*example.com",
        "https://a.*.com",
        "https://*",
        "https://*.*.example.com",
    ] {
        assert!(
            matches!(
                one(CorsLayer::builder().allow_origin_patterns([p])),
                ConfigProblem::PatternWildcardNotLeftmostLabel { ref value } if value == p
            ),
            "{p}"
        );
    }
}

#[test]
fn public_suffixes_are_refused() {
    for (p, suffix) in [
        ("https://*.com", "com"),
        ("https://*.co.uk", "co.uk"),
        ("https://*.github.io", "github.io"),
        ("HTTPS://*.CO.UK", "co.uk"),
    ] {
        assert_eq!(
            one(CorsLayer::builder().allow_origin_patterns([p])),
            ConfigProblem::PatternOverPublicSuffix {
                value: p.into(),
                suffix: suffix.into()
            }
        );
    }
    // One level down is somebody's own domain.
    assert!(CorsLayer::builder()
        .allow_origin_patterns(["https://*.example.co.uk", "https://*.me.github.io"])
        .build()
        .is_ok());
}

#[test]
fn insecure_patterns_with_credentials_are_refused_except_loopback() {
    let p = "http://*.example.com";
    assert_eq!(
        one(CorsLayer::builder()
            .allow_origin_patterns([p])
            .allow_credentials(true)),
        ConfigProblem::InsecureOriginWithCredentials { value: p.into() }
    );
    assert!(CorsLayer::builder()
        .allow_origin_patterns([p])
        .allow_credentials(true)
        .allow_insecure_origins(true)
        .build()
        .is_ok());
    assert!(CorsLayer::builder()
        .allow_origin_patterns([p])
        .build()
        .is_ok());
    assert!(CorsLayer::builder()
        .allow_origin_patterns(["http://*.localhost:3000"])
        .allow_credentials(true)
        .build()
        .is_ok());
}

#[test]
fn malformed_patterns_say_what_was_meant() {
    assert_eq!(
        one(CorsLayer::builder().allow_origin_patterns(["https://*.example.com/"])),
        ConfigProblem::InvalidOriginPattern {
            value: "https://*.example.com/".into(),
            defect: OriginDefect::Path,
            suggestion: Some("https://*.example.com".into()),
        }
    );
    assert!(matches!(
        one(CorsLayer::builder().allow_origin_patterns(["https://example.com"])),
        ConfigProblem::PatternWithoutWildcard { .. }
    ));
    assert!(matches!(
        one(CorsLayer::builder().allow_origin_patterns(["https://*.10.0.0.1"])),
        ConfigProblem::PatternOverIpAddress { .. }
    ));
    // Every problem at once.
    let all = problems(CorsLayer::builder().allow_origin_patterns([
        "https://*.com",
        "https://a.*.com",
        "https://*.ok.example/",
    ]));
    assert_eq!(all.len(), 3, "{all:?}");
    for p in &all {
        assert_eq!(p.to_string().lines().count(), 1);
    }
}

#[test]
fn patterns_alone_are_a_configuration_but_not_beside_any_origin() {
    assert!(CorsLayer::builder()
        .allow_origin_patterns(["https://*.example.com"])
        .build()
        .is_ok());
    assert_eq!(
        one(CorsLayer::builder()
            .allow_any_origin()
            .allow_origin_patterns(["https://*.example.com"])),
        ConfigProblem::WildcardOriginWithOthers {
            origin: "https://*.example.com".into()
        }
    );
}

#[tokio::test]
async fn the_layer_echoes_the_matching_origin() {
    let inner =
        service_fn(|_req: Request<()>| async { Ok::<_, Infallible>(Response::new(String::new())) });
    let mut svc = layer(&["https://*.example.com"]).layer(inner);
    let origin = "https://tenant-7.example.com";

    let req = Request::get("/").header("origin", origin).body(()).unwrap();
    let r = svc.ready().await.unwrap().call(req).await.unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], origin);
    assert_eq!(r.headers()["access-control-allow-credentials"], "true");
    assert_eq!(r.headers()["vary"], "origin");

    let req = Request::builder()
        .method(Method::OPTIONS)
        .uri("/")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .body(())
        .unwrap();
    let r = svc.ready().await.unwrap().call(req).await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["access-control-allow-origin"], origin);

    let req = Request::get("/")
        .header("origin", "https://example.com")
        .body(())
        .unwrap();
    let r = svc.ready().await.unwrap().call(req).await.unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert_eq!(r.headers()["vary"], "origin");
}

#[test]
fn many_patterns_still_match() {
    let patterns: Vec<String> = (0..5_000)
        .map(|i| format!("https://*.customer{i}.example.com"))
        .collect();
    let l = CorsLayer::builder()
        .allow_origin_patterns(&patterns)
        .build()
        .expect("valid");
    assert!(allowed(&l, "https://app.customer4999.example.com"));
    assert!(allowed(&l, "https://app.customer0.example.com"));
    assert!(!allowed(&l, "https://app.customer5000.example.com"));
    assert!(!allowed(&l, "https://customer1.example.com"));
}

#[test]
fn many_patterns_sharing_a_suffix_stay_exact() {
    // Issue 12.11: 20,000 patterns over one suffix, one per port.
    let patterns: Vec<String> = (1..=20_000)
        .map(|port| format!("https://*.example.com:{port}"))
        .collect();
    let l = CorsLayer::builder()
        .allow_origin_patterns(&patterns)
        .build()
        .expect("valid");
    assert!(allowed(&l, "https://a.example.com:1"));
    assert!(allowed(&l, "https://a.b.example.com:20000"));
    assert!(!allowed(&l, "https://a.example.com:20001"));
    // `:443` is among them, normalised to the default port.
    assert!(allowed(&l, "https://a.example.com"));
    assert!(!allowed(&l, "https://a.example.com:443"));
    assert!(!allowed(&l, "https://a.example.com:01"));
    assert!(!allowed(&l, "http://a.example.com:1"));
}

#[test]
fn any_port_on_loopback_hosts() {
    let l = layer(&[
        "http://localhost:*",
        "http://127.0.0.1:*",
        "http://[::1]:*",
        "https://localhost:*",
    ]);
    for yes in [
        "http://localhost",
        "http://localhost:5173",
        "http://localhost:1",
        "http://localhost:65535",
        "http://localhost:443",
        "https://localhost",
        "https://localhost:5173",
        "http://127.0.0.1:3000",
        "http://127.0.0.1",
        "http://[::1]:8080",
        "http://[::1]",
    ] {
        assert!(allowed(&l, yes), "{yes}");
    }
    for no in [
        // The host is never a prefix.
        "http://localhost.evil.net:3000",
        "http://localhost.evil.net",
        "http://evil.localhost:3000",
        "http://localhostx:3000",
        "http://127.0.0.10:3000",
        "http://127.0.0.2:3000",
        "https://127.0.0.1:3000",
        // Ports as no browser sends them.
        "http://localhost:",
        "http://localhost:80",
        "https://localhost:443",
        "http://localhost:05173",
        "http://localhost:0",
        "http://localhost:65536",
        "http://localhost:123456",
        "http://localhost:3000/",
        "http://localhost:3x",
        "http://[::1]x",
        "http://[::1",
        "http://LOCALHOST:3000",
        "ws://localhost:3000",
    ] {
        assert!(!allowed(&l, no), "{no}");
    }
}

#[test]
fn any_port_on_localhost_subdomains() {
    // `*.localhost` names are loopback (RFC 6761), so `:*` is allowed there.
    let l = layer(&["http://*.localhost:*"]);
    for yes in [
        "http://app.localhost:5173",
        "http://a.b.localhost",
        "http://app.localhost:3000",
    ] {
        assert!(allowed(&l, yes), "{yes}");
    }
    for no in [
        "http://localhost:5173",
        "http://app.localhost:05173",
        "http://app.localhost.evil.net:5173",
        "https://app.localhost:5173",
    ] {
        assert!(!allowed(&l, no), "{no}");
    }
}

#[test]
fn any_port_elsewhere_is_refused() {
    for p in [
        "https://app.example.com:*",
        "https://*.example.com:*",
        "http://10.0.0.1:*",
        "http://[2001:db8::1]:*",
    ] {
        assert_eq!(
            one(CorsLayer::builder().allow_origin_patterns([p])),
            ConfigProblem::AnyPortOnNonLoopbackHost { value: p.into() },
            "{p}"
        );
    }
    assert_eq!(
        one(CorsLayer::builder().allow_origin_patterns(["http://localhost:3000:*"])),
        ConfigProblem::InvalidOriginPattern {
            value: "http://localhost:3000:*".into(),
            defect: OriginDefect::InvalidPort,
            suggestion: Some("http://localhost:*".into()),
        }
    );
    assert!(matches!(
        one(CorsLayer::builder().allow_origins(["http://localhost:*"])),
        ConfigProblem::PatternInExactOrigins { .. }
    ));
    assert!(matches!(
        one(CorsLayer::builder().allow_origin_patterns(["tauri://*.localhost"])),
        ConfigProblem::PatternWithAppScheme { .. }
    ));
    // Normalised like any pattern; shown as given.
    let l = layer(&["HTTP://LocalHost:*", "http://[0:0::1]:*"]);
    let debug = format!("{l:?}");
    assert!(debug.contains("http://localhost:*"), "{debug}");
    assert!(debug.contains("http://[::1]:*"), "{debug}");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A label as browsers send it: lower-case letters, digits, `-` and `_`.
    fn is_label(l: &str) -> bool {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    }

    fn policy() -> CorsLayer {
        CorsLayer::builder()
            .allow_origins(["https://example.com"])
            .allow_origin_patterns([
                "https://*.example.com",
                "http://*.localhost:3000",
                "http://localhost:*",
                "http://[::1]:*",
            ])
            .build()
            .expect("valid")
    }

    /// A port as browsers send it, for `scheme`: empty, or 1 to 65535 without
    /// leading zeros and not the default.
    fn canonical_port(port: &str, default: &str) -> bool {
        match port.strip_prefix(':') {
            None => port.is_empty(),
            Some(p) => {
                !p.is_empty()
                    && !p.starts_with('0')
                    && p.len() <= 5
                    && p.bytes().all(|b| b.is_ascii_digit())
                    && p.parse::<u32>().is_ok_and(|n| n <= 65535)
                    && p != default
            }
        }
    }

    proptest! {
        /// Matching agrees with a plain statement of the rule on origins
        /// built to sit near the edges: other schemes and ports, look-alike
        /// hosts, empty, upper-case and odd labels.
        #[test]
        fn matching_agrees_with_the_rule(
            https in any::<bool>(),
            labels in proptest::collection::vec("[a-z0-9-]{0,4}|[A-Z_.]{1,2}", 0..4),
            base in prop::sample::select(vec![
                "example.com", "example.co", "xexample.com", "localhost", "com", "example.com.evil.net",
            ]),
            port in prop::sample::select(vec!["", ":3000", ":443", ":8443", ":"]),
        ) {
            let scheme = if https { "https" } else { "http" };
            let prefix: String = labels.iter().map(|l| format!("{l}.")).collect();
            let origin = format!("{scheme}://{prefix}{base}{port}");
            let exact = https && labels.is_empty() && base == "example.com" && port.is_empty();
            let pattern = !labels.is_empty()
                && labels.iter().all(|l| is_label(l))
                && ((https && base == "example.com" && port.is_empty())
                    || (!https && base == "localhost" && port == ":3000"));
            let any_port = !https && labels.is_empty() && base == "localhost" && canonical_port(port, "80");
            prop_assert_eq!(allowed(&policy(), &origin), exact || pattern || any_port, "{}", origin);
        }

        /// Any-port patterns: that exact loopback host, any port a browser
        /// sends, nothing else.
        #[test]
        fn any_port_agrees_with_the_rule(
            https in any::<bool>(),
            host in prop::sample::select(vec![
                "localhost", "[::1]", "127.0.0.1", "localhost.evil.net", "evil.localhost",
                "localhostx", "127.0.0.2", "[::2]", "LOCALHOST",
            ]),
            port in "(:[0-9]{0,7})?",
        ) {
            let scheme = if https { "https" } else { "http" };
            let origin = format!("{scheme}://{host}{port}");
            let rule = !https
                && (host == "localhost" || host == "[::1]")
                && canonical_port(&port, "80");
            prop_assert_eq!(allowed(&policy(), &origin), rule, "{}", origin);
        }

        /// Arbitrary bytes in `Origin`: never a panic, and never allowed
        /// unless they are exactly an allowed origin.
        #[test]
        fn arbitrary_origins_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let Ok(value) = http::HeaderValue::from_bytes(&bytes) else {
                return Ok(());
            };
            let mut parts = Request::get("/").body(()).expect("request").into_parts().0;
            parts.headers.insert("origin", value);
            let decision = policy().evaluate(&parts);
            if decision.is_allowed() {
                let s = std::str::from_utf8(&bytes).expect("allowed origins are ASCII");
                prop_assert!(s == "https://example.com"
                    || s.ends_with(".example.com")
                    || s == "http://localhost"
                    || s.starts_with("http://localhost:")
                    || s.starts_with("http://[::1]")
                    || s.ends_with(".localhost:3000"), "{}", s);
            }
        }
    }
}
