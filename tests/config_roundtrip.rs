//! `CorsLayer::config()` / `CorsHandle::config()`: the running configuration
//! as data. It carries every setting, in normalised form, and round-trips:
//! the layer built from it answers every request as the original does
//! (property test over arbitrary valid configurations and requests), and
//! with the `serde` feature it survives JSON and TOML. `Debug` stays short
//! for any allowlist.

use std::time::Duration;

use http::Request;
use proptest::prelude::*;
use strict_cors::{CorsBuilder, CorsConfig, CorsLayer, Decision};

/// A layer's decision for one request.
fn decide(layer: &CorsLayer, req: &Request<()>) -> Decision {
    layer.evaluate_request(req)
}

fn rebuilt(layer: &CorsLayer) -> CorsLayer {
    layer
        .config()
        .into_builder()
        .expect("config() is valid entry by entry")
        .build()
        .expect("config() builds")
}

#[test]
fn config_carries_every_setting_normalised() {
    let builder = CorsLayer::builder()
        .allow_origins([
            "HTTPS://App.Example.com:443",
            "http://localhost:3000",
            "tauri://localhost",
            "https://app.example.com", // a duplicate once normalised
            "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
            "http://intranet.example.org",
        ])
        .allow_origin_patterns(["https://*.Preview.example.com", "HTTP://LocalHost:*"])
        .allow_credentials(true)
        .allow_insecure_origins(true)
        .allow_methods(["get", "PUT", "patch"])
        .allow_headers(["X-Token", "authorization", "*"])
        .expose_headers(["X-Request-Id", "etag"])
        .max_age(Duration::from_secs(600))
        .allow_private_network(true)
        .debug(true);
    #[cfg(feature = "tracing")]
    let builder = builder.unknown_origin_level(tracing::Level::WARN);
    let layer = builder.build().expect("valid");
    let c = layer.config();
    assert_eq!(
        c.allowed_origins,
        [
            "https://app.example.com",
            "http://localhost:3000",
            "tauri://localhost",
            "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
            "http://intranet.example.org",
        ]
    );
    assert_eq!(
        c.allowed_origin_patterns,
        ["https://*.preview.example.com", "http://localhost:*"]
    );
    assert!(c.allow_credentials);
    assert!(c.allow_insecure_origins);
    assert_eq!(c.allowed_methods, ["GET", "PUT", "patch"]);
    assert_eq!(c.allowed_headers, ["*", "authorization", "x-token"]);
    assert_eq!(c.exposed_headers, ["x-request-id", "etag"]);
    assert_eq!(c.max_age_secs, Some(600));
    assert!(c.allow_private_network);
    assert!(c.debug);
    #[cfg(feature = "tracing")]
    assert_eq!(c.unknown_origin_level, Some(tracing::Level::WARN));

    // Building from it is the same policy, and reads back the same.
    let again = rebuilt(&layer);
    assert_eq!(again.config(), c);
}

#[test]
fn defaults_read_back_as_not_configured() {
    let layer = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .build()
        .expect("valid");
    let mut expected = CorsConfig::default();
    expected.allowed_origins = vec!["https://app.example.com".into()];
    assert_eq!(layer.config(), expected);

    // Explicitly the default level: the same policy, so the same data.
    #[cfg(feature = "tracing")]
    {
        let explicit = CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .unknown_origin_level(tracing::Level::DEBUG)
            .build()
            .expect("valid");
        assert_eq!(explicit.config(), expected);
    }

    // Any origin is `["*"]`, however it was asked for; `max_age(0)` is kept.
    let any = CorsLayer::builder()
        .allow_any_origin()
        .allow_methods(["*", "PUT"])
        .expose_headers(["*"])
        .max_age(Duration::ZERO)
        .build()
        .expect("valid");
    let c = any.config();
    assert_eq!(c.allowed_origins, ["*"]);
    assert!(c.allowed_origin_patterns.is_empty());
    assert_eq!(c.allowed_methods, ["*"]);
    assert_eq!(c.exposed_headers, ["*"]);
    assert_eq!(c.max_age_secs, Some(0));
    assert_eq!(rebuilt(&any).config(), c);
}

