//! Configuration from environment variables (12-factor style).

use std::ffi::OsString;
use std::time::Duration;

use super::builder::CorsBuilder;
use super::compile::Part;
use crate::edit_distance::distance;
use crate::error::{ConfigError, ConfigProblem, EnvVarDefect};

/// The prefix [`CorsBuilder::from_env`] uses.
const DEFAULT_PREFIX: &str = "CORS_";

impl CorsBuilder {
    /// A builder configured from the `CORS_*` environment variables.
    ///
    /// | variable | setting | format |
    /// |---|---|---|
    /// | `CORS_ALLOWED_ORIGINS` | [`allow_origins`](Self::allow_origins) | comma list |
    /// | `CORS_ALLOWED_ORIGIN_PATTERNS` | [`allow_origin_patterns`](Self::allow_origin_patterns) | comma list |
    /// | `CORS_ALLOW_CREDENTIALS` | [`allow_credentials`](Self::allow_credentials) | boolean |
    /// | `CORS_ALLOWED_METHODS` | [`allow_methods`](Self::allow_methods) | comma list |
    /// | `CORS_ALLOWED_HEADERS` | [`allow_headers`](Self::allow_headers) | comma list |
    /// | `CORS_EXPOSED_HEADERS` | [`expose_headers`](Self::expose_headers) | comma list |
    /// | `CORS_MAX_AGE` | [`max_age`](Self::max_age) | whole seconds |
    /// | `CORS_ALLOW_INSECURE_ORIGINS` | [`allow_insecure_origins`](Self::allow_insecure_origins) | boolean |
    /// | `CORS_ALLOW_PRIVATE_NETWORK` | [`allow_private_network`](Self::allow_private_network) | boolean |
    /// | `CORS_DEBUG` | [`debug`](Self::debug) | boolean |
    /// | `CORS_UNKNOWN_ORIGIN_LEVEL` | [`unknown_origin_level`](Self::unknown_origin_level) (feature `tracing`) | `trace`, `debug`, `info`, `warn` or `error`, any case |
    /// | `CORS_CSRF_PROTECTION` | [`csrf_protection`](Self::csrf_protection) | boolean |
    /// | `CORS_CSRF_EXEMPT_PATHS` | [`csrf_exempt_paths`](Self::csrf_exempt_paths) | comma list |
    ///
    /// - An unset variable leaves its setting unconfigured (the builder's
    ///   default). Nothing else is read: no defaults are invented.
    /// - Comma lists: whitespace around entries is ignored; an empty or
    ///   all-blank value is an empty list; an empty entry (`a,,b`, a leading
    ///   or trailing comma) is an error, since it usually hides a typo.
    /// - Booleans: `true` / `false` or `1` / `0`, any case, surrounding
    ///   whitespace ignored; anything else (`yes`, `on`, empty) is an error.
    /// - `CORS_MAX_AGE`: digits only (`600`), at most 86 400.
    /// - A value that is not UTF-8 is an error.
    /// - A variable under the prefix that is not read but is within two
    ///   edits of a name that is (a swap of two adjacent letters is one
    ///   edit), any case (`CORS_ALLOWED_ORIGIN`, `CORS_MAXAGE`,
    ///   `CORS_CRSF_PROTECTION`, `cors_debug`), is an error
    ///   ([`EnvVarDefect::UnknownName`](crate::EnvVarDefect::UnknownName)):
    ///   ignored, it would leave a setting its operator made unapplied.
    ///   Names far from every setting (another tool's `CORS_*` variable)
    ///   are left alone. [`from_lookup`](Self::from_lookup) cannot list
    ///   variables, so it does not check this.
    ///
    /// Every entry is validated here as [`build`](Self::build) would, so
    /// each problem names its variable ([`ConfigProblem::Located`] or
    /// [`ConfigProblem::InvalidEnvVar`]); rules that combine settings (a
    /// wildcard origin with credentials, no origin at all) are checked by
    /// `build()`. The returned builder can be extended in code before
    /// building.
    ///
    /// ```no_run
    /// use strict_cors::CorsBuilder;
    ///
    /// // CORS_ALLOWED_ORIGINS="https://app.example.com, http://localhost:3000"
    /// // CORS_ALLOW_CREDENTIALS=true
    /// let cors = CorsBuilder::from_env()?.build()?;
    /// # Ok::<(), strict_cors::ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] with every problem found in every variable.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_env_with_prefix(DEFAULT_PREFIX)
    }

    /// Like [`from_env`](Self::from_env), with `prefix` in place of `CORS_`,
    /// for a service that runs several policies: with `"ADMIN_CORS_"` it reads
    /// `ADMIN_CORS_ALLOWED_ORIGINS`, `ADMIN_CORS_ALLOW_CREDENTIALS`, ….
    ///
    /// # Errors
    ///
    /// As for [`from_env`](Self::from_env).
    pub fn from_env_with_prefix(prefix: &str) -> Result<Self, ConfigError> {
        let misspelt = misspelt(prefix, std::env::vars_os());
        from_source(prefix, misspelt, |name| {
            std::env::var_os(name).map(OsString::into_string)
        })
    }

    /// Like [`from_env_with_prefix`](Self::from_env_with_prefix), reading the
    /// variables through `lookup` instead of the process environment (which
    /// is global, and racy to change in tests). `lookup` gets the full
    /// variable name (`prefix` included) and returns its value, or `None`
    /// when it is unset.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use strict_cors::CorsBuilder;
    ///
    /// let vars = HashMap::from([
    ///     ("CORS_ALLOWED_ORIGINS", "https://app.example.com, https://admin.example.com"),
    ///     ("CORS_ALLOW_CREDENTIALS", "true"),
    ///     ("CORS_MAX_AGE", "600"),
    /// ]);
    /// let cors = CorsBuilder::from_lookup("CORS_", |name| vars.get(name).map(|v| v.to_string()))?
    ///     .build()?;
    ///
    /// let bad = HashMap::from([("CORS_ALLOW_CREDENTIALS", "yes")]);
    /// let err = CorsBuilder::from_lookup("CORS_", |name| bad.get(name).map(|v| v.to_string()))
    ///     .unwrap_err();
    /// assert!(err.to_string().starts_with("CORS_ALLOW_CREDENTIALS=\"yes\""));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As for [`from_env`](Self::from_env).
    pub fn from_lookup<F>(prefix: &str, mut lookup: F) -> Result<Self, ConfigError>
    where
        F: FnMut(&str) -> Option<String>,
    {
        from_source(prefix, Vec::new(), |name| lookup(name).map(Ok))
    }
}

