//! App webviews and browser extensions as exact origins, and the hints for
//! every other scheme: through the builder, the environment and `CorsConfig`.

#[path = "support/allowed.rs"]
mod allowed;
#[path = "support/problems.rs"]
mod problems;

use allowed::decide;
use problems::one;
use strict_cors::{ConfigProblem, CorsBuilder, CorsLayer, OriginDefect, RequestKind};

fn allowed(layer: &CorsLayer, origin: &str) -> bool {
    let decision = decide(layer, origin);
    if decision.kind() == RequestKind::Actual && decision.is_allowed() {
        assert_eq!(
            decision
                .allow_origin()
                .expect("an allowed origin is echoed"),
            origin
        );
        true
    } else {
        false
    }
}

const CHROME: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";
const FIREFOX: &str = "moz-extension://2c127fa4-62c7-7e4f-90e5-472b45eecfdc";
const SAFARI: &str = "safari-web-extension://E4A8B9F1-0C3D-4E5F-8A9B-0C1D2E3F4A5B";

#[test]
fn app_and_extension_origins_are_allowed_with_credentials() {
    let l = CorsLayer::builder()
        .allow_origins([
            "tauri://localhost",
            "http://tauri.localhost",
            "capacitor://localhost",
            "https://localhost",
            "ionic://localhost",
            CHROME,
            FIREFOX,
            SAFARI,
        ])
        .allow_credentials(true)
        .build()
        .expect("valid without allow_insecure_origins");
    for yes in [
        "tauri://localhost",
        "http://tauri.localhost",
        "capacitor://localhost",
        "ionic://localhost",
        CHROME,
        FIREFOX,
        SAFARI,
    ] {
        assert!(allowed(&l, yes), "{yes}");
    }
    // Byte-exact, like https origins.
    for no in [
        "tauri://localhost:1420",
        "tauri://localhost.evil.net",
        "TAURI://localhost",
        "tauri://Localhost",
        "capacitor://localhost/",
        "chrome-extension://abcdefghijklmnopabcdefghijklmnoa",
        "safari-web-extension://e4a8b9f1-0c3d-4e5f-8a9b-0c1d2e3f4a5b",
        "myapp://localhost",
        "null",
    ] {
        assert!(!allowed(&l, no), "{no}");
    }
    // The scheme is lower-cased like http's.
    let l = CorsLayer::builder()
        .allow_origins(["Tauri://localhost"])
        .build()
        .expect("valid");
    assert!(allowed(&l, "tauri://localhost"));
}