#[test]
fn the_handle_reports_the_running_policy() {
    let (layer, handle) = CorsLayer::builder()
        .allow_origins(["https://old.example.com"])
        .build_reloadable()
        .expect("valid");
    assert_eq!(handle.config(), layer.config());
    handle
        .reconfigure(
            CorsLayer::builder()
                .allow_origin_patterns(["http://localhost:*"])
                .debug(true),
        )
        .expect("valid");
    let c = handle.config();
    assert!(c.allowed_origins.is_empty());
    assert_eq!(c.allowed_origin_patterns, ["http://localhost:*"]);
    assert!(c.debug);
    assert_eq!(layer.config(), c);
    // A refused reconfiguration leaves it.
    assert!(handle
        .reconfigure(CorsLayer::builder().allow_origins(["https://x.example.com/"]))
        .is_err());
    assert_eq!(handle.config(), c);
    let dbg = format!("{handle:?}");
    assert!(
        dbg.contains("http://localhost:*") && dbg.contains("debug: true"),
        "{dbg}"
    );
}

#[test]
fn debug_is_short_for_a_large_allowlist() {
    let origins: Vec<String> = (0..100_000)
        .map(|i| format!("https://tenant-{i}.example-saas.com"))
        .collect();
    let patterns: Vec<String> = (0..20)
        .map(|i| format!("https://*.t{i}.example-saas.net"))
        .collect();
    let layer = CorsLayer::builder()
        .allow_origins(&origins)
        .allow_origin_patterns(&patterns)
        .allow_credentials(true)
        .debug(true)
        .build()
        .expect("valid");
    let dbg = format!("{layer:?}");
    assert!(dbg.len() < 1_200, "{} bytes: {dbg}", dbg.len());
    // Configuration order, strings, then a count.
    assert!(
        dbg.contains(
            "origins: [\"https://tenant-0.example-saas.com\", \"https://tenant-1.example-saas.com\""
        ),
        "{dbg}"
    );
    assert!(
        dbg.contains("\"https://tenant-7.example-saas.com\", … and 99,992 more]"),
        "{dbg}"
    );
    assert!(!dbg.contains("tenant-8."), "{dbg}");
    assert!(
        dbg.contains("\"https://*.t7.example-saas.net\", … and 12 more]"),
        "{dbg}"
    );
    assert!(dbg.contains("debug: true"), "{dbg}");
    assert!(dbg.contains("credentials: true"), "{dbg}");
    // No byte arrays.
    assert!(!dbg.contains("[104, 116"), "{dbg}");

    let small = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_methods(["PUT"])
        .expose_headers(["x-request-id"])
        .max_age(Duration::from_secs(600))
        .build()
        .expect("valid");
    let dbg = format!("{small:?}");
    assert!(
        dbg.starts_with(
            "CorsLayer { origins: [\"https://app.example.com\"], origin_patterns: [], credentials: false, methods: [\"PUT\"], headers: [], expose: Some(\"x-request-id\"), max_age: Some(600), private_network: false, insecure_origins: false, debug: false"
        ),
        "{dbg}"
    );
}

#[cfg(feature = "serde")]
mod serde_round_trip {
    use super::*;

    #[test]
    fn json_and_toml_carry_app_origins_any_port_patterns_debug_and_level() {
        let builder = CorsLayer::builder()
            .allow_origins(["tauri://localhost", "capacitor://localhost"])
            .allow_origin_patterns(["http://localhost:*", "http://[::1]:*"])
            .allow_credentials(true)
            .debug(true);
        #[cfg(feature = "tracing")]
        let builder = builder.unknown_origin_level(tracing::Level::INFO);
        let layer = builder.build().expect("valid");
        let config = layer.config();

        let json = serde_json::to_string(&config).expect("serialises");
        assert!(json.contains("\"tauri://localhost\""), "{json}");
        assert!(json.contains("\"http://localhost:*\""), "{json}");
        assert!(json.contains("\"debug\":true"), "{json}");
        assert!(!json.contains("max_age_secs"), "unset is left out: {json}");
        #[cfg(feature = "tracing")]
        assert!(json.contains("\"unknown_origin_level\":\"info\""), "{json}");
        let back: CorsConfig = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, config);

