//! [`CorsConfig`]: the configuration as data, in every build; with the
//! `serde` feature, for TOML, JSON, YAML or any other `serde` format.
//!
//! A field is added in three places, each a compile error until it is:
//! the struct, [`CorsConfig::into_builder`] (which takes the struct apart
//! exhaustively) and `snapshot.rs` (which builds it back from a running
//! policy, with a full struct literal).

use std::time::Duration;

use super::builder::CorsBuilder;
use super::compile::Part;
use crate::error::ConfigError;

/// A CORS configuration as data: what a layer runs
/// ([`CorsLayer::config`](crate::CorsLayer::config),
/// [`CorsHandle::config`](crate::CorsHandle::config)), or what a config file
/// says. Turn it into a [`CorsBuilder`] with [`into_builder`](Self::into_builder).
///
/// Plain data in every build; with the `serde` feature it is `Serialize` and
/// `Deserialize`. Every field is optional; a missing one is not configured
/// (empty list, `false`, no max age). Unknown fields are refused, so a
/// misspelt key (`allowed_origin`) is an error rather than a silently
/// missing setting. Any origin is `allowed_origins = ["*"]`.
///
/// | field | builder setting |
/// |---|---|
/// | `allowed_origins` | [`allow_origins`](CorsBuilder::allow_origins) |
/// | `allowed_origin_patterns` | [`allow_origin_patterns`](CorsBuilder::allow_origin_patterns) |
/// | `allow_credentials` | [`allow_credentials`](CorsBuilder::allow_credentials) |
/// | `allowed_methods` | [`allow_methods`](CorsBuilder::allow_methods) |
/// | `allowed_headers` | [`allow_headers`](CorsBuilder::allow_headers) |
/// | `exposed_headers` | [`expose_headers`](CorsBuilder::expose_headers) |
/// | `max_age_secs` | [`max_age`](CorsBuilder::max_age) |
/// | `allow_insecure_origins` | [`allow_insecure_origins`](CorsBuilder::allow_insecure_origins) |
/// | `allow_private_network` | [`allow_private_network`](CorsBuilder::allow_private_network) |
/// | `debug` | [`debug`](CorsBuilder::debug) |
/// | `unknown_origin_level` | [`unknown_origin_level`](CorsBuilder::unknown_origin_level) (feature `tracing`): `"trace"`, `"debug"`, `"info"`, `"warn"` or `"error"` |
/// | `csrf_protection` | [`csrf_protection`](CorsBuilder::csrf_protection) |
/// | `csrf_exempt_paths` | [`csrf_exempt_paths`](CorsBuilder::csrf_exempt_paths) |
///
/// Errors point at the field: a wrong key or type is reported by the format
/// (`unknown field `allowed_origin``; TOML quotes the line, JSON gives line
/// and column), and a value that parses but is wrong by
/// [`into_builder`](Self::into_builder), as
/// [`ConfigProblem::Located`](crate::ConfigProblem::Located) with a path such as `allowed_origins[1]`.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use strict_cors::CorsConfig;
///
/// let config: CorsConfig = serde_json::from_str(r#"{
///     "allowed_origins": ["https://app.example.com"],
///     "allowed_origin_patterns": ["https://*.preview.example.com"],
///     "allow_credentials": true,
///     "allowed_methods": ["GET", "POST", "PUT"],
///     "max_age_secs": 600
/// }"#)?;
/// let cors = config.into_builder()?.build()?;
/// // What runs, normalised, reads back as the same data.
/// assert_eq!(cors.config().allowed_origins, ["https://app.example.com"]);
///
/// let config: CorsConfig = serde_json::from_str(r#"{
///     "allowed_origins": ["https://ok.example.com", "https://app.example.com/"]
/// }"#)?;
/// let err = config.into_builder().unwrap_err();
/// assert!(err.to_string().starts_with("allowed_origins[1]: origin \"https://app.example.com/\""));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields, default)
)]
#[non_exhaustive]
pub struct CorsConfig {
    /// Exact origins, e.g. `"https://app.example.com"`; `"*"` for any.
    pub allowed_origins: Vec<String>,
    /// Subdomain patterns, e.g. `"https://*.example.com"`.
    pub allowed_origin_patterns: Vec<String>,
    /// Whether credentialed requests may be read.
    pub allow_credentials: bool,
    /// Methods allowed in preflights; `"*"` for any.
    pub allowed_methods: Vec<String>,
    /// Request headers allowed in preflights; `"*"` for any.
    pub allowed_headers: Vec<String>,
    /// Response headers scripts may read.
    pub exposed_headers: Vec<String>,
    /// How long browsers may cache a preflight, in seconds (at most 86 400).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub max_age_secs: Option<u64>,
    /// Accept plain `http://` non-loopback origins with credentials.
    pub allow_insecure_origins: bool,
    /// Answer Private Network Access preflights.
    pub allow_private_network: bool,
    /// Debug mode: refused requests explain themselves (development only).
    pub debug: bool,
    /// The `tracing` level of the event for a request from an origin that is
    /// not allowed; `None` is the default, `DEBUG`. In files, the level's
    /// name: `"trace"`, `"debug"`, `"info"`, `"warn"`, `"error"` (any case).
    #[cfg(feature = "tracing")]
    #[cfg_attr(
        feature = "serde",
        serde(with = "level_name", skip_serializing_if = "Option::is_none")
    )]
    pub unknown_origin_level: Option<tracing::Level>,
    /// Refuse cross-site writes and WebSocket handshakes from origins not
    /// allowed (the CSRF guard).
    pub csrf_protection: bool,
    /// Paths the CSRF guard never refuses: exact, or a prefix ending in `/`.
    pub csrf_exempt_paths: Vec<String>,
}