/// Reads every variable through `lookup` (`Err` for a non-UTF-8 value),
/// collecting every problem.
fn from_source<F>(
    prefix: &str,
    mut problems: Vec<ConfigProblem>,
    mut lookup: F,
) -> Result<CorsBuilder, ConfigError>
where
    F: FnMut(&str) -> Option<Result<String, OsString>>,
{
    let mut builder = CorsBuilder::new();
    let mut read = |suffix: &str, problems: &mut Vec<ConfigProblem>| {
        let var = format!("{prefix}{suffix}");
        match lookup(&var)? {
            Ok(value) => Some((var, value)),
            Err(raw) => {
                problems.push(ConfigProblem::InvalidEnvVar {
                    value: raw.to_string_lossy().into_owned(),
                    var,
                    reason: EnvVarDefect::NotUnicode,
                });
                None
            }
        }
    };

    type ListSetter = fn(CorsBuilder, Vec<String>) -> CorsBuilder;
    let lists: [(&str, Part, ListSetter); 6] = [
        ("ALLOWED_ORIGINS", Part::Origins, |b, l| b.allow_origins(l)),
        ("ALLOWED_ORIGIN_PATTERNS", Part::Origins, |b, l| {
            b.allow_origin_patterns(l)
        }),
        ("ALLOWED_METHODS", Part::Methods, |b, l| b.allow_methods(l)),
        ("ALLOWED_HEADERS", Part::Headers, |b, l| b.allow_headers(l)),
        ("EXPOSED_HEADERS", Part::Expose, |b, l| b.expose_headers(l)),
        ("CSRF_EXEMPT_PATHS", Part::CsrfExemptPaths, |b, l| {
            b.csrf_exempt_paths(l)
        }),
    ];
    for (suffix, part, set) in lists {
        let Some((var, value)) = read(suffix, &mut problems) else {
            continue;
        };
        let (list, empty_entry) = parse_list(&value);
        if empty_entry {
            // The other entries are still checked: every problem at once.
            problems.push(invalid(var.clone(), value, EnvVarDefect::EmptyEntry));
            set(CorsBuilder::new(), list).check_part(part, &var, &mut problems);
        } else {
            set(CorsBuilder::new(), list.clone()).check_part(part, &var, &mut problems);
            builder = set(builder, list);
        }
    }

    type BoolSetter = fn(CorsBuilder, bool) -> CorsBuilder;
    let flags: [(&str, BoolSetter); 4] = [
        ("ALLOW_CREDENTIALS", |b, v| b.allow_credentials(v)),
        ("ALLOW_INSECURE_ORIGINS", |b, v| b.allow_insecure_origins(v)),
        ("ALLOW_PRIVATE_NETWORK", |b, v| b.allow_private_network(v)),
        ("CSRF_PROTECTION", |b, v| b.csrf_protection(v)),
    ];
    for (suffix, set) in flags {
        let Some((var, value)) = read(suffix, &mut problems) else {
            continue;
        };
        match parse_bool(&value) {
            Some(v) => builder = set(builder, v),
            None => problems.push(invalid(var, value, EnvVarDefect::NotBoolean)),
        }
    }

    if let Some((var, value)) = read("MAX_AGE", &mut problems) {
        match parse_seconds(&value) {
            Some(secs) => {
                let age = Duration::from_secs(secs);
                CorsBuilder::new()
                    .max_age(age)
                    .check_part(Part::MaxAge, &var, &mut problems);
                builder = builder.max_age(age);
            }
            None => problems.push(invalid(var, value, EnvVarDefect::NotSeconds)),
        }
    }

    builder = read_diagnostics(builder, &mut read, &mut problems);

    if problems.is_empty() {
        Ok(builder)
    } else {
        Err(ConfigError::new(problems))
    }
}