        let text = toml::to_string(&config).expect("serialises");
        let back: CorsConfig = toml::from_str(&text).expect("deserialises");
        assert_eq!(back, config);
        let again = back.into_builder().expect("valid").build().expect("valid");
        assert_eq!(again.config(), config);
    }

    #[cfg(feature = "tracing")]
    #[test]
    fn a_level_is_a_name_and_a_wrong_one_is_named() {
        let c: CorsConfig = toml::from_str(
            "allowed_origins = [\"https://a.example.com\"]\nunknown_origin_level = \"WARN\"\n",
        )
        .expect("valid");
        assert_eq!(c.unknown_origin_level, Some(tracing::Level::WARN));
        let err = toml::from_str::<CorsConfig>("unknown_origin_level = \"loud\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown_origin_level"), "{err}");
        assert!(err.contains("unknown level \"loud\""), "{err}");
    }
}

// The property: arbitrary valid configurations, arbitrary requests.

const ORIGINS: &[&str] = &[
    "https://app.example.com",
    "HTTPS://Admin.Example.com:443",
    "http://localhost:3000",
    "http://127.0.0.1:8080",
    "http://[0:0::1]:5173",
    "tauri://localhost",
    "capacitor://localhost",
    "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
    "https://api.example.net:8443",
    "http://intranet.example.org",
];
/// Needs `allow_insecure_origins` with credentials.
const INSECURE: &str = "http://intranet.example.org";
const PATTERNS: &[&str] = &[
    "https://*.example.com",
    "http://localhost:*",
    "http://127.0.0.1:*",
    "http://[::1]:*",
    "https://*.preview.example.net:8443",
    "http://*.localhost:*",
    "HTTPS://*.Example.org",
];
const METHODS: &[&str] = &[
    "GET", "get", "PUT", "patch", "PATCH", "DELETE", "X-CUSTOM", "*",
];
const HEADERS: &[&str] = &[
    "content-type",
    "Authorization",
    "x-token",
    "X-Requested-With",
    "*",
];
const EXPOSE: &[&str] = &["x-request-id", "ETag", "*"];
const REQUEST_ORIGINS: &[&str] = &[
    "https://app.example.com",
    "https://admin.example.com",
    "https://APP.example.com",
    "https://app.example.com:443",
    "https://a.b.example.com",
    "https://example.com",
    "http://localhost:3000",
    "http://localhost:5173",
    "http://localhost",
    "http://localhost.evil.net:3000",
    "http://evil.localhost:3000",
    "http://127.0.0.1:8080",
    "http://127.0.0.1:9",
    "http://[::1]:5173",
    "tauri://localhost",
    "capacitor://localhost",
    "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
    "https://api.example.net:8443",
    "https://x.preview.example.net:8443",
    "https://x.preview.example.net",
    "http://intranet.example.org",
    "https://x.example.org",
    "null",
];
const REQUEST_METHODS: &[&str] = &[
    "GET", "POST", "PUT", "put", "PATCH", "patch", "DELETE", "X-CUSTOM",
];
const REQUEST_HEADERS: &[&str] = &[
    "content-type",
    "authorization",
    "x-token",
    "x-requested-with",
    "x-other",
];

fn subset(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<&'static str>> {
    proptest::sample::subsequence(pool, 0..=pool.len()).prop_shuffle()
}