impl CorsConfig {
    /// The builder holding this configuration, every entry validated on the
    /// way so that a problem names its field (`allowed_origins[1]: …`).
    /// Rules that combine fields (a wildcard origin with credentials, no
    /// origin at all) are checked by [`CorsBuilder::build`]. The builder can
    /// be extended in code before building.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] listing every entry's problem, each a
    /// [`ConfigProblem::Located`](crate::ConfigProblem::Located).
    pub fn into_builder(self) -> Result<CorsBuilder, ConfigError> {
        // Taken apart exhaustively: a new field is a compile error here
        // until it reaches the builder.
        let CorsConfig {
            allowed_origins,
            allowed_origin_patterns,
            allow_credentials,
            allowed_methods,
            allowed_headers,
            exposed_headers,
            max_age_secs,
            allow_insecure_origins,
            allow_private_network,
            debug,
            csrf_protection,
            csrf_exempt_paths,
            #[cfg(feature = "tracing")]
            unknown_origin_level,
        } = self;
        let mut problems = Vec::new();
        type ListSetter = fn(CorsBuilder, &[String]) -> CorsBuilder;
        let lists: [(&str, &[String], Part, ListSetter); 6] = [
            (
                "allowed_origins",
                &allowed_origins,
                Part::Origins,
                |b, l| b.allow_origins(l),
            ),
            (
                "allowed_origin_patterns",
                &allowed_origin_patterns,
                Part::Origins,
                |b, l| b.allow_origin_patterns(l),
            ),
            (
                "allowed_methods",
                &allowed_methods,
                Part::Methods,
                |b, l| b.allow_methods(l),
            ),
            (
                "allowed_headers",
                &allowed_headers,
                Part::Headers,
                |b, l| b.allow_headers(l),
            ),
            ("exposed_headers", &exposed_headers, Part::Expose, |b, l| {
                b.expose_headers(l)
            }),
            (
                "csrf_exempt_paths",
                &csrf_exempt_paths,
                Part::CsrfExemptPaths,
                |b, l| b.csrf_exempt_paths(l),
            ),
        ];
        let mut builder = CorsBuilder::new();
        for (field, list, part, set) in lists {
            for (i, entry) in list.iter().enumerate() {
                set(CorsBuilder::new(), std::slice::from_ref(entry)).check_part(
                    part,
                    &format!("{field}[{i}]"),
                    &mut problems,
                );
            }
            builder = set(builder, list);
        }
        if let Some(secs) = max_age_secs {
            let age = Duration::from_secs(secs);
            CorsBuilder::new()
                .max_age(age)
                .check_part(Part::MaxAge, "max_age_secs", &mut problems);
            builder = builder.max_age(age);
        }
        if !problems.is_empty() {
            return Err(ConfigError::new(problems));
        }
        let builder = builder
            .allow_credentials(allow_credentials)
            .allow_insecure_origins(allow_insecure_origins)
            .allow_private_network(allow_private_network)
            .debug(debug)
            .csrf_protection(csrf_protection);
        #[cfg(feature = "tracing")]
        let builder = match unknown_origin_level {
            Some(level) => builder.unknown_origin_level(level),
            None => builder,
        };
        Ok(builder)
    }
}

impl TryFrom<CorsConfig> for CorsBuilder {
    type Error = ConfigError;

    /// Same as [`CorsConfig::into_builder`].
    fn try_from(config: CorsConfig) -> Result<Self, ConfigError> {
        config.into_builder()
    }
}

/// `Option<tracing::Level>` as the level's lower-case name (`"debug"`);
/// reads any case, and the numbers `1` (error) to `5` (trace) as
/// `tracing` does.
#[cfg(all(feature = "serde", feature = "tracing"))]
mod level_name {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        level: &Option<tracing::Level>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match level {
            Some(level) => s.serialize_str(&level.as_str().to_ascii_lowercase()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<tracing::Level>, D::Error> {
        let Some(name) = Option::<String>::deserialize(d)? else {
            return Ok(None);
        };
        name.trim().parse().map(Some).map_err(|_| {
            D::Error::custom(format_args!(
                "unknown level {name:?}: use \"trace\", \"debug\", \"info\", \"warn\" or \"error\""
            ))
        })
    }
}