#[test]
fn extension_ids_are_checked() {
    assert_eq!(
        one(CorsLayer::builder().allow_origins(["chrome-extension://abcdefghijklmnopq"])),
        ConfigProblem::InvalidOrigin {
            value: "chrome-extension://abcdefghijklmnopq".into(),
            defect: OriginDefect::InvalidChromeExtensionId,
            suggestion: None,
        }
    );
    let upper = "chrome-extension://ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP";
    match one(CorsLayer::builder().allow_origins([upper])) {
        ConfigProblem::InvalidOrigin {
            defect: OriginDefect::InvalidChromeExtensionId,
            suggestion: Some(s),
            ..
        } => assert_eq!(s, CHROME),
        other => panic!("{other:?}"),
    }
    let e = one(CorsLayer::builder().allow_origins(["moz-extension://my-addon@example.com"]));
    assert!(
        matches!(
            e,
            ConfigProblem::InvalidOrigin {
                defect: OriginDefect::Userinfo,
                ..
            }
        ),
        "{e:?}"
    );
    let e = one(CorsLayer::builder().allow_origins(["moz-extension://my-addon"]));
    assert!(
        matches!(
            e,
            ConfigProblem::InvalidOrigin {
                defect: OriginDefect::InvalidMozExtensionId,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("about:debugging"), "{e}");
}

#[test]
fn app_origins_are_never_patterns() {
    for p in [
        "tauri://*.localhost",
        "chrome-extension://*",
        "capacitor://localhost:*",
    ] {
        let e = one(CorsLayer::builder().allow_origin_patterns([p]));
        assert_eq!(
            e,
            ConfigProblem::PatternWithAppScheme { value: p.into() },
            "{p}"
        );
        assert!(e.to_string().contains("allow_origins"), "{e}");
    }
}

#[test]
fn near_misses_of_http_get_a_did_you_mean() {
    for (given, defect, want) in [
        (
            "htps://app.example.com",
            OriginDefect::UnsupportedScheme,
            "https://app.example.com",
        ),
        (
            "hhtp://localhost:3000",
            OriginDefect::UnsupportedScheme,
            "http://localhost:3000",
        ),
        (
            "http:/app.example.com",
            OriginDefect::SchemeSeparator,
            "http://app.example.com",
        ),
        (
            "https:/x.example.com",
            OriginDefect::SchemeSeparator,
            "https://x.example.com",
        ),
    ] {
        let e = one(CorsLayer::builder().allow_origins([given]));
        assert_eq!(
            e,
            ConfigProblem::InvalidOrigin {
                value: given.into(),
                defect,
                suggestion: Some(want.into()),
            }
        );
        assert!(
            e.to_string().contains(&format!("did you mean {want:?}")),
            "{e}"
        );
    }
}

#[test]
fn other_schemes_list_the_accepted_ones() {
    let e = one(CorsLayer::builder().allow_origins(["myapp://localhost"]));
    assert!(
        matches!(
            e,
            ConfigProblem::InvalidOrigin {
                defect: OriginDefect::UnsupportedScheme,
                suggestion: None,
                ..
            }
        ),
        "{e:?}"
    );
    let text = e.to_string();
    for scheme in [
        "tauri",
        "capacitor",
        "ionic",
        "chrome-extension",
        "moz-extension",
        "safari-web-extension",
    ] {
        assert!(text.contains(scheme), "{text}");
    }
}

#[test]
fn documents_without_an_origin_have_their_own_hint() {
    for (given, scheme) in [
        ("data:text/html,<p>hi", "data"),
        ("about:blank", "about"),
        ("javascript:void(0)", "javascript"),
        ("blob:null/8f1e", "blob"),
    ] {
        let e = one(CorsLayer::builder().allow_origins([given]));
        assert_eq!(
            e,
            ConfigProblem::OpaqueSchemeOrigin {
                value: given.into(),
                scheme: scheme.into(),
                suggestion: None,
            }
        );
        assert!(e.to_string().contains("Origin: null"), "{e}");
    }
    match one(CorsLayer::builder().allow_origins(["blob:https://app.example.com/8f1e"])) {
        ConfigProblem::OpaqueSchemeOrigin {
            suggestion: Some(s),
            ..
        } => {
            assert_eq!(s, "https://app.example.com")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        one(CorsLayer::builder().allow_origins(["file:///index.html"])),
        ConfigProblem::FileOrigin { .. }
    ));
}

#[test]
fn from_env_accepts_app_origins_and_any_port_patterns() {
    let vars = [
        (
            "CORS_ALLOWED_ORIGINS",
            format!("tauri://localhost, {CHROME}, https://app.example.com"),
        ),
        (
            "CORS_ALLOWED_ORIGIN_PATTERNS",
            "http://localhost:*, http://[::1]:*, https://*.example.com".to_owned(),
        ),
        ("CORS_ALLOW_CREDENTIALS", "true".to_owned()),
    ];
    let lookup = |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    };
    let l = CorsBuilder::from_lookup("CORS_", lookup)
        .expect("valid variables")
        .build()
        .expect("valid");
    for yes in [
        "tauri://localhost",
        CHROME,
        "http://localhost:5173",
        "http://[::1]:3000",
        "https://a.example.com",
    ] {
        assert!(allowed(&l, yes), "{yes}");
    }
    // Problems name their variable.
    let bad = [("CORS_ALLOWED_ORIGIN_PATTERNS", "https://app.example.com:*")];
    let err = CorsBuilder::from_lookup("CORS_", |name| {
        bad.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    })
    .unwrap_err();
    assert!(
        matches!(
            &err.problems()[0],
            ConfigProblem::Located { location, problem }
                if location == "CORS_ALLOWED_ORIGIN_PATTERNS"
                    && matches!(**problem, ConfigProblem::AnyPortOnNonLoopbackHost { .. })
        ),
        "{err}"
    );
}

#[cfg(feature = "serde")]
#[test]
fn cors_config_accepts_app_origins_and_any_port_patterns() {
    use strict_cors::CorsConfig;

    let config: CorsConfig = serde_json::from_str(&format!(
        r#"{{
            "allowed_origins": ["capacitor://localhost", "{FIREFOX}"],
            "allowed_origin_patterns": ["http://127.0.0.1:*", "http://*.localhost:*"],
            "allow_credentials": true
        }}"#
    ))
    .expect("json");
    let l = config
        .into_builder()
        .expect("valid")
        .build()
        .expect("valid");
    for yes in [
        "capacitor://localhost",
        FIREFOX,
        "http://127.0.0.1:8080",
        "http://app.localhost:5173",
    ] {
        assert!(allowed(&l, yes), "{yes}");
    }
    let config: CorsConfig =
        serde_json::from_str(r#"{"allowed_origin_patterns": ["ionic://*.localhost"]}"#)
            .expect("json");
    let err = config.into_builder().unwrap_err();
    assert!(
        err.to_string().starts_with("allowed_origin_patterns[0]: "),
        "{err}"
    );
}