/// An arbitrary valid configuration.
fn config() -> impl Strategy<Value = CorsBuilder> {
    (
        (
            any::<bool>(),
            subset(ORIGINS),
            subset(PATTERNS),
            any::<bool>(),
            any::<bool>(),
        ),
        (subset(METHODS), subset(HEADERS), subset(EXPOSE)),
        (
            proptest::option::of(0u64..=86_400),
            any::<bool>(),
            any::<bool>(),
            0usize..6,
        ),
        (any::<bool>(), subset(&["/hooks/", "/cb", "/hooks/", "/a/"])),
    )
        .prop_map(
            |(
                (any_origin, origins, patterns, credentials, insecure),
                (methods, headers, expose),
                (max_age, private_network, debug, _level),
                (csrf, exempt),
            )| {
                let mut b = CorsLayer::builder();
                if any_origin {
                    // Any origin: credential-free, and alone.
                    b = b.allow_any_origin();
                } else {
                    let origins: Vec<&str> = origins
                        .into_iter()
                        .filter(|o| insecure || !credentials || *o != INSECURE)
                        .collect();
                    let patterns = if origins.is_empty() && patterns.is_empty() {
                        vec![PATTERNS[0]]
                    } else {
                        patterns
                    };
                    b = b
                        .allow_origins(origins)
                        .allow_origin_patterns(patterns)
                        .allow_credentials(credentials)
                        .allow_insecure_origins(insecure);
                }
                // The CSRF guard (never with any origin), its exempt paths
                // repeated and in any order.
                if csrf && !any_origin {
                    b = b.csrf_protection(true).csrf_exempt_paths(exempt);
                }
                let credentials = credentials && !any_origin;
                let expose = expose.into_iter().filter(|e| !credentials || *e != "*");
                b = b
                    .allow_methods(methods)
                    .allow_headers(headers)
                    .expose_headers(expose)
                    .allow_private_network(private_network)
                    .debug(debug);
                if let Some(secs) = max_age {
                    b = b.max_age(Duration::from_secs(secs));
                }
                #[cfg(feature = "tracing")]
                {
                    let levels = [
                        tracing::Level::TRACE,
                        tracing::Level::DEBUG,
                        tracing::Level::INFO,
                        tracing::Level::WARN,
                        tracing::Level::ERROR,
                    ];
                    if let Some(level) = levels.get(_level) {
                        b = b.unknown_origin_level(*level);
                    }
                }
                b
            },
        )
}

/// An arbitrary request: with or without `Origin`, preflight or not.
fn request() -> impl Strategy<Value = Request<()>> {
    (
        proptest::option::of(proptest::sample::select(REQUEST_ORIGINS)),
        any::<bool>(),
        proptest::sample::select(REQUEST_METHODS),
        proptest::option::of(subset(REQUEST_HEADERS)),
        any::<bool>(),
        (
            proptest::sample::select(&["/", "/hooks/x", "/cb", "/a"][..]),
            proptest::option::of(proptest::sample::select(&["cross-site", "same-origin"][..])),
        ),
    )
        .prop_map(|(origin, preflight, method, headers, pn, (path, site))| {
            let mut req = if preflight {
                Request::options(path).header("access-control-request-method", method)
            } else {
                Request::builder().method(method).uri(path)
            };
            if let Some(site) = site {
                req = req.header("sec-fetch-site", site);
            }
            if let Some(origin) = origin {
                req = req.header("origin", origin);
            }
            if let Some(headers) = headers {
                req = req.header("access-control-request-headers", headers.join(", "));
            }
            if pn {
                req = req.header("access-control-request-private-network", "true");
            }
            req.body(()).expect("request")
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn building_from_config_answers_every_request_the_same(
        builder in config(),
        requests in proptest::collection::vec(request(), 40),
    ) {
        let original = builder.build().expect("the strategy makes valid configurations");
        let config = original.config();
        let again = config.clone().into_builder().expect("valid entries").build().expect("builds");
        for req in &requests {
            prop_assert_eq!(decide(&original, req), decide(&again, req), "{:?}\n{:?}", req, config);
        }
        // Reading back the rebuilt layer gives the same data.
        prop_assert_eq!(again.config(), config.clone());
        #[cfg(feature = "serde")]
        {
            let json = serde_json::to_string(&config).expect("serialises");
            let back: CorsConfig = serde_json::from_str(&json).expect("deserialises");
            prop_assert_eq!(back, config);
        }
    }
}