/// `DEBUG` (debug mode, a boolean) and, with `tracing`,
/// `UNKNOWN_ORIGIN_LEVEL`: development and logging switches, kept apart from
/// the policy's flags.
fn read_diagnostics(
    mut builder: CorsBuilder,
    read: &mut impl FnMut(&str, &mut Vec<ConfigProblem>) -> Option<(String, String)>,
    problems: &mut Vec<ConfigProblem>,
) -> CorsBuilder {
    if let Some((var, value)) = read("DEBUG", problems) {
        match parse_bool(&value) {
            Some(on) => builder = builder.debug(on),
            None => problems.push(invalid(var, value, EnvVarDefect::NotBoolean)),
        }
    }
    #[cfg(feature = "tracing")]
    if let Some((var, value)) = read("UNKNOWN_ORIGIN_LEVEL", problems) {
        match value.trim().parse::<tracing::Level>() {
            Ok(level) => builder = builder.unknown_origin_level(level),
            Err(_) => problems.push(invalid(var, value, EnvVarDefect::NotLevel)),
        }
    }
    builder
}

/// Every name read after the prefix (`UNKNOWN_ORIGIN_LEVEL` in every build,
/// so that one environment serves builds with and without `tracing`).
const NAMES: [&str; 13] = [
    "ALLOWED_ORIGINS",
    "ALLOWED_ORIGIN_PATTERNS",
    "ALLOW_CREDENTIALS",
    "ALLOWED_METHODS",
    "ALLOWED_HEADERS",
    "EXPOSED_HEADERS",
    "MAX_AGE",
    "ALLOW_INSECURE_ORIGINS",
    "ALLOW_PRIVATE_NETWORK",
    "DEBUG",
    "UNKNOWN_ORIGIN_LEVEL",
    "CSRF_PROTECTION",
    "CSRF_EXEMPT_PATHS",
];

/// The variables of `env` that look like a misspelling of one this reads
/// (`CORS_ALLOWED_ORIGIN`, `cors_max_age`, `CORS_MAXAGE`): within two edits
/// of a name, ignoring case, without being it. Such a variable would
/// otherwise be silently ignored (a layer without the credentials, or the
/// origins, its operator set). Names far from every setting (another tool's
/// `CORS_*` variable) are left alone.
fn misspelt(
    prefix: &str,
    env: impl IntoIterator<Item = (OsString, OsString)>,
) -> Vec<ConfigProblem> {
    let upper_prefix = prefix.to_ascii_uppercase();
    let mut found = Vec::new();
    for (name, value) in env {
        let name = name.to_string_lossy();
        let upper = name.to_ascii_uppercase();
        let Some(suffix) = upper.strip_prefix(&upper_prefix) else {
            continue;
        };
        if name.starts_with(prefix) && NAMES.contains(&&name[prefix.len()..]) {
            continue;
        }
        if NAMES
            .iter()
            .any(|known| distance(suffix.as_bytes(), known.as_bytes()) <= 2)
        {
            found.push(invalid(
                name.into_owned(),
                value.to_string_lossy().into_owned(),
                EnvVarDefect::UnknownName,
            ));
        }
    }
    found
}

fn invalid(var: String, value: String, reason: EnvVarDefect) -> ConfigProblem {
    ConfigProblem::InvalidEnvVar { var, value, reason }
}

