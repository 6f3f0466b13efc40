//! Build-time validation: every row of DESIGN.md §2 through the public API.

#[path = "support/problems.rs"]
mod problems;

use std::time::Duration;

use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderName, Method};
use strict_cors::{
    ConfigError, ConfigProblem, CorsBuilder, CorsLayer, HeaderSetting, OriginDefect,
};

use problems::one;

fn base() -> CorsBuilder {
    CorsLayer::builder().allow_origins(["https://app.example.com"])
}

#[test]
fn a_good_credentialed_config_builds() {
    let layer = CorsLayer::builder()
        .allow_origins(["https://app.example.com", "http://localhost:3000"])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["content-type", "authorization"])
        .expose_headers(["x-request-id"])
        .max_age(Duration::from_secs(600))
        .build();
    assert!(layer.is_ok(), "{layer:?}");
}

#[test]
fn setters_take_methods_header_names_and_strings() {
    let layer = base()
        .allow_methods([Method::PUT, Method::PATCH])
        .allow_methods(vec![String::from("DELETE")])
        .allow_headers([CONTENT_TYPE, AUTHORIZATION])
        .allow_headers([HeaderName::from_static("x-csrf-token")])
        .expose_headers([HeaderName::from_static("x-request-id")])
        .build();
    assert!(layer.is_ok(), "{layer:?}");
}

#[test]
fn any_origin_with_credentials() {
    assert_eq!(
        one(CorsLayer::builder()
            .allow_origins(["*"])
            .allow_credentials(true)),
        ConfigProblem::WildcardOriginWithCredentials
    );
    assert_eq!(
        one(CorsLayer::builder()
            .allow_any_origin()
            .allow_credentials(true)),
        ConfigProblem::WildcardOriginWithCredentials
    );
    assert!(CorsLayer::builder().allow_any_origin().build().is_ok());
    assert!(CorsLayer::builder().allow_origins(["*"]).build().is_ok());
}

#[test]
fn any_origin_beside_explicit_ones() {
    assert!(matches!(
        one(CorsLayer::builder().allow_origins(["*", "https://a.com"])),
        ConfigProblem::WildcardOriginWithOthers { origin } if origin == "https://a.com"
    ));
}

#[test]
fn expose_any_with_credentials() {
    assert_eq!(
        one(base().allow_credentials(true).expose_headers(["*"])),
        ConfigProblem::WildcardExposeWithCredentials
    );
    assert!(base().expose_headers(["*"]).build().is_ok());
}

#[test]
fn no_origin_at_all() {
    assert_eq!(one(CorsLayer::builder()), ConfigProblem::NoOrigins);
    assert_eq!(
        one(CorsLayer::builder().allow_origins(Vec::<String>::new())),
        ConfigProblem::NoOrigins
    );
}

#[test]
fn null_and_file_origins() {
    assert!(matches!(
        one(CorsLayer::builder().allow_origins(["null"])),
        ConfigProblem::NullOrigin { .. }
    ));
    assert!(matches!(
        one(CorsLayer::builder().allow_origins(["file://"])),
        ConfigProblem::FileOrigin { .. }
    ));
    assert!(matches!(
        one(CorsLayer::builder().allow_origins(["file:///srv/index.html"])),
        ConfigProblem::FileOrigin { .. }
    ));
}

#[test]
fn malformed_origins_with_hints() {
    let cases: &[(&str, OriginDefect, Option<&str>)] = &[
        (
            "https://app.example.com/",
            OriginDefect::Path,
            Some("https://app.example.com"),
        ),
        (
            "https://app.example.com/login",
            OriginDefect::Path,
            Some("https://app.example.com"),
        ),
        (
            "https://a.com?x=1",
            OriginDefect::Query,
            Some("https://a.com"),
        ),
        (
            "https://a.com#top",
            OriginDefect::Fragment,
            Some("https://a.com"),
        ),
        (
            "https://me:pw@a.com",
            OriginDefect::Userinfo,
            Some("https://a.com"),
        ),
        (
            "https://a.com ",
            OriginDefect::Whitespace,
            Some("https://a.com"),
        ),
        (
            "https:// a.com",
            OriginDefect::Whitespace,
            Some("https://a.com"),
        ),
        ("https://", OriginDefect::EmptyHost, None),
        ("https://a.com:0x1", OriginDefect::InvalidPort, None),
        ("https://a.com:70000", OriginDefect::InvalidPort, None),
        ("https://a.com:", OriginDefect::InvalidPort, None),
        ("a.com", OriginDefect::MissingScheme, Some("https://a.com")),
        ("", OriginDefect::Empty, None),
    ];
    for (input, defect, hint) in cases {
        match one(CorsLayer::builder().allow_origins([*input])) {
            ConfigProblem::InvalidOrigin {
                value,
                defect: d,
                suggestion,
            } => {
                assert_eq!(&value, input);
                assert_eq!(d, *defect, "{input}");
                assert_eq!(suggestion.as_deref(), *hint, "{input}");
            }
            other => panic!("{input}: {other:?}"),
        }
    }
}

