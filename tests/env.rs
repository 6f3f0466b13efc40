//! Configuration from environment variables. Every test but one goes through
//! `from_lookup`, so nothing here races on the process environment; the one
//! that reads the real environment uses variable names no other test reads.

#[path = "support/probe.rs"]
mod probe;

use std::collections::HashMap;
use std::time::Duration;

use http::Request;
use strict_cors::{ConfigError, ConfigProblem, CorsBuilder, CorsLayer, EnvVarDefect, OriginDefect};

fn from(vars: &[(&str, &str)]) -> Result<CorsBuilder, ConfigError> {
    from_prefixed("CORS_", vars)
}

fn from_prefixed(prefix: &str, vars: &[(&str, &str)]) -> Result<CorsBuilder, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    CorsBuilder::from_lookup(prefix, |name| map.get(name).cloned())
}

fn err(vars: &[(&str, &str)]) -> Vec<ConfigProblem> {
    match from(vars) {
        Ok(b) => panic!("expected an error, got {b:?}"),
        Err(e) => e.into_problems(),
    }
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
fn a_full_configuration_reads_like_the_builder() {
    let layer = from(&[
        (
            "CORS_ALLOWED_ORIGINS",
            " https://app.example.com ,http://localhost:3000",
        ),
        (
            "CORS_ALLOWED_ORIGIN_PATTERNS",
            "https://*.preview.example.com",
        ),
        ("CORS_ALLOW_CREDENTIALS", "TRUE"),
        ("CORS_ALLOWED_METHODS", "GET, POST, put"),
        ("CORS_ALLOWED_HEADERS", "content-type, authorization"),
        ("CORS_EXPOSED_HEADERS", "x-request-id"),
        ("CORS_MAX_AGE", " 600 "),
        ("CORS_ALLOW_PRIVATE_NETWORK", "1"),
    ])
    .expect("valid")
    .build()
    .expect("valid");
    let same = CorsLayer::builder()
        .allow_origins(["https://app.example.com", "http://localhost:3000"])
        .allow_origin_patterns(["https://*.preview.example.com"])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT"])
        .allow_headers(["content-type", "authorization"])
        .expose_headers(["x-request-id"])
        .max_age(Duration::from_secs(600))
        .allow_private_network(true)
        .build()
        .expect("valid");
    probe::assert_same_policy(&layer, &same);
    assert!(allowed(&layer, "https://a.preview.example.com"));
    assert!(!allowed(&layer, "https://preview.example.com"));
}

#[test]
fn unset_means_not_configured() {
    let b = from(&[]).expect("nothing to parse");
    assert_eq!(
        b.build().unwrap_err().problems(),
        &[ConfigProblem::NoOrigins]
    );
    // The builder can be completed in code.
    let layer = from(&[("CORS_MAX_AGE", "60")])
        .expect("valid")
        .allow_origins(["https://app.example.com"])
        .build()
        .expect("valid");
    assert!(allowed(&layer, "https://app.example.com"));
}

#[test]
fn a_custom_prefix_reads_only_its_variables() {
    let vars = [
        ("ADMIN_CORS_ALLOWED_ORIGINS", "https://admin.example.com"),
        ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
        ("CORS_ALLOW_CREDENTIALS", "nonsense"),
    ];
    let admin = from_prefixed("ADMIN_CORS_", &vars)
        .expect("valid")
        .build()
        .expect("valid");
    assert!(allowed(&admin, "https://admin.example.com"));
    assert!(!allowed(&admin, "https://app.example.com"));
    assert!(from_prefixed("CORS_", &vars).is_err());
}

#[test]
fn unparsable_values_name_the_variable() {
    let problems = err(&[
        ("CORS_ALLOW_CREDENTIALS", "yes"),
        ("CORS_MAX_AGE", "10m"),
        ("CORS_ALLOWED_METHODS", "GET,,POST"),
        ("CORS_ALLOW_INSECURE_ORIGINS", ""),
    ]);
    let expect = |var: &str, value: &str, reason| ConfigProblem::InvalidEnvVar {
        var: var.into(),
        value: value.into(),
        reason,
    };
    assert_eq!(
        problems,
        vec![
            expect(
                "CORS_ALLOWED_METHODS",
                "GET,,POST",
                EnvVarDefect::EmptyEntry
            ),
            expect("CORS_ALLOW_CREDENTIALS", "yes", EnvVarDefect::NotBoolean),
            expect("CORS_ALLOW_INSECURE_ORIGINS", "", EnvVarDefect::NotBoolean),
            expect("CORS_MAX_AGE", "10m", EnvVarDefect::NotSeconds),
        ]
    );
    let text = ConfigError::from(problems[0].clone()).to_string();
    assert!(
        text.starts_with("CORS_ALLOWED_METHODS=\"GET,,POST\""),
        "{text}"
    );
    assert!(text.contains("remove the extra comma"), "{text}");
}

#[test]
fn trailing_and_leading_commas_are_errors_but_blank_is_empty() {
    // (The other entries are checked too: tests/redteam.rs, issue 12.3.)
    for v in [
        "https://a.example.com,",
        ",https://a.example.com",
        "https://a.example.com, ,https://b.example.com",
    ] {
        assert!(
            matches!(
                &err(&[("CORS_ALLOWED_ORIGINS", v)])[..],
                [ConfigProblem::InvalidEnvVar {
                    reason: EnvVarDefect::EmptyEntry,
                    ..
                }]
            ),
            "{v}"
        );
    }
    let b = from(&[("CORS_ALLOWED_ORIGINS", "  ")]).expect("blank is an empty list");
    assert_eq!(
        b.build().unwrap_err().problems(),
        &[ConfigProblem::NoOrigins]
    );
}

#[test]
fn invalid_entries_are_reported_with_their_variable() {
    let problems = err(&[
        (
            "CORS_ALLOWED_ORIGINS",
            "https://app.example.com/, https://ok.example.com",
        ),
        ("CORS_ALLOWED_ORIGIN_PATTERNS", "https://*.co.uk"),
        ("CORS_ALLOWED_HEADERS", "cookie"),
        ("CORS_EXPOSED_HEADERS", "set-cookie"),
        ("CORS_ALLOWED_METHODS", "TRACE"),
        ("CORS_MAX_AGE", "90000"),
    ]);
    let located: Vec<(&str, &ConfigProblem)> = problems
        .iter()
        .map(|p| match p {
            ConfigProblem::Located { location, problem } => (location.as_str(), &**problem),
            other => panic!("not located: {other:?}"),
        })
        .collect();
    assert_eq!(located.len(), 6, "{problems:?}");
    assert_eq!(located[0].0, "CORS_ALLOWED_ORIGINS");
    assert_eq!(
        located[0].1,
        &ConfigProblem::InvalidOrigin {
            value: "https://app.example.com/".into(),
            defect: OriginDefect::Path,
            suggestion: Some("https://app.example.com".into()),
        }
    );
    assert_eq!(located[1].0, "CORS_ALLOWED_ORIGIN_PATTERNS");
    assert!(matches!(
        located[1].1,
        ConfigProblem::PatternOverPublicSuffix { .. }
    ));
    assert_eq!(located[2].0, "CORS_ALLOWED_METHODS");
    assert_eq!(located[3].0, "CORS_ALLOWED_HEADERS");
    assert_eq!(located[4].0, "CORS_EXPOSED_HEADERS");
    assert_eq!(
        located[5],
        (
            "CORS_MAX_AGE",
            &ConfigProblem::MaxAgeTooLong { seconds: 90000 }
        )
    );
    let text = problems[0].to_string();
    assert!(
        text.starts_with("CORS_ALLOWED_ORIGINS: origin \"https://app.example.com/\""),
        "{text}"
    );
}

#[test]
fn rules_across_variables_are_left_to_build() {
    let b = from(&[
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_ALLOW_CREDENTIALS", "true"),
    ])
    .expect("each variable is fine on its own");
    assert_eq!(
        b.build().unwrap_err().problems(),
        &[ConfigProblem::WildcardOriginWithCredentials]
    );
    let b = from(&[
        ("CORS_ALLOWED_ORIGINS", "http://app.example.com"),
        ("CORS_ALLOW_CREDENTIALS", "true"),
    ])
    .expect("each variable is fine on its own");
    assert!(matches!(
        b.build().unwrap_err().problems(),
        [ConfigProblem::InsecureOriginWithCredentials { .. }]
    ));
}

/// The only test that reads the process environment, with names of its own.
#[test]
fn from_env_reads_the_process_environment() {
    std::env::set_var(
        "STRICT_CORS_TEST_ALLOWED_ORIGINS",
        "https://env.example.com",
    );
    std::env::set_var("STRICT_CORS_TEST_ALLOW_CREDENTIALS", "true");
    let layer = CorsBuilder::from_env_with_prefix("STRICT_CORS_TEST_")
        .expect("valid")
        .build()
        .expect("valid");
    assert!(allowed(&layer, "https://env.example.com"));
    std::env::set_var("STRICT_CORS_TEST_ALLOW_CREDENTIALS", "maybe");
    let err = CorsBuilder::from_env_with_prefix("STRICT_CORS_TEST_").unwrap_err();
    assert!(err
        .to_string()
        .contains("STRICT_CORS_TEST_ALLOW_CREDENTIALS"));
    std::env::set_var("STRICT_CORS_TEST_ALLOW_CREDENTIALS", "true");
    // A misspelt name is refused, not ignored.
    std::env::set_var("STRICT_CORS_TEST_MAXAGE", "600");
    let err = CorsBuilder::from_env_with_prefix("STRICT_CORS_TEST_").unwrap_err();
    assert!(matches!(
        err.problems(),
        [ConfigProblem::InvalidEnvVar { var, reason: EnvVarDefect::UnknownName, .. }]
            if var == "STRICT_CORS_TEST_MAXAGE"
    ));
    std::env::remove_var("STRICT_CORS_TEST_MAXAGE");
    std::env::remove_var("STRICT_CORS_TEST_ALLOWED_ORIGINS");
    std::env::remove_var("STRICT_CORS_TEST_ALLOW_CREDENTIALS");
}

#[test]
fn debug_mode_and_the_new_origin_forms_read_back_through_config() {
    let layer = from(&[
        (
            "CORS_ALLOWED_ORIGINS",
            "tauri://localhost, chrome-extension://abcdefghijklmnopabcdefghijklmnop",
        ),
        (
            "CORS_ALLOWED_ORIGIN_PATTERNS",
            "http://localhost:*, http://[::1]:*",
        ),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_DEBUG", " True "),
    ])
    .expect("valid")
    .build()
    .expect("valid");
    let c = layer.config();
    assert!(c.debug);
    assert_eq!(
        c.allowed_origins,
        [
            "tauri://localhost",
            "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
        ]
    );
    assert_eq!(
        c.allowed_origin_patterns,
        ["http://localhost:*", "http://[::1]:*"]
    );
    assert!(allowed(&layer, "http://localhost:5173"));
    assert!(!allowed(&layer, "http://evil.localhost:5173"));

    let off = from(&[
        ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
        ("CORS_DEBUG", "0"),
    ])
    .expect("valid")
    .build()
    .expect("valid");
    assert!(!off.config().debug);

    #[cfg(feature = "tracing")]
    {
        let loud = from(&[
            ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
            ("CORS_UNKNOWN_ORIGIN_LEVEL", " Warn "),
        ])
        .expect("valid")
        .build()
        .expect("valid");
        assert_eq!(
            loud.config().unknown_origin_level,
            Some(tracing::Level::WARN)
        );
        let problems = err(&[("CORS_UNKNOWN_ORIGIN_LEVEL", "loud")]);
        assert!(matches!(
            &problems[..],
            [ConfigProblem::InvalidEnvVar { var, reason: EnvVarDefect::NotLevel, .. }]
                if var == "CORS_UNKNOWN_ORIGIN_LEVEL"
        ));
        assert_eq!(
            problems[0].to_string(),
            "CORS_UNKNOWN_ORIGIN_LEVEL=\"loud\" is not a log level; use trace, debug, info, warn or error"
        );
    }

    assert!(matches!(
        &err(&[("CORS_DEBUG", "yes")])[..],
        [ConfigProblem::InvalidEnvVar { var, reason: EnvVarDefect::NotBoolean, .. }]
            if var == "CORS_DEBUG"
    ));
}