/// A comma list, entries trimmed, and whether an entry was empty (`a,,b`,
/// `a,`), which is left out of the list. A blank value is the empty list.
fn parse_list(value: &str) -> (Vec<String>, bool) {
    if value.trim().is_empty() {
        return (Vec::new(), false);
    }
    let mut empty_entry = false;
    let list = value
        .split(',')
        .map(str::trim)
        .filter(|entry| {
            empty_entry |= entry.is_empty();
            !entry.is_empty()
        })
        .map(str::to_owned)
        .collect();
    (list, empty_entry)
}

/// `true`/`false`/`1`/`0`, any case, trimmed.
fn parse_bool(value: &str) -> Option<bool> {
    let v = value.trim();
    if v.eq_ignore_ascii_case("true") || v == "1" {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") || v == "0" {
        Some(false)
    } else {
        None
    }
}

/// Digits only (trimmed), fitting in a `u64`.
fn parse_seconds(value: &str) -> Option<u64> {
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_trim_and_refuse_empty_entries() {
        let ab = || vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(
            parse_list(" a , b,c "),
            (vec!["a".into(), "b".into(), "c".into()], false)
        );
        assert_eq!(parse_list(""), (vec![], false));
        assert_eq!(parse_list("  \t"), (vec![], false));
        assert_eq!(parse_list("a,,b"), (ab(), true));
        assert_eq!(parse_list("a,"), (vec!["a".into()], true));
        assert_eq!(parse_list(",a"), (vec!["a".into()], true));
        assert_eq!(parse_list("a, ,b"), (ab(), true));
    }

    #[test]
    fn booleans_and_seconds() {
        for (s, v) in [
            ("true", true),
            ("TRUE", true),
            (" 1 ", true),
            ("False", false),
            ("0", false),
        ] {
            assert_eq!(parse_bool(s), Some(v), "{s}");
        }
        for s in ["", "yes", "on", "2", "tru e"] {
            assert_eq!(parse_bool(s), None, "{s}");
        }
        assert_eq!(parse_seconds(" 600 "), Some(600));
        assert_eq!(parse_seconds("0"), Some(0));
        for s in ["", "-1", "1.5", "10m", "99999999999999999999999"] {
            assert_eq!(parse_seconds(s), None, "{s}");
        }
    }

    #[test]
    fn misspelt_names_are_refused_not_ignored() {
        let env = |pairs: &[(&str, &str)]| -> Vec<(OsString, OsString)> {
            pairs.iter().map(|(k, v)| (k.into(), v.into())).collect()
        };
        let found = misspelt(
            "CORS_",
            env(&[
                ("CORS_ALLOWED_ORIGIN", "https://app.example.com"),
                ("CORS_ALLOW_CREDENTIAL", "true"),
                ("CORS_MAXAGE", "600"),
                // Two swapped pairs: two edits (four for plain Levenshtein).
                ("CORS_CRSF_PORTECTION", "true"),
                ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
                ("CORS_UNRELATED_TOOL_SETTING", "x"),
                ("PATH", "/bin"),
                ("ADMIN_CORS_ALLOWED_ORIGIN", "x"),
            ]),
        );
        let vars: Vec<&str> = found
            .iter()
            .map(|p| match p {
                ConfigProblem::InvalidEnvVar { var, reason, .. } => {
                    assert_eq!(*reason, EnvVarDefect::UnknownName);
                    var.as_str()
                }
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            vars,
            [
                "CORS_ALLOWED_ORIGIN",
                "CORS_ALLOW_CREDENTIAL",
                "CORS_MAXAGE",
                "CORS_CRSF_PORTECTION"
            ]
        );
        let shown = ConfigError::new(found).to_string();
        assert!(shown.contains("ALLOWED_ORIGINS"), "{shown}");
        assert!(misspelt("ADMIN_CORS_", env(&[("CORS_ALLOWED_ORIGIN", "x")])).is_empty());
    }

    #[test]
    fn non_utf8_values_name_the_variable() {
        #[cfg(unix)]
        let raw = {
            use std::os::unix::ffi::OsStringExt;
            OsString::from_vec(vec![b'h', 0xff, b'x'])
        };
        #[cfg(not(unix))]
        let raw = OsString::from("x");
        let err = from_source("CORS_", Vec::new(), |name| {
            (name == "CORS_ALLOWED_ORIGINS").then(|| Err(raw.clone()))
        })
        .unwrap_err();
        assert!(matches!(
            &err.problems()[0],
            ConfigProblem::InvalidEnvVar { var, reason: EnvVarDefect::NotUnicode, .. }
                if var == "CORS_ALLOWED_ORIGINS"
        ));
        assert_eq!(err.problems().len(), 1);
    }
}