#[test]
fn normalised_origins_match_what_browsers_send() {
    use strict_cors::RequestKind;
    let layer = CorsLayer::builder()
        .allow_origins(["HTTPS://App.Example.COM:443", "http://LOCALHOST:80"])
        .build()
        .unwrap();
    for (origin, allowed) in [
        ("https://app.example.com", true),
        ("http://localhost", true),
        ("https://App.Example.COM", false),
        ("https://app.example.com:443", false),
    ] {
        let (parts, ()) = http::Request::get("/")
            .header("origin", origin)
            .body(())
            .unwrap()
            .into_parts();
        let d = layer.evaluate(&parts);
        assert_eq!(
            d.kind() == RequestKind::Actual && d.is_allowed(),
            allowed,
            "{origin}: {d:?}"
        );
    }
}

#[test]
fn non_ascii_host() {
    assert!(matches!(
        one(CorsLayer::builder().allow_origins(["https://bücher.example"])),
        ConfigProblem::NonAsciiHost { .. }
    ));
    assert!(CorsLayer::builder()
        .allow_origins(["https://xn--bcher-kva.example"])
        .build()
        .is_ok());
}

#[test]
fn insecure_origins_with_credentials() {
    assert!(matches!(
        one(CorsLayer::builder()
            .allow_origins(["http://app.example.com"])
            .allow_credentials(true)),
        ConfigProblem::InsecureOriginWithCredentials { value } if value == "http://app.example.com"
    ));
    // Without credentials plain http is fine.
    assert!(CorsLayer::builder()
        .allow_origins(["http://app.example.com"])
        .build()
        .is_ok());
    // Explicitly accepted.
    assert!(CorsLayer::builder()
        .allow_origins(["http://app.example.com"])
        .allow_credentials(true)
        .allow_insecure_origins(true)
        .build()
        .is_ok());
    // Loopback is exempt.
    for o in [
        "http://localhost:3000",
        "http://localhost",
        "http://dev.localhost:5173",
        "http://127.0.0.1:8080",
        "http://127.1.2.3",
        "http://[::1]:3000",
    ] {
        let r = CorsLayer::builder()
            .allow_origins([o])
            .allow_credentials(true)
            .build();
        assert!(r.is_ok(), "{o}: {r:?}");
    }
}

#[test]
fn methods() {
    for bad in ["", "GE T", "GET,POST", "PÖST", "get\n"] {
        assert!(
            matches!(
                one(base().allow_methods([bad])),
                ConfigProblem::InvalidMethod { .. }
            ),
            "{bad:?}"
        );
    }
    for forbidden in ["CONNECT", "TRACE", "TRACK", "connect", "Trace"] {
        assert!(
            matches!(
                one(base().allow_methods([forbidden])),
                ConfigProblem::ForbiddenMethod { .. }
            ),
            "{forbidden}"
        );
    }
    assert!(base()
        .allow_methods(["*"])
        .allow_credentials(true)
        .build()
        .is_ok());
    assert!(base()
        .allow_methods(["PATCH", "patch", "PROPFIND"])
        .build()
        .is_ok());
}

#[test]
fn header_names() {
    for bad in ["", "x y", "x:y", "content-type\r\n", "é"] {
        assert!(
            matches!(
                one(base().allow_headers([bad])),
                ConfigProblem::InvalidHeaderName {
                    setting: HeaderSetting::AllowHeaders,
                    ..
                }
            ),
            "{bad:?}"
        );
        assert!(
            matches!(
                one(base().expose_headers([bad])),
                ConfigProblem::InvalidHeaderName {
                    setting: HeaderSetting::ExposeHeaders,
                    ..
                }
            ),
            "{bad:?}"
        );
    }
    for forbidden in [
        "cookie",
        "Cookie",
        "host",
        "origin",
        "content-length",
        "sec-fetch-site",
        "Sec-CH-UA",
        "proxy-authorization",
        "connection",
        "referer",
        "access-control-request-method",
    ] {
        assert!(
            matches!(
                one(base().allow_headers([forbidden])),
                ConfigProblem::ForbiddenRequestHeader { .. }
            ),
            "{forbidden}"
        );
    }
    for never in ["set-cookie", "Set-Cookie2"] {
        assert!(matches!(
            one(base().expose_headers([never])),
            ConfigProblem::ForbiddenResponseHeader { .. }
        ));
    }
    assert!(base()
        .allow_headers(["*", "authorization"])
        .allow_credentials(true)
        .build()
        .is_ok());
}

