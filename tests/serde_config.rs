//! `CorsConfig` (feature `serde`): from TOML and JSON to a layer, and errors
//! that point at the field.
#![cfg(feature = "serde")]

#[path = "support/probe.rs"]
mod probe;

use std::time::Duration;

use http::Request;
use strict_cors::{ConfigProblem, CorsBuilder, CorsConfig, CorsLayer, OriginDefect};

const TOML: &str = r#"
allowed_origins = ["https://app.example.com", "http://localhost:3000"]
allowed_origin_patterns = ["https://*.preview.example.com"]
allow_credentials = true
allowed_methods = ["GET", "POST", "PUT"]
allowed_headers = ["content-type", "authorization"]
exposed_headers = ["x-request-id"]
max_age_secs = 600
allow_private_network = true
"#;

fn expected() -> CorsLayer {
    CorsLayer::builder()
        .allow_origins(["https://app.example.com", "http://localhost:3000"])
        .allow_origin_patterns(["https://*.preview.example.com"])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT"])
        .allow_headers(["content-type", "authorization"])
        .expose_headers(["x-request-id"])
        .max_age(Duration::from_secs(600))
        .allow_private_network(true)
        .build()
        .expect("valid")
}

fn allowed(layer: &CorsLayer, origin: &str) -> bool {
    let (parts, ()) = Request::get("/")
        .header("origin", origin)
        .body(())
        .expect("request")
        .into_parts();
    layer.evaluate(&parts).is_allowed()
}

#[test]
fn toml_and_json_build_the_same_layer_as_the_builder() {
    let from_toml: CorsConfig = toml::from_str(TOML).expect("valid toml");
    let json = r#"{
        "allowed_origins": ["https://app.example.com", "http://localhost:3000"],
        "allowed_origin_patterns": ["https://*.preview.example.com"],
        "allow_credentials": true,
        "allowed_methods": ["GET", "POST", "PUT"],
        "allowed_headers": ["content-type", "authorization"],
        "exposed_headers": ["x-request-id"],
        "max_age_secs": 600,
        "allow_private_network": true
    }"#;
    let from_json: CorsConfig = serde_json::from_str(json).expect("valid json");
    assert_eq!(from_toml, from_json);

    let layer = from_toml
        .into_builder()
        .expect("valid")
        .build()
        .expect("valid");
    probe::assert_same_policy(&layer, &expected());
    assert!(allowed(&layer, "https://pr-1.preview.example.com"));

    let layer = CorsBuilder::try_from(from_json)
        .expect("valid")
        .build()
        .expect("valid");
    probe::assert_same_policy(&layer, &expected());
}

#[test]
fn missing_fields_are_not_configured() {
    let config: CorsConfig =
        toml::from_str("allowed_origins = [\"https://app.example.com\"]").expect("valid");
    let mut by_hand = CorsConfig::default();
    by_hand.allowed_origins = vec!["https://app.example.com".into()];
    assert_eq!(config, by_hand);
    let layer = config
        .into_builder()
        .expect("valid")
        .build()
        .expect("valid");
    assert!(format!("{layer:?}").contains("credentials: false"));

    let empty: CorsConfig = serde_json::from_str("{}").expect("valid");
    assert_eq!(
        empty
            .into_builder()
            .expect("valid")
            .build()
            .unwrap_err()
            .problems(),
        &[ConfigProblem::NoOrigins]
    );
}

#[test]
fn an_unknown_field_is_named() {
    let err = serde_json::from_str::<CorsConfig>(r#"{"allowed_origin": ["https://a.com"]}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `allowed_origin`"), "{err}");
    assert!(
        err.contains("allowed_origins"),
        "suggests the fields: {err}"
    );

    let err = toml::from_str::<CorsConfig>("allow_credential = true")
        .unwrap_err()
        .to_string();
    assert!(err.contains("allow_credential"), "{err}");
}

#[test]
fn a_wrong_type_points_at_the_field() {
    let err = toml::from_str::<CorsConfig>(
        "allowed_origins = [\"https://a.com\"]\nallow_credentials = \"yes\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("allow_credentials"), "{err}");

    let err = toml::from_str::<CorsConfig>("max_age_secs = -1")
        .unwrap_err()
        .to_string();
    assert!(err.contains("max_age_secs"), "{err}");

    let err = serde_json::from_str::<CorsConfig>("{\n  \"allowed_origins\": \"https://a.com\"\n}")
        .unwrap_err();
    assert_eq!(err.line(), 2, "{err}");
    assert!(err.to_string().contains("expected a sequence"), "{err}");
}

#[test]
fn invalid_entries_name_their_field_and_index() {
    let config: CorsConfig = toml::from_str(
        r#"
allowed_origins = ["https://ok.example.com", "https://app.example.com/"]
allowed_origin_patterns = ["https://*.github.io"]
allowed_headers = ["content-type", "cookie"]
exposed_headers = ["set-cookie"]
allowed_methods = ["TRACE"]
max_age_secs = 90000
"#,
    )
    .expect("valid toml");
    let problems = config.into_builder().unwrap_err().into_problems();
    let located: Vec<(String, ConfigProblem)> = problems
        .into_iter()
        .map(|p| match p {
            ConfigProblem::Located { location, problem } => (location, *problem),
            other => panic!("not located: {other:?}"),
        })
        .collect();
    let locations: Vec<&str> = located.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        locations,
        [
            "allowed_origins[1]",
            "allowed_origin_patterns[0]",
            "allowed_methods[0]",
            "allowed_headers[1]",
            "exposed_headers[0]",
            "max_age_secs",
        ]
    );
    assert_eq!(
        located[0].1,
        ConfigProblem::InvalidOrigin {
            value: "https://app.example.com/".into(),
            defect: OriginDefect::Path,
            suggestion: Some("https://app.example.com".into()),
        }
    );
    assert!(matches!(
        located[1].1,
        ConfigProblem::PatternOverPublicSuffix { .. }
    ));
    assert_eq!(
        located[5].1,
        ConfigProblem::MaxAgeTooLong { seconds: 90000 }
    );
}

#[test]
fn rules_across_fields_are_left_to_build() {
    let config: CorsConfig =
        toml::from_str("allowed_origins = [\"*\"]\nallow_credentials = true").expect("valid");
    let builder = config
        .into_builder()
        .expect("each field is fine on its own");
    assert_eq!(
        builder.build().unwrap_err().problems(),
        &[ConfigProblem::WildcardOriginWithCredentials]
    );
}