#[test]
fn max_age_bounds() {
    assert!(base().max_age(Duration::ZERO).build().is_ok());
    assert!(base().max_age(Duration::from_secs(86_400)).build().is_ok());
    assert_eq!(
        one(base().max_age(Duration::from_secs(86_401))),
        ConfigProblem::MaxAgeTooLong { seconds: 86_401 }
    );
    assert_eq!(
        one(base().max_age(Duration::from_millis(1500))),
        ConfigProblem::MaxAgeNotWholeSeconds { millis: 1500 }
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let err: ConfigError = CorsLayer::builder()
        .allow_origins(["https://a.com/", "null", "http://b.com", "https://c.com"])
        .allow_credentials(true)
        .allow_methods(["TRACE", "G E T", "PUT"])
        .allow_headers(["cookie", "x ok", "content-type"])
        .expose_headers(["set-cookie"])
        .max_age(Duration::from_secs(100_000))
        .build()
        .unwrap_err();
    let p = err.problems();
    assert_eq!(p.len(), 9, "{err}");
    assert!(matches!(
        p[0],
        ConfigProblem::InvalidOrigin {
            defect: OriginDefect::Path,
            ..
        }
    ));
    assert!(matches!(p[1], ConfigProblem::NullOrigin { .. }));
    assert!(matches!(
        p[2],
        ConfigProblem::InsecureOriginWithCredentials { .. }
    ));
    assert!(matches!(p[3], ConfigProblem::ForbiddenMethod { .. }));
    assert!(matches!(p[4], ConfigProblem::InvalidMethod { .. }));
    assert!(matches!(p[5], ConfigProblem::ForbiddenRequestHeader { .. }));
    assert!(matches!(p[6], ConfigProblem::InvalidHeaderName { .. }));
    assert!(matches!(
        p[7],
        ConfigProblem::ForbiddenResponseHeader { .. }
    ));
    assert!(matches!(p[8], ConfigProblem::MaxAgeTooLong { .. }));
    let text = err.to_string();
    assert_eq!(text.lines().count(), 9);
    assert!(text.contains("did you mean \"https://a.com\""), "{text}");
}

#[test]
fn display_names_the_value_and_a_fix() {
    let err = base()
        .allow_headers(["cookie"])
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"cookie\""), "{err}");
    assert!(err.contains("remove it"), "{err}");
}

#[test]
fn lists_add_up_across_calls() {
    let layer = CorsLayer::builder()
        .allow_origins(["https://a.com"])
        .allow_origins(["https://b.com"])
        .allow_methods(["PUT"])
        .allow_methods(["DELETE"])
        .build()
        .unwrap();
    for (origin, method) in [("https://a.com", "PUT"), ("https://b.com", "DELETE")] {
        let (parts, ()) = http::Request::options("/")
            .header("origin", origin)
            .header("access-control-request-method", method)
            .body(())
            .unwrap()
            .into_parts();
        let d = layer.evaluate(&parts);
        assert!(d.is_preflight() && d.is_allowed(), "{d}");
    }
}

#[test]
fn layer_is_clone_send_sync_debug() {
    fn assert_traits<T: Clone + Send + Sync + std::fmt::Debug + 'static>() {}
    assert_traits::<CorsLayer>();
    assert_traits::<strict_cors::Cors<tower::util::BoxCloneSyncService<(), (), ()>>>();
    assert_traits::<ConfigError>();
    let layer = base().build().unwrap();
    let dbg = format!("{layer:?}");
    assert!(dbg.contains("https://app.example.com"), "{dbg}");
}

#[test]
fn build_never_panics_on_odd_strings() {
    let odd = [
        "",
        "*",
        " ",
        "\0",
        "\u{202e}",
        "https://[",
        "https://[::1",
        "::::",
        "https://a:b:c",
        "HTTPS://",
        "https://%",
        "x\r\ny",
        "🦀",
        "https://🦀.com",
        "https://a.com:99999999999999999999",
    ];
    for s in odd {
        for builder in [
            CorsLayer::builder()
                .allow_origins([s])
                .allow_methods([s])
                .allow_headers([s])
                .expose_headers([s])
                .allow_credentials(true),
            CorsLayer::builder().allow_origins([s]),
            CorsLayer::builder()
                .allow_origins(["https://app.example.com"])
                .allow_methods([s])
                .allow_headers([s])
                .expose_headers([s]),
        ] {
            match builder.build() {
                Err(e) => {
                    assert!(!e.problems().is_empty(), "{s:?}: an error with no problem");
                    let text = e.to_string();
                    assert!(!text.trim().is_empty(), "{s:?}: an empty message");
                    assert_eq!(text.lines().count(), e.problems().len(), "{s:?}: {text}");
                }
                Ok(layer) => answers_a_request(&layer, s),
            }
        }
    }
}

/// A layer that built answers a preflight and an actual request: the
/// decision says what happens, and a preflight is answered by the layer.
fn answers_a_request(layer: &CorsLayer, context: &str) {
    for req in [
        http::Request::get("/").header("origin", "https://app.example.com"),
        http::Request::options("/")
            .header("origin", "https://app.example.com")
            .header("access-control-request-method", "PUT"),
    ] {
        let (parts, ()) = req.body(()).unwrap().into_parts();
        let d = layer.evaluate(&parts);
        assert!(!d.to_string().is_empty(), "{context:?}");
        assert_eq!(d.is_preflight(), d.status().is_some(), "{context:?}: {d:?}");
    }
}
